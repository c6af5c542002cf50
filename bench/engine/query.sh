#!/usr/bin/env bash
# Query benchmark: lmfront vs IRSTLM on the Debian fortunes corpus, orders 3 and 5, the SAME ARPA
# for both (built by IRSTLM's build-lm.sh, improved Kneser-Ney), side by side in one run,
# alternating, medians of REPS. Figures: compiled size, load time (a process scoring one line),
# scoring throughput (whole corpus; 1 process, and 2 processes on halves = both cores) as wall
# and CPU (user+sys) time, then bench_engine_query's in-process figures (load, threads,
# generation). Prints Markdown for docs/benchmarks/engine-model.md.
#
# usage: bench/engine/query.sh [REPS]   env: LMFRONT=path/to/lmfront BENCH=path/to/bench_engine_query
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPS=${1:-3}
LMFRONT=${LMFRONT:-}
BENCH=${BENCH:-}
for b in "$ROOT"/build-release "$ROOT"/build "$ROOT"/build-*; do
  [[ -z $LMFRONT && -x $b/bin/lmfront ]] && LMFRONT=$b/bin/lmfront
  [[ -z $BENCH && -x $b/bin/bench_engine_query ]] && BENCH=$b/bin/bench_engine_query
done
[[ -x ${LMFRONT:-} && -x ${BENCH:-} ]] || { echo "query.sh: set LMFRONT= and BENCH=" >&2; exit 1; }
export IRSTLM=/usr/lib/irstlm
IRSTBIN=$IRSTLM/bin
[[ -x $IRSTBIN/compile-lm ]] || { echo "query.sh: IRSTLM not installed (apt install irstlm)" >&2; exit 1; }
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/lmfront-query-bench.XXXXXX")}
mkdir -p "$WORK"

