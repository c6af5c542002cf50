#!/usr/bin/env bash
# Installs what the tests need beyond building: the Debian tools the packaging test runs
# (tests/packaging: lintian, desktop-file-validate, appstreamcli, systemd-analyze, man), etcd for
# the cluster tests (tests/support/etcdserver.h), and the npm packages the black-box tests use (the
# official openai SDK), from the lock file. Fast no-op when all are present and node_modules matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(lintian desktop-file-utils appstream systemd man-db file curl python3 etcd-server)
missing=()
for p in "${debs[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/lmfront-setup-test-apt.log 2>&1 || {
    apt-get update >>/tmp/lmfront-setup-test-apt.log 2>&1
    apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/lmfront-setup-test-apt.log 2>&1
  } || {
    echo "setup: apt-get install failed; see /tmp/lmfront-setup-test-apt.log" >&2
    tail -20 /tmp/lmfront-setup-test-apt.log >&2
    exit 1
  }
fi

cd tests/sdk
stamp=node_modules/.lmfront-lock-stamp
if [[ -f $stamp ]] && cmp -s package-lock.json "$stamp"; then
  exit 0
fi
echo "setup: npm ci in tests/sdk" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
cp package-lock.json "$stamp"
