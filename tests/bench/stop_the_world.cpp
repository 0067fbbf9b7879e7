// Benchmark: stop-the-world latency. Two goroutines spin without calls while main changes
// GOMAXPROCS N times (3, 2, 3, ...; each change stops and starts the world), and reports the
// median or the worst change. Twin: stop_the_world.go (runtime.GOMAXPROCS).
//   stop_the_world [N] [p50|max]   (default 400, p50)
#include "bench.h"

namespace {
volatile long sink;
}

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 400);
  bool worst = argc > 2 && argv[2][0] == 'm';
  for (int s = 0; s < 2; s++)
    gort::go([] {
      for (;;) sink = sink + 1;
    });
  int64_t until = gort::nanotime() + 30 * 1000 * 1000;  // let both spinners start
  while (gort::nanotime() < until) gort::gosched();
  auto* times = new int64_t[size_t(n)];
  for (long k = 0; k < n; k++) {
    int64_t start = gort::nanotime();
    gort::gomaxprocs(k % 2 == 0 ? 3 : 2);
    times[k] = gort::nanotime() - start;
  }
  for (long i = 1; i < n; i++)  // insertion sort: n is small
    for (long j = i; j > 0 && times[j] < times[j - 1]; j--) {
      int64_t t = times[j];
      times[j] = times[j - 1];
      times[j - 1] = t;
    }
  bench::report("stop_the_world", double(worst ? times[n - 1] : times[n / 2]) / 1000.0, "us");
  return 0;
}
