#!/usr/bin/env bash
# Training benchmark: `lmfront train` vs IRSTLM's build-lm.sh on the Debian fortunes corpus,
# orders 3 and 5, same whitespace-tokenised text for both, alternating runs, medians of N reps.
# Prints a Markdown table (wall time and peak RSS from /usr/bin/time) for docs/benchmarks/engine-train.md.
#
# usage: bench/engine/train.sh [REPS]      env: LMFRONT=path/to/lmfront (default build-*/bin/lmfront)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPS=${1:-3}
LMFRONT=${LMFRONT:-}
if [[ -z $LMFRONT ]]; then
  for b in "$ROOT"/build-release "$ROOT"/build "$ROOT"/build-*; do
    [[ -x $b/bin/lmfront ]] && { LMFRONT=$b/bin/lmfront; break; }
  done
fi
[[ -x ${LMFRONT:-} ]] || { echo "train.sh: no lmfront binary (set LMFRONT=)" >&2; exit 1; }
export IRSTLM=/usr/lib/irstlm
IRSTBIN=$IRSTLM/bin
[[ -x $IRSTBIN/build-lm.sh ]] || { echo "train.sh: IRSTLM not installed (apt install irstlm)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lmfront-train-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# One line per text line of every fortune file (not the .dat indexes or .u8 links), fortune
# separators dropped, runs of blanks squeezed: the same whitespace tokenisation for both tools.
for f in /usr/share/games/fortunes/*; do
  if [[ -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]]; then cat "$f"; fi
done | grep -v '^%$' | tr -s ' \t' '  ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$' >"$WORK/corpus.txt"
# IRSTLM wants explicit sentence boundaries.
"$IRSTBIN/add-start-end.sh" <"$WORK/corpus.txt" >"$WORK/corpus.se.txt"
read -r lines words bytes _ < <(wc "$WORK/corpus.txt")

measure() {  # measure OUTFILE cmd... -> appends "seconds maxrss_kb"
  local out=$1
  shift
  /usr/bin/time -f '%e %M %U %S' -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/stderr.txt" || {
    cat "$WORK/stderr.txt" >&2
    exit 1
  }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/time.txt" >>"$out"  # wall, KB, cpu
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "corpus: $lines lines, $words words, $bytes bytes; lmfront: $LMFRONT; $REPS reps; $(nproc) cores" >&2
printf '| order | tool | wall s (median) | CPU s user+sys (median) | peak RSS MB (median) | n-grams |\n'
printf '| --- | --- | --- | --- | --- | --- |\n'
for order in 3 5; do
  : >"$WORK/l$order" && : >"$WORK/i$order"
  for ((r = 1; r <= REPS; r++)); do
    measure "$WORK/l$order" "$LMFRONT" train --order "$order" --text "$WORK/corpus.txt" --arpa "$WORK/lmfront.arpa" \
      --tokenizer whitespace
    rm -rf "$WORK/irsttmp" "$WORK/irstlm.gz"  # build-lm.sh refuses to overwrite either
    measure "$WORK/i$order" env PATH="$IRSTBIN:$PATH" "$IRSTBIN/build-lm.sh" -i "$WORK/corpus.se.txt" \
      -o "$WORK/irstlm.gz" -n "$order" -k 1 -s improved-kneser-ney -t "$WORK/irsttmp"
  done
  lt=$(cut -d' ' -f1 "$WORK/l$order" | median)
  lm=$(cut -d' ' -f2 "$WORK/l$order" | median)
  it=$(cut -d' ' -f1 "$WORK/i$order" | median)
  im=$(cut -d' ' -f2 "$WORK/i$order" | median)
  lc=$(cut -d' ' -f3 "$WORK/l$order" | median)
  ic=$(cut -d' ' -f3 "$WORK/i$order" | median)
  counts=$(grep '^ngram ' "$WORK/lmfront.arpa" | cut -d= -f2 | paste -sd/)
  printf '| %d | lmfront train | %.2f | %.2f | %.0f | %s |\n' "$order" "$lt" "$lc" "$(awk "BEGIN{print $lm/1024}")" "$counts"
  printf '| %d | IRSTLM build-lm.sh | %.2f | %.2f | %.0f | |\n' "$order" "$it" "$ic" "$(awk "BEGIN{print $im/1024}")"
  printf '| %d | **speed-up** | **%.1fx** | **%.1fx** | | |\n' "$order" "$(awk "BEGIN{print $it/$lt}")" "$(awk "BEGIN{print $ic/$lc}")"
  echo "order $order raw lmfront: $(paste -sd' ' "$WORK/l$order" | tr '\n' ' ') irstlm: $(paste -sd' ' "$WORK/i$order")" >&2
done
