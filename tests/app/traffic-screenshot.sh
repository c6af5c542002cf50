#!/usr/bin/env bash
# Runs lmfront-console under Xvfb on its Traffic section with a real model served under two names
# ("english" and "bible-style", so requests/s stacks two areas) while this script sends the local
# node a steady trickle of completions (a few with a cache hit, a few bad requests so the error
# chart is not flat), saves the window once the charts hold 20 s of that traffic, and checks the
# image. With LMFRONT_UPDATE_SCREENSHOTS=1 it also copies it to docs/screenshots/traffic.png
# (refresh it with LMFRONT_SCREENSHOT_LIVE_S=150 too: two and a half minutes of chart).
# usage: traffic-screenshot.sh CONSOLE LMFRONT OUT_PNG DOCS_PNG
set -euo pipefail
source "$(dirname "$0")/screenshot-lib.sh"
console=$1 lmfront=$2 out=$3 docs=$4
screenshot_begin "$out"
(
  prompts=("You will" "The best way" "Never" "A friend" "Today")
  for i in $(seq 1 2400); do  # bounded: a few minutes at most
    name=english
    ((i % 3 == 0)) && name=bible-style
    # Seeded and repeated every 40 requests: the node's cache answers some of them.
    curl -s -o /dev/null -m 5 -H 'Content-Type: application/json' \
      -d "{\"model\":\"$name\",\"prompt\":\"${prompts[i % 5]}\",\"max_tokens\":$((8 + i % 24)),\"seed\":$((i % 40))}" \
      "http://127.0.0.1:$port/v1/completions" || true
    ((i % 9 == 0)) && curl -s -o /dev/null -m 5 -H 'Content-Type: application/json' -d '{"model":"english"}' \
      "http://127.0.0.1:$port/v1/completions" || true
    sleep 0.1
  done
) &
traffic=$!
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 \
  "$console" --listen "127.0.0.1:$port" --data-dir "$tmp/data" --language en \
  --model "english=$model" --model "bible-style=$model" --section traffic --screenshot "$out"
check_and_keep traffic-screenshot "$out" "$docs"
