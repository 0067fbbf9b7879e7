// Benchmark: select on two channels: two producers send on their own buffered channel; the
// consumer selects over both; reports nanoseconds per value received. Twin: chan_select.go.
//   chan_select [values per producer]   (default 2,000,000)
#include "bench.h"

int main(int argc, char** argv) {
  long n = bench::argument(argc, argv, 1, 2000000);
  gort::Channel<long> a(64), b(64);
  int64_t start = gort::nanotime();
  gort::go([&a, n] {
    for (long i = 0; i < n; i++) a.send(1);
  });
  gort::go([&b, n] {
    for (long i = 0; i < n; i++) b.send(2);
  });
  long sum = 0;
  for (long i = 0; i < 2 * n; i++) {
    long va = 0, vb = 0;
    gort::select({gort::on_receive(&a, &va), gort::on_receive(&b, &vb)});
    sum += va + vb;
  }
  int64_t elapsed = gort::nanotime() - start;
  if (sum != 3 * n) gort::fatal("chan_select: wrong sum");
  bench::report("chan_select", double(elapsed) / double(2 * n), "ns/value");
  return 0;
}
