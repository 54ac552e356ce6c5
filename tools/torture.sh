#!/usr/bin/env bash
# tools/torture.sh: runs tools/torture.R (tandem's core entry points under gctorture(TRUE),
# to find unprotected SEXPs) against the installed packages. Usage: make torture
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
VENV=${VENV:-$PWD/.venv}
export TANDEM_PYTHON=${TANDEM_PYTHON:-$VENV/bin/python}
exec Rscript tools/torture.R
