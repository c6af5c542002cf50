#!/usr/bin/env bash
# Runs lmfront-console under Xvfb on its Cluster section over a real four-node cluster: a private
# etcd on loopback, the console's own node (node-a) and three lmfrontd (node-b, node-c, node-d),
# all serving the english model and taking a trickle of completions from this script. node-c is
# drained through node-b; node-d is killed with SIGKILL once node-a lists it, so its row shows
# down. The console saves the window once it lists four nodes, one of them down, and every other
# one has sent its metrics; the image is checked. With SECTION `overview` it saves the Overview
# showing all nodes instead, once every node that is not down holds 20 s of samples. With
# LMFRONT_UPDATE_SCREENSHOTS=1 the image is also copied to DOCS_PNG.
# usage: cluster-screenshot.sh CONSOLE LMFRONT OUT_PNG DOCS_PNG [cluster|overview]
set -euo pipefail
source "$(dirname "$0")/screenshot-lib.sh"
console=$1 lmfront=$2 out=$3 docs=$4 section=${5:-cluster}
screenshot_begin "$out"
lmfrontd=$(dirname "$console")/lmfrontd
command -v etcd >/dev/null || { echo "cluster-screenshot: etcd not found (scripts/setup-test-deps.sh)"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
etcd_port=$(free_port) peer_port=$(free_port)
etcd_url=http://127.0.0.1:$etcd_port
pids=()
trap '[[ -n $traffic ]] && kill "$traffic" 2>/dev/null; for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
etcd --name shot --data-dir "$tmp/etcd" --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "shot=http://127.0.0.1:$peer_port" >"$tmp/etcd.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do  # bounded: 20 s
  curl -sf -o /dev/null -m 2 "$etcd_url/health" && break
  sleep 0.2
done
cluster=(--etcd "$etcd_url" --cluster demo --lease-ttl 3)
declare -A ports
for id in node-b node-c node-d; do
  ports[$id]=$(free_port)
  "$lmfrontd" --listen "127.0.0.1:${ports[$id]}" --data-dir "$tmp/$id" --node-id "$id" --model "english=$model" \
    "${cluster[@]}" >"$tmp/$id.log" 2>&1 &
  pids+=($!)
  [[ $id == node-d ]] && victim=$!
done
for id in node-b node-c node-d; do
  for _ in $(seq 1 150); do  # bounded: 30 s
    curl -sf -o /dev/null -m 2 "http://127.0.0.1:${ports[$id]}/readyz" && break
    sleep 0.2
  done
done
"$lmfront" drain node-c --node "http://127.0.0.1:${ports[node-b]}" >/dev/null
(
  targets=("$port" "${ports[node-b]}" "$port" "${ports[node-b]}" "${ports[node-d]}")
  prompts=("You will" "The best way" "Never" "A friend" "Today")
  for i in $(seq 1 1500); do  # bounded: a few minutes at most
    curl -s -o /dev/null -m 5 -H 'Content-Type: application/json' \
      -d "{\"model\":\"english\",\"prompt\":\"${prompts[i % 5]}\",\"max_tokens\":$((8 + i % 24)),\"seed\":$i}" \
      "http://127.0.0.1:${targets[i % 5]}/v1/completions" || true
    sleep 0.1
  done
) &
traffic=$!
(
  # node-d dies once node-a knows it: its row then turns down instead of never appearing.
  for _ in $(seq 1 300); do  # bounded: 60 s
    "$lmfront" nodes --node "http://127.0.0.1:$port" 2>/dev/null | grep -q '^node-d ' && break
    sleep 0.2
  done
  sleep 3
  kill -9 "$victim"
) &
pids+=($!)
xvfb-run -a -s "-screen 0 1280x800x24" env QT_SCALE_FACTOR=1 LANG=C.UTF-8 LMFRONT_SCREENSHOT_NODES=4 \
  LMFRONT_SCREENSHOT_DOWN=1 LMFRONT_SCREENSHOT_NODE="$([[ $section == overview ]] && echo '*')" \
  "$console" --listen "127.0.0.1:$port" --data-dir "$tmp/node-a" --node-id node-a \
  --language en --model "english=$model" "${cluster[@]}" --section "$section" --screenshot "$out"
check_and_keep "$section-screenshot" "$out" "$docs"
