// Benchmark: memory per parked goroutine. Starts N goroutines that each block on a
// WaitGroup, and reports the growth of the resident set divided by N. Twin: parked.go.
//   parked [N]   (default 100,000)
#include "bench.h"

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 100000);
  gort::WaitGroup started, gate;
  gate.add(1);
  started.add(int32_t(n));
  long before = bench::resident_bytes();
  for (long i = 0; i < n; i++)
    gort::go([&started, &gate] {
      started.done();
      gate.wait();
    });
  started.wait();
  long after = bench::resident_bytes();
  bench::report("parked", double(after - before) / double(n), "bytes/goroutine");
  return 0;  // the parked goroutines end with the process, as in Go
}
