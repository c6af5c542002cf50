#!/usr/bin/env bash
# Upstream TLS benchmark: lmfrontd proxying /v1/completions (not cacheable) to one nginx that
# answers the same OpenAI-shaped JSON on a plain port and on a TLS port, through two pools of the
# same front node — `plain` (http://) and `tls` (https://, verified against the certificate as its
# `ca_file`). wrk on loopback against the front, the two pools alternating, ROUNDS rounds,
# medians: proxied requests/s and the front's CPU per request, https vs http. Keep-alive upstream
# connections, so this measures TLS record cost on the proxy path, not handshakes.
#
# Usage: bench/tls/upstream.sh [BUILD_DIR]      (needs lmfrontd, wrk, nginx, openssl)
# Env:   ROUNDS=3 DURATION=10s CONNS=64 THREADS=2 WORKERS=2 NICE=0
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ROUNDS:=3}" "${DURATION:=10s}" "${CONNS:=64}" "${THREADS:=2}" "${WORKERS:=2}" "${NICE:=0}"
LMFRONTD=${1:-build}/bin/lmfrontd
for tool in wrk openssl; do command -v $tool >/dev/null || { echo "$tool not installed (scripts/setup.sh)" >&2; exit 1; }; done
[[ -x $LMFRONTD ]] || { echo "missing $LMFRONTD: ninja -C ${1:-build} lmfrontd" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
RUN=(nice -n "$NICE")

source bench/lib/loopback.sh
bench_begin tls-upstream

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/key.pem" \
  -out "$WORK/cert.pem" -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null

declare -A PORT
PORT[plain]=$(free_port)
PORT[tls]=$(free_port)
PORT[front]=$(free_port)
BODY='{"id":"cmpl-bench","object":"text_completion","created":1700000000,"model":"bench","choices":[{"index":0,"text":" and all the people in it","finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":2,"completion_tokens":7,"total_tokens":9}}'
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
  keepalive_requests 1000000;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:${PORT[plain]} reuseport backlog=4096;
    listen 127.0.0.1:${PORT[tls]} ssl reuseport backlog=4096;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    location / { default_type application/json; return 200 '$BODY'; }
  }
}
NGX
"${RUN[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
wait_up "${PORT[plain]}"

cat >"$WORK/front.json" <<CFG
{"pools": {
  "plain": {"backends": [{"url": "http://127.0.0.1:${PORT[plain]}", "model": "bench"}]},
  "tls": {"backends": [{"url": "https://127.0.0.1:${PORT[tls]}", "model": "bench", "ca_file": "$WORK/cert.pem"}]}}}
CFG
"${RUN[@]}" "$LMFRONTD" --listen "127.0.0.1:${PORT[front]}" --data-dir "$WORK/lmdata" --config "$WORK/front.json" \
  --workers "$WORKERS" >"$WORK/front.log" 2>&1 &
FRONT=$!
PIDS+=($!)
wait_up "${PORT[front]}" readyz

for pool in plain tls; do
  printf 'wrk.method = "POST"\nwrk.body = [[{"model":"%s","prompt":"hello world","max_tokens":8}]]\nwrk.headers["Content-Type"] = "application/json"\n' \
    "$pool" >"$WORK/$pool.lua"
  curl -fs -H 'Content-Type: application/json' -d "{\"model\":\"$pool\",\"prompt\":\"hi\",\"max_tokens\":8}" \
    "http://127.0.0.1:${PORT[front]}/v1/completions" | grep -q 'all the people' \
    || { echo "the $pool pool did not proxy; log:" >&2; cat "$WORK/front.log" >&2; exit 1; }
done

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$THREADS -c$CONNS -d$DURATION; $ROUNDS rounds alternating; $WORKERS workers each; $(openssl version | awk '{print $1, $2}')"
RESULTS=$WORK/results.tsv
HZ=$(getconf CLK_TCK)
for r in $(seq "$ROUNDS"); do
  for pool in plain tls; do
    t0=$(cpu_ticks "$FRONT")
    "${RUN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$WORK/$pool.lua" \
      "http://127.0.0.1:${PORT[front]}/v1/completions" >"$WORK/wrk.out" 2>&1
    t1=$(cpu_ticks "$FRONT")
    python3 - "$pool" "$r" "$((t1 - t0))" "$HZ" "$WORK/wrk.out" <<'PY' | tee -a "$RESULTS"
import re, sys
out = open(sys.argv[5]).read()
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
total = int(re.search(r'(\d+) requests in', out).group(1))
cpu_us = int(sys.argv[3]) / int(sys.argv[4]) * 1e6 / max(total, 1)
err = re.search(r'Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)', out)
print(f"{sys.argv[1]}\t{sys.argv[2]}\t{rps:.0f}\t{cpu_us:.2f}\t{err.group(0) if err else ''}")
PY
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
med = {p: (statistics.median(float(r[2]) for r in rows if r[0] == p),
           statistics.median(float(r[3]) for r in rows if r[0] == p)) for p in ('plain', 'tls')}
print()
print("| upstream | proxied req/s (median) | front CPU us/req | vs http |")
print("| --- | --- | --- | --- |")
for p, label in (('plain', 'http://'), ('tls', 'https://')):
    rps, cpu = med[p]
    print(f"| {label} | {rps/1000:.1f} k | {cpu:.1f} | {rps/med['plain'][0]:.2f}x |")
PY
