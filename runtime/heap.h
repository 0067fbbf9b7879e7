// The page heap (Go's mheap): one large arena of 8 KiB pages at a fixed address, handed out in runs
// (Spans) for small-object spans and large objects. Book: docs/04-allocator.md.
//
//   - The arena is mapped (committed, and charged to the kernel's accounting) step by step
//     from its low end as the heap grows, never reserved whole, so a program starts under a
//     small ulimit -v; a span map with one entry per page gives the span of any address in
//     O(1), interior pointers included.
//   - used_high_water (heap.cpp) marks the pages never handed out: they read as zero, so
//     calloc of fresh memory touches nothing (Span::dirty_pages).
//   - Free runs sit on lists by length (1..128 pages exactly, longer ones on one list).
//     Allocation takes the shortest fitting run and splits it; freeing merges a run with free
//     neighbours (found through the span map), so free memory does not fragment into pages.
//   - The scavenger returns free runs that stayed unused to the OS (MADV_DONTNEED);
//     free_os_memory() returns all of them at once (Go's debug.FreeOSMemory).
// Lock: heap_lock, a leaf below the central locks (docs/locking.md).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "span.h"
#include "tunables.h"

namespace gort {

constexpr uintptr_t heap_page_size = 8192;

// The collector's cycle count for sweeping (Go's mheap_.sweepgen): a span whose
// sweep_generation equals it is swept. It will advance by 2 per collection; until the
// collector exists it stays 0. Atomic.
extern uint32_t heap_sweep_generation;

void heap_init();
// A run of `pages` pages for a small-object span or a large object; fatal if impossible.
Span* heap_allocate(uint32_t pages);
// Returns a run to the heap.
void heap_free(Span* s);

// The page-class map: for each page of a small-object span, its span class (never 0: class 0
// is large objects) in the low 16 bits and the page's position in its span in bits 16..30; bit 31 marks spans that free()
// must treat with care (tiny blocks, and objects too small to hold the double-free key).
// 0 for every other page. It lets free() find an object's
// class and start with one load, without touching the span record.
constexpr uint32_t page_class_careful = 1u << 31;

// The arena and the page-class map sit at fixed addresses (tunables.h), so the test "is this
// in the heap?" and the map lookup are a shift, a comparison and one load, against constants.
// The whole map is committed at start-up; entries of pages never used read as zero.
constexpr uintptr_t heap_arena_start = tunables::heap_arena_address;
constexpr uintptr_t heap_arena_end = heap_arena_start + tunables::heap_arena_bytes;
constexpr size_t heap_page_class_map_bytes = tunables::heap_arena_bytes / heap_page_size * sizeof(uint32_t);
constexpr uintptr_t heap_page_class_map_address = tunables::heap_page_class_map_address;
static_assert(heap_arena_start % tunables::heap_arena_bytes == 0 &&
              (tunables::heap_arena_bytes & (tunables::heap_arena_bytes - 1)) == 0);
constexpr int heap_arena_shift = __builtin_ctzll(tunables::heap_arena_bytes);

inline bool in_heap_arena(uintptr_t address) { return (address >> heap_arena_shift) == (heap_arena_start >> heap_arena_shift); }

// The entry of an arena address's page.
inline uint32_t arena_page_class(uintptr_t address) {
  // Indexed by the address's page number: the map's base less the arena's first page number.
  constexpr uintptr_t biased_map = heap_page_class_map_address - heap_arena_start / heap_page_size * sizeof(uint32_t);
  static_assert(biased_map + (heap_arena_start + tunables::heap_arena_bytes) / heap_page_size * 4 < (1ULL << 31),
                "the map must be reachable with a 32-bit displacement");
  return __atomic_load_n(&reinterpret_cast<uint32_t*>(biased_map)[address / heap_page_size], __ATOMIC_ACQUIRE);
}

// The span map (runtime/heap.cpp): one entry per arena page up to committed_end (atomic),
// naming the span record of the run the page belongs to (written under the heap's lock).
extern uintptr_t committed_end;
extern Span** span_map;

// The span containing address, or null if the address is not in an in-use span. Inline:
// the marker asks it of every word that points into the arena.
inline Span* heap_span_of(uintptr_t address) {
  if (address < heap_arena_start || address >= __atomic_load_n(&committed_end, __ATOMIC_ACQUIRE)) return nullptr;
  Span* s = __atomic_load_n(&span_map[(address - heap_arena_start) / heap_page_size], __ATOMIC_ACQUIRE);
  // Entries inside free runs may still name a span record that has since been reused
  // elsewhere: the bounds and state decide.
  if (s == nullptr || !s->in_use || address < s->start || address >= s->start + s->pages * heap_page_size)
    return nullptr;
  return s;
}

void heap_set_page_classes(const Span* s, uint32_t span_class, bool careful);
void heap_clear_page_classes(const Span* s);
// Gives free runs back to the OS: those free for at least `older_than_ns`, or all.
uint64_t heap_scavenge(int64_t older_than_ns);

struct HeapStats {
  uint64_t sys;       // bytes committed from the OS for the heap
  uint64_t in_use;    // bytes in in-use spans
  uint64_t idle;      // bytes in free runs
  uint64_t released;  // bytes of free runs returned to the OS
};
HeapStats heap_stats();

}  // namespace gort
