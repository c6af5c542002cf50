#!/usr/bin/env bash
# Member death to removal (docs/benchmarks/cluster.md): a real etcd and three lmfrontd on
# loopback with a lease TTL of TTL seconds. Each repetition kill -9's node c and times (1) until
# etcd deletes c's member key (its lease expired; seen by an `etcdctl watch`) and (2) until node
# a's `members` topic pushes c as `down` (bench/cluster/memberwatch.mjs: one ops connection, no
# polling), checks that `lmfront nodes` on a agrees, then starts c again and waits until a lists
# it `up`. Medians.
#
# Usage: bench/cluster/memberdeath.sh [BUILD_DIR]   (needs lmfrontd and lmfront in BUILD_DIR/bin)
# Env:   REPS=10 TTL=2
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
for b in lmfrontd lmfront; do
  [[ -x $BUILD_DIR/bin/$b ]] || { echo "missing $BUILD_DIR/bin/$b: ninja -C $BUILD_DIR $b" >&2; exit 1; }
done
command -v etcd >/dev/null || { echo "etcd not found: apt-get install etcd-server" >&2; exit 1; }
BIN=$(cd "$BUILD_DIR/bin" && pwd)
source bench/lib/loopback.sh
bench_begin memberdeath
REPS=${REPS:-10}
TTL=${TTL:-2}

client=$(free_port)
peer=$(free_port)
etcd --name bench --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$client" \
  --advertise-client-urls "http://127.0.0.1:$client" --listen-peer-urls "http://127.0.0.1:$peer" \
  --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "bench=http://127.0.0.1:$peer" \
  >"$WORK/etcd.log" 2>&1 &
PIDS+=($!)
wait_up "$client" health

declare -A port pid
start_node() {  # start_node ID
  "$BIN/lmfrontd" --listen "127.0.0.1:${port[$1]}" --node-id "$1" --data-dir "$WORK/$1" \
    --etcd "http://127.0.0.1:$client" --cluster bench --lease-ttl "$TTL" >>"$WORK/$1.log" 2>&1 &
  pid[$1]=$!
  PIDS+=($!)
}
for id in a b c; do
  port[$id]=$(free_port)
  mkdir -p "$WORK/$id"
  start_node "$id"
done
for id in a b c; do wait_up "${port[$id]}" readyz; done

state_of_c() {  # c's state as node a lists it ("" while a does not list c)
  "$BIN/lmfront" nodes --node "http://127.0.0.1:${port[a]}" --json 2>/dev/null |
    python3 -c 'import json,sys; print(next((m["state"] for m in json.load(sys.stdin) if m["id"] == "c"), ""))' ||
    true
}
await_c() {  # await_c STATE: polls for 30 s
  for _ in $(seq 600); do [[ $(state_of_c) == "$1" ]] && return 0; sleep 0.05; done
  echo "node a never saw c $1" >&2
  exit 1
}
await_c up
# etcd's side: the moment c's member key is deleted (its lease expired), from a watch.
deletes=$WORK/deletes.txt
: >"$deletes"
mkfifo "$WORK/watch.fifo"
ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$client" watch /lmfront/bench/members/c >"$WORK/watch.fifo" 2>/dev/null &
PIDS+=($!)  # killed at exit, which ends the reader below too
while IFS= read -r line; do [[ $line == DELETE ]] && date +%s%N >>"$deletes"; done <"$WORK/watch.fifo" &
# node a's side: its members topic, pushed (no polling).
seen=$WORK/seen.txt
node bench/cluster/memberwatch.mjs "ws://127.0.0.1:${port[a]}/ops" >"$seen" &
PIDS+=($!)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "etcd $(etcd --version | head -n 1 | awk '{print $3}'), lease TTL $TTL s, renewed every third of it"
OUT=$WORK/rounds.txt
: >"$OUT"
for ((r = 1; r <= REPS; r++)); do
  sleep 0.$((RANDOM % 10))  # the kill lands anywhere between two renewals
  t0=$(date +%s%N)
  kill -9 "${pid[c]}"
  wait "${pid[c]}" 2>/dev/null || true
  down=
  for _ in $(seq 1500); do  # 30 s
    down=$(grep ' down c$' "$seen" | tail -n 1 | cut -d' ' -f1 || true)
    [[ -n $down && $down -gt $((t0 / 1000000)) ]] && break
    down=
    sleep 0.02
  done
  [[ -n $down ]] || { echo "node a's members topic never said c is down" >&2; exit 1; }
  await_c down  # the CLI agrees
  deleted=$(tail -n 1 "$deletes")
  [[ -n $deleted && $deleted -gt $t0 ]] || { echo "no DELETE of c's key seen by the watch" >&2; exit 1; }
  echo "death to key deleted in etcd $(((deleted - t0) / 1000000)) ms" | tee -a "$OUT"
  echo "death to down in node a's members topic $((down - t0 / 1000000)) ms" | tee -a "$OUT"
  start_node c
  wait_up "${port[c]}" readyz
  await_c up
done
echo "$REPS deaths, $(date -u +%FT%TZ)"
python3 bench/lib/medians.py "$OUT" | cut -c1-72
python3 - "$OUT" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    words = line.split()
    rows.setdefault(" ".join(words[:-2]), []).append(float(words[-2]))
for case, v in rows.items():
    v.sort()
    print(f"{case}: min {v[0]:.0f} ms, p99 {v[min(len(v) - 1, round(0.99 * (len(v) - 1)))]:.0f} ms, max {v[-1]:.0f} ms")
PY
