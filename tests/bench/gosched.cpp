// Benchmark: a gosched switch on one processor. Two goroutines yield to each other N times
// each; reports the cost of one switch (2N switches in all). Run with GOMAXPROCS=1.
// Twin: gosched.go.   gosched [N]   (default 5,000,000)
#include "bench.h"

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 5000000);
  gort::WaitGroup wg;
  wg.add(2);
  int64_t start = gort::nanotime();
  for (int k = 0; k < 2; k++)
    gort::go([&wg, n] {
      for (long i = 0; i < n; i++) gort::gosched();
      wg.done();
    });
  wg.wait();
  int64_t elapsed = gort::nanotime() - start;
  bench::report("gosched", double(elapsed) / double(2 * n), "ns/switch");
  return 0;
}
