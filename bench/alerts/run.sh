#!/usr/bin/env bash
# Alert history over a million events: a one-day query by severity, a text query, and the
# year's summary (docs/benchmarks/alerts.md). Runs lmfront-bench-alerthistory ROUNDS times.
#
# Usage: bench/alerts/run.sh [BUILD_DIR]   (default: build; needs target lmfront-bench-alerthistory)
# Env:   ROUNDS=3 ROWS=1000000 REPEAT=7 DIR=/tmp (where the database file is made)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
BIN=$BUILD_DIR/bin/lmfront-bench-alerthistory
[[ -x $BIN ]] || { echo "missing $BIN: ninja -C $BUILD_DIR lmfront-bench-alerthistory" >&2; exit 1; }
echo "ROWS=${ROWS:-1000000}, median of ${REPEAT:-7} runs per round, $(nproc) cores, $(date -u +%FT%TZ)"
for ((r = 1; r <= ${ROUNDS:-3}; r++)); do
  "$BIN" "${ROWS:-1000000}" "${REPEAT:-7}" "${DIR:-/tmp}" | sed "s/^/round $r: /"
done
