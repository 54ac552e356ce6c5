#!/usr/bin/env bash
# tools/check_r.sh: R CMD check (no tests, no manual: the suites run separately) of each
# R package; fails on any WARNING or ERROR (undocumented exports, Rd problems, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for pkg in r/tandem r/tandem.keras; do
  [ -f "$pkg/DESCRIPTION" ] || continue
  name=$(basename "$pkg")
  (cd "$work" && R CMD build --no-build-vignettes "$OLDPWD/$pkg" >/dev/null)
  tarball=$(ls "$work"/${name}_*.tar.gz)
  (cd "$work" && _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual --no-tests "$tarball" >"$work/$name.log" 2>&1) || true
  result=$(grep -E "^Status:" "$work/$name.log" || echo "Status: no result")
  echo "R CMD check $name: $result"
  if grep -qE "WARNING|ERROR" "$work/$name.log" || ! grep -q "^Status:" "$work/$name.log"; then
    grep -E -A12 "WARNING|ERROR" "$work/$name.log" || tail -20 "$work/$name.log"
    status=1
  fi
done
exit $status
