#!/usr/bin/env bash
# bench/reticulate_venv.sh: Debian's reticulate 1.28 cannot convert NumPy 2 arrays; its
# conversion benchmark runs against a venv with numpy<2 (created here once).
set -euo pipefail
VENV=${1:-$(dirname "$0")/../.venv-reticulate}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q "numpy==1.26.4" "pandas==2.2.3"
fi
echo "$VENV/bin/python"
