// Benchmark: the collector's pauses with many goroutines alive. G goroutines (default
// 100,000) park on a WaitGroup; then main allocates collected garbage (512-byte nodes, a
// ring of the last 4,096 kept alive) until C collections (default 12) have finished, and
// prints the wall time of that phase and the pauses (bench::report_pauses), which include
// every collection since start-up. Every parked goroutine's stack is a root the collector
// must scan. Twin: gc_pauses.go.
//   gc_pauses [G] [C]
#include "bench.h"

namespace {

struct Node {
  bench::CollectedField<Node> next;
  long payload[63];  // 512 bytes in all, scanned (next is a pointer)
};

constexpr long ring_size = 4096;
Node* ring[ring_size];  // in bss: a root

}  // namespace

int main(int argc, char** argv) {
  long goroutines = bench::argument(argc, argv, 1, 100000), cycles = bench::argument(argc, argv, 2, 12);
  gort::WaitGroup started, gate;
  gate.add(1);
  started.add(int32_t(goroutines));
  for (long i = 0; i < goroutines; i++)
    gort::go([&started, &gate] {
      started.done();
      gate.wait();
    });
  started.wait();
  uint64_t target = gort::gc::stats().collections + uint64_t(cycles);
  int64_t start = gort::nanotime();
  for (long i = 0;; i++) {
    Node* node = gort::gc::make<Node>();
    // A node points to an older one only if that one points nowhere: chains of two at most,
    // so the live set stays the ring's (a chain through every node would keep them all).
    Node* older = ring[(i + 1) % ring_size];
    node->next = older != nullptr && older->next == nullptr ? older : nullptr;
    ring[i % ring_size] = node;
    if (i % 1024 == 0 && gort::gc::stats().collections >= target) break;
  }
  int64_t elapsed = gort::nanotime() - start;
  bench::report("gc_pauses", double(elapsed) / 1e6, "ms");
  bench::report_pauses();
  return 0;  // the parked goroutines end with the process, as in Go
}
