#!/usr/bin/env bash
# docs/benchmarks.md and docs/decisions.md are assembled from the per-area files under
# docs/benchmarks/ and docs/decisions/ (each area keeps its own file, so parallel work never edits
# the same lines). Edit the per-area files, then run this script; never edit the two merged pages.
#   scripts/merge-docs.sh           rewrites the merged pages
#   scripts/merge-docs.sh --check   fails, naming the page, when a merged page is not what the
#                                   per-area files give (the docs_merged test runs this)
set -euo pipefail
cd "$(dirname "$0")/../docs"
check=0
[[ ${1:-} == --check ]] && check=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

order=(http gateway engine-train engine-model engine-sphinx cache policies auth)
ordered_files() {  # DIR: the known areas first, in order, then any others alphabetically
  local dir=$1 seen=" "
  for a in "${order[@]}"; do
    [[ -f $dir/$a.md ]] && { echo "$dir/$a.md"; seen+="$a "; }
  done
  for f in "$dir"/*.md; do
    local a; a=$(basename "$f" .md)
    [[ $seen == *" $a "* ]] || echo "$f"
  done
}

{
  echo "# Benchmarks"
  echo
  echo "Every figure here was measured with the command next to it, on this project's 2-core"
  echo "machine (shared with other builds: read the ratios within one run, not absolute numbers)."
  echo "Each section comes from \`docs/benchmarks/<area>.md\`: edit those, \`scripts/merge-docs.sh\`"
  echo "assembles this page and the docs_merged test checks it."
  if [[ -f benchmarks/SUMMARY.md ]]; then echo; cat benchmarks/SUMMARY.md; fi
  while read -r f; do
    [[ $(basename "$f") == SUMMARY.md ]] && continue
    echo
    sed 's/^#/##/' "$f"
  done < <(ordered_files benchmarks)
} > "$out/benchmarks.md"

{
  echo "# Decisions"
  echo
  echo "One line per choice of library or design, with the reason. The project-wide ones first, then"
  echo "each area's (from \`docs/decisions/<area>.md\`: edit those, \`scripts/merge-docs.sh\` assembles"
  echo "this page and the docs_merged test checks it)."
  echo
  cat decisions/project.md
  while read -r f; do
    [[ $(basename "$f") == project.md ]] && continue
    echo
    echo "## $(basename "$f" .md)"
    echo
    grep -v '^# ' "$f" | sed '/./,$!d'
  done < <(ordered_files decisions)
} > "$out/decisions.md"

status=0
for page in benchmarks.md decisions.md; do
  if ((check)); then
    if ! diff -u "$page" "$out/$page" >&2; then
      echo "docs/$page differs from what docs/${page%.md}/*.md give: edit those, then run scripts/merge-docs.sh" >&2
      status=1
    fi
  else
    cp "$out/$page" "$page"
  fi
done
((check)) || echo "docs: wrote benchmarks.md and decisions.md" >&2
exit $status
