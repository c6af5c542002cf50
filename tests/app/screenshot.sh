#!/usr/bin/env bash
# Runs lmfront-console under Xvfb with a fresh local node, saves the main window as PNG and checks
# the image is a full-size, non-blank window. With LMFRONT_UPDATE_SCREENSHOTS=1 it also copies it
# to DOCS_PNG (otherwise the tree is left untouched). Further arguments go to the console (e.g.
# --section connections).
# usage: screenshot.sh CONSOLE OUT_PNG DOCS_PNG [CONSOLE_ARGS...]
set -euo pipefail
console=$1 out=$2 docs=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$out"
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 \
  "$console" --listen 127.0.0.1:0 --data-dir "$tmp/data" --language en --screenshot "$out" "$@"
[[ -s $out ]] || { echo "screenshot: $out was not written"; exit 1; }
read -r width height colours < <(identify -format '%w %h %k\n' "$out")
echo "screenshot: ${width}x${height}, $colours distinct colours"
((width >= 1200 && width <= 1400 && height >= 700 && height <= 900)) ||
  { echo "screenshot: unexpected size ${width}x${height} (want about 1280x800)"; exit 1; }
# A blank or unpainted window has a handful of colours; rendered text and icons have hundreds.
((colours >= 64)) || { echo "screenshot: only $colours colours: the window looks blank"; exit 1; }
# The picture stays in the build dir: a test run must not dirty the working tree. Refreshing the
# committed one is a deliberate act (LMFRONT_UPDATE_SCREENSHOTS=1, see docs/console.md).
if [[ ${LMFRONT_UPDATE_SCREENSHOTS:-0} == 1 ]]; then
  mkdir -p "$(dirname "$docs")"
  cp "$out" "$docs"
  echo "screenshot: copied to $docs"
else
  echo "screenshot: kept in $out (LMFRONT_UPDATE_SCREENSHOTS=1 copies it to $docs)"
fi
