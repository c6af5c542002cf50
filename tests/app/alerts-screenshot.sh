#!/usr/bin/env bash
# Runs lmfront-console under Xvfb on its Alerts section with a real model, rules that real traffic
# makes fire (one per severity, installed in the node's data dir before it starts) and this
# script sending completions meanwhile; saves the window once the three alerts fire (their
# notification shows in the window: Xvfb has no tray), and checks the image. With
# LMFRONT_UPDATE_SCREENSHOTS=1 it also copies it to docs/screenshots/alerts.png.
# usage: alerts-screenshot.sh CONSOLE LMFRONT OUT_PNG DOCS_PNG
set -euo pipefail
source "$(dirname "$0")/screenshot-lib.sh"
console=$1 lmfront=$2 out=$3 docs=$4
screenshot_begin "$out"
mkdir -p "$tmp/data/alerts"
rule() {  # name severity threshold summary
  cat <<RULE
  - name: $1
    metric: lmfront_requests_total
    aggregate: rate
    by: [model]
    window: 5s
    op: ">"
    threshold: $3
    severity: $2
    labels: {team: serving}
    summary: "{{ \$labels.model }}: $4"
RULE
}
{
  echo "rules:"
  rule traffic_seen info 0.2 "traffic is flowing"
  rule busy warning 0.5 "busier than usual"
  rule overloaded critical 1 "more than 1 request/s"
} >"$tmp/data/alerts/rules.yaml"
(
  prompts=("You will" "The best way" "Never" "A friend" "Today")
  for i in $(seq 1 600); do  # bounded: a couple of minutes at most
    curl -s -o /dev/null -m 5 -H 'Content-Type: application/json' \
      -d "{\"model\":\"english\",\"prompt\":\"${prompts[i % 5]}\",\"max_tokens\":$((8 + i % 16))}" \
      "http://127.0.0.1:$port/v1/completions" || true
    sleep 0.15
  done
) &
traffic=$!
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 LMFRONT_SCREENSHOT_ALERTS=3 \
  "$console" --listen "127.0.0.1:$port" --data-dir "$tmp/data" --language en --model "english=$model" \
  --section alerts --screenshot "$out"
check_and_keep alerts-screenshot "$out" "$docs"
