// The page heap (Go's mheap): one large reserved arena of 8 KiB pages, handed out in runs
// (Spans) for small-object spans and large objects. Book: docs/04-allocator.md.
//
//   - The arena is reserved once at start-up (address space only) and committed as the
//     heap grows; a span map with one entry per page gives the span of any address in
//     O(1), interior pointers included.
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

namespace gort {

constexpr uintptr_t heap_page_size = 8192;

void heap_init();
// A run of `pages` pages for a small-object span or a large object; fatal if impossible.
Span* heap_allocate(uint32_t pages);
// Returns a run to the heap.
void heap_free(Span* s);
// The span containing address, or null if the address is not in an in-use span.
Span* heap_span_of(uintptr_t address);

// The page-class map: for each page of a small-object span, (span class + 1) in the low 16
// bits and the page's position in its span in bits 16..30; bit 31 marks spans that free()
// must treat with care (tiny blocks). 0 for every other page. It lets free() find an object's
// class and start with one load, without touching the span record.
constexpr uint32_t page_class_careful = 1u << 31;

struct HeapBounds {  // set once by heap_init, except committed_end, which only grows
  uintptr_t arena_start;
  uintptr_t committed_end;  // atomic
  uint32_t* page_classes;
};
extern HeapBounds heap_bounds;

inline uint32_t heap_page_class(uintptr_t address) {
  uintptr_t offset = address - heap_bounds.arena_start;  // wraps for addresses below the arena
  if (offset >= __atomic_load_n(&heap_bounds.committed_end, __ATOMIC_ACQUIRE) - heap_bounds.arena_start) return 0;
  return __atomic_load_n(&heap_bounds.page_classes[offset / heap_page_size], __ATOMIC_ACQUIRE);
}
void heap_set_page_classes(const Span* s, uint32_t span_class_plus_one, bool careful);
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
