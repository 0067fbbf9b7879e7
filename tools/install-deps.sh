#!/bin/sh
# Installs the Debian packages the build needs, only when missing: clang (compiler, with
# binutils for ld/ar), nasm (assembler), catch2 (test harness), golang-go (the reference
# runtime: the benchmarks' Go twins are built by `make` and smoke-tested by `make test`),
# python3 (the benchmark runner), and jemalloc, mimalloc and tcmalloc (the allocators the
# allocator benchmark compares against). Needs root (or sudo) only when something is missing.
set -e
missing=""
command -v clang++ >/dev/null 2>&1 || missing="$missing clang"
command -v nasm >/dev/null 2>&1 || missing="$missing nasm"
command -v ld >/dev/null 2>&1 || missing="$missing binutils"
[ -f /usr/include/catch2/catch.hpp ] || missing="$missing catch2"
command -v go >/dev/null 2>&1 || missing="$missing golang-go"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
# The C allocators the allocator benchmark compares against (built by make, run by make bench).
[ -f /usr/include/jemalloc/jemalloc.h ] || missing="$missing libjemalloc-dev"
[ -f /usr/include/mimalloc.h ] || missing="$missing libmimalloc-dev"
[ -f /usr/include/gperftools/tcmalloc.h ] || missing="$missing libgoogle-perftools-dev"
[ -z "$missing" ] && exit 0

echo "gort: installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "gort: need root to install:$missing (run: apt-get install$missing)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq $missing
