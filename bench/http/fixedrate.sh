#!/usr/bin/env bash
# Tail latency at a FIXED request rate: lmfront-bench-http vs nginx `return 200`, same body.
# wrk (run.sh) is closed-loop: the faster server gets more requests, and a client sharing the
# cores then saturates and inflates its own measured tail, so p99 tracks achieved RPS. Here both
# servers get the same offered load (h2load --rps, HTTP/1.1, keep-alive) and per-request times are
# taken from h2load's log. Alternating, ROUNDS rounds per rate; medians.
#
# Usage: bench/http/fixedrate.sh [BUILD_DIR]
# Env:   RATES="10000 20000" CONNS=64 DURATION=10 ROUNDS=3 NICE=0
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
RATES=${RATES:-"10000 20000"}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
NICE=${NICE:-0}
RUN=(nice -n "$NICE")
BIN=$BUILD_DIR/bin/lmfront-bench-http
[[ -x $BIN ]] || { echo "missing $BIN: ninja -C $BUILD_DIR lmfront-bench-http" >&2; exit 1; }
command -v h2load >/dev/null || { echo "h2load not installed (apt-get install nghttp2-client)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

source bench/lib/loopback.sh
bench_begin fixedrate

declare -A PORT
PORT[lmfront]=$(free_port)
"${RUN[@]}" "$BIN" --port "${PORT[lmfront]}" --workers 2 >"$WORK/lmfront.log" 2>&1 &
PIDS+=($!)
PORT[nginx]=$(free_port)
mkdir -p "$WORK/nginx"
sed -e "s|@DIR@|$WORK/nginx|g" -e "s|@PORT@|${PORT[nginx]}|g" bench/http/nginx.conf.in >"$WORK/nginx/nginx.conf"
"${RUN[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
for s in lmfront nginx; do wait_up "${PORT[$s]}"; done

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d" " -f1-3 /proc/loadavg)"
echo "# h2load --h1 -t2 -c$CONNS --rps=RATE/$CONNS -D $DURATION, $ROUNDS rounds alternating, nice $NICE"
RESULTS=$WORK/results.tsv
for rate in $RATES; do
  per=$((rate / CONNS))
  for r in $(seq "$ROUNDS"); do
    for s in lmfront nginx; do
      rm -f "$WORK/log"  # h2load appends to its log
      "${RUN[@]}" h2load --h1 -t2 -c"$CONNS" --rps="$per" -D "$DURATION" --log-file="$WORK/log" \
        "http://127.0.0.1:${PORT[$s]}/" >"$WORK/out" 2>&1
      python3 - "$s" "$rate" "$r" "$WORK/log" <<'PY' | tee -a "$RESULTS"
import sys
lat = sorted(int(l.split('\t')[2]) for l in open(sys.argv[4]) if l.count('\t') == 2)
ok = sum(1 for l in open(sys.argv[4]) if '\t200\t' in l)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1000.0
print(f"{sys.argv[1]}\t{sys.argv[2]}\t{sys.argv[3]}\t{len(lat)}\t{ok}\t{q(0.5):.3f}\t{q(0.99):.3f}\t{q(0.999):.3f}")
PY
    done
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1])]
print()
print("| server | offered RPS | requests (median) | p50 ms | p99 ms | p99.9 ms | p99 vs nginx |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for rate in dict.fromkeys(r[1] for r in rows):
    med = {}
    for s in ('lmfront', 'nginx'):
        sel = [r for r in rows if r[0] == s and r[1] == rate]
        med[s] = [statistics.median(float(r[i]) for r in sel) for i in (3, 5, 6, 7)]
    for s in ('lmfront', 'nginx'):
        n, p50, p99, p999 = med[s]
        print(f"| {s} | {rate} | {n:.0f} | {p50:.2f} | {p99:.2f} | {p999:.2f} | {p99 / med['nginx'][2]:.2f}x |")
PY
