#!/usr/bin/env bash
# Builds lmfront's Debian packages (lmfront, lmfront-console, lmfront-models) from a configured
# build dir with CPack's DEB generator; docs/packaging.md says what each contains.
#   scripts/package.sh [BUILD_DIR [OUT_DIR]]     (default: build, BUILD_DIR/packages)
# The build dir must be a Release configure of this checkout (test.sh's `build` is one); the
# packaged binaries and generated files are built first if they are not yet (nothing to do after
# test.sh). Prints the paths of the .deb files.
set -euo pipefail
build=$(readlink -f "${1:-build}")
out=$(readlink -m "${2:-$build/packages}")
if [[ ! -f $build/CPackConfig.cmake ]]; then
  echo "package: $build is not a configured lmfront build dir (cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release)" >&2
  exit 1
fi
if ! grep -qx 'CMAKE_BUILD_TYPE:STRING=Release' "$build/CMakeCache.txt"; then
  echo "package: $build is not a Release build (packages ship optimised binaries)" >&2
  exit 1
fi
cmake --build "$build" -j "${LMFRONT_JOBS:-2}" --target lmfront lmfrontd lmfront-console lmfront_packaging_files >/dev/null
mkdir -p "$out"
rm -f "$out"/*.deb
# dpkg-shlibdeps (CPACK_DEBIAN_PACKAGE_SHLIBDEPS) and fakeroot-free root ownership come from CPack.
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || {
  echo "package: cpack failed; its log:" >&2
  cat "$out/cpack.log" >&2
  exit 1
}
ls "$out"/*.deb
