#!/usr/bin/env bash
# A local node that cannot start (its data dir cannot be created) must give one clear line and a
# non-zero exit, not a crash. Screenshot mode exits instead of showing the message box.
# usage: startfailure.sh CONSOLE
set -uo pipefail
console=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/file"
QT_QPA_PLATFORM=offscreen "$console" --listen 127.0.0.1:0 --data-dir "$tmp/file/data" \
  --screenshot "$tmp/x.png" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
((rc == 1)) || { echo "startfailure: exit code $rc, want 1"; exit 1; }
grep -q "local node did not start: .*data dir $tmp/file/data" "$tmp/err" ||
  { echo "startfailure: the error does not name the data dir"; exit 1; }
# Without --screenshot a bad flag also shows a message box, which nobody could close here.
QT_QPA_PLATFORM=offscreen "$console" --bogus-flag --screenshot "$tmp/x.png" 2>"$tmp/err"
rc=$?
cat "$tmp/err"
((rc == 2)) || { echo "startfailure: bad flag gave exit code $rc, want 2"; exit 1; }
grep -q "bogus-flag" "$tmp/err" || { echo "startfailure: the error does not name the flag"; exit 1; }
echo "startfailure: ok"
