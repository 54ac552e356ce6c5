#!/usr/bin/env bash
# tools/sanitize.sh: builds the core with AddressSanitizer + UBSan into .asan-site/ and
# runs the Python-hosted tests (pytest) and then tandem's R-hosted testthat suite against
# it (Rscript with the sanitizer runtimes preloaded; the R package finds the ASan core
# through TANDEM_PYTHON + PYTHONPATH). Usage: make sanitize  (SANITIZE_ONLY=python|r)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
VENV=${VENV:-$PWD/.venv}
rm -rf .asan-site
TANDEM_SANITIZE=ON "$VENV/bin/python" -m pip install -q --no-build-isolation --no-deps \
  --config-settings=build-dir=build/asan --target .asan-site .
ASAN_LIB=$(gcc -print-file-name=libasan.so)
UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
# libR reaches xdrmem_create in libtirpc; ASan's interceptor only finds it when libtirpc is
# loaded right after the sanitizer runtimes.
TIRPC_LIB=$(ldconfig -p | awk '/libtirpc\.so\.3 /{if (!found) print $NF; found = 1}')  # no early exit: SIGPIPE under pipefail
export PYTHONPATH=$PWD/.asan-site
export ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TANDEM_PYTHON="$VENV/bin/python"
PRELOAD="$ASAN_LIB $UBSAN_LIB $TIRPC_LIB"
# ASan's instrumented frames are several times larger: the tests that nest R -> Python -> R
# 200 deep need more than the default 8 MB C stack (R reads the limit when it starts).
ulimit -s 65536 2>/dev/null || ulimit -s unlimited 2>/dev/null || true
if [ "${SANITIZE_ONLY:-}" != r ]; then
  echo "==> pytest on the ASan/UBSan core"
  LD_PRELOAD="$PRELOAD" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests \
    --deselect tests/test_interrupt.py "$@"
fi
if [ "${SANITIZE_ONLY:-}" != python ]; then
  echo "==> testthat (r/tandem) on the ASan/UBSan core"
  # Child processes the tests start (Rscript, python) inherit LD_PRELOAD and PYTHONPATH,
  # so they run the sanitized core too.
  LD_PRELOAD="$PRELOAD" Rscript tools/run_testthat.R r/tandem
fi
