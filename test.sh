#!/usr/bin/env bash
# Builds lmfront and runs every test: unit, integration, GUI (offscreen), format, and the core
# suite again under AddressSanitizer + UndefinedBehaviorSanitizer. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
scripts/setup.sh
scripts/setup-test-deps.sh

jobs=${LMFRONT_JOBS:-$(nproc)}
# Paths under the checkout are hashed relative to it, so another clone (CI) reuses the cache.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
configure() {  # configure DIR ARGS... — only when the build dir is new (ninja re-runs cmake itself)
  local dir=$1; shift
  [[ -f $dir/build.ninja ]] || cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
}

configure build -DCMAKE_BUILD_TYPE=Release -DLMFRONT_ASAN_BUILD_DIR="$root/build-asan" \
  -DLMFRONT_FUZZ_BUILD_DIR="$root/build-fuzz"
cmake --build build -j "$jobs"
configure build-asan -DCMAKE_BUILD_TYPE=Debug -DLMFRONT_SANITIZE=ON -DLMFRONT_CORE_ONLY=ON
cmake --build build-asan -j "$jobs"
# libFuzzer needs clang; only the fuzz targets are built there (a handful of files).
[[ -f build-fuzz/build.ninja ]] || CXX=clang++ CC=clang cmake -S . -B build-fuzz -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DLMFRONT_FUZZ=ON -DLMFRONT_CORE_ONLY=ON >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzz_httprequestparser fuzz_openairequests
if [[ -x scripts/build-default-models.sh ]]; then
  scripts/build-default-models.sh build
fi

ctest --test-dir build --output-on-failure -j "$jobs" "$@"
