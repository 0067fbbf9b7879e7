// Benchmark: deep recursion. A goroutine recurses N frames deep through a function with the
// stack check, so its stack grows through ever larger segments; reports the wall time of
// the whole descent and return. Twin: recursion.go.   recursion [N]   (default 10,000,000)
#include "bench.h"

static long descend(long n) {
  GORT_STACK_CHECK();
  if (n == 0) return 0;
  return descend(n - 1) + 1;
}

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 10000000);
  gort::WaitGroup wg;
  long depth = 0;
  wg.add(1);
  int64_t start = gort::nanotime();
  gort::go([&] {
    depth = descend(n);
    wg.done();
  });
  wg.wait();
  int64_t elapsed = gort::nanotime() - start;
  if (depth != n) gort::fatal("recursion: wrong depth");
  bench::report("recursion", double(elapsed) / 1e6, "ms");
  return 0;
}
