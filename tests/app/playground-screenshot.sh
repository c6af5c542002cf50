#!/usr/bin/env bash
# Runs lmfront-console under Xvfb on its Playground with a real model, lets it stream a short
# seeded generation, saves the window as PNG and checks it; with LMFRONT_UPDATE_SCREENSHOTS=1 it
# also copies it to docs/screenshots/playground.png. The model is the default "english" one when
# scripts/build-default-models.sh has built it, otherwise one trained here (order 4) from the
# English fortunes Debian ships, named "english" too so the picture reads the same.
# usage: playground-screenshot.sh CONSOLE LMFRONT OUT_PNG DOCS_PNG
set -euo pipefail
console=$1 lmfront=$2 out=$3 docs=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$out"
source "$(dirname "$0")/screenshot-model.sh"
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 \
  "$console" --listen 127.0.0.1:0 --data-dir "$tmp/data" --language en --model "english=$model" \
  --section playground --screenshot "$out"
[[ -s $out ]] || { echo "playground-screenshot: $out was not written"; exit 1; }
read -r width height colours < <(identify -format '%w %h %k\n' "$out")
echo "playground-screenshot: ${width}x${height}, $colours distinct colours"
((width >= 1200 && width <= 1400 && height >= 700 && height <= 900)) ||
  { echo "playground-screenshot: unexpected size ${width}x${height} (want about 1280x800)"; exit 1; }
((colours >= 64)) || { echo "playground-screenshot: only $colours colours: the window looks blank"; exit 1; }
# The picture stays in the build dir: a test run must not dirty the working tree. Refreshing the
# committed one is a deliberate act (LMFRONT_UPDATE_SCREENSHOTS=1, see docs/console.md).
if [[ ${LMFRONT_UPDATE_SCREENSHOTS:-0} == 1 ]]; then
  mkdir -p "$(dirname "$docs")"
  cp "$out" "$docs"
  echo "playground-screenshot: copied to $docs"
else
  echo "playground-screenshot: kept in $out (LMFRONT_UPDATE_SCREENSHOTS=1 copies it to $docs)"
fi
