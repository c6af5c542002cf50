#!/usr/bin/env bash
# Cache-hit path only (target: ≥ 0.95× nginx, docs/benchmarks/gateway.md), quicker than run.sh for iterating on it:
# nginx `return 200` with a body padded to the hit's size vs lmfrontd answering a seeded
# /v1/completions from its cache, alternating, ROUNDS rounds, medians, CPU µs per request.
# With PERF=SECONDS it instead records `perf record -g` of lmfrontd under wrk for that long and
# prints `perf report --no-children` (top entries).
#
# With BASE_BUILD_DIR, a second lmfrontd from that build (e.g. before a change) is measured in the
# same rounds ("base"), so a change's effect is read within one run.
# With PROXY=1 the proxy path is measured instead of the cache hit: an unseeded request (not
# cacheable) that the node's URL pool sends to the same nginx as a fast upstream.
#
# Usage: bench/gateway/hit.sh [BUILD_DIR [BASE_BUILD_DIR]]
# Env:   ROUNDS=3 DURATION=10s CONNS=64 THREADS=2 WORKERS=2 PERF= PROXY=
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
BASE_BUILD_DIR=${2:-}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
PERF=${PERF:-}
PROXY=${PROXY:-}
LMFRONTD=$BUILD_DIR/bin/lmfrontd
[[ -x $LMFRONTD ]] || { echo "missing $LMFRONTD: ninja -C $BUILD_DIR lmfrontd" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
source bench/lib/loopback.sh
bench_begin hit
CACHE_BODY='{"model":"bench","prompt":"hello world","max_tokens":8,"seed":1}'
PROXY_BODY='{"model":"bench","prompt":"hello world","max_tokens":8}'
BODY=$CACHE_BODY EXPECT=hit KIND=cache
if [[ -n $PROXY ]]; then BODY=$PROXY_BODY EXPECT=bypass KIND=proxy; fi
UPSTREAM_JSON='{"id":"cmpl-bench","object":"text_completion","created":1700000000,"model":"bench","choices":[{"index":0,"text":" and all the people in it","finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":2,"completion_tokens":7,"total_tokens":9}}'
NPORT=$(free_port)
LPORT=$(free_port)
BPORT=$(free_port)
NPID=
start_nginx() {  # $1: body
  if [[ -n $NPID ]]; then kill "$NPID"; wait "$NPID" 2>/dev/null || true; fi
  nginx_return_conf "$WORK/nginx" "$NPORT" "$WORKERS" "$1"
  "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
  NPID=$!
  PIDS+=($!)
  wait_up "$NPORT"
}
start_nginx "$UPSTREAM_JSON"
cat >"$WORK/lmfront.json" <<CFG
{"pools": {"bench": {"backends": [{"url": "http://127.0.0.1:$NPORT", "model": "bench"}]}}}
CFG
# start_node BIN PORT NAME: starts an lmfrontd, seeds the cache and checks that a repeat takes the
# measured path (a hit, or with PROXY a bypass to the upstream); sets NODE_PID.
start_node() {
  "$1" --listen "127.0.0.1:$2" --data-dir "$WORK/lmdata-$3" --config "$WORK/lmfront.json" \
    --workers "$WORKERS" >"$WORK/lmfront-$3.log" 2>&1 &
  NODE_PID=$!
  PIDS+=($!)
  wait_up "$2" readyz
  curl -fs -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$2/v1/completions" >/dev/null
  curl -fs -D "$WORK/$3.head" -o /dev/null -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$2/v1/completions"
  grep -qi "x-lmfront-cache: $EXPECT" "$WORK/$3.head" || { echo "$3: not a cache $EXPECT" >&2; cat "$WORK/$3.head" >&2; exit 1; }
}
start_node "$LMFRONTD" "$LPORT" main
LPID=$NODE_PID
SERVERS=(nginx "$KIND")
if [[ -n $BASE_BUILD_DIR ]]; then
  start_node "$BASE_BUILD_DIR/bin/lmfrontd" "$BPORT" base
  BPID=$NODE_PID
  SERVERS+=(base)
fi
HIT=$(curl -fs -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$LPORT/v1/completions")
pad=$((${#HIT} - ${#UPSTREAM_JSON}))
CEILING_JSON=$UPSTREAM_JSON
if ((pad > 0)); then CEILING_JSON="${UPSTREAM_JSON%\}},\"pad\":\"$(printf '%*s' $((pad > 10 ? pad - 10 : 0)) '' | tr ' ' x)\"}"; fi
{
  echo 'wrk.method = "POST"'
  printf 'wrk.body = [[%s]]\n' "$BODY"
  echo 'wrk.headers["Content-Type"] = "application/json"'
} >"$WORK/post.lua"

if [[ -n $PERF ]]; then
  wrk -t"$THREADS" -c"$CONNS" -d"$((PERF + 3))s" -s "$WORK/post.lua" "http://127.0.0.1:$LPORT/v1/completions" >"$WORK/wrk.out" &
  WRK=$!
  sleep 1
  perf record -F 2999 ${PERF_CALLGRAPH:---call-graph=fp} -p "$LPID" -o "$WORK/perf.data" -- sleep "$PERF" >/dev/null 2>&1 </dev/null
  wait "$WRK" || true
  grep Requests/sec "$WORK/wrk.out"
  [[ -n ${PERF_KEEP:-} ]] && cp "$WORK/perf.data" "$PERF_KEEP"
  perf report -i "$WORK/perf.data" --no-children --percent-limit 0.7 --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$'
  exit 0
fi

HZ=$(getconf CLK_TCK)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); body bytes: hit ${#HIT}, ceiling ${#CEILING_JSON}"
for r in $(seq "$ROUNDS"); do
  for s in "${SERVERS[@]}"; do
    case $s in
    nginx) start_nginx "$CEILING_JSON"; pid=$NPID port=$NPORT ;;
    cache | proxy) start_nginx "$UPSTREAM_JSON"; pid=$LPID port=$LPORT ;;
    base) pid=$BPID port=$BPORT ;;
    esac
    before=$(cpu_ticks "$pid")
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s "$WORK/post.lua" "http://127.0.0.1:$port/v1/completions" >"$WORK/wrk.out" 2>&1
    after=$(cpu_ticks "$pid")
    rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
    n=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
    bad=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.out")
    printf '%s\t%s\t%.0f\t%.2f\t%s\n' "$s" "$r" "$rps" "$(echo "($after - $before) * 1000000 / $HZ / $n" | bc -l)" "${bad:-0}" | tee -a "$WORK/res.tsv"
  done
done
python3 - "$WORK/res.tsv" "$KIND" <<'PY'
import statistics, sys
rows = [l.split('\t') for l in open(sys.argv[1])]
kind = 'cache hit' if sys.argv[2] == 'cache' else 'proxy → nginx'
names = [s for s in ('nginx', 'cache', 'proxy', 'base') if any(r[0] == s for r in rows)]
m = {s: (statistics.median(float(r[2]) for r in rows if r[0] == s), statistics.median(float(r[3]) for r in rows if r[0] == s)) for s in names}
print("| server | RPS (median) | vs nginx | CPU µs/request |")
print("| --- | --- | --- | --- |")
label = {'nginx': 'nginx `return 200`', 'cache': f'lmfront {kind}', 'proxy': f'lmfront {kind}', 'base': f'lmfront {kind} (base build)'}
for s in names:
    print(f"| {label[s]} | {m[s][0]:.0f} | {m[s][0] / m['nginx'][0]:.2f} | {m[s][1]:.2f} |")
PY
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
