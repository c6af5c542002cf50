#!/usr/bin/env bash
# A cold model's time to first token after a deploy (docs/benchmarks/registry.md; target < 20 ms).
# A real lmfrontd; model "fortunes" gets three versions through the whole lifecycle from the CLI
# (submit an order-5 ARPA bundle → validation job → approve → compile job → publish), trained on
# three slices of the Debian fortunes corpus. bench/registry/firsttoken.py then deploys them in
# rotation, each with its artifact's pages evicted from the page cache first, and times the deploy
# and the first token of a streamed completion sent right after it; ROUNDS rounds, medians.
#
# Usage: bench/registry/firsttoken.sh [BUILD_DIR]   (needs lmfrontd and lmfront in BUILD_DIR/bin)
# Env:   ROUNDS=3 REPS=5 (deploys per version and round)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
for b in lmfrontd lmfront; do
  [[ -x $BUILD_DIR/bin/$b ]] || { echo "missing $BUILD_DIR/bin/$b: ninja -C $BUILD_DIR $b" >&2; exit 1; }
done
command -v fincore >/dev/null || { echo "fincore (util-linux) is needed to check the eviction" >&2; exit 1; }
BIN=$(cd "$BUILD_DIR/bin" && pwd)
source bench/lib/loopback.sh
bench_begin firsttoken
ROUNDS=${ROUNDS:-3}

for f in /usr/share/games/fortunes/*; do
  if [[ -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]]; then cat "$f"; fi
done | grep -v '^%$' | tr -s ' \t' '  ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$' >"$WORK/corpus.txt"
[[ -s $WORK/corpus.txt ]] || { echo "no fortunes corpus: apt-get install fortune-mod fortunes" >&2; exit 1; }
lines=$(wc -l <"$WORK/corpus.txt")
slice=$((lines / 10))
mkdir -p "$WORK/data"
for v in 1 2 3; do  # the whole corpus, then without its first and without its last tenth
  mkdir -p "$WORK/bundle$v"
  case $v in
    1) cp "$WORK/corpus.txt" "$WORK/text$v.txt" ;;
    2) tail -n +$((slice + 1)) "$WORK/corpus.txt" >"$WORK/text$v.txt" ;;
    3) head -n $((lines - slice)) "$WORK/corpus.txt" >"$WORK/text$v.txt" ;;
  esac
  "$BIN/lmfront" train --order 5 --text "$WORK/text$v.txt" --tokenizer whitespace \
    --arpa "$WORK/bundle$v/model.arpa" >/dev/null
  cat >"$WORK/bundle$v/model.json" <<JSON
{"name": "fortunes", "description": "fortunes, slice $v", "owner": "bench", "license": "CC0-1.0",
 "order": 5, "tokenizer": "whitespace"}
JSON
done
KEY=$("$BIN/lmfront" keys create --name bench --role operator --data-dir "$WORK/data" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
PORT=$(free_port)
NODE=http://127.0.0.1:$PORT
"$BIN/lmfrontd" --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/lmfrontd.log" 2>&1 &
PIDS+=($!)
wait_up "$PORT" readyz

cli() { "$BIN/lmfront" "$@" --node "$NODE" --key "$KEY"; }
field() {  # field VERSION NAME: a field of fortunes' VERSION in the catalog
  cli versions fortunes --json | python3 -c "import json,sys; print(next(v['$2'] for v in json.load(sys.stdin) if v['version'] == $1))"
}
await() {  # await VERSION STATE: polls for 5 min
  for _ in $(seq 3000); do [[ $(field "$1" state) == "$2" ]] && return 0; sleep 0.1; done
  echo "version $1 never became $2 (it is $(field "$1" state))" >&2
  cli jobs >&2
  exit 1
}
versions=()
for v in 1 2 3; do
  cli submit "$WORK/bundle$v" >/dev/null
  await $v validated
  cli approve fortunes $v --comment "bench" >/dev/null
  cli compile fortunes $v >/dev/null
  await $v compiled
  cli publish fortunes $v >/dev/null
  await $v published
  sha=$(field $v artifact_sha256)
  artifact=$(find "$WORK/data" -type f -name "*$sha*" | head -n 1)
  [[ -n $artifact ]] || { echo "no artifact file for version $v ($sha)" >&2; exit 1; }
  versions+=("$v:$artifact")
  echo "version $v: $(stat -c %s "$artifact") bytes, $artifact"
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=$WORK/rounds.txt
: >"$OUT"
for ((r = 1; r <= ROUNDS; r++)); do
  python3 bench/registry/firsttoken.py "$PORT" "$KEY" fortunes "${REPS:-5}" "${versions[@]}" >>"$OUT"
done
echo "medians of $ROUNDS rounds × ${REPS:-5} deploys of each of 3 versions, $(date -u +%FT%TZ)"
python3 bench/lib/medians.py "$OUT" | cut -c1-72
python3 - "$OUT" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    words = line.split()
    rows.setdefault(words[0], []).append(float(words[1]))
for case, v in rows.items():
    v.sort()
    print(f"{case}: p99 {v[min(len(v) - 1, round(0.99 * (len(v) - 1)))]:.2f} ms, max {v[-1]:.2f} ms over {len(v)} deploys")
PY
