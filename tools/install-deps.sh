#!/bin/sh
# Installs the Debian packages a make target needs, only those that are missing, quietly:
#   tools/install-deps.sh demo    clang (compiler; libstdc++-12-dev comes with it), nasm, binutils
#   tools/install-deps.sh test    demo's, plus catch2 (the harness), cmake and pkg-config (the
#                                 install tests), golang-go and the C allocators jemalloc,
#                                 mimalloc and tcmalloc: `make test` builds every benchmark
#                                 program and smoke-tests both sides, gort's and its Go or C twin;
#                                 python3 (tools/stack-check: the runtime's stack report, which
#                                 every full build runs, and the driver's stack warnings)
#   tools/install-deps.sh bench   test's (python3 also runs the benchmarks, tools/bench.py),
#                                 plus libgc-dev: Boehm's collector, the third twin of the
#                                 collector benchmarks (tests/bench/*_boehm.c), which only
#                                 `make bench` builds
# apt-get's output goes to build/install-deps.log; one line says what is being installed, and
# a failed install prints the end of the log. Needs root (or sudo) only when something is missing.
set -e
set_name=${1:-demo}
missing=""
want() {  # want PACKAGE TEST...: PACKAGE is missing unless the test succeeds
  package=$1
  shift
  "$@" >/dev/null 2>&1 || missing="$missing $package"
}
has_file() { [ -f "$1" ]; }
case "$set_name" in demo | test | bench) ;; *) echo "usage: $0 demo|test|bench" >&2; exit 2 ;; esac

want clang command -v clang++
want nasm command -v nasm
want binutils command -v ld
if [ "$set_name" != demo ]; then
  want catch2 has_file /usr/include/catch2/catch.hpp
  want cmake command -v cmake
  want pkg-config command -v pkg-config
  want golang-go command -v go
  want libjemalloc-dev has_file /usr/include/jemalloc/jemalloc.h
  want libmimalloc-dev has_file /usr/include/mimalloc.h
  want libgoogle-perftools-dev has_file /usr/include/gperftools/tcmalloc.h
  want python3 command -v python3
fi
if [ "$set_name" = bench ]; then
  want libgc-dev has_file /usr/include/gc/gc.h
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "gort: make $set_name needs:$missing; as root, run: apt-get install$missing" >&2
  exit 1
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/build"
log=$root/build/install-deps.log
echo "gort: installing$missing for make $set_name (log: $log)"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
  echo "gort: installing$missing failed; the end of $log:" >&2
  tail -n 15 "$log" >&2
  exit 1
fi
