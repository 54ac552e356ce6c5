# Makefile: `make test` runs every test, `make demo` the main job; both install what is
# missing first (tools/setup.sh). `make bench` prints the benchmark ratios.
SHELL := /bin/bash
VENV ?= $(CURDIR)/.venv
PY := $(VENV)/bin/python
export LANG := C.UTF-8
export LC_ALL := C.UTF-8
export TANDEM_PYTHON := $(PY)
export PYTHONDONTWRITEBYTECODE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# RLIB=<dir>: install and find the R packages there instead of R's site library.
ifneq ($(RLIB),)
export RLIB
export R_LIBS := $(RLIB)
endif

.PHONY: setup test test-python test-r demo demo-distributed bench sanitize torture clean

setup:
	@bash tools/setup.sh

test: setup
	@$(MAKE) --no-print-directory test-python test-r

# Each suite runs under tools/watchdog.sh: a run that hangs is stopped after SUITE_TIMEOUT
# seconds with every thread's stack printed (gdb), and fails.
SUITE_TIMEOUT ?= 1200

test-python:
	bash tools/watchdog.sh $(SUITE_TIMEOUT) $(PY) -m pytest -q tests

test-r:
	@for pkg in r/tandem r/tandem.keras; do \
	  [ -d $$pkg/tests/testthat ] || continue; \
	  echo "==> testthat: $$pkg"; \
	  bash tools/watchdog.sh $(SUITE_TIMEOUT) Rscript tools/run_testthat.R $$pkg || exit 1; \
	done
	@bash tools/check_r.sh

# The main job: a CNN on Fashion-MNIST trained from R (writes history.png and a .keras file).
demo: setup
	Rscript examples/fashion_mnist.R

# The main job on 2 workers (tf.distribute MultiWorkerMirroredStrategy on loopback).
demo-distributed: setup
	Rscript examples/fashion_mnist_distributed.R

bench: setup
	$(PY) bench/run.py

# ASan/UBSan build of the core into .asan-site/, then pytest and tandem's testthat suite on it.
sanitize:
	@bash tools/sanitize.sh

# The core's R entry points under gctorture(TRUE): finds unprotected SEXPs (tools/torture.R).
torture:
	@bash tools/torture.sh

clean:
	rm -rf build .venv-asan
