#!/usr/bin/env bash
# One console following a cluster (targets: < 5 % of one core, memory flat): starts a real etcd and
# NODES lmfrontd nodes on loopback (no models, lease TTL 5 s), each streaming its 1 Hz `metrics`,
# then runs lmfront-bench-cluster against the first node ROUNDS times in each mode, in turn, under
# Xvfb: `cluster` (the Cluster page shown), `overview` (the Overview's "All nodes" charts shown),
# `views` (both at once), each with one ops connection per member, and `model` (the same
# ClusterModel and connections, no view: the reference). Prints the median of each case and the
# machine's load.
#
# Usage: bench/console/cluster.sh [BUILD_DIR]   (needs etcd, lmfrontd, lmfront-bench-cluster, xvfb-run)
# Env:   NODES=20 WINDOW=60 (seconds measured) WARMUP=10 ROUNDS=3 MODES="cluster overview views model"
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
NODES=${NODES:-20}
WINDOW=${WINDOW:-60}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-3}
source bench/lib/loopback.sh
for bin in lmfrontd lmfront-bench-cluster; do
  [[ -x $BUILD_DIR/bin/$bin ]] || { echo "missing $BUILD_DIR/bin/$bin: ninja -C $BUILD_DIR $bin" >&2; exit 1; }
done
command -v etcd >/dev/null || { echo "etcd not found: install Debian's etcd-server" >&2; exit 1; }
bench_begin console-cluster

client=$(free_port)
peer=$(free_port)
etcd --name bench --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "bench=http://127.0.0.1:$peer" \
  >"$WORK/etcd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "ready to serve client requests" "$WORK/etcd.log" && break; sleep 0.1; done
grep -q "ready to serve client requests" "$WORK/etcd.log" || { echo "etcd did not start" >&2; exit 1; }

ports=()
for ((n = 1; n <= NODES; n++)); do
  port=$(free_port)
  ports+=("$port")
  "$BUILD_DIR/bin/lmfrontd" --listen "127.0.0.1:$port" --data-dir "$WORK/node$n" --node-id "$(printf 'node-%02d' "$n")" \
    --etcd "http://127.0.0.1:$client" --cluster bench --lease-ttl 5 --workers 1 >"$WORK/node$n.log" 2>&1 &
  PIDS+=($!)
done
# Twenty nodes starting at once on two cores: up to 60 s each (wait_up's 10 s is for one server).
for ((n = 1; n <= NODES; n++)); do
  port=${ports[n - 1]}
  for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" ||
    { echo "node $n on $port did not start:" >&2; tail -5 "$WORK/node$n.log" >&2; exit 1; }
done

OUT=$WORK/out.txt
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $NODES nodes, ${WINDOW} s windows, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= ROUNDS; r++)); do
  for mode in ${MODES:-cluster overview views model}; do
    xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 \
      "$BUILD_DIR/bin/lmfront-bench-cluster" "http://127.0.0.1:${ports[0]}" "$NODES" "$WINDOW" "$WARMUP" "$mode" >>"$OUT"
  done
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/lib/medians.py "$OUT"
