#!/usr/bin/env bash
# tsan.sh BUILD_DIR REPORT_DIR [CTEST_ARGS...]: runs the gateway and node tests of a
# ThreadSanitizer build and fails when any test fails or any process (a test, or an
# lmfrontd/lmfront it started) wrote a report into REPORT_DIR. CTEST_ARGS narrow the run, e.g.
# -R tst_httpserver; TSAN_OPTIONS from the environment are added after the ones set here.
set -uo pipefail
build=$1 reports=$2
shift 2
rm -rf "$reports"
mkdir -p "$reports"
# halt_on_error: the first race fails its process. Reports go to files, so a race inside a child
# lmfrontd fails the run even when the test that started it passed. die_after_fork=0: QProcess
# forks the test (threads running) to start redis-server or lmfrontd.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 die_after_fork=0 \
log_path=$reports/report suppressions=$(dirname "$(readlink -f "$0")")/tsan.supp ${TSAN_OPTIONS:-}"
# Without address-space randomisation: older TSan runtimes abort on kernels that randomise more
# bits than they expect ("unexpected memory mapping").
run=()
command -v setarch >/dev/null && run=(setarch "$(uname -m)" -R)
# One test at a time by default: TSan slows tests 5-10x, and the timing tests (idle timeouts, a
# 32 MB response to a client that stops reading) need their CPU when the machine is busy.
"${run[@]}" ctest --test-dir "$build" -L '^(gateway|node)$' --output-on-failure \
  -j "${LMFRONT_TSAN_JOBS:-1}" "$@"
status=$?
shopt -s nullglob
found=("$reports"/report*)
if ((${#found[@]})); then
  cat "${found[@]}"
  echo "tsan: ${#found[@]} process(es) reported a race or another error (above)"
  status=1
fi
exit $status
