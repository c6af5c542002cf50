#!/usr/bin/env bash
# HTTP data-plane benchmark: lmfront-bench-http (HttpServer, 2 workers) vs nginx `return 200`,
# same 50-byte JSON body, wrk on loopback, servers and wrk sharing the machine's cores.
# Alternates the servers for ROUNDS rounds at each connection count and prints medians.
#
# Usage: bench/http/run.sh [BUILD_DIR]      (default: build; needs target lmfront-bench-http)
# Env:   ROUNDS=3 DURATION=10s CONNS="200 64" THREADS=2 NOGLIB=1 (also run lmfront with QT_NO_GLIB=1)
#        NICE=0 (e.g. -10 as root: run servers and wrk above a busy machine's background builds;
#        applies to every server alike)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-"200 64"}
THREADS=${THREADS:-2}
NOGLIB=${NOGLIB:-1}
NICE=${NICE:-0}
RUN=(nice -n "$NICE")
BIN=$BUILD_DIR/bin/lmfront-bench-http
[[ -x $BIN ]] || { echo "missing $BIN: ninja -C $BUILD_DIR lmfront-bench-http" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed (scripts/setup.sh)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

source bench/lib/loopback.sh
bench_begin http
declare -A PORT SPID
PORT[lmfront]=$(free_port)
"${RUN[@]}" "$BIN" --port "${PORT[lmfront]}" --workers 2 >"$WORK/lmfront.log" 2>&1 &
PIDS+=($!)
SPID[lmfront]=$!
SERVERS=(lmfront)
if [[ $NOGLIB == 1 ]]; then
  PORT[lmfront-noglib]=$(free_port)
  QT_NO_GLIB=1 "${RUN[@]}" "$BIN" --port "${PORT[lmfront-noglib]}" --workers 2 >"$WORK/lmfront-noglib.log" 2>&1 &
  PIDS+=($!)
  SPID[lmfront-noglib]=$!
  SERVERS+=(lmfront-noglib)
fi
PORT[nginx]=$(free_port)
mkdir -p "$WORK/nginx"
sed -e "s|@DIR@|$WORK/nginx|g" -e "s|@PORT@|${PORT[nginx]}|g" bench/http/nginx.conf.in >"$WORK/nginx/nginx.conf"
"${RUN[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
SPID[nginx]=$!
SERVERS+=(nginx)
for s in "${SERVERS[@]}"; do wait_up "${PORT[$s]}"; done
body=$(curl -fs "http://127.0.0.1:${PORT[lmfront]}/"); ref=$(curl -fs "http://127.0.0.1:${PORT[nginx]}/")
[[ $body == "$ref" ]] || { echo "bodies differ: '$body' vs '$ref'" >&2; exit 1; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d" " -f1-3 /proc/loadavg)"
echo "# wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $("$NGINX" -v 2>&1 | sed 's/.*: //'), -t$THREADS -d$DURATION, $ROUNDS rounds alternating, nice $NICE"
RESULTS=$WORK/results.tsv
for c in $CONNS; do
  for r in $(seq "$ROUNDS"); do
    for s in "${SERVERS[@]}"; do
      t0=$(cpu_ticks "${SPID[$s]}")
      out=$("${RUN[@]}" wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency "http://127.0.0.1:${PORT[$s]}/")
      t1=$(cpu_ticks "${SPID[$s]}")
      line=$(python3 - "$s" "$c" "$r" "$((t1 - t0))" "$(getconf CLK_TCK)" <<PY
import re, sys
out = """$out"""
def ms(v):
    m = re.match(r'([\d.]+)(us|ms|s)', v)
    return float(m.group(1)) * {'us': 0.001, 'ms': 1.0, 's': 1000.0}[m.group(2)]
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
total = int(re.search(r'(\d+) requests in', out).group(1))
cpu_us = int(sys.argv[4]) / int(sys.argv[5]) * 1e6 / max(total, 1)  # server CPU per request
p50 = ms(re.search(r'\s50%\s+(\S+)', out).group(1))
p99 = ms(re.search(r'\s99%\s+(\S+)', out).group(1))
err = re.search(r'Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)', out)
print(f"{sys.argv[1]}\t{sys.argv[2]}\t{sys.argv[3]}\t{rps:.0f}\t{p50:.3f}\t{p99:.3f}\t{cpu_us:.2f}\t{err.group(0) if err else ''}")
PY
)
      echo "$line" | tee -a "$RESULTS"
    done
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
conns = sorted({r[1] for r in rows}, key=lambda x: -int(x))
servers = list(dict.fromkeys(r[0] for r in rows))
print()
print("| server | conns | RPS (median) | p50 ms | p99 ms | server CPU us/req | RPS vs nginx | p99 vs nginx | CPU/req vs nginx |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for c in conns:
    med = {}
    for s in servers:
        sel = [r for r in rows if r[0] == s and r[1] == c]
        med[s] = tuple(statistics.median(float(r[i]) for r in sel) for i in (3, 4, 5, 6))
    for s in servers:
        rps, p50, p99, cpu = med[s]
        n = med.get('nginx')
        print(f"| {s} | {c} | {rps/1000:.1f} k | {p50:.2f} | {p99:.2f} | {cpu:.1f} | {rps/n[0]:.2f}x | {p99/n[2]:.2f}x | {cpu/n[3]:.2f}x |")
PY
