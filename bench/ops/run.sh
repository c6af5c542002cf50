#!/usr/bin/env bash
# The ops API's fan-out, both ways (docs/benchmarks/ops.md):
#   1. one node streaming 1 Hz metrics to CLIENTS `ws` clients: node CPU per client (fanout.mjs);
#   2. one console process following NODES nodes: its CPU and event-loop latency (lmfront-bench-ops-client).
# Usage: bench/ops/run.sh [BUILD_DIR]   Env: CLIENTS=100 NODES=20 SECONDS=30 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
CLIENTS=${CLIENTS:-100}
NODES=${NODES:-20}
SECONDS_=${SECONDS:-30}
ROUNDS=${ROUNDS:-3}
for bin in lmfrontd lmfront; do
  [[ -x $BUILD_DIR/bin/$bin ]] || { echo "missing $BUILD_DIR/bin/$bin" >&2; exit 1; }
done
[[ -x $BUILD_DIR/bin/lmfront-bench-ops-client ]] ||
  { echo "missing lmfront-bench-ops-client: ninja -C $BUILD_DIR lmfront-bench-ops-client" >&2; exit 1; }
[[ -d tests/sdk/node_modules/ws ]] || { echo "missing ws: (cd tests/sdk && npm ci)" >&2; exit 1; }
echo "## node → $CLIENTS ws clients"
node bench/ops/fanout.mjs "$BUILD_DIR/bin" "$CLIENTS" "$SECONDS_" "$ROUNDS"
echo "## console client ← $NODES nodes"
WORK=$(mktemp -d /tmp/lmfront-bench-ops.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
grep -v '^%$' /usr/share/games/fortunes/fortunes | grep -v '^\s*$' | head -2000 >"$WORK/corpus.txt"
"$BUILD_DIR/bin/lmfront" train --order 3 --text "$WORK/corpus.txt" --tokenizer default --lowercase \
  --arpa "$WORK/tiny.arpa" >/dev/null 2>&1
"$BUILD_DIR/bin/lmfront" compile "$WORK/tiny.arpa" "$WORK/tiny.lmb" >/dev/null 2>&1
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD_DIR/bin/lmfront-bench-ops-client" "$BUILD_DIR/bin" "$WORK/tiny.lmb" "$NODES" "$SECONDS_"
