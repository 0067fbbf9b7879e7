// Benchmark: the Benchmarks Game thread-ring: 503 goroutines in a ring, each passing a token
// to the next over an unbuffered channel, N hops in all; reports total milliseconds.
// Twin: thread_ring.go.   thread_ring [hops]   (default 10,000,000)
#include "bench.h"

namespace {
constexpr int ring_size = 503;
gort::Channel<long>* links[ring_size];
gort::Channel<int> finished;

void pass(int id) {
  gort::Channel<long>* in = links[id];
  gort::Channel<long>* next = links[(id + 1) % ring_size];
  for (;;) {
    long token = in->receive();
    if (token == 0) {
      finished.send(id + 1);
      return;
    }
    next->send(token - 1);
  }
}
}  // namespace

int main(int argc, char** argv) {
  long hops = bench::argument(argc, argv, 1, 10000000);
  for (auto& link : links) link = new gort::Channel<long>();
  for (int i = 0; i < ring_size; i++) gort::go(pass, i);
  int64_t start = gort::nanotime();
  links[0]->send(hops);
  int winner = finished.receive();
  int64_t elapsed = gort::nanotime() - start;
  if (winner != int(hops % ring_size) + 1) gort::fatal("thread_ring: wrong winner");
  bench::report("thread_ring", double(elapsed) / 1e6, "ms");
  return 0;
}
