// Benchmark: the smallest program, for binary size and start-up time (tools/bench.py
// measures both from outside). Twin: hello.go.
#include "bench.h"

int main() {
  gort::fmt::println("hello, world");
  return 0;
}
