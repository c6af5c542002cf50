#!/usr/bin/env bash
# Builds and runs bench_cache and bench_cachepush 3 times each against a private redis-server
# (free port, no persistence).
# Usage: bench/cache/run.sh [build-dir]   (default: build-cache)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-cache}
[[ -f $build/build.ninja ]] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLMFRONT_BUILD_GUI=OFF >/dev/null
ninja -C "$build" bench_cache bench_cachepush >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "# $(date -u +%FT%TZ) $(nproc) cpus, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in 1 2 3; do
  echo "## run $run"
  "$build/bin/bench_cache" --redis-port "$port"
done
for run in 1 2 3; do
  echo "## push run $run"
  "$build/bin/bench_cachepush" --redis-port "$port" --samples 1000
done
