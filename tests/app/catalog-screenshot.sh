#!/usr/bin/env bash
# Runs lmfront-console under Xvfb on its Models or Audit section over the catalog a team would
# leave behind: the node first imports the english model it serves (version 1, deployed), then
# lmfront-seedcatalog adds versions in every review state, a second model, a mix depending on both
# and a refused action, with reviews and comments. The console saves the window once the section
# holds the node's catalog (Models: english v2 selected, its card shown) or audit log, and the
# image is checked. With LMFRONT_UPDATE_SCREENSHOTS=1 it is also copied to DOCS_PNG.
# usage: catalog-screenshot.sh models|audit CONSOLE LMFRONT SEEDCATALOG OUT_PNG DOCS_PNG
set -euo pipefail
source "$(dirname "$0")/screenshot-lib.sh"
section=$1 console=$2 lmfront=$3 seed=$4 out=$5 docs=$6
screenshot_begin "$out"
lmfrontd=$(dirname "$console")/lmfrontd
"$lmfrontd" --listen "127.0.0.1:$port" --data-dir "$tmp/data" --model "english=$model" >"$tmp/node.log" 2>&1 &
traffic=$!  # killed at exit should the script stop early
for _ in $(seq 1 150); do  # bounded: 30 s
  curl -sf -o /dev/null -m 2 "http://127.0.0.1:$port/readyz" && break
  sleep 0.2
done
kill "$traffic" && wait "$traffic" || true
traffic=
"$seed" "$tmp/data"
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 LMFRONT_SCREENSHOT_SELECT=english/2 \
  "$console" --listen "127.0.0.1:$port" --data-dir "$tmp/data" --node-id node-a --language en --model "english=$model" \
  --section "$section" --screenshot "$out"
check_and_keep "$section-screenshot" "$out" "$docs"
