#!/usr/bin/env bash
# Log-probabilities' cost per generated token: bench_engine_logprobs on an order-3 model of the
# Debian fortunes corpus (trained here with `lmfront train`), generation tokens/s without
# log-probabilities and with 0, 5 and 20 alternatives, per sampling mode. Target: with 5
# alternatives at most 2x the time per token of the same mode without. Prints Markdown for
# docs/benchmarks/engine-logprobs.md.
#
# usage: bench/engine/logprobs.sh [REPS]   env: LMFRONT=path/to/lmfront BENCH=path/to/bench_engine_logprobs
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPS=${1:-3}
LMFRONT=${LMFRONT:-}
BENCH=${BENCH:-}
for b in "$ROOT"/build-release "$ROOT"/build "$ROOT"/build-*; do
  [[ -z $LMFRONT && -x $b/bin/lmfront ]] && LMFRONT=$b/bin/lmfront
  [[ -z $BENCH && -x $b/bin/bench_engine_logprobs ]] && BENCH=$b/bin/bench_engine_logprobs
done
[[ -x ${LMFRONT:-} && -x ${BENCH:-} ]] || { echo "logprobs.sh: set LMFRONT= and BENCH=" >&2; exit 1; }
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/lmfront-logprobs-bench.XXXXXX")}
mkdir -p "$WORK"
if [[ ! -s $WORK/m3.lmb ]]; then
  for f in /usr/share/games/fortunes/*; do
    if [[ -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]]; then cat "$f"; fi
  done | grep -v '^%$' | tr -s ' \t' '  ' | sed -e 's/^ //' -e 's/ $//' | grep -v '^$' >"$WORK/corpus.txt"
  "$LMFRONT" train --order 3 --text "$WORK/corpus.txt" --tokenizer whitespace --arpa "$WORK/m3.arpa" >/dev/null
  "$LMFRONT" compile "$WORK/m3.arpa" "$WORK/m3.lmb" >/dev/null
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| mode | tokens/s | logprobs 0 | logprobs 5 | logprobs 20 | time per token, 5 vs off |"
echo "| --- | --- | --- | --- | --- | --- |"
"$BENCH" "$WORK/m3.lmb" "$REPS" | while read -r line; do
  field() { sed -E "s/.*\"$1\":\"?([^,\"}]*).*/\1/" <<<"$line"; }
  off=$(field tokens_per_s); z=$(field logprobs0_tokens_per_s); f=$(field logprobs5_tokens_per_s)
  t=$(field logprobs20_tokens_per_s)
  printf '| %s | %s | %s | %s | %s | %.2f× |\n' "$(field mode)" "$off" "$z" "$f" "$t" "$(echo "$off / $f" | bc -l)"
done
