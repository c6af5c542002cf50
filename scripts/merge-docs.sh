#!/usr/bin/env bash
# Rebuilds docs/benchmarks.md and docs/decisions.md from the per-area files under
# docs/benchmarks/ and docs/decisions/ (each area keeps its own file, so engineers working in
# parallel never edit the same lines). Run after changing any of them; the result is committed.
set -euo pipefail
cd "$(dirname "$0")/../docs"

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
  echo "Each section comes from \`docs/benchmarks/<area>.md\`; \`scripts/merge-docs.sh\` assembles this page."
  if [[ -f benchmarks/SUMMARY.md ]]; then echo; cat benchmarks/SUMMARY.md; fi
  while read -r f; do
    [[ $(basename "$f") == SUMMARY.md ]] && continue
    echo
    sed 's/^#/##/' "$f"
  done < <(ordered_files benchmarks)
} > benchmarks.md

{
  echo "# Decisions"
  echo
  echo "One line per choice of library or design, with the reason. The project-wide ones first, then"
  echo "each area's (from \`docs/decisions/<area>.md\`, assembled by \`scripts/merge-docs.sh\`)."
  echo
  cat decisions/project.md
  while read -r f; do
    [[ $(basename "$f") == project.md ]] && continue
    echo
    echo "## $(basename "$f" .md)"
    echo
    grep -v '^# ' "$f" | sed '/./,$!d'
  done < <(ordered_files decisions)
} > decisions.md
echo "docs: wrote benchmarks.md and decisions.md" >&2
