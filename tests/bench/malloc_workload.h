// The allocator workloads, shared by the gort programs (malloc_pairs.cpp, malloc_rss.cpp) and
// their hosted twins for glibc, jemalloc, mimalloc and tcmalloc (malloc_c.cpp). Only malloc
// and free are called, so each build measures whichever allocator it is linked with.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../progs/random.h"

extern "C" void* malloc(size_t);
extern "C" void free(void*);

namespace workload {

using testing_random::Random;  // the same fixed sequence for every allocator

// Alloc/free pairs: a window of 64 live objects of random sizes 16..512 bytes; each step frees
// one and allocates its replacement (and writes its first byte, so nothing is elided).
inline uint64_t alloc_free_pairs(uint64_t seed, long pairs) {
  constexpr int window = 64;
  void* live[window] = {};
  Random r{seed * 0x9e3779b97f4a7c15ULL + 1};
  uint64_t sum = 0;
  for (long i = 0; i < pairs; i++) {
    uint64_t x = r.next();
    int k = int(x % window);
    free(live[k]);
    size_t size = 16 + (x >> 8) % 497;
    auto* p = static_cast<unsigned char*>(malloc(size));
    p[0] = (unsigned char)i;
    sum += p[0];
    live[k] = p;
  }
  for (void* p : live) free(p);
  return sum;
}

// A steady mix: about `live_bytes` of objects (16 B .. 4 KiB, a few of 64 KiB) kept live while
// `rounds` times the whole set is replaced at random. Returns the bytes live at the end.
inline uint64_t steady_mix(uint64_t live_bytes, int rounds, void** slots, long slot_count) {
  Random r{12345};
  uint64_t live = 0;
  long filled = 0;
  auto size_of = [](uint64_t x) -> size_t { return x % 100 == 0 ? 65536 : 16 + (x >> 8) % 4081; };
  auto* sizes = static_cast<uint32_t*>(malloc(sizeof(uint32_t) * size_t(slot_count)));
  while (live < live_bytes && filled < slot_count) {
    size_t n = size_of(r.next());
    slots[filled] = malloc(n);
    __builtin_memset(slots[filled], 1, n);  // every page of it becomes resident
    sizes[filled++] = uint32_t(n);
    live += n;
  }
  for (long step = 0; step < rounds * filled; step++) {
    uint64_t x = r.next();
    long k = long(x % uint64_t(filled));
    free(slots[k]);
    live -= sizes[k];
    size_t n = size_of(x >> 17);
    slots[k] = malloc(n);
    __builtin_memset(slots[k], 1, n);
    sizes[k] = uint32_t(n);
    live += n;
  }
  for (long k = 0; k < filled; k++) free(slots[k]);
  free(sizes);
  return live;
}

}  // namespace workload
