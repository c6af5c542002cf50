#!/usr/bin/env bash
# The served model table has one writer: ServingState (docs/architecture.md, "What is served:
# the one door"). Fails when production code anywhere else calls setTable().
set -euo pipefail
cd "$(dirname "$0")/.."
others=$(grep -rn --include='*.cpp' --include='*.h' -E '\bsetTable\(' core app models widgets |
  grep -v -E '^core/node/servingstate\.cpp:|^core/gateway/openai/openaiservice\.(h|cpp):' || true)
if [[ -n $others ]]; then
  echo "the served table is replaced only by ServingState::publish(); other callers:" >&2
  echo "$others" >&2
  exit 1
fi
