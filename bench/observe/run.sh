#!/usr/bin/env bash
# The observability costs: CPU ns to record one request's metrics on the hot path (target ≤ 50 ns),
# and the memory of the node's time-series store after a day of 1 s samples for 50 models, with
# the CPU of one sample. Runs lmfront-bench-observe ROUNDS times and prints the median of each case.
#
# Usage: bench/observe/run.sh [BUILD_DIR]     (default: build; needs target lmfront-bench-observe)
# Env:   ROUNDS=3 ITERATIONS=5000000 SIMULATED_SECONDS=86400 MODELS=50
#        (a short check: ROUNDS=1 ITERATIONS=100000 SIMULATED_SECONDS=600 bench/observe/run.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
ROUNDS=${ROUNDS:-3}
ITERATIONS=${ITERATIONS:-5000000}
SECONDS_SIMULATED=${SIMULATED_SECONDS:-86400}  # not SECONDS: bash counts its own time in it
MODELS=${MODELS:-50}
BIN=$BUILD_DIR/bin/lmfront-bench-observe
[[ -x $BIN ]] || { echo "missing $BIN: ninja -C $BUILD_DIR lmfront-bench-observe" >&2; exit 1; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for ((r = 1; r <= ROUNDS; r++)); do "$BIN" "$ITERATIONS" "$SECONDS_SIMULATED" "$MODELS" >>"$OUT"; done
echo "median of $ROUNDS rounds, $(nproc) cores, $(date -u +%FT%TZ)"
python3 bench/lib/medians.py "$OUT"
