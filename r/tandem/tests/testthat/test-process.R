# Process behaviour: exit, signals, fork, handles from an earlier process.

test_that("a handle restored by readRDS() is a null pointer before Python starts", {
  rds <- tempfile(fileext = ".rds")
  saveRDS(import("math"), rds)
  res <- run_rscript(sprintf('
library(tandem)
h <- readRDS("%s")
cat("null:", py_is_null_xptr(h), "\\n")
cat("started:", py_available(), "\\n")
', rds))
  expect_identical(res$status, 0L)
  expect_true("null: TRUE " %in% res$output)
  expect_true("started: FALSE " %in% res$output)
  # After Python started, it is still a null pointer, and using it is a clear error.
  h <- readRDS(rds)
  expect_true(py_is_null_xptr(h))
})

test_that("a restored handle used first, before Python starts, is the same clear error", {
  # each use is the first thing the new session does: none may fail with R's own
  # "first argument must be a string ... or native symbol reference" (Python not loaded)
  rds <- tempfile(fileext = ".rds")
  saveRDS(list(d = py_eval("{'a': 1}", convert = FALSE), m = import("math")), rds)
  uses <- c("h$d$a", "h$m$sqrt(2)", "py_repr(h$d)", "h$d + 1", "names(h$d)", "py_call(h$m)",
            "h$d[['a']]", "py_len(h$d)", "py_get_attr(h$m, 'pi')", "iterate(h$d)", "py_to_r(h$d)")
  for (use in uses) {
    res <- run_rscript(sprintf('
library(tandem)
h <- readRDS("%s")
msg <- tryCatch({ %s; "no error" }, error = function(e) conditionMessage(e))
cat("message:", msg, "\\n")
', rds, use))
    expect_identical(res$status, 0L, info = use)
    expect_true(any(grepl("^message: This Python object is no longer available \\(its pointer is NULL", res$output)),
                info = paste(use, paste(res$output, collapse = "\n")))
  }
})

test_that("Python's atexit handlers and finalizers run when R exits", {
  marker <- tempfile()
  res <- run_rscript(sprintf('
library(tandem)
py_run_string("
import atexit, weakref
path = \\"%s\\"
def note(what):
    with open(path, \\"a\\") as f:
        f.write(what + \\"\\\\n\\")
atexit.register(note, \\"atexit\\")
class Thing:
    pass
thing = Thing()
weakref.finalize(thing, note, \\"finalizer\\")
")
quit(status = 0)
', marker))
  expect_identical(res$status, 0L)
  expect_setequal(readLines(marker), c("atexit", "finalizer"))
})

test_that("SIGPIPE while Python runs is BrokenPipeError in Python", {
  py_run_string("
import os
rfd, wfd = os.pipe()
os.close(rfd)
try:
    os.write(wfd, b'x')
    pipe_result = 'no error'
except BrokenPipeError:
    pipe_result = 'BrokenPipeError'
finally:
    os.close(wfd)
")
  expect_identical(py$pipe_result, "BrokenPipeError")
  expect_identical(py_eval("1 + 1"), 2L)
})

test_that("a child forked from Python has working standard streams", {
  res <- run_rscript('
library(tandem)
py_run_string("
import multiprocessing as mp, os, sys
def child(q):
    print(\\"child stdout works\\")
    sys.stderr.write(\\"child stderr works\\\\n\\")
    q.put(os.getpid())
ctx = mp.get_context(\\"fork\\")
q = ctx.Queue()
p = ctx.Process(target=child, args=(q,))
p.start()
child_pid = q.get(timeout=60)
p.join(60)
exitcode = p.exitcode
pid = os.fork()
if pid == 0:
    print(\\"os.fork child works\\")
    sys.stdout.flush()
    os._exit(0)
_, status = os.waitpid(pid, 0)
fork_status = status
")
cat("exitcode", py$exitcode, py$fork_status, "\\n")
print("parent still writes")
')
  expect_identical(res$status, 0L)
  expect_true("child stdout works" %in% res$output)
  expect_true("child stderr works" %in% res$output)
  expect_true("os.fork child works" %in% res$output)
  expect_true("exitcode 0 0 " %in% res$output)
  expect_true(any(grepl("parent still writes", res$output)))
})

test_that("a forked child keeps standard streams the user set; the parent keeps its own", {
  py_run_string("
import os, sys
class _Proxy:
    def __init__(self, stream): self.stream = stream
    def write(self, s): return self.stream.write(s)
    def flush(self): return self.stream.flush()
saved = (sys.stdout, sys.stderr)
custom = (_Proxy(sys.__stdout__), _Proxy(sys.__stderr__))
sys.stdout, sys.stderr = custom
pid = os.fork()
if pid == 0:
    os._exit(0 if (sys.stdout, sys.stderr) == custom else 1)
_, custom_status = os.waitpid(pid, 0)
parent_kept = (sys.stdout, sys.stderr) == custom
sys.stdout, sys.stderr = saved
pid = os.fork()
if pid == 0:
    # tandem's console writers are replaced by writers on the process' fds
    os._exit(0 if (sys.stdout is not saved[0] and sys.stdout.fileno() == 1) else 1)
_, console_status = os.waitpid(pid, 0)
parent_console_kept = (sys.stdout, sys.stderr) == saved
")
  expect_identical(py$custom_status, 0L)
  expect_true(py$parent_kept)
  expect_identical(py$console_status, 0L)
  expect_true(py$parent_console_kept)
})
