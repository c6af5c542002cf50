#!/usr/bin/env bash
# Deploy-to-convergence on every node of a cluster (docs/benchmarks/cluster.md; target < 1 s):
# a real etcd and NODES real lmfrontd on loopback, model "fortunes" whose version 1 is the same
# compiled file in every node's data dir. Version 2 goes through the whole lifecycle on the first
# node only (submit → validation → approve → compile → publish), so the other nodes copy its
# artifact by sha256 at the first deploy. Then bench/cluster/converge.py sends REPS deploys of
# version 2 and REPS rollbacks to version 1, each to a different node in turn, and times each from
# the command until every node serves the version; ROUNDS rounds; median
# and p99 over all repetitions (the first deploy, which copies the artifact, apart).
#
# Usage: bench/cluster/deploy.sh [BUILD_DIR]     (needs lmfrontd and lmfront in BUILD_DIR/bin, etcd)
# Env:   ROUNDS=3 REPS=20 NODES=3
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
for b in lmfrontd lmfront; do
  [[ -x $BUILD_DIR/bin/$b ]] || { echo "missing $BUILD_DIR/bin/$b: ninja -C $BUILD_DIR $b" >&2; exit 1; }
done
command -v etcd >/dev/null || { echo "etcd not found: apt-get install etcd-server" >&2; exit 1; }
BIN=$(cd "$BUILD_DIR/bin" && pwd)
source bench/lib/loopback.sh
bench_begin cluster
ROUNDS=${ROUNDS:-3}
NODES=${NODES:-3}

for f in /usr/share/games/fortunes/*; do
  if [[ -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]]; then cat "$f"; fi
done | grep -v '^%$' | tr -s ' \t' '  ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$' >"$WORK/corpus.txt"
[[ -s $WORK/corpus.txt ]] || { echo "no fortunes corpus: apt-get install fortune-mod fortunes" >&2; exit 1; }
head -n 4000 "$WORK/corpus.txt" >"$WORK/small.txt"
"$BIN/lmfront" train --order 3 --text "$WORK/small.txt" --arpa "$WORK/v1.arpa" >/dev/null
"$BIN/lmfront" compile "$WORK/v1.arpa" "$WORK/v1.lmb" >/dev/null
mkdir -p "$WORK/bundle"
"$BIN/lmfront" train --order 3 --text "$WORK/corpus.txt" --arpa "$WORK/bundle/model.arpa" >/dev/null
cat >"$WORK/bundle/model.json" <<'JSON'
{"name": "fortunes", "description": "the whole fortunes corpus", "owner": "bench", "license": "CC0-1.0", "order": 3}
JSON

ETCD_PORT=$(free_port)
ETCD_PEER=$(free_port)
etcd --name bench --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-cluster "bench=http://127.0.0.1:$ETCD_PEER" \
  >"$WORK/etcd.log" 2>&1 &
PIDS+=($!)
wait_up "$ETCD_PORT" health

PORTS=()
for ((n = 0; n < NODES; n++)); do
  mkdir -p "$WORK/node$n/models"
  cp "$WORK/v1.lmb" "$WORK/node$n/models/fortunes.lmb"
  PORT=$(free_port)
  "$BIN/lmfrontd" --listen "127.0.0.1:$PORT" --data-dir "$WORK/node$n" --node-id "node$n" \
    --etcd "http://127.0.0.1:$ETCD_PORT" --cluster bench >"$WORK/node$n.log" 2>&1 &
  PIDS+=($!)
  PORTS+=("$PORT")
done
for p in "${PORTS[@]}"; do wait_up "$p" readyz; done

NODE=http://127.0.0.1:${PORTS[0]}
cli() { "$BIN/lmfront" "$@" --node "$NODE"; }
state() {
  cli versions fortunes --json | python3 -c "import json,sys; print(next((v['state'] for v in json.load(sys.stdin) if v['version'] == $1), ''))"
}
await() {
  for _ in $(seq 600); do [[ $(state "$1") == "$2" ]] && return 0; sleep 0.1; done
  echo "version $1 never became $2 (it is $(state "$1"))" >&2
  exit 1
}
cli submit "$WORK/bundle" >/dev/null
await 2 validated
cli approve fortunes 2 --comment "bench" >/dev/null
cli compile fortunes 2 >/dev/null
await 2 compiled
cli publish fortunes 2 >/dev/null
await 2 published
# Every node sees every other before the first deploy (placement is every member up).
for _ in $(seq 100); do
  [[ $(cli nodes --json | python3 -c 'import json,sys; print(sum(m["state"] == "up" for m in json.load(sys.stdin)))') == "$NODES" ]] && break
  sleep 0.1
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "artifact of version 2: $(stat -c %s "$WORK"/node0/artifacts/sha256/*/* 2>/dev/null | sort -n | tail -1) bytes; $NODES nodes"
# The first deploy also copies the artifact to every other node: reported apart.
python3 bench/cluster/converge.py fortunes 2 1 1 "${PORTS[@]}" | sed 's/^/first (artifact copied): /'
OUT=$WORK/rounds.txt
: >"$OUT"
for ((r = 1; r <= ROUNDS; r++)); do
  python3 bench/cluster/converge.py fortunes 2 1 "${REPS:-20}" "${PORTS[@]}" >"$WORK/round.txt"
  cat "$WORK/round.txt" >>"$OUT"
done
echo "median of $ROUNDS rounds × ${REPS:-20} deploys and rollbacks, $(date -u +%FT%TZ)"
python3 - "$OUT" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    words = line.split()
    rows.setdefault(" ".join(words[:-2]), []).append(float(words[-2]))
for case, v in rows.items():
    v.sort()
    print(f"{case}: median {v[len(v) // 2]:.2f} ms, p99 {v[min(len(v) - 1, round(0.99 * (len(v) - 1)))]:.2f} ms, "
          f"max {v[-1]:.2f} ms over {len(v)}")
PY
