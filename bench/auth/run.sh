#!/usr/bin/env bash
# Per-request cost of API-key authentication (Authenticator::authenticate) vs its SHA-256 core.
# Runs lmfront-bench-auth ROUNDS times and prints the median ns/op of each case.
#
# Usage: bench/auth/run.sh [BUILD_DIR]     (default: build; needs target lmfront-bench-auth)
# Env:   ROUNDS=3 ITERATIONS=2000000
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
ROUNDS=${ROUNDS:-3}
ITERATIONS=${ITERATIONS:-2000000}
BIN=$BUILD_DIR/bin/lmfront-bench-auth
[[ -x $BIN ]] || { echo "missing $BIN: ninja -C $BUILD_DIR lmfront-bench-auth" >&2; exit 1; }
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for ((r = 1; r <= ROUNDS; r++)); do "$BIN" "$ITERATIONS" | sed "s/^/$r /" >>"$OUT"; done
echo "median of $ROUNDS rounds, CPU ns per operation (slowest thread), $(nproc) cores, $(date -u +%FT%TZ)"
python3 - "$OUT" <<'PY'
import statistics, sys
order, vals, threads = [], {}, "1"
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[1] == "#":
        threads = parts[2].split("=")[1]
        continue
    key = (threads, " ".join(parts[1:-1]))
    if key not in vals:
        order.append(key)
        vals[key] = []
    vals[key].append(float(parts[-1]))
print(f"{'threads':<8} {'case':<34} {'median_ns':>10}  runs")
for key in order:
    v = vals[key]
    print(f"{key[0]:<8} {key[1]:<34} {statistics.median(v):>10.1f}  {' '.join(f'{x:.0f}' for x in v)}")
PY
