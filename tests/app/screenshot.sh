#!/usr/bin/env bash
# Runs lmfront-console under Xvfb with a fresh local node, saves the main window as PNG and checks
# the image is a full-size, non-blank window. With LMFRONT_UPDATE_SCREENSHOTS=1 it also copies it
# to DOCS_PNG (otherwise the tree is left untouched). Further arguments go to the console (e.g.
# --section connections).
# usage: screenshot.sh CONSOLE OUT_PNG DOCS_PNG [CONSOLE_ARGS...]
set -euo pipefail
source "$(dirname "$0")/screenshot-lib.sh"
console=$1 out=$2 docs=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$out"
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 \
  "$console" --listen 127.0.0.1:0 --data-dir "$tmp/data" --language en --screenshot "$out" "$@"
check_and_keep screenshot "$out" "$docs"
