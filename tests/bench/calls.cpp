// Benchmark: the cost of the stack check. A loop makes N calls to a small non-inlined
// function that carries GORT_STACK_CHECK (Go's twin has Go's prologue check on the same
// function); reports nanoseconds per call. Twin: calls.go.   calls [N]   (default 200,000,000)
#include "bench.h"

__attribute__((noinline)) static long step(long x, long y) {
  GORT_STACK_CHECK();
  return (x ^ y) + (x >> 3);
}

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 200000000);
  long acc = 1;
  int64_t start = gort::nanotime();
  for (long i = 0; i < n; i++) acc = step(acc, i);
  int64_t elapsed = gort::nanotime() - start;
  if (acc == 42) gort::fmt::println("unlikely");  // keeps the loop's result alive
  bench::report("calls", double(elapsed) / double(n), "ns/call");
  return 0;
}
