#!/usr/bin/env bash
# Gateway benchmark: wrk on loopback against
#   nginx      nginx `return 200` with an OpenAI-shaped completion body (the practical ceiling);
#   cache      lmfrontd answering /v1/completions from its response cache (seeded request);
#   proxy      lmfrontd proxying /v1/completions (not cacheable) to that nginx as a fast upstream;
#   portkey    the Portkey gateway 1.15.2 (npm, bench/gateway/portkey) proxying to the same nginx.
# Servers alternate, ROUNDS rounds, medians. Gateway CPU ms per request = utime+stime of the
# gateway process (from /proc/PID/stat, all threads; nginx: master + workers) / requests.
# Then a fixed-rate run (h2load) at half of the proxy's peak RPS: added p99 = p99(proxy) − p99(nginx).
#
# Usage: bench/gateway/run.sh [BUILD_DIR]   (needs lmfrontd; npm ci in bench/gateway/portkey)
# Env:   ROUNDS=3 DURATION=10s CONNS=64 THREADS=2 WORKERS=2 NICE=0 FIXED_SECONDS=10
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
NICE=${NICE:-0}
FIXED_SECONDS=${FIXED_SECONDS:-10}
RUN=(nice -n "$NICE")
LMFRONTD=$BUILD_DIR/bin/lmfrontd
PORTKEY=bench/gateway/portkey/node_modules/@portkey-ai/gateway/build/start-server.js
[[ -x $LMFRONTD ]] || { echo "missing $LMFRONTD: ninja -C $BUILD_DIR lmfrontd" >&2; exit 1; }
[[ -f $PORTKEY ]] || { echo "missing Portkey: (cd bench/gateway/portkey && npm ci)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed (scripts/setup.sh)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

source bench/lib/loopback.sh
bench_begin gateway

# The body every server answers (lmfront's cache hit is measured and nginx's padded to its size).
CACHE_BODY='{"model":"bench","prompt":"hello world","max_tokens":8,"seed":1}'
PROXY_BODY='{"model":"bench","prompt":"hello world","max_tokens":8}'
PORTKEY_BODY='{"model":"gpt-bench","prompt":"hello world","max_tokens":8}'

declare -A PORT SPID
PORT[nginx]=$(free_port)
PORT[lmfront]=$(free_port)
PORT[portkey]=$(free_port)

start_nginx() {  # $1: body
  nginx_return_conf "$WORK/nginx" "${PORT[nginx]}" "$WORKERS" "$1"
  "${RUN[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
  SPID[nginx]=$!
  PIDS+=($!)
  wait_up "${PORT[nginx]}"
}

UPSTREAM_JSON='{"id":"cmpl-bench","object":"text_completion","created":1700000000,"model":"bench","choices":[{"index":0,"text":" and all the people in it","finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":2,"completion_tokens":7,"total_tokens":9}}'
start_nginx "$UPSTREAM_JSON"

cat >"$WORK/lmfront.json" <<CFG
{"pools": {"bench": {"backends": [{"url": "http://127.0.0.1:${PORT[nginx]}", "model": "bench"}]}}}
CFG
"${RUN[@]}" "$LMFRONTD" --listen "127.0.0.1:${PORT[lmfront]}" --data-dir "$WORK/lmdata" --config "$WORK/lmfront.json" \
  --workers "$WORKERS" >"$WORK/lmfront.log" 2>&1 &
SPID[lmfront]=$!
PIDS+=($!)
wait_up "${PORT[lmfront]}" readyz
"${RUN[@]}" node "$PORTKEY" --port="${PORT[portkey]}" --headless >"$WORK/portkey.log" 2>&1 &
SPID[portkey]=$!
PIDS+=($!)
wait_up "${PORT[portkey]}" ""

# Seed the cache, measure the hit's body, and give nginx the same body size.
curl -fs -H 'Content-Type: application/json' -d "$CACHE_BODY" "http://127.0.0.1:${PORT[lmfront]}/v1/completions" >/dev/null
HIT=$(curl -fs -D "$WORK/hit.head" -H 'Content-Type: application/json' -d "$CACHE_BODY" \
  "http://127.0.0.1:${PORT[lmfront]}/v1/completions")
grep -qi 'x-lmfront-cache: hit' "$WORK/hit.head" || { echo "cache did not hit:" >&2; cat "$WORK/hit.head" >&2; exit 1; }
PROXIED=$(curl -fs -D "$WORK/proxy.head" -H 'Content-Type: application/json' -d "$PROXY_BODY" \
  "http://127.0.0.1:${PORT[lmfront]}/v1/completions")
grep -qi 'x-lmfront-cache: bypass' "$WORK/proxy.head" || { echo "proxy path not taken:" >&2; cat "$WORK/proxy.head" >&2; exit 1; }
PK_HEADERS=(-H 'Content-Type: application/json' -H 'Authorization: Bearer sk-bench' -H 'x-portkey-provider: openai'
  -H "x-portkey-custom-host: http://127.0.0.1:${PORT[nginx]}/v1")
curl -fs "${PK_HEADERS[@]}" -d "$PORTKEY_BODY" "http://127.0.0.1:${PORT[portkey]}/v1/completions" | grep -q 'all the people' \
  || { echo "Portkey did not proxy; log:" >&2; cat "$WORK/portkey.log" >&2; exit 1; }

# The ceiling answers the cache hit's body size (padded JSON), on the same nginx, port and config.
pad=$((${#HIT} - ${#UPSTREAM_JSON}))
CEILING_JSON=$UPSTREAM_JSON
if ((pad > 0)); then CEILING_JSON="${UPSTREAM_JSON%\}},\"pad\":\"$(printf '%*s' $((pad > 10 ? pad - 10 : 0)) '' | tr ' ' x)\"}"; fi
echo "# body bytes: cache hit ${#HIT}, proxied ${#PROXIED}, upstream ${#UPSTREAM_JSON}, ceiling ${#CEILING_JSON}" >&2

lua() {  # $1 file, $2 body, then headers
  local f=$1 body=$2
  shift 2
  {
    echo 'wrk.method = "POST"'
    printf 'wrk.body = [[%s]]\n' "$body"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    for h in "$@"; do printf 'wrk.headers["%s"] = "%s"\n' "${h%%: *}" "${h#*: }"; done
  } >"$f"
}
lua "$WORK/nginx.lua" "$PROXY_BODY"
lua "$WORK/cache.lua" "$CACHE_BODY"
lua "$WORK/proxy.lua" "$PROXY_BODY"
lua "$WORK/portkey.lua" "$PORTKEY_BODY" "Authorization: Bearer sk-bench" "x-portkey-provider: openai" \
  "x-portkey-custom-host: http://127.0.0.1:${PORT[nginx]}/v1"

declare -A TARGET_PORT=([nginx]=${PORT[nginx]} [cache]=${PORT[lmfront]} [proxy]=${PORT[lmfront]} [portkey]=${PORT[portkey]})
declare -A TARGET_PID=([nginx]=${SPID[nginx]} [cache]=${SPID[lmfront]} [proxy]=${SPID[lmfront]} [portkey]=${SPID[portkey]})
HZ=$(getconf CLK_TCK)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$THREADS -c$CONNS -d$DURATION; $ROUNDS rounds alternating; $WORKERS server workers"
RESULTS=$WORK/results.tsv
run_nginx_ceiling() { kill "${SPID[nginx]}"; wait "${SPID[nginx]}" 2>/dev/null || true; start_nginx "$1"; TARGET_PID[nginx]=${SPID[nginx]}; }
for r in $(seq "$ROUNDS"); do
  for s in nginx cache proxy portkey; do
    # nginx serves the padded ceiling body while measured on its own, the upstream body otherwise.
    if [[ $s == nginx ]]; then run_nginx_ceiling "$CEILING_JSON"; fi
    if [[ $s == cache ]]; then run_nginx_ceiling "$UPSTREAM_JSON"; fi
    before=$(cpu_ticks "${TARGET_PID[$s]}")
    "${RUN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$WORK/$s.lua" \
      "http://127.0.0.1:${TARGET_PORT[$s]}/v1/completions" >"$WORK/wrk.out" 2>&1
    after=$(cpu_ticks "${TARGET_PID[$s]}")
    python3 - "$s" "$r" "$((after - before))" "$HZ" "$WORK/wrk.out" <<'PY' | tee -a "$RESULTS"
import re, sys
s, r, ticks, hz, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
text = open(path).read()
if 'Requests/sec' not in text or '99%' not in text:
    sys.exit(f"wrk failed for {s}:\n{text}")
def ms(v):
    m = re.match(r'([\d.]+)(us|ms|s|m)$', v)
    if not m:
        sys.exit(f"cannot read latency {v!r} for {s}:\n{text}")
    return float(m.group(1)) * {'us': 0.001, 'ms': 1, 's': 1000, 'm': 60000}[m.group(2)]
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', text).group(1))
n = int(re.search(r'(\d+) requests in', text).group(1))
p50 = ms(re.search(r'^\s+50%\s+(\S+)', text, re.M).group(1))
p99 = ms(re.search(r'^\s+99%\s+(\S+)', text, re.M).group(1))
bad = re.search(r'Non-2xx or 3xx responses: (\d+)', text)
errors = int(bad.group(1)) if bad else 0
cpu = ticks * 1000.0 / hz / max(n, 1)
print(f"{s}\t{r}\t{rps:.0f}\t{p50:.3f}\t{p99:.3f}\t{cpu:.4f}\t{errors}")
PY
  done
done
run_nginx_ceiling "$UPSTREAM_JSON"

python3 - "$RESULTS" <<'PY' | tee "$WORK/table.md"
import statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
med = {}
for s in ('nginx', 'cache', 'proxy', 'portkey'):
    sel = [r for r in rows if r[0] == s]
    med[s] = [statistics.median(float(r[i]) for r in sel) for i in (2, 3, 4, 5)] + [sum(int(r[6]) for r in sel)]
names = {'nginx': 'nginx `return 200` (ceiling)', 'cache': 'lmfront cache hit', 'proxy': 'lmfront proxy → nginx',
         'portkey': 'Portkey 1.15.2 proxy → nginx'}
print()
print("| server | RPS (median) | vs nginx | p50 ms | p99 ms | gateway CPU ms/request | non-2xx |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for s, (rps, p50, p99, cpu, bad) in med.items():
    print(f"| {names[s]} | {rps:.0f} | {rps / med['nginx'][0]:.2f} | {p50:.2f} | {p99:.2f} | {cpu:.4f} | {bad} |")
print()
print(f"proxy RPS / Portkey RPS = {med['proxy'][0] / med['portkey'][0]:.1f}x; "
      f"Portkey CPU / lmfront proxy CPU per request = {med['portkey'][3] / max(med['proxy'][3], 1e-9):.1f}x")
open(sys.argv[1] + '.proxyrps', 'w').write(str(int(med['proxy'][0])))
PY

# Fixed rate at half of the proxy's peak: latency the gateway adds over hitting nginx directly.
if command -v h2load >/dev/null; then
  RATE=$(($(cat "$RESULTS.proxyrps") / 2))
  FCONNS=16
  per=$((RATE / FCONNS > 0 ? RATE / FCONNS : 1))
  printf '%s' "$PROXY_BODY" >"$WORK/body.json"
  for r in $(seq "$ROUNDS"); do
    for s in nginx proxy; do
      rm -f "$WORK/h2.log"
      "${RUN[@]}" h2load --h1 -t"$THREADS" -c"$FCONNS" --rps="$per" -D "$FIXED_SECONDS" -d "$WORK/body.json" \
        -H 'Content-Type: application/json' --log-file="$WORK/h2.log" \
        "http://127.0.0.1:${TARGET_PORT[$s]}/v1/completions" >"$WORK/h2.out" 2>&1
      python3 - "$s" "$r" "$WORK/h2.log" <<'PY' >>"$RESULTS.fixed"
import sys
lat = sorted(int(l.split('\t')[2]) for l in open(sys.argv[3]) if l.count('\t') == 2)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1000.0
print(f"{sys.argv[1]}\t{sys.argv[2]}\t{len(lat)}\t{q(0.5):.3f}\t{q(0.99):.3f}")
PY
    done
  done
  python3 - "$RESULTS.fixed" "$RATE" <<'PY'
import statistics, sys
rows = [l.split('\t') for l in open(sys.argv[1])]
m = {s: [statistics.median(float(r[i]) for r in rows if r[0] == s) for i in (2, 3, 4)] for s in ('nginx', 'proxy')}
print()
print(f"Fixed rate {sys.argv[2]} req/s (half of the proxy's peak), h2load --h1, 16 connections:")
print("| path | requests | p50 ms | p99 ms |")
print("| --- | --- | --- | --- |")
for s, name in (('nginx', 'nginx direct'), ('proxy', 'lmfront proxy → nginx')):
    print(f"| {name} | {m[s][0]:.0f} | {m[s][1]:.3f} | {m[s][2]:.3f} |")
print(f"added p99 = {m['proxy'][2] - m['nginx'][2]:.3f} ms, added p50 = {m['proxy'][1] - m['nginx'][1]:.3f} ms")
PY
fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
