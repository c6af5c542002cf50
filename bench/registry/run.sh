#!/usr/bin/env bash
# Catalog operations over 1,000 models × 20 versions (docs/benchmarks/registry.md): the full
# listing (target < 50 ms), one model with its versions, one model's newest audit rows and one
# lifecycle transition. Runs lmfront-bench-catalog ROUNDS times and prints the median of each case.
#
# Usage: bench/registry/run.sh [BUILD_DIR]   (default: build; needs target lmfront-bench-catalog)
# Env:   ROUNDS=3 MODELS=1000 VERSIONS=20 REPEAT=15 DIR=/tmp (where the database file is made)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
BIN=$BUILD_DIR/bin/lmfront-bench-catalog
[[ -x $BIN ]] || { echo "missing $BIN: ninja -C $BUILD_DIR lmfront-bench-catalog" >&2; exit 1; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for ((r = 1; r <= ${ROUNDS:-3}; r++)); do
  "$BIN" "${MODELS:-1000}" "${VERSIONS:-20}" "${REPEAT:-15}" "${DIR:-/tmp}" >>"$OUT"
done
echo "median of ${ROUNDS:-3} rounds, $(nproc) cores, $(date -u +%FT%TZ)"
python3 bench/lib/medians.py "$OUT"
