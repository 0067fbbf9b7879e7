// Benchmark: the cost of the stack check in call-heavy code. Naive recursive fib(N), whose
// every call carries GORT_STACK_CHECK, as every Go function that is not a tiny leaf carries
// Go's prologue check; reports nanoseconds per call. Twin: calls.go.
//   calls [N]   (default 32: 7,049,155 calls)
#include "bench.h"

static long fib(long n) {
  GORT_STACK_CHECK();
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 32);
  long calls = 1, a = 1, b = 1;  // fib makes 2*F(n+1) - 1 calls
  for (long i = 1; i < n; i++) {
    long c = a + b;
    a = b;
    b = c;
  }
  calls = 2 * b - 1;
  int64_t start = gort::nanotime();
  long result = fib(n);
  int64_t elapsed = gort::nanotime() - start;
  if (result <= 0) gort::fatal("calls: wrong result");
  bench::report("calls", double(elapsed) / double(calls), "ns/call");
  return 0;
}
