#!/usr/bin/env bash
# tools/setup.sh: installs everything tandem needs on a fresh Debian machine with
# Python 3.11: R and R packages (apt), a .venv with the pinned Python packages, the
# native core (pip install .) and both R packages (R CMD INSTALL). Idempotent: each step
# is skipped when it is already done for the current sources.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
VENV=${VENV:-$ROOT/.venv}
# RLIB: an R library to install the R packages into (default: R's site library). When
# set, the Makefile exports R_LIBS=$RLIB so that R (and R embedded in Python) finds them.
RLIB=${RLIB:-}

say() { printf '\n==> %s\n' "$*"; }

# 1. R and Debian packages.
APT_PACKAGES="r-base-core r-base-dev r-cran-r6 r-cran-testthat r-cran-withr r-cran-reticulate r-cran-bit64 r-cran-ggplot2 r-cran-magrittr r-cran-purrr r-cran-processx r-cran-knitr r-cran-rmarkdown r-cran-png graphviz pandoc tmux gdb dataset-fashion-mnist"
missing=""
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# 2. The virtualenv with pinned Python packages.
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
req_stamp="$VENV/.tandem-requirements"
if ! cmp -s requirements.txt "$req_stamp"; then
  say "installing pinned Python packages (requirements.txt)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements.txt
  cp requirements.txt "$req_stamp"
fi

# 3. The native core (rebuilt when cpp/, src/ or the build files change).
core_hash=$(cat pyproject.toml CMakeLists.txt $(find cpp src -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.py' \) | sort) | sha1sum | cut -d' ' -f1)
core_stamp="$VENV/.tandem-core"
if [ "$(cat "$core_stamp" 2>/dev/null)" != "$core_hash" ]; then
  say "building and installing the tandem core (pip install .)"
  "$VENV/bin/python" -m pip install -q --no-build-isolation --no-deps .
  echo "$core_hash" > "$core_stamp"
fi

# 4. The R packages.
for pkg in r/tandem r/tandem.keras; do
  [ -f "$pkg/DESCRIPTION" ] || continue
  name=$(basename "$pkg")
  h=$(find "$pkg" -type f -not -path '*/tests/*' | sort | xargs cat | sha1sum | cut -d' ' -f1)
  stamp="$VENV/.tandem-r-$name${RLIB:+-$(echo "$RLIB" | sha1sum | cut -c1-8)}"
  libarg=""
  if [ -n "$RLIB" ]; then mkdir -p "$RLIB"; libarg="--library=$RLIB"; fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$h" ] || ! R_LIBS="$RLIB" Rscript -e "quit(status = !requireNamespace('$name', quietly = TRUE))" >/dev/null 2>&1; then
    say "installing the R package $name"
    R CMD INSTALL --no-test-load $libarg "$pkg" >/dev/null
    echo "$h" > "$stamp"
  fi
done
say "setup done"
