// Benchmark: recursive fork-join fib(N): each call above the cutoff computes fib(n-1) in a
// new goroutine and fib(n-2) itself, then joins; at or below the cutoff it recurses plainly.
// Reports wall time in ms; run at GOMAXPROCS=1 and 2 for the speed-up. Twin: fib.go.
//   fib [N [cutoff]]   (default 32 20)
#include "bench.h"

static long fib_serial(long n) { return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2); }

static long fib_parallel(long n, long cutoff) {
  if (n <= cutoff) return fib_serial(n);
  long left = 0;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&left, &wg](long m, long c) {
    left = fib_parallel(m, c);
    wg.done();
  }, n - 1, cutoff);
  long right = fib_parallel(n - 2, cutoff);
  wg.wait();
  return left + right;
}

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 32);
  long cutoff = bench::argument(argc, argv, 2, 20);
  int64_t start = gort::nanotime();
  long result = fib_parallel(n, cutoff);
  int64_t elapsed = gort::nanotime() - start;
  if (result != fib_serial(n)) gort::fatal("fib: wrong result");
  bench::report("fib", double(elapsed) / 1e6, "ms");
  return 0;
}
