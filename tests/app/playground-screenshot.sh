#!/usr/bin/env bash
# Runs lmfront-console under Xvfb on its Playground with a real model, lets it stream a short
# seeded generation, saves the window as PNG and checks it; with LMFRONT_UPDATE_SCREENSHOTS=1 it
# also copies it to docs/screenshots/playground.png. The model is the default "english" one when
# scripts/build-default-models.sh has built it, otherwise one trained here (order 4) from the
# English fortunes Debian ships, named "english" too so the picture reads the same.
# usage: playground-screenshot.sh CONSOLE LMFRONT OUT_PNG DOCS_PNG
set -euo pipefail
source "$(dirname "$0")/screenshot-lib.sh"
console=$1 lmfront=$2 out=$3 docs=$4
screenshot_begin "$out"
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 \
  "$console" --listen 127.0.0.1:0 --data-dir "$tmp/data" --language en --model "english=$model" \
  --section playground --screenshot "$out"
check_and_keep playground-screenshot "$out" "$docs"
