#!/usr/bin/env bash
# Runs bench_policies 3 times (each prints medians of 5 repetitions) against a throwaway
# redis-server on a free loopback port. Usage: bench/policies/run.sh [build-dir]
set -euo pipefail
build=${1:-build}
bin=$build/bin/bench_policies
[[ -x $bin ]] || { echo "build it first: ninja -C $build bench_policies" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for run in 1 2 3; do
  echo "--- run $run"
  "$bin" --redis-port "$port"
done
