#!/usr/bin/env bash
# Sets up, builds (Release) and starts lmfront-console with its local node and default models.
# Without a display it starts the headless node (lmfrontd) in the foreground instead.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
[[ -f build/build.ninja ]] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"
if [[ -x scripts/build-default-models.sh ]]; then
  scripts/build-default-models.sh build
fi

if [[ -n ${DISPLAY:-} || -n ${WAYLAND_DISPLAY:-} ]] && [[ -x build/bin/lmfront-console ]]; then
  exec build/bin/lmfront-console "$@"
fi
echo "run.sh: no display found (DISPLAY and WAYLAND_DISPLAY are unset); starting the headless node instead." >&2
echo "run.sh: the console needs a desktop session, or try: xvfb-run -a ./run.sh" >&2
exec build/bin/lmfrontd "$@"
