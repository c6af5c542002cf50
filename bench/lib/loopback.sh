# Helpers shared by the loopback benchmarks (bench/http, bench/gateway). Source after
# `set -euo pipefail`:
#   bench_begin NAME        WORK=a fresh temp dir, PIDS=(); on exit every PID in PIDS is killed
#                           and WORK removed, so an interrupted run leaves no server behind
#   free_port               a port nobody listens on now
#   wait_up PORT [PATH]     polls http://127.0.0.1:PORT/PATH for 10 s until anything answers
#   cpu_ticks PID           utime+stime of PID and its children (nginx: master + workers)
#   nginx_return_conf DIR PORT WORKERS BODY
#                           writes DIR/nginx.conf: `return 200 BODY` as JSON, keep-alive, no logs

bench_begin() {
  WORK=$(mktemp -d "/tmp/lmfront-bench-$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_up() {
  for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/${2:-}" && return 0; sleep 0.05; done
  echo "server on $1 did not start" >&2
  exit 1
}

cpu_ticks() {
  local total=0 p
  for p in $1 $(pgrep -P "$1" || true); do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$total"
}

nginx_return_conf() {
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<NGX
worker_processes $3;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$2 reuseport backlog=4096;
    location / { default_type application/json; return 200 '$4'; }
  }
}
NGX
}
