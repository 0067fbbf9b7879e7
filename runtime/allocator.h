// The allocator (Go's malloc.go, mcache.go, mcentral.go): objects of up to 32 KiB come from
// size-class spans through a per-Processor cache, larger ones straight from the page heap.
// Book: docs/04-allocator.md.
//
//   cache (per Processor)   one span per span class; allocation takes the next free slot of
//                           that span: no lock, no atomic read-modify-write.
//   central (per class)     spans with free slots (partial) and without (full), under a lock;
//                           a cache swaps its exhausted span for a partial one here.
//   heap                    runs of pages (runtime/heap.h).
// A span class is a size class, whether its objects may hold pointers (the collector scans
// only those), and whether they are explicit (malloc/new) or collected (gc::make,
// runtime/collector.h); no two kinds share a span. Explicit classes are
// size class * 2 + noscan, the indices the fast paths use; collected classes follow them,
// collected_span_class_base + size class * 2 + noscan, and have no free lists; then the
// typed collected classes, typed_span_class_base + size class, whose slots start with a
// 16-byte header naming the object's type (Span::typed; runtime/finalization.cpp).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "size_classes.h"

namespace gort {

struct Processor;
struct Span;

constexpr uint32_t span_class_count = size_classes::count * 2;  // the explicit classes
constexpr uint32_t collected_span_class_base = span_class_count;
constexpr uint32_t typed_span_class_base = collected_span_class_base + size_classes::count * 2;
constexpr uint32_t collected_span_class_count = size_classes::count * 3;  // scanned, noscan, typed

// One Processor's cache (Go's mcache). Owned by whoever holds the Processor.
struct alignas(64) AllocationCache {
  // Objects this Processor freed (first in the struct: the fast paths then address a list
  // with no displacement), ready to be handed out again (Go has no free; tcmalloc's
  // thread cache is the model): a list linked through each object's first word. The
  // objects still count as allocated in their spans until a list grows past its budget and
  // half of it is returned (flush_free_list). The second word of a listed object holds
  // `free_key`, which lets free() catch a double free of a listed object, on this or any
  // other Processor: the key is the same in every cache (listed_key in allocator.cpp).
  //   A list's length is not stored: it is pushes - pops - (objects handed back to their
  //   spans). The two counters the fast paths bump are the Mallocs/Frees statistics too, so
  //   each fast path does one read-modify-write, on the line that holds the head; a push
  //   checks the length against the list's budget as pushes - pops > full_mark, where
  //   full_mark = budget + objects handed back.
  struct FreeList {
    void* head;
    uint64_t pops;       // objects taken off, ever
    uint64_t pushes;     // objects put on, ever
    uint64_t full_mark;  // budget + objects handed back, ever
  } free_lists[span_class_count];
  uint32_t free_list_budget[span_class_count];  // objects a list may hold (64 KiB of them, at least 8)
  uint64_t listed(uint32_t span_class) const {
    const FreeList& l = free_lists[span_class];
    return l.pushes - l.pops - (l.full_mark - free_list_budget[span_class]);
  }
  Span* spans[span_class_count];
  uintptr_t free_key;
  // The tiny allocator: small pointer-free objects packed into one 16-byte block.
  uintptr_t tiny_block;   // current block, or 0
  uint32_t tiny_offset;   // bytes used in it
  // Statistics, summed over all caches when read (with the lists' pops and pushes).
  uint64_t mallocs[size_classes::count];  // [0]: large objects
  uint64_t frees[size_classes::count];
  uint64_t tiny_mallocs, tiny_frees;
  int64_t live_bytes;  // large and tiny objects only; small ones are counted by class
  // Collected objects come from spans of their own (one per collected span class), never
  // from the free lists above. After the fields the fast paths address, so their
  // displacements do not change.
  Span* collected_spans[collected_span_class_count];
  // Collected bytes and objects this cache allocated that collected_bytes/objects do not
  // hold yet: added to them each collected_flush_bytes (one atomic add per 16 KiB, not per
  // object), and in each cycle's pauses (flush_collected_counts), so the pacer's heap lags
  // the truth by less than collected_flush_bytes per Processor. Owner only.
  uint64_t collected_pending_bytes;
  uint64_t collected_pending_objects;
  // Objects this cache allocated black on its fast path during the current mark (their mark
  // bits set here, not by the marker): summed into the mark's totals in the second pause
  // (take_black_allocations). Owner only.
  uint64_t black_bytes;
  uint64_t black_objects;
};
constexpr uint64_t collected_flush_bytes = 16 << 10;

// The current thread's cache: its Processor's, or null without one (ThreadLocal::cache in
// runtime/machine.h, at fs:[24]; allocator.cpp checks the offset).
inline AllocationCache* current_allocation_cache() {
  AllocationCache* cache;
  asm volatile("mov %%fs:24, %0" : "=r"(cache));
  return cache;
}

// Takes the first object off a free list, or returns null if it is empty. Listed objects are
// all >= 16 bytes, so each has the second word that held the listed key.
__attribute__((always_inline)) inline void* pop_free(AllocationCache::FreeList* list) {
  void* p = list->head;
  if (p == nullptr) return nullptr;
  list->head = *static_cast<void**>(p);
  list->pops++;
  static_cast<uintptr_t*>(p)[1] = 0;  // no longer carries the listed key
  return p;
}

// The fast path of malloc/new (objects that may hold pointers) for requests of 1..1024 bytes:
// pop the Processor's free list for the size's class; everything else goes to allocate().
// Inline so that malloc is one call. Every instruction here shows in malloc-heavy programs:
// one comparison bounds the size, and the class comes from one table load.
__attribute__((always_inline)) inline void* allocate_fast(size_t bytes) {
  AllocationCache* cache = current_allocation_cache();
  uint64_t below = bytes - 1;  // 0..1023 for the sizes served here; huge for 0
  if (below < 1024 && cache != nullptr) {
    uint32_t size_class = size_classes::class_by_8[(below >> 3) + 1];  // class_for(bytes)
    AllocationCache::FreeList* list = &cache->free_lists[size_class * 2];
    asm("" : "+r"(list));  // keep the list's address in a register (clang rebuilds it otherwise)
    if (void* p = pop_free(list)) return p;
  }
  void* allocate_for_program(size_t bytes);
  return allocate_for_program(bytes);
}

void release_overflow(AllocationCache* cache, uint32_t span_class);

// Puts an object that is not on the list already on the cache's free list for its class
// (counted in the list's pushes: callers do not count the free again).
__attribute__((always_inline)) inline void push_free(AllocationCache* cache, uint32_t span_class, void* pointer,
                                                    uintptr_t free_key) {
  AllocationCache::FreeList* list = &cache->free_lists[span_class];
  asm("" : "+r"(list));  // keep the list's address in a register (clang rebuilds it otherwise)
  auto* words = static_cast<uintptr_t*>(pointer);
  words[0] = reinterpret_cast<uintptr_t>(list->head);
  words[1] = free_key;  // lets free() recognise a second free of a listed object
  list->head = pointer;
  if (++list->pushes - list->pops > list->full_mark) release_overflow(cache, span_class);
}
// The fast path of free/delete: the start of an object in a small-object span that needs no
// care (page_class_careful: not a tiny block, room for the key), whose second word does not
// hold the listed key, goes on the Processor's free list. Everything else goes to release():
// large objects, pointers that are not an object's start or not gort's, and the double-free
// check of an object that may be listed already.
__attribute__((always_inline)) inline void release_fast(void* pointer) {
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  AllocationCache* cache = current_allocation_cache();
  if (in_heap_arena(p) && cache != nullptr) {
    // Positive: a small-object page (non-zero) that needs no care (sign bit clear).
    int32_t entry = int32_t(arena_page_class(p));
    if (entry > 0) {
      uint32_t span_class = uint32_t(entry) & 0xffff;
      uint64_t divisibility = size_classes::class_divisibility[span_class / 2];
      // The offset in the span: in the page, plus the page's position in the span.
      uint64_t offset = (p & (heap_page_size - 1)) + uint64_t(uint32_t(entry) >> 16) * heap_page_size;
      uintptr_t key = cache->free_key;
      if (offset * divisibility < divisibility && reinterpret_cast<uintptr_t*>(p)[1] != key) {
        push_free(cache, span_class, pointer, key);
        return;
      }
    }
  }
  void release_for_program(void* p);
  release_for_program(pointer);
}

void allocator_init();
AllocationCache* new_allocation_cache();
// Hands back every listed object and span of a cache (a Processor beyond GOMAXPROCS).
void flush_allocation_cache(AllocationCache* cache);
// Adds a cache's pending collected counts to the heap's (its owner, or the world stopped).
void flush_collected_counts(AllocationCache* cache);
// With the world stopped: the bytes (and *objects) every cache allocated black on its fast
// path since the last call, its counts zeroed (the marker's, at each mark's start and end).
uint64_t take_black_allocations(uint64_t* objects);

// The allocator proper. `noscan`: the object holds no pointers. Fatal if impossible.
void* allocate(size_t bytes, bool noscan);
// allocate, zeroed (calloc, channel buffers): a large object's pages that came fresh from
// the OS are zero already and are not touched, so a huge calloc costs no resident memory.
// Zeroes in preemptible steps (zero_for_program), so only for the program's requests.
void* allocate_zeroed(size_t bytes, bool noscan);
void* allocate_aligned(size_t bytes, size_t alignment);
void release(void* p);
// The slow paths of malloc and free, the fast paths' fallbacks: allocate() and release()
// behind a preemption point (runtime/preempt.h). Only for calls from the program, which holds
// no runtime lock; runtime code calls allocate() and release().
void* allocate_for_program(size_t bytes);
void release_for_program(void* p);
// memset(p, 0, bytes) and memcpy for the program's large requests (calloc, realloc): in
// 256 KiB steps with a preemption point between them.
void zero_for_program(void* p, size_t bytes);
void copy_for_program(void* to, const void* from, size_t bytes);
// The usable size of an allocated object (its class size), or 0 for a foreign pointer.
size_t allocation_size(const void* p);
// The same for realloc: fatal for a collected object ("realloc of a collected object 0x...").
size_t reallocation_size(const void* p);
// True if p lies in a collected span (free() of it is fatal: runtime/collector.h).
bool is_collected(const void* p);
// True if p points into a collected object that is allocated (not swept). For tests (with
// the world running, a moment's answer).
bool collected_object_allocated(const void* p);
// The start of the object containing address (interior pointers too), or null.
void* object_base(const void* address);

// --- For the collector (runtime/collector.cpp) ---
// A zeroed collected object of `bytes` aligned to `alignment` (a power of two, at most a
// page). Called on a goroutine's stack with no runtime lock held.
void* allocate_collected(size_t bytes, size_t alignment, bool noscan);
// The same in a typed span (a large one: Span::typed): the slot's first two words are set to
// header0 and header1 (runtime/collector.h's typed-object header) before any collection can
// see the slot, the rest is zeroed. Returns the slot's start. `bytes` includes the header.
void* allocate_collected_typed(size_t bytes, size_t alignment, uintptr_t header0, uintptr_t header1);
// Zeroes a slot of at most 64 bytes (a class size: 8, or a multiple of 8 from 16) with at
// most two overlapping stores of constant size, which the compiler inlines (a memset call
// costs more than the 24 bytes of a tree node).
[[gnu::always_inline]] inline void zero_small_slot(char* p, uint32_t bytes) {
  if (bytes <= 16) {
    if (bytes == 8) __builtin_memset(p, 0, 8);
    else __builtin_memset(p, 0, 16);
  } else if (bytes <= 32) {
    __builtin_memset(p, 0, 16);
    __builtin_memset(p + bytes - 16, 0, 16);
  } else {
    __builtin_memset(p, 0, 32);
    __builtin_memset(p + bytes - 32, 0, 32);
  }
}

// An object allocated during a mark is black: its mark bit is set here, by the allocating
// Processor, unless a marker that met a stale pointer to the slot set it first (and counted
// it), and it is counted in the cache for the second pause (take_black_allocations). Caller
// holds the cache (the fallback cache: its lock).
[[gnu::always_inline]] inline void mark_black(AllocationCache* cache, Span* s, uint32_t index, uint64_t bytes) {
  if (!set_bit_was_clear(&s->mark_bits(index / 64), index)) return;
  cache->black_bytes += bytes;
  cache->black_objects++;
}

// The core of both collected fast paths (allocate_collected_fast below, allocate_collected
// in runtime/allocator.cpp): the next slot of the window of the cache's span for
// `size_class`, added to the cache's pending counts (the caller sees that they are flushed),
// black if `black` (the caller says whether a mark runs); not zeroed. Null without a span or
// with an empty window. Runtime code, never preempted asynchronously: no lock.
[[gnu::always_inline]] inline void* take_collected_slot(AllocationCache* cache, uint32_t size_class, bool noscan, bool black) {
  Span* s = cache->collected_spans[size_class * 2 + (noscan ? 1 : 0)];  // collected_span_class_base + class * 2 + noscan
  if (s == nullptr) return nullptr;
  uint32_t index;
  void* p = take_slot_in_window(s, &index);
  if (p == nullptr) return nullptr;
  uint32_t slot_bytes = size_classes::class_size[size_class];
  cache->collected_pending_bytes += slot_bytes;
  cache->collected_pending_objects++;
  if (black) mark_black(cache, s, index, slot_bytes);
  return p;
}

// gc::make's fast path (gc::detail::allocate in runtime/collector.cpp), inline there, a leaf:
// an untyped object of at most 64 bytes and alignment 8 or less, zeroed. Null when it does
// not apply: no cache, take_collected_slot's cases, or a count that would reach
// collected_flush_bytes; the caller's slow path then flushes the counts and tests the
// trigger, so the pacer's test costs nothing per object (Go tests it only when an
// allocation refills a span). No stop of the world falls between the caller's test of the
// phase and the slot.
[[gnu::always_inline]] inline void* allocate_collected_fast(size_t bytes, size_t alignment, bool noscan, bool black) {
  AllocationCache* cache = current_allocation_cache();
  if (cache == nullptr || bytes - 1 >= 64 || alignment > 8) return nullptr;
  uint32_t size_class = size_classes::class_by_8_for_8_aligned[(bytes + 7) / 8];
  uint32_t slot_bytes = size_classes::class_size[size_class];
  if (cache->collected_pending_bytes + slot_bytes >= collected_flush_bytes) return nullptr;
  auto* p = static_cast<char*>(take_collected_slot(cache, size_class, noscan, black));
  if (p == nullptr) return nullptr;
  zero_small_slot(p, slot_bytes);
  return p;
}

// Bytes in collected objects: what the last mark reached plus what was allocated since (the
// pacer's heap, Go's heapLive; unswept garbage is not in it). Inline: each collected
// allocation compares it with the trigger. Each cache's last < collected_flush_bytes are
// not in it yet (AllocationCache::collected_pending_bytes).
extern uint64_t collected_bytes;
inline uint64_t collected_heap_bytes() { return __atomic_load_n(&collected_bytes, __ATOMIC_RELAXED); }
// Collected objects, counted the same way.
uint64_t collected_heap_objects();
// The concurrent sweep (runtime/allocator.cpp; span states: runtime/span.h). Who swept a span:
enum class SweptBy { Pause, Allocation, Background, Finish };
// Mark termination's part (caller stopped the world and runs on the scheduler stack; the
// previous sweep is finished): every cache gives back its collected spans, every collected
// span becomes unswept (the sweep generation advances) and the lists move whole onto the
// unswept lists: O(span classes + Processors). The collected heap's counts become what the
// mark reached (marked_bytes, marked_objects); the rest is garbage until swept.
void start_sweep(uint64_t marked_bytes, uint64_t marked_objects);
// Claims and sweeps one unswept span, placing it where it now belongs (partial, full, the
// heap when empty). False if none was left to claim. Any stack, no runtime lock held.
bool sweep_one_span(SweptBy who);
// Sweeps until no span is unswept, waiting for spans others claimed. Any stack, no runtime
// lock held (with the world stopped: by its stopper, then `who` is Pause).
void finish_sweep(SweptBy who);
bool sweep_finished();  // no span is unswept (acquire)
// White-box statistics (runtime/testing.h): spans swept, ever, by each kind of sweeper, and
// whether the current sweep is finished.
struct SweepCounters {
  uint64_t swept_in_pause, swept_by_allocation, swept_in_background, swept_by_finish;
  bool finished;
};
SweepCounters sweep_counters();
// Bytes and objects the last mark left unmarked that no sweep has freed yet.
uint64_t unswept_garbage_bytes();
uint64_t unswept_garbage_objects();

// The collector's counters (runtime/collector.cpp), kept here so that read_mem_stats, which
// every program links, reads them without linking the collector. Written by the collector
// with the world stopped (pause_ns, freed_objects) or atomically; read with relaxed atomic
// loads. All zero (in .bss) until the collector's first use.
struct CollectorCounters {
  uint64_t heap_goal;       // collected bytes that start the next collection; UINT64_MAX: none;
                            // 0: not set yet (the first goal, 4 MiB)
  uint64_t collections;     // finished, ever
  uint64_t pause_total_ns;  // the world stopped for collections, ever
  uint64_t freed_objects;   // collected objects reclaimed, ever
  uint64_t heap_trigger;    // collected bytes that start the next cycle (below heap_goal: the mark overlaps allocation)
  uint64_t mark_cpu_ns;     // concurrent marking (workers and assists), ever
  uint64_t* pause_ns;       // Go's circular buffer of 256: collection N's pause at [(N - 1) % 256];
                            // made by the collector's first use (persistent memory, never
                            // freed), so programs that never collect carry no 2 KiB of it
};
constexpr uint32_t pause_history = 256;

// Go's GC CPU fraction (MemStats.GCCPUFraction, gctrace's percentage): the collector's CPU
// time over all the CPU GOMAXPROCS gave the program since start-up, each pause counting
// GOMAXPROCS times and concurrent marking once.
inline double gc_cpu_fraction(const CollectorCounters& c, int64_t elapsed_ns, int32_t procs) {
  if (elapsed_ns <= 0) return 0;
  double pauses = double(__atomic_load_n(&c.pause_total_ns, __ATOMIC_RELAXED)) * procs;
  return (pauses + double(__atomic_load_n(&c.mark_cpu_ns, __ATOMIC_RELAXED))) / (double(elapsed_ns) * procs);
}

// The forced cycle (Go's forcegcperiod): sysmon (runtime/sysmon.cpp) calls
// forced_collection_check each round once the collector's first use set it, so programs
// that never collect link none of it. It runs on sysmon's thread, without a Processor.
extern void (*forced_collection_check)();  // atomic
// A collection starts when none has finished for this long (2 minutes; tests shorten it
// through runtime/testing.h).
int64_t forced_collection_period_ns();
void set_forced_collection_period(int64_t nanoseconds);  // for tests
uint64_t forced_collections();  // forced cycles finished (runtime/collector.cpp; a statistic)
extern CollectorCounters collector_counters;

// Go's runtime.MemStats, the subset gort knows, with Go's meanings. Explicit and collected
// objects are both counted, except in by_size (explicit objects only).
struct MemStats {
  uint64_t heap_alloc;     // bytes in allocated objects, explicit and collected (collected
                           // ones unreachable but not yet swept included, as Go's)
  uint64_t heap_sys;       // bytes of heap memory obtained from the OS
  uint64_t heap_idle;      // bytes in free page runs
  uint64_t heap_inuse;     // bytes in in-use spans
  uint64_t heap_released;  // bytes of free runs returned to the OS
  uint64_t heap_objects;   // allocated objects, explicit and collected: mallocs - frees
  uint64_t mallocs;        // objects allocated, ever (collected ones too)
  uint64_t frees;          // objects freed, ever (collected ones the collector reclaimed too)
  uint64_t next_gc;        // Go's NextGC: the heap_alloc at which the next collection starts,
                           // the collector's goal plus today's explicit bytes; UINT64_MAX
                           // with GOGC=off
  uint64_t pause_total_ns; // Go's PauseTotalNs: the world stopped for collections, ever
  uint64_t pause_ns[pause_history];  // Go's PauseNs: recent pauses, the latest at [(num_gc + 255) % 256]
  uint32_t num_gc;         // Go's NumGC: collections finished
  double gc_cpu_fraction;  // Go's GCCPUFraction: the collector's CPU time over all the CPU
                           // time GOMAXPROCS offered since start-up (every collection stops
                           // the world, so it is pause_total_ns over the time since start-up)
  struct BySize {
    uint32_t size;
    uint64_t mallocs, frees;
  } by_size[size_classes::count];  // [0]: large objects
};
MemStats read_mem_stats();
// Returns all free heap memory to the OS now (Go's debug.FreeOSMemory).
void free_os_memory();
// What sysmon does about once a second: the same for memory unused for a while.
void scavenge_in_background();

}  // namespace gort
