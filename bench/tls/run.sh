#!/usr/bin/env bash
# TLS data-plane benchmark: lmfront-bench-http with --tls-cert/--tls-key (HttpServer, 2 workers)
# vs nginx (2 workers), same certificate, same TLS settings, same 50-byte JSON body, wrk over
# https on loopback, servers and wrk sharing the machine's cores. Two modes:
#   keepalive   requests/s on keep-alive connections (TLS record cost only)
#   handshake   `Connection: close` on every request: each request is a new TCP connection and a
#               full TLS handshake (wrk does not resume sessions), so requests/s = handshakes/s
# Alternates the servers for ROUNDS rounds per mode and prints medians (docs/benchmarks/tls.md).
#
# Usage: bench/tls/run.sh [BUILD_DIR]      (default: build; needs target lmfront-bench-http)
# Env:   ROUNDS=3 DURATION=10s CONNS=64 THREADS=2 KEY=ec (ec: P-256 ECDSA; rsa: RSA-2048)
#        MODES="keepalive handshake" NICE=0
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-2}
KEY=${KEY:-ec}
MODES=${MODES:-"keepalive handshake"}
NICE=${NICE:-0}
RUN=(nice -n "$NICE")
BIN=$BUILD_DIR/bin/lmfront-bench-http
[[ -x $BIN ]] || { echo "missing $BIN: ninja -C $BUILD_DIR lmfront-bench-http" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not installed (scripts/setup.sh)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl not installed" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

source bench/lib/loopback.sh
bench_begin tls

# One throwaway certificate for both servers.
case $KEY in
ec) keyopts=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1) ;;
rsa) keyopts=(-newkey rsa:2048) ;;
*) echo "KEY must be ec or rsa" >&2; exit 2 ;;
esac
openssl req -x509 "${keyopts[@]}" -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null

wait_tls() {
  for _ in $(seq 200); do curl -sk -o /dev/null "https://127.0.0.1:$1/" && return 0; sleep 0.05; done
  echo "server on $1 did not start" >&2
  exit 1
}

declare -A PORT SPID
PORT[lmfront]=$(free_port)
QT_NO_GLIB=1 "${RUN[@]}" "$BIN" --port "${PORT[lmfront]}" --workers 2 --tls-cert "$WORK/cert.pem" \
  --tls-key "$WORK/key.pem" >"$WORK/lmfront.log" 2>&1 &
PIDS+=($!)
SPID[lmfront]=$!
PORT[nginx]=$(free_port)
mkdir -p "$WORK/nginx"
sed -e "s|@DIR@|$WORK/nginx|g" -e "s|@PORT@|${PORT[nginx]}|g" -e "s|@CERT@|$WORK/cert.pem|g" \
  -e "s|@KEY@|$WORK/key.pem|g" bench/tls/nginx.conf.in >"$WORK/nginx/nginx.conf"
"${RUN[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
SPID[nginx]=$!
SERVERS=(lmfront nginx)
for s in "${SERVERS[@]}"; do wait_tls "${PORT[$s]}"; done
body=$(curl -fsk "https://127.0.0.1:${PORT[lmfront]}/"); ref=$(curl -fsk "https://127.0.0.1:${PORT[nginx]}/")
[[ $body == "$ref" ]] || { echo "bodies differ: '$body' vs '$ref'" >&2; exit 1; }
proto() { openssl s_client -connect "127.0.0.1:$1" </dev/null 2>/dev/null | awk '/^ *(Protocol|Cipher) *:/ && !seen[$1]++ {printf "%s ", $3}'; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d" " -f1-3 /proc/loadavg)"
echo "# wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(openssl version | awk '{print $1, $2}'), key $KEY, -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds alternating, nice $NICE"
echo "# negotiated: lmfront $(proto "${PORT[lmfront]}")/ nginx $(proto "${PORT[nginx]}")"
RESULTS=$WORK/results.tsv
for mode in $MODES; do
  extra=()
  [[ $mode == handshake ]] && extra=(-H "Connection: close")
  for r in $(seq "$ROUNDS"); do
    for s in "${SERVERS[@]}"; do
      t0=$(cpu_ticks "${SPID[$s]}")
      out=$("${RUN[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "${extra[@]}" "https://127.0.0.1:${PORT[$s]}/")
      t1=$(cpu_ticks "${SPID[$s]}")
      line=$(python3 - "$s" "$mode" "$r" "$((t1 - t0))" "$(getconf CLK_TCK)" <<PY
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
modes = list(dict.fromkeys(r[1] for r in rows))
servers = list(dict.fromkeys(r[0] for r in rows))
print()
print("| server | mode | req/s (median) | p50 ms | p99 ms | server CPU us/req | req/s vs nginx | CPU/req vs nginx |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for m in modes:
    med = {}
    for s in servers:
        sel = [r for r in rows if r[0] == s and r[1] == m]
        med[s] = tuple(statistics.median(float(r[i]) for r in sel) for i in (3, 4, 5, 6))
    for s in servers:
        rps, p50, p99, cpu = med[s]
        n = med['nginx']
        print(f"| {s} | {m} | {rps/1000:.1f} k | {p50:.2f} | {p99:.2f} | {cpu:.1f} | {rps/n[0]:.2f}x | {cpu/n[3]:.2f}x |")
PY
