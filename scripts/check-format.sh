#!/usr/bin/env bash
# Fails listing every C++ file that clang-format (the checked-in .clang-format) would change.
# Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
  'core/*.cpp' 'core/*.h' 'app/*.cpp' 'app/*.h' 'models/*.cpp' 'models/*.h' \
  'widgets/*.cpp' 'widgets/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' 'bench/*.h' | sort -u)
existing=()
for f in "${files[@]}"; do [[ -f $f ]] && existing+=("$f"); done
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${existing[@]}"
  exit 0
fi
bad=()
for f in "${existing[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "format: ${#bad[@]} of ${#existing[@]} files differ from .clang-format (fix: scripts/check-format.sh --fix):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "format: ${#existing[@]} files clean"
