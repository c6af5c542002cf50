#!/usr/bin/env bash
# Every binary's --version says "PROGRAM VERSION (commit C)" with the project's version number and
# the commit of the checkout it was built from (or "built outside git").
# usage: version.sh SOURCE_DIR VERSION BINARY...
set -euo pipefail
source_dir=$1 version=$2
shift 2
commit=$(git -C "$source_dir" rev-parse --short=12 HEAD 2>/dev/null || true)
failed=0
for bin in "$@"; do
  name=$(basename "$bin")
  line=$(QT_QPA_PLATFORM=offscreen "$bin" --version)
  if [[ -n $commit ]]; then
    want="^$name $version \\(commit $commit(, modified)?\\)\$"
  else
    want="^$name $version \\(built outside git\\)\$"
  fi
  if [[ $line =~ $want ]]; then
    echo "ok: $line"
  else
    echo "FAIL: $name --version printed '$line', expected /$want/"
    failed=1
  fi
done
exit $failed
