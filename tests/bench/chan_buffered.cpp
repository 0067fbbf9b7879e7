// Benchmark: buffered channel throughput: one producer sends N values through a channel of
// capacity 128 to one consumer; reports nanoseconds per value. Twin: chan_buffered.go.
//   chan_buffered [values]   (default 5,000,000)
#include "bench.h"

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 5000000);
  gort::Channel<long> ch(128);
  int64_t start = gort::nanotime();
  gort::go([&ch, n] {
    for (long i = 0; i < n; i++) ch.send(i);
    ch.close();
  });
  long sum = 0;
  for (long v : ch) sum += v;
  int64_t elapsed = gort::nanotime() - start;
  if (sum != n * (n - 1) / 2) gort::fatal("chan_buffered: wrong sum");
  bench::report("chan_buffered", double(elapsed) / double(n), "ns/value");
  return 0;
}
