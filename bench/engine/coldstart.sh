#!/usr/bin/env bash
# Cold start: time from opening a model file in a fresh process to its first generated token,
# for a compiled file WITHOUT the sampler's continuation index (what every file before format v5
# was: the index is built at the first generation) and WITH it (lmb v5, as `lmfront compile`
# writes it: the index is mapped in place). Target: < 20 ms with the index. One process per
# measurement (bench_engine_coldstart), the cases alternating, medians of REPS.
#   warm: the file is in the page cache (read once just before);
#   evicted: its pages were dropped first with posix_fadvise(DONTNEED) (no root needed; works for
#            clean pages no process maps, so nothing else may hold the file open meanwhile).
# The model: order-5 Kneser-Ney on the Debian fortunes corpus (trained here), or MODEL=FILE
# (an ARPA or compiled file, e.g. a default model).
#
# usage: bench/engine/coldstart.sh [REPS]
#   env: LMFRONT=path/to/lmfront BENCH=path/to/bench_engine_coldstart MODEL=file WORK=dir
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPS=${1:-11}
LMFRONT=${LMFRONT:-}
BENCH=${BENCH:-}
for b in "$ROOT"/build-release "$ROOT"/build "$ROOT"/build-*; do
  [[ -z $LMFRONT && -x $b/bin/lmfront ]] && LMFRONT=$b/bin/lmfront
  [[ -z $BENCH && -x $b/bin/bench_engine_coldstart ]] && BENCH=$b/bin/bench_engine_coldstart
done
[[ -x ${LMFRONT:-} && -x ${BENCH:-} ]] || { echo "coldstart.sh: set LMFRONT= and BENCH=" >&2; exit 1; }
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/lmfront-coldstart-bench.XXXXXX")}
mkdir -p "$WORK"
MODEL=${MODEL:-}
if [[ -z $MODEL ]]; then
  MODEL=$WORK/m5.arpa
  if [[ ! -s $MODEL ]]; then
    for f in /usr/share/games/fortunes/*; do
      if [[ -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]]; then cat "$f"; fi
    done | grep -v '^%$' | tr -s ' \t' '  ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$' >"$WORK/corpus.txt"
    "$LMFRONT" train --order 5 --text "$WORK/corpus.txt" --tokenizer whitespace --arpa "$MODEL" >/dev/null
  fi
fi
"$LMFRONT" compile "$MODEL" "$WORK/without-index.lmb" --no-index >/dev/null
"$LMFRONT" compile "$MODEL" "$WORK/with-index.lmb" >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$LMFRONT" info --model "$WORK/with-index.lmb" >&2
for f in without-index with-index; do
  echo "$f: $(stat -c %s "$WORK/$f.lmb") bytes" >&2
done
rounds=$WORK/rounds.txt
: >"$rounds"
for ((r = 0; r < REPS; r++)); do
  for cache in warm evicted; do
    for f in without-index with-index; do
      if [[ $cache == warm ]]; then
        cat "$WORK/$f.lmb" >/dev/null
        read -r open index first < <("$BENCH" "$WORK/$f.lmb")
      else
        read -r open index first < <("$BENCH" "$WORK/$f.lmb" --drop-cache)
      fi
      {
        echo "$f $cache open $open ms"
        echo "$f $cache index $index ms"
        echo "$f $cache first-token $first ms"
      } >>"$rounds"
    done
  done
done
python3 "$ROOT/bench/lib/medians.py" "$rounds"