# The corpus exactly as bench/engine/train.sh builds it (whitespace tokenisation for both tools).
if [[ ! -s $WORK/corpus.txt ]]; then
  for f in /usr/share/games/fortunes/*; do
    if [[ -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]]; then cat "$f"; fi
  done | grep -v '^%$' | tr -s ' \t' '  ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$' >"$WORK/corpus.txt"
  "$IRSTBIN/add-start-end.sh" <"$WORK/corpus.txt" >"$WORK/corpus.se.txt"
  half=$(($(wc -l <"$WORK/corpus.txt") / 2))
  head -n "$half" "$WORK/corpus.txt" >"$WORK/a.txt"
  tail -n +"$((half + 1))" "$WORK/corpus.txt" >"$WORK/b.txt"
  head -n "$half" "$WORK/corpus.se.txt" >"$WORK/a.se.txt"
  tail -n +"$((half + 1))" "$WORK/corpus.se.txt" >"$WORK/b.se.txt"
  head -n 1 "$WORK/corpus.txt" >"$WORK/one.txt"
  head -n 1 "$WORK/corpus.se.txt" >"$WORK/one.se.txt"
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { echo "$EPOCHREALTIME"; }
# cpu CMD...: runs CMD, prints "wall user+sys" seconds.
cpu() { local TIMEFORMAT='%R %U %S'
        { time "$@" >"$WORK/out" 2>"$WORK/err"; } 2>"$WORK/t" || { cat "$WORK/err" >&2; exit 1; }
        awk '{printf "%s %.3f\n", $1, $2 + $3}' "$WORK/t"; }
wall() { local t0 t1; t0=$(now); "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }; t1=$(now)
         echo "$t1 - $t0" | bc -l; }
par2() { "$@" a & "$@" b & wait; }  # runs "CMD a" and "CMD b" at once

lm_score() { "$LMFRONT" score --model "$WORK/m$order.lmb" --text "$1" --tokenizer whitespace --json; }
ir_score() { "$IRSTBIN/compile-lm" "$WORK/irst$order.blm" --eval="$1"; }
lm_half() { lm_score "$WORK/$1.txt" >"$WORK/lm_$1.out"; }
ir_half() { ir_score "$WORK/$1.se.txt" >"$WORK/ir_$1.out" 2>&1; }

tokens=$(awk '{n += NF + 1} END {print n}' "$WORK/corpus.txt")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "corpus: $(wc -l <"$WORK/corpus.txt") lines, $tokens tokens incl. </s>; $REPS reps" >&2
for order in 3 5; do
  if [[ ! -s $WORK/irst$order.arpa ]]; then
    rm -rf "$WORK/tmp$order" "$WORK/irst$order.gz"
    env PATH="$IRSTBIN:$PATH" "$IRSTBIN/build-lm.sh" -i "$WORK/corpus.se.txt" -o "$WORK/irst$order.gz" -n "$order" -k 1 \
      -s improved-kneser-ney -t "$WORK/tmp$order" >/dev/null 2>&1
    "$IRSTBIN/compile-lm" --text=yes "$WORK/irst$order.gz" "$WORK/irst$order.arpa" >/dev/null 2>&1
  fi
  "$IRSTBIN/compile-lm" "$WORK/irst$order.arpa" "$WORK/irst$order.blm" >/dev/null 2>&1
  "$LMFRONT" compile "$WORK/irst$order.arpa" "$WORK/m$order.lmb" 2>/dev/null
  for f in lload iload lscore iscore lpar ipar; do : >"$WORK/$f"; done
  for ((r = 1; r <= REPS; r++)); do
    cpu lm_score "$WORK/one.txt" >>"$WORK/lload"
    cpu ir_score "$WORK/one.se.txt" >>"$WORK/iload"
    cpu lm_score "$WORK/corpus.txt" >>"$WORK/lscore"
    lmppl=$(sed -n 's/.*"perplexity":\([0-9.e+-]*\).*/\1/p' "$WORK/out")
    cpu ir_score "$WORK/corpus.se.txt" >>"$WORK/iscore"
    irppl=$(grep -o 'PP=[0-9.]*' "$WORK/err" "$WORK/out" | head -1 | cut -d= -f2)
    wall par2 lm_half >>"$WORK/lpar"
    wall par2 ir_half >>"$WORK/ipar"
  done
  ll=$(cut -d' ' -f1 "$WORK/lload" | median); il=$(cut -d' ' -f1 "$WORK/iload" | median)
  llc=$(cut -d' ' -f2 "$WORK/lload" | median); ilc=$(cut -d' ' -f2 "$WORK/iload" | median)
  lw=$(cut -d' ' -f1 "$WORK/lscore" | median); lc=$(cut -d' ' -f2 "$WORK/lscore" | median)
  iw=$(cut -d' ' -f1 "$WORK/iscore" | median); ic=$(cut -d' ' -f2 "$WORK/iscore" | median)
  lp=$(median <"$WORK/lpar"); ip=$(median <"$WORK/ipar")
  # Throughput net of process start + load (the one-line run), so it measures scoring.
  rate() { echo "$tokens / ($1 - $2)" | bc -l | awk '{printf "%.2f", $1 / 1e6}'; }
  echo "### order $order ($(grep '^ngram ' "$WORK/irst$order.arpa" | cut -d= -f2 | tr -d ' ' | paste -sd/) n-grams)"
  echo
  echo "| figure | IRSTLM | lmfront | ratio |"
  echo "| --- | --- | --- | --- |"
  is=$(stat -c %s "$WORK/irst$order.blm"); ls_=$(stat -c %s "$WORK/m$order.lmb")
  printf '| compiled size MB | %.1f | %.1f | %.2f× |\n' "$(echo "$is/1000000" | bc -l)" "$(echo "$ls_/1000000" | bc -l)" "$(echo "$ls_/$is" | bc -l)"
  printf '| process: start + load + score 1 line, ms wall (CPU) | %.0f (%.0f) | %.0f (%.0f) | %.1f× faster (CPU %.1f×) |\n' \
    "$(echo "$il*1000" | bc -l)" "$(echo "$ilc*1000" | bc -l)" "$(echo "$ll*1000" | bc -l)" "$(echo "$llc*1000" | bc -l)" \
    "$(echo "$il/$ll" | bc -l)" "$(echo "$ilc/$llc" | bc -l)"
  printf '| score corpus, s wall (CPU) | %s (%s) | %s (%s) | %.1f× faster (CPU %.1f×) |\n' "$iw" "$ic" "$lw" "$lc" "$(echo "$iw/$lw" | bc -l)" "$(echo "$ic/$lc" | bc -l)"
  printf '| scoring M tokens/s, 1 process, net of load (wall) | %s | %s | %.1f× |\n' "$(rate "$iw" "$il")" "$(rate "$lw" "$ll")" "$(echo "($iw-$il)/($lw-$ll)" | bc -l)"
  printf '| scoring M tokens/CPU-s, 1 process, net of load | %s | %s | %.1f× |\n' "$(rate "$ic" "$ilc")" "$(rate "$lc" "$llc")" "$(echo "($ic-$ilc)/($lc-$llc)" | bc -l)"
  printf '| scoring M tokens/s, 2 processes (wall, both cores) | %s | %s | %.1f× |\n' "$(rate "$ip" "$il")" "$(rate "$lp" "$ll")" "$(echo "($ip-$il)/($lp-$ll)" | bc -l)"
  printf '| corpus perplexity | %s | %s | |\n' "$irppl" "$lmppl"
  echo
  echo "in-process (bench_engine_query, medians of $REPS):"
  echo '```'
  "$BENCH" "$WORK/m$order.lmb" "$WORK/corpus.txt" "$REPS"
  echo '```'
  echo
done
echo "work dir: $WORK (delete when done)" >&2
