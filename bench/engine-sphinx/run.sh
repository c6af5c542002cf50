#!/usr/bin/env bash
# Times `lmfront import-sphinx` on Debian's CMU en-us trigram (27 MB, 3.8 M n-grams): the whole
# import to an ARPA file (fsync included), to /dev/null (read + decode + format), to a compiled
# .lmb (read + decode + build + fsync), and,
# as the reference in the same run, libsphinxbase loading the same file (when libsphinxbase-dev
# is installed: sphinxbase's converter aborts on this file, so its load is the closest measure).
# Prints each run and the median of RUNS (default 3). Not a test: the machine is shared and noisy.
#
# usage: bench/engine-sphinx/run.sh BUILD_DIR [RUNS]
set -euo pipefail
build=$1
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
lmfront=$build/bin/lmfront
model=/usr/share/pocketsphinx/model/en-us/en-us.lm.bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
timeit() {  # timeit CMD...: "wall cpu" seconds of one run (cpu = user + sys: less noisy when shared)
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>&1
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time"
}
bench() {  # bench LABEL CMD...
  local label=$1 i walls=() cpus=() t
  shift
  for ((i = 0; i < runs; i++)); do
    t=$(timeit "$@")
    walls+=("${t% *}")
    cpus+=("${t#* }")
  done
  printf '%-42s wall %s (median %s s)  cpu median %s s\n' "$label" "${walls[*]}" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)"
}

echo "machine: $(nproc) cores, load $(cut -d" " -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%FT%TZ)"
bench "lmfront import-sphinx -> ARPA file" "$lmfront" import-sphinx "$model" "$work/en-us.arpa"
bench "lmfront import-sphinx -> /dev/null" sh -c "'$lmfront' import-sphinx '$model' - >/dev/null"
bench "lmfront import-sphinx -> compiled .lmb" "$lmfront" import-sphinx "$model" "$work/en-us.lmb"
if pkg-config --exists sphinxbase 2>/dev/null; then
  cc -O2 "$here/sphinxbase_score.c" $(pkg-config --cflags --libs sphinxbase) -o "$work/sphinxbase_score"
  bench "reference: libsphinxbase loads the model" sh -c "'$work/sphinxbase_score' '$model' </dev/null"
else
  echo "reference skipped: libsphinxbase-dev is not installed"
fi
