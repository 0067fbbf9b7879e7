// Benchmark: goroutine spawn-and-exit. Starts N goroutines that each do nothing but mark a
// WaitGroup, waits for all, and reports the cost per goroutine. Twin: spawn.go.
//   spawn [N]   (default 1,000,000)
#include "bench.h"

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 1000000);
  gort::WaitGroup wg;
  wg.add(int32_t(n));
  int64_t start = gort::nanotime();
  for (long i = 0; i < n; i++) gort::go([&wg] { wg.done(); });
  wg.wait();
  int64_t elapsed = gort::nanotime() - start;
  bench::report("spawn", double(elapsed) / double(n), "ns/goroutine");
  return 0;
}
