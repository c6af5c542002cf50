#!/usr/bin/env bash
# The proxy path against nginx's: wrk on loopback, POST /v1/completions, keep-alive, against
#   nginx      nginx `proxy_pass` to the upstream, HTTP/1.1 with an upstream keep-alive pool;
#   proxy      lmfrontd proxying the same (uncacheable) request through its URL pool;
#   base       (with BASE_BUILD_DIR) a second lmfrontd from that build, in the same rounds;
# all to one upstream: nginx `return 200` with a 248-byte completion JSON. Servers alternate,
# ROUNDS rounds; medians of RPS, p99 (wrk --latency) and gateway CPU µs per request (utime+stime
# of the proxy process and its children from /proc, and the two apart: user space vs kernel; the
# upstream's CPU is not counted).
#
# Usage: bench/gateway/proxy.sh [BUILD_DIR [BASE_BUILD_DIR]]
# Env:   ROUNDS=3 DURATION=10s CONNS=64 THREADS=2 WORKERS=2
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
BASE_BUILD_DIR=${2:-}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
LMFRONTD=$BUILD_DIR/bin/lmfrontd
[[ -x $LMFRONTD ]] || { echo "missing $LMFRONTD: ninja -C $BUILD_DIR lmfrontd" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed (scripts/setup.sh)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
source bench/lib/loopback.sh
bench_begin proxy
BODY='{"model":"bench","prompt":"hello world","max_tokens":8}'
UPSTREAM_JSON='{"id":"cmpl-bench","object":"text_completion","created":1700000000,"model":"bench","choices":[{"index":0,"text":" and all the people in it","finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":2,"completion_tokens":7,"total_tokens":9}}'
UPORT=$(free_port)
NPORT=$(free_port)
LPORT=$(free_port)
BPORT=$(free_port)

nginx_return_conf "$WORK/upstream" "$UPORT" "$WORKERS" "$UPSTREAM_JSON"
"$NGINX" -p "$WORK/upstream" -c "$WORK/upstream/nginx.conf" >"$WORK/upstream.log" 2>&1 &
PIDS+=($!)
wait_up "$UPORT"

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes $WORKERS;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  keepalive_requests 1000000;
  upstream model { server 127.0.0.1:$UPORT; keepalive 256; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NPORT reuseport backlog=4096;
    location / {
      proxy_pass http://model;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGX
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
NPID=$!
PIDS+=($!)
wait_up "$NPORT"

cat >"$WORK/lmfront.json" <<CFG
{"pools": {"bench": {"backends": [{"url": "http://127.0.0.1:$UPORT", "model": "bench"}]}}}
CFG
start_node() {  # BIN PORT NAME: sets NODE_PID once a repeat of the request is proxied (not cached)
  "$1" --listen "127.0.0.1:$2" --data-dir "$WORK/lmdata-$3" --config "$WORK/lmfront.json" \
    --workers "$WORKERS" >"$WORK/lmfront-$3.log" 2>&1 &
  NODE_PID=$!
  PIDS+=($!)
  wait_up "$2" readyz
  curl -fs -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$2/v1/completions" >/dev/null
  curl -fs -D "$WORK/$3.head" -o /dev/null -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$2/v1/completions"
  grep -qi "x-lmfront-cache: bypass" "$WORK/$3.head" || { echo "$3: not proxied" >&2; cat "$WORK/$3.head" >&2; exit 1; }
}
start_node "$LMFRONTD" "$LPORT" main
LPID=$NODE_PID
SERVERS=(nginx proxy)
if [[ -n $BASE_BUILD_DIR ]]; then
  start_node "$BASE_BUILD_DIR/bin/lmfrontd" "$BPORT" base
  BPID=$NODE_PID
  SERVERS+=(base)
fi
curl -fs -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$NPORT/v1/completions" | grep -q cmpl-bench
{
  echo 'wrk.method = "POST"'
  printf 'wrk.body = [[%s]]\n' "$BODY"
  echo 'wrk.headers["Content-Type"] = "application/json"'
} >"$WORK/post.lua"

HZ=$(getconf CLK_TCK)
user_ticks() {  # PID: utime of PID and its children (cpu_ticks minus the kernel's share)
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(awk '{print $14}' "/proc/$p/stat"))); done
  echo "$total"
}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo -e "# server\tround\trps\tp99_ms\tcpu_us\tnon2xx\tuser_us"
for r in $(seq "$ROUNDS"); do
  for s in "${SERVERS[@]}"; do
    case $s in
    nginx) pid=$NPID port=$NPORT ;;
    proxy) pid=$LPID port=$LPORT ;;
    base) pid=$BPID port=$BPORT ;;
    esac
    before=$(cpu_ticks "$pid") ubefore=$(user_ticks "$pid")
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WORK/post.lua" "http://127.0.0.1:$port/v1/completions" >"$WORK/wrk.out" 2>&1
    after=$(cpu_ticks "$pid") uafter=$(user_ticks "$pid")
    rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
    n=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
    bad=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.out")
    p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } print v }' "$WORK/wrk.out")
    printf '%s\t%s\t%.0f\t%.3f\t%.2f\t%s\t%.2f\n' "$s" "$r" "$rps" "$p99" "$(echo "($after - $before) * 1000000 / $HZ / $n" | bc -l)" \
      "${bad:-0}" "$(echo "($uafter - $ubefore) * 1000000 / $HZ / $n" | bc -l)" | tee -a "$WORK/res.tsv"
  done
done
python3 - "$WORK/res.tsv" <<'PY'
import statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
names = [s for s in ('nginx', 'proxy', 'base') if any(r[0] == s for r in rows)]
med = {s: [statistics.median(float(r[k]) for r in rows if r[0] == s) for k in (2, 3, 4, 6)] for s in names}
label = {'nginx': 'nginx `proxy_pass` (upstream keep-alive)', 'proxy': 'lmfront proxy', 'base': 'lmfront proxy (base build)'}
print("| proxy → nginx `return 200` | RPS (median) | vs nginx proxy_pass | p99 ms | CPU µs/request | of which user space |")
print("| --- | --- | --- | --- | --- | --- |")
for s in names:
    print(f"| {label[s]} | {med[s][0]:.0f} | {med[s][0] / med['nginx'][0]:.2f} | {med[s][1]:.2f} | {med[s][2]:.2f} | {med[s][3]:.2f} |")
for s in names[1:]:
    ratios = [float(a[2]) / float(b[2]) for a in rows if a[0] == s for b in rows if b[0] == 'nginx' and b[1] == a[1]]
    print(f"# {s} / nginx RPS per round: " + " / ".join(f"{x:.2f}" for x in ratios))
PY
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
