#!/usr/bin/env bash
# Builds lmfront's default models from text and models Debian ships (no network), with the
# lmfront binary of BUILD_DIR, into $LMFRONT_MODELS_DIR (default: $XDG_DATA_HOME/lmfront/models,
# i.e. ~/.local/share/lmfront/models, where a node with the default data dir finds them):
#   english    5-gram, Debian's English fortunes + the King James Bible, lowercased
#   chinese    5-gram over characters, Debian's Chinese fortunes (fortunes-zh)
#   cmu-en-us  CMU's pretrained English trigram from pocketsphinx-en-us, via import-sphinx
# Each as NAME.lmb plus NAME.json (name, description, source, order, counts, sha256, created).
# Idempotent: a model is skipped while NAME.lmb and NAME.json are newer than its inputs, the
# lmfront binary and this script, and the binary still loads NAME.lmb with its sampling index (a
# file of an older compiled-format version is rebuilt). docs/models.md explains the choices.
#
# usage: scripts/build-default-models.sh BUILD_DIR [NAME...]   (default: all three)
set -euo pipefail

if (($# < 1)); then
  echo "usage: $0 BUILD_DIR [english|chinese|cmu-en-us ...]" >&2
  exit 2
fi
build=$1
shift
wanted=("$@")
((${#wanted[@]})) || wanted=(english chinese cmu-en-us)

script=$(readlink -f "$0")
lmfront=$(readlink -f "$build/bin/lmfront" 2>/dev/null || true)
if [[ -z $lmfront || ! -x $lmfront ]]; then
  echo "models: no lmfront binary at $build/bin/lmfront (build it first)" >&2
  exit 1
fi
verbs=$("$lmfront" help)
for verb in train compile import-sphinx; do
  if ! grep -q "^  $verb " <<<"$verbs"; then
    echo "models: $lmfront has no '$verb' command" >&2
    exit 1
  fi
done

out=${LMFRONT_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/lmfront/models}
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/lmfront-models.XXXXXX")
trap 'rm -rf "$work"' EXIT

fortune_dir=/usr/share/games/fortunes
sphinx_model=/usr/share/pocketsphinx/model/en-us/en-us.lm.bin

# The fortune files a package installs: plain text only (no .dat index, no .u8 alias).
package_fortunes() {
  dpkg -L "$@" 2>/dev/null | while read -r f; do
    [[ $f == "$fortune_dir"/* && -f $f && ! -L $f && $f != *.dat && $f != *.u8 ]] && echo "$f"
  done | sort
}

# Fortune files -> one fortune per line: drops the % separators, ANSI colour codes (fortunes-zh
# has them) and control characters, joins each fortune's wrapped lines.
fortunes_to_lines() {
  cat "$@" | sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' | tr -d '\000-\010\013-\037\177' |
    awk '/^%[ \t]*$/ { if (buf != "") print buf; buf = ""; next }
         { gsub(/[ \t\r]+/, " "); sub(/^ /, ""); sub(/ $/, ""); if ($0 == "") next
           buf = (buf == "" ? $0 : buf " " $0) }
         END { if (buf != "") print buf }'
}

# up_to_date NAME INPUT...: NAME.lmb and NAME.json exist, are newer than every input, and this
# lmfront loads NAME.lmb (it refuses a file of another format version) and finds the sampler's
# continuation index in it (a v4 file loads but lacks it: rebuilt, so generation starts at once).
up_to_date() {
  local name=$1 f
  shift
  [[ -f $out/$name.lmb && -f $out/$name.json ]] || return 1
  for f in "$@" "$lmfront" "$script"; do
    [[ $f -nt $out/$name.lmb || $f -nt $out/$name.json ]] && return 1
  done
  "$lmfront" info --model "$out/$name.lmb" --json 2>/dev/null | grep -q '"continuation_index":true' || return 1
  return 0
}

versions() {  # "pkg version, pkg version"
  local p list=()
  for p in "$@"; do list+=("$p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo unknown)"); done
  local IFS=,
  echo "${list[*]}" | sed 's/,/, /g'
}

# finish NAME ORDER COUNTS DESCRIPTION SOURCE MODEL: compiles MODEL (ARPA; or takes it as it is
# when it is already NAME.lmb) into the models dir and writes NAME.json beside it.
finish() {
  local name=$1 order=$2 counts=$3 description=$4 source=$5 model=$6
  if [[ $model != "$work/$name.lmb" ]]; then
    "$lmfront" compile "$model" "$work/$name.lmb" --json >/dev/null
  fi
  mv -f "$work/$name.lmb" "$out/$name.lmb"
  local sha bytes
  sha=$(sha256sum "$out/$name.lmb" | cut -d' ' -f1)
  bytes=$(stat -c %s "$out/$name.lmb")
  cat >"$work/$name.json" <<EOF
{
  "name": "$name",
  "description": "$description",
  "source": "$source",
  "order": $order,
  "counts": $counts,
  "file": "$name.lmb",
  "bytes": $bytes,
  "sha256": "$sha",
  "created": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
  mv -f "$work/$name.json" "$out/$name.json"
}

# The n-gram counts from a train/import --json summary ("ngrams":[...] or "counts":[...]).
json_counts() { grep -o "\"$1\":\[[0-9,]*\]" | head -1 | sed 's/^[^[]*//'; }

build_english() {
  local order=5 files
  mapfile -t files < <(package_fortunes fortunes fortunes-min)
  if ((${#files[@]} == 0)); then
    echo "models: no English fortunes found (install the fortunes package)" >&2
    return 1
  fi
  if up_to_date english "${files[@]}" /usr/lib/bible.data; then
    echo "models: english is up to date" >&2
    return 0
  fi
  echo "models: building english (order $order) from ${#files[@]} fortune files and the King James Bible …" >&2
  {
    fortunes_to_lines "${files[@]}"
    # One verse per line; the verse reference ("Ge1:1 ", "1Cor13:4 ") is dropped.
    bible -f Gen1:1-Rev22:21 | sed -E 's/^[0-9]?[A-Za-z]+[0-9]+:[0-9]+ //'
  } >"$work/english.txt"
  local summary counts
  summary=$("$lmfront" train --order $order --text "$work/english.txt" --tokenizer default --lowercase \
    --skip-invalid --arpa "$work/english.arpa" --json)
  counts=$(json_counts ngrams <<<"$summary")
  finish english $order "$counts" \
    "English 5-gram (Kneser-Ney, lowercased): Debian's fortunes and the King James Bible" \
    "$(versions fortunes fortunes-min bible-kjv bible-kjv-text)" "$work/english.arpa"
}

build_chinese() {
  local order=5 files
  mapfile -t files < <(package_fortunes fortunes-zh)
  if ((${#files[@]} == 0)); then
    echo "models: no Chinese fortunes found (install the fortunes-zh package)" >&2
    return 1
  fi
  if up_to_date chinese "${files[@]}"; then
    echo "models: chinese is up to date" >&2
    return 0
  fi
  echo "models: building chinese (order $order, characters) from ${#files[@]} fortune files …" >&2
  fortunes_to_lines "${files[@]}" >"$work/chinese.txt"
  local summary counts
  summary=$("$lmfront" train --order $order --text "$work/chinese.txt" --tokenizer default --skip-invalid \
    --arpa "$work/chinese.arpa" --json)
  counts=$(json_counts ngrams <<<"$summary")
  finish chinese $order "$counts" \
    "Chinese character 5-gram (Kneser-Ney): Debian's Chinese fortunes, Tang and Song poems" \
    "$(versions fortunes-zh)" "$work/chinese.arpa"
}

build_cmu() {
  if [[ ! -f $sphinx_model ]]; then
    echo "models: $sphinx_model not found (install the pocketsphinx-en-us package)" >&2
    return 1
  fi
  if up_to_date cmu-en-us "$sphinx_model"; then
    echo "models: cmu-en-us is up to date" >&2
    return 0
  fi
  echo "models: building cmu-en-us (order 3) by importing CMU's Sphinx model …" >&2
  local summary counts
  # Straight to the compiled form; import-sphinx prints what it corrected in the file (and the
  # <unk> it added) on stderr, passed on here.
  summary=$("$lmfront" import-sphinx "$sphinx_model" "$work/cmu-en-us.lmb" --json 2> >(sed 's/^/models:   /' >&2))
  counts=$(json_counts counts <<<"$summary")
  finish cmu-en-us 3 "$counts" \
    "CMU Sphinx US English trigram (pretrained, imported from pocketsphinx-en-us)" \
    "$(versions pocketsphinx-en-us)" "$work/cmu-en-us.lmb"
}

start=$SECONDS
for name in "${wanted[@]}"; do
  case $name in
  english) build_english ;;
  chinese) build_chinese ;;
  cmu-en-us) build_cmu ;;
  *)
    echo "models: unknown model '$name' (english, chinese, cmu-en-us)" >&2
    exit 2
    ;;
  esac
done
echo "models: done in $((SECONDS - start)) s: $out" >&2
