// Benchmark: recursive fork-join fib(N): each call above the cutoff computes fib(n-1) in a
// new goroutine and fib(n-2) itself, then joins; at or below the cutoff it recurses plainly.
// Reports the mean wall time of 5 runs in ms, after one warm-up run (which makes the goroutine
// stacks and threads, in both runtimes); run at GOMAXPROCS=1 and 2 for the speed-up.
// Twin: fib.go.
//   fib [N [cutoff]]   (default 32 20)
#include "bench.h"

// fib_serial recurses at most `cutoff` (20) frames of about 32 bytes below the last check,
// inside the 928-byte budget for code without the check (docs/03-stacks.md), so it needs
// none; fib_parallel's depth depends on n, so it carries the check.
static long fib_serial(long n) { return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2); }

static long fib_parallel(long n, long cutoff) {
  GORT_STACK_CHECK();
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
