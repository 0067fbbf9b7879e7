#!/bin/sh
# Installs the Debian packages the build needs, only when missing: clang (compiler, with
# binutils for ld/ar), nasm (assembler), catch2 (test harness), golang-go (the reference
# runtime: the benchmarks' Go twins are built by `make` and smoke-tested by `make test`), and
# python3 (the benchmark runner). Needs root (or sudo) only when something is missing.
set -e
missing=""
command -v clang++ >/dev/null 2>&1 || missing="$missing clang"
command -v nasm >/dev/null 2>&1 || missing="$missing nasm"
command -v ld >/dev/null 2>&1 || missing="$missing binutils"
[ -f /usr/include/catch2/catch.hpp ] || missing="$missing catch2"
command -v go >/dev/null 2>&1 || missing="$missing golang-go"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
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
