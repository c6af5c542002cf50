#!/usr/bin/env bash
# The console's Traffic view CPU (target < 5 % of a core) with MODELS models charted at 1 Hz:
# starts lmfrontd on loopback serving one small model under MODELS names, sends completions to
# every name (curl, so the traffic's CPU is not the view's), and runs lmfront-bench-traffic under
# Xvfb (real X rendering) ROUNDS times; prints the median of each case. The measured CPU is the
# view's GUI thread only: ops client, item models and chart drawing.
#
# Usage: bench/console/traffic.sh [BUILD_DIR]   (needs lmfrontd, lmfront, lmfront-bench-traffic, xvfb-run)
# Env:   MODELS=20 SECONDS=30 WARMUP=10 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
MODELS=${MODELS:-20}
SECONDS_=${SECONDS:-30}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-3}
for bin in lmfrontd lmfront lmfront-bench-traffic; do
  [[ -x $BUILD_DIR/bin/$bin ]] || { echo "missing $BUILD_DIR/bin/$bin: ninja -C $BUILD_DIR $bin" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/lmfront-bench-traffic.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
grep -v '^%$' /usr/share/games/fortunes/fortunes | grep -v '^\s*$' | head -2000 >"$WORK/corpus.txt"
"$BUILD_DIR/bin/lmfront" train --order 3 --text "$WORK/corpus.txt" --tokenizer default --lowercase \
  --arpa "$WORK/tiny.arpa" >/dev/null 2>&1
"$BUILD_DIR/bin/lmfront" compile "$WORK/tiny.arpa" "$WORK/tiny.lmb" >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
flags=()
for ((m = 1; m <= MODELS; m++)); do flags+=(--model "m$m=$WORK/tiny.lmb"); done
"$BUILD_DIR/bin/lmfrontd" --listen "127.0.0.1:$port" --data-dir "$WORK/data" "${flags[@]}" >"$WORK/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
# About 40 requests a second spread over every model, bounded.
(
  for i in $(seq 1 200000); do
    curl -s -o /dev/null -m 5 -H 'Content-Type: application/json' \
      -d "{\"model\":\"m$((i % MODELS + 1))\",\"prompt\":\"the\",\"max_tokens\":4}" \
      "http://127.0.0.1:$port/v1/completions" || true
    sleep 0.025
  done
) &
pids+=($!)
OUT=$WORK/out.txt
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $MODELS models, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
  xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 \
    "$BUILD_DIR/bin/lmfront-bench-traffic" "http://127.0.0.1:$port" "$SECONDS_" "$WARMUP" >>"$OUT"
done
python3 bench/lib/medians.py "$OUT"
