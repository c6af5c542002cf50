#!/usr/bin/env bash
# Builds lmfront and runs every test: unit, integration, GUI (offscreen), format, the core suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer, and the gateway and node tests under
# ThreadSanitizer. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
scripts/setup.sh
scripts/setup-test-deps.sh

jobs=${LMFRONT_JOBS:-$(nproc)}
# Paths under the checkout are hashed relative to it, so another clone (CI) reuses the cache.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
cached() {  # cached DIR NAME=VALUE: the build dir's CMakeCache.txt holds that value
  grep -qxF "$2" <(sed -E 's/^([^:=]+):[^=]*=/\1=/' "$1/CMakeCache.txt")
}
configure() {  # configure DIR -DNAME=VALUE... — when the dir is new or lacks one of the values
  local dir=$1 arg missing=0; shift
  if [[ -f $dir/build.ninja ]]; then  # ninja re-runs cmake itself when a CMakeLists.txt changes
    for arg in "$@"; do cached "$dir" "${arg#-D}" || missing=1; done
    ((missing)) || return 0
  fi
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
}

configure build -DCMAKE_BUILD_TYPE=Release -DLMFRONT_ASAN_BUILD_DIR="$root/build-asan" \
  -DLMFRONT_TSAN_BUILD_DIR="$root/build-tsan" -DLMFRONT_FUZZ_BUILD_DIR="$root/build-fuzz"
cmake --build build -j "$jobs"
configure build-asan -DCMAKE_BUILD_TYPE=Debug -DLMFRONT_SANITIZE=ON -DLMFRONT_CORE_ONLY=ON
cmake --build build-asan -j "$jobs"
# ThreadSanitizer: the gateway and node tests and the binaries they start (no GUI, no benchmarks).
configure build-tsan -DCMAKE_BUILD_TYPE=Debug -DLMFRONT_TSAN=ON -DLMFRONT_BUILD_GUI=OFF
cmake --build build-tsan -j "$jobs" --target tsan_suite
# libFuzzer needs clang; only the fuzz targets are built there (a handful of files).
[[ -f build-fuzz/build.ninja ]] || CXX=clang++ CC=clang cmake -S . -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DLMFRONT_FUZZ=ON -DLMFRONT_CORE_ONLY=ON >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzz_httprequestparser fuzz_openairequests
if [[ -x scripts/build-default-models.sh ]]; then
  scripts/build-default-models.sh build
fi

ctest --test-dir build --output-on-failure -j "$jobs" "$@"
