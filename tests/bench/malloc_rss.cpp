// Benchmark: peak resident memory for a steady mix of allocations on gort's allocator, as
// a ratio to the bytes live. Twin: malloc_c.cpp.   malloc_rss [live MiB [rounds]]  (256 4)
#include "bench.h"
#include "malloc_workload.h"

int main(int argc, char** argv) {
  long mib = bench::argument(argc, argv, 1, 256);
  long rounds = bench::argument(argc, argv, 2, 4);
  long before = bench::resident_bytes();
  constexpr long slot_count = 4 << 20;
  // The slot array comes straight from the kernel in every variant, outside the allocator.
  void** slots = static_cast<void**>(gort::sys::mmap(nullptr, sizeof(void*) * slot_count, gort::sys::PROT_READ | gort::sys::PROT_WRITE,
                                                     gort::sys::MAP_PRIVATE | gort::sys::MAP_ANONYMOUS));
  uint64_t live = workload::steady_mix(uint64_t(mib) << 20, int(rounds), slots, slot_count);
  long peak = bench::peak_resident_bytes() - before;
  bench::report("malloc_rss", double(peak) / double(live), "peak/live");
  return 0;
}
