// Benchmark: recursive fork-join fib(N): each call above the cutoff computes fib(n-1) in a
// new goroutine and fib(n-2) itself, then joins; at or below the cutoff it recurses plainly.
// Reports the mean wall time of 5 runs in ms, after one warm-up run (which makes the goroutine
// stacks and threads, in both runtimes); run at GOMAXPROCS=1 and 2 for the speed-up.
// Twin: fib.go.
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
  constexpr int runs = 5;
  long expected = fib_serial(n);
  if (fib_parallel(n, cutoff) != expected) gort::fatal("fib: wrong result");  // warm-up
  int64_t start = gort::nanotime();
  for (int i = 0; i < runs; i++)
    if (fib_parallel(n, cutoff) != expected) gort::fatal("fib: wrong result");
  int64_t elapsed = gort::nanotime() - start;
  bench::report("fib", double(elapsed) / 1e6 / runs, "ms");
  return 0;
}
