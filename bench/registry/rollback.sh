#!/usr/bin/env bash
# Time from `rollback` to the old version serving, under load (docs/benchmarks/registry.md; target
# < 1 s). A real lmfrontd with model "fortunes": version 1 is a compiled file in its data dir
# (imported and deployed at start), version 2 goes through the whole lifecycle from the CLI
# (submit a bundle → validation job → approve → compile job → publish). Then
# lmfront-bench-rollback deploys version 2 and rolls it back REPS times while CONNS clients send
# completions, and prints each rollback's time; ROUNDS rounds, medians (bench/lib/medians.py).
#
# Usage: bench/registry/rollback.sh [BUILD_DIR]
#        (needs lmfrontd, lmfront and lmfront-bench-rollback in BUILD_DIR/bin)
# Env:   ROUNDS=3 REPS=20 CONNS=4
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
for b in lmfrontd lmfront lmfront-bench-rollback; do
  [[ -x $BUILD_DIR/bin/$b ]] || { echo "missing $BUILD_DIR/bin/$b: ninja -C $BUILD_DIR $b" >&2; exit 1; }
done
BIN=$(cd "$BUILD_DIR/bin" && pwd)
source bench/lib/loopback.sh
bench_begin rollback
ROUNDS=${ROUNDS:-3}

# Two models from the Debian fortunes corpus (fortune-mod), differing in how much of it they saw.
for f in /usr/share/games/fortunes/*; do
  if [[ -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]]; then cat "$f"; fi
done | grep -v '^%$' | tr -s ' \t' '  ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$' >"$WORK/corpus.txt"
[[ -s $WORK/corpus.txt ]] || { echo "no fortunes corpus: apt-get install fortune-mod fortunes" >&2; exit 1; }
head -n 4000 "$WORK/corpus.txt" >"$WORK/small.txt"
"$BIN/lmfront" train --order 3 --text "$WORK/small.txt" --arpa "$WORK/v1.arpa" >/dev/null
mkdir -p "$WORK/data/models" "$WORK/bundle"
"$BIN/lmfront" compile "$WORK/v1.arpa" "$WORK/data/models/fortunes.lmb" >/dev/null
"$BIN/lmfront" train --order 3 --text "$WORK/corpus.txt" --arpa "$WORK/bundle/model.arpa" >/dev/null
cat >"$WORK/bundle/model.json" <<'JSON'
{"name": "fortunes", "description": "the whole fortunes corpus", "owner": "bench", "license": "CC0-1.0", "order": 3}
JSON
KEY=$("$BIN/lmfront" keys create --name bench --role operator --data-dir "$WORK/data" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
PORT=$(free_port)
NODE=http://127.0.0.1:$PORT
"$BIN/lmfrontd" --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/lmfrontd.log" 2>&1 &
PIDS+=($!)
wait_up "$PORT" readyz

cli() { "$BIN/lmfront" "$@" --node "$NODE" --key "$KEY"; }
state() {  # state VERSION: the catalog state of fortunes' VERSION
  cli versions fortunes --json | python3 -c "import json,sys; print(next(v['state'] for v in json.load(sys.stdin) if v['version'] == $1))"
}
await() {  # await VERSION STATE: polls for 60 s
  for _ in $(seq 600); do [[ $(state "$1") == "$2" ]] && return 0; sleep 0.1; done
  echo "version $1 never became $2 (it is $(state "$1"))" >&2
  cli jobs >&2
  exit 1
}
cli submit "$WORK/bundle" >/dev/null
await 2 validated
cli approve fortunes 2 --comment "bench" >/dev/null
cli compile fortunes 2 >/dev/null
await 2 compiled
cli publish fortunes 2 >/dev/null
await 2 published

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=$WORK/rounds.txt
: >"$OUT"
for ((r = 1; r <= ROUNDS; r++)); do
  "$BIN/lmfront-bench-rollback" "$PORT" fortunes "$KEY" 2 1 "${REPS:-20}" "${CONNS:-4}" >"$WORK/round.txt"
  grep '^rollback ' "$WORK/round.txt" >>"$OUT"
  grep -v '^rollback ' "$WORK/round.txt"
done
echo "median of $ROUNDS rounds × ${REPS:-20} rollbacks, $(date -u +%FT%TZ)"
python3 bench/lib/medians.py "$OUT"
python3 - "$OUT" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    words = line.split()
    rows.setdefault(" ".join(words[:-2]), []).append(float(words[-2]))
for case, v in rows.items():
    v.sort()
    print(f"{case}: p99 {v[min(len(v) - 1, round(0.99 * (len(v) - 1)))]:.2f} ms, max {v[-1]:.2f} ms over {len(v)} rollbacks")
PY
