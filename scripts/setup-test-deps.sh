#!/usr/bin/env bash
# Installs the npm packages the black-box tests use (the official openai SDK), from the lock
# file. Fast no-op when node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/../tests/sdk"
stamp=node_modules/.lmfront-lock-stamp
if [[ -f $stamp ]] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "setup: npm ci in tests/sdk" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"
