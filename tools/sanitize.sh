#!/usr/bin/env bash
# tools/sanitize.sh: builds the core with AddressSanitizer + UBSan into .asan-site/ and
# runs the Python-hosted tests against it. Usage: make sanitize
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
LD_PRELOAD="$ASAN_LIB $UBSAN_LIB $TIRPC_LIB" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests \
  --deselect tests/test_interrupt.py "$@"
