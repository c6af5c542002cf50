#!/usr/bin/env bash
# Installs every Debian package that building, running and testing lmfront needs.
# Idempotent: when everything is present it only runs dpkg-query and exits (< 1 s).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache clang-format pkg-config
  # Qt 6.4 (see shared/QT64-NOTES.md: Charts needs libqt6opengl6-dev for its CMake config)
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev libqt6opengl6-dev qt6-websockets-dev
  libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
  libqt6svg6  # SVG icon engine + image plugin: the console's icons are SVG
  qtkeychain-qt6-dev  # the console's API keys in the desktop keyring (QtKeychain)
  # small C libraries the core uses
  libhttp-parser-dev libutf8proc-dev libsqlite3-dev libssl-dev libhiredis-dev libyaml-cpp-dev
  libarchive-dev  # submission bundles (.tar.gz) are read with libarchive (core/registry)
  # headless GUI tests and screenshots
  xvfb xauth fonts-dejavu-core fonts-wqy-zenhei imagemagick
  # the TLS tests make a throwaway CA and certificates at run time
  openssl
  # servers and reference tools later tests and benchmarks run against
  redis-server etcd-server etcd-client prometheus prometheus-alertmanager irstlm wrk nginx-light nghttp2-client
  # the console's PNG icons are rendered from its SVG at build time (cmake/LmfrontPackaging.cmake)
  librsvg2-bin
  # corpora and pretrained models for the default models
  fortunes fortunes-min fortunes-zh bible-kjv pocketsphinx-en-us
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# nodejs may come from another repository with its own npm; only ask for Debian's when absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Services installed here must not start at install time: tests start their own instances.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f "$policy"' EXIT
if ! apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/lmfront-setup-apt.log 2>&1; then
  apt-get update >>/tmp/lmfront-setup-apt.log 2>&1
  apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/lmfront-setup-apt.log 2>&1 || {
    echo "setup: apt-get install failed; see /tmp/lmfront-setup-apt.log" >&2
    tail -20 /tmp/lmfront-setup-apt.log >&2
    exit 1
  }
fi
echo "setup: done" >&2
