// The allocator: caches, centrals, small and large objects, the tiny allocator, free, and
// statistics. The design is in runtime/allocator.h and runtime/span.h; docs/04-allocator.md
// draws it.
//
// Allocating a small object (allocate):
//   1. the Processor's cache holds a span for the object's span class; take_slot() returns
//      the next free slot from the span's 64-slot window (alloc_cache), with plain stores;
//   2. when the span has no free slot left, fold in slots freed by other Processors
//      (merge_remote_frees); if still none, give the span back to its central and take
//      another (refill): a partial span from the central, or a new one from the heap.
// Freeing (release): the owner of the span clears the slot's bit itself (the slot can be
// reused at once); anyone else sets the slot's bit in freed_bits (atomic OR) and, if the
// span sits on its central's full list, moves it to the partial list.
// Collected objects (allocate_collected) take the same path through spans of their own span
// classes, with no free lists and no tiny blocks, and a refill of their own
// (take_collected_span) that sweeps lazily. The sweep frees the objects the collector did not
// mark, after the pause: start_sweep in mark termination, then sweeps on allocation, by the
// background sweeper and by finish_sweep (the section "Collected objects and their sweep"
// below; the slot states of both kinds: runtime/span.h).
// Typed objects (allocate_collected_typed: a header naming the type) have span classes of
// their own, and their spans, and spans with cleanup records, go through the finalization
// hook sweep_specials (runtime/finalization.cpp) as they are swept.
// Locks: a central's lock, then heap_lock (docs/locking.md). A thread without a Processor
// (before the scheduler starts, or sysmon) uses one shared cache under fallback_lock.
#include "allocator.h"

#include "../arch/amd64/cpu.h"
#include "environment.h"
#include "fatal.h"
#include "godebug.h"
#include "gort.h"
#include "heap.h"
#include "lock.h"
#include "marker.h"
#include "machine.h"
#include "os_memory.h"
#include "preempt.h"
#include "processor.h"
#include "scheduler.h"
#include "span.h"
#include "time.h"
#include "finalization.h"
#include "tunables.h"

namespace gort {

static_assert(offsetof(ThreadLocal, cache) == 24, "current_allocation_cache reads the cache at fs:[24]");

namespace {

using namespace size_classes;

struct alignas(64) Central {  // Go's mcentral; one cache line each: they are locked independently
  RankedLock<LockRank::Central> lock;
  SpanList partial;  // spans that may have free slots (collected classes: swept ones)
  SpanList full;     // spans without (collected classes: swept ones)
  // Collected classes only: the spans the current sweep has not claimed yet, as start_sweep
  // found them on partial and full (two lists, so that splicing them is two stores).
  SpanList unswept[2];
};

Central centrals[span_class_count];
// The collected classes' centrals (allocator.h), made by allocator_init from persistent
// memory: as a static array they would be 8 KiB more .bss in every program, and push small
// programs' data segment onto a page of its own.
Central* collected_centrals = nullptr;
// Large collected objects: swept ones on `partial`, those the current sweep has not claimed
// on unswept[0], all under its lock.
Central collected_large;

Central& central_of(uint32_t span_class) {
  return span_class < collected_span_class_base ? centrals[span_class] : collected_centrals[span_class - collected_span_class_base];
}
// The bytes and the number of collected objects (atomic): grow with each cache's flush
// (AllocationCache::collected_pending_*) and each large object, set by each mark's end.
// Side by side, so a flush touches one cache line for both. The bytes are outside the
// anonymous namespace: the pacer reads them inline (allocator.h).
}  // namespace
alignas(64) uint64_t collected_bytes = 0;
namespace {
uint64_t collected_objects = 0;
// The sweep's bookkeeping (atomic), as Go's sweepLocker:
//   sweep_pending   1 from start_sweep until a sweeper finds every unswept list empty (they
//                   only shrink until the next start_sweep, so then they stay empty);
//   sweepers        sweepers that may hold a claimed span: each counts itself in before it
//                   looks at a list and out once the span it took is placed.
// The sweep is finished when both are 0 (sweep_finished). garbage_bytes/objects: what the
// last mark left unmarked and no sweep has freed yet (MemStats counts it as allocated, as
// Go's HeapAlloc does).
uint32_t sweep_pending = 0;
uint32_t sweepers = 0;
uint64_t garbage_bytes = 0;
uint64_t garbage_objects = 0;
SweepCounters sweep_totals{};  // atomic statistics, for white-box tests
RankedLock<LockRank::AllocatorFallback> fallback_lock;
// Guarded by fallback_lock; made by allocator_init from persistent memory (as a static it
// would be 6 KiB of .bss that every program's data segment carries).
AllocationCache* fallback_cache = nullptr;

constexpr uint32_t tiny_block_bytes = 16;
const uint32_t tiny_span_class = class_for(tiny_block_bytes) * 2 + 1;

// A span's place is read by remote frees without a lock (sequentially consistent: see
// place_on_central and free_slot).
void set_place(Span* s, SpanPlace place) {
  __atomic_store_n(reinterpret_cast<uint8_t*>(&s->place), uint8_t(place), __ATOMIC_SEQ_CST);
}
SpanPlace place_of(const Span* s) {
  return SpanPlace(__atomic_load_n(reinterpret_cast<const uint8_t*>(&s->place), __ATOMIC_SEQ_CST));
}

// The cache's slot for a span class: explicit or collected.
Span*& cached_span(AllocationCache* cache, uint32_t span_class) {
  return span_class < collected_span_class_base ? cache->spans[span_class]
                                                : cache->collected_spans[span_class - collected_span_class_base];
}

// Inlined into both refills, as it was into the one before the lazy sweep: `hello` has no
// room for it out of line.
__attribute__((always_inline)) inline Span* new_small_span(uint32_t span_class) {
  bool collected = span_class >= collected_span_class_base;
  bool typed = span_class >= typed_span_class_base;
  uint32_t size_class = typed ? span_class - typed_span_class_base
                              : (collected ? span_class - collected_span_class_base : span_class) / 2;
  Span* s = heap_allocate(class_pages[size_class]);
  s->size_class = uint8_t(size_class);
  s->span_class = uint16_t(span_class);
  s->collected = collected;
  s->typed = typed;
  s->noscan = !typed && (span_class & 1) != 0;  // a typed object's header says what to scan
  s->object_size = class_size[size_class];
  s->object_count = class_objects[size_class];
  s->allocated = 0;
  s->remote_frees = 0;
  s->tiny_counts = nullptr;
  load_window(s, 0);  // heap_allocate cleared the slot bits
  // Objects under 16 bytes cannot hold the double-free key, and free() of a collected object
  // is an error: free() takes its careful path for both.
  heap_set_page_classes(s, span_class, class_size[size_class] < 16 || collected);
  return s;
}

// Puts a span its cache no longer uses back on its central. Caller holds the central lock.
void place_on_central(Central& c, Span* s) {
  merge_remote_frees(s);
  if (s->allocated == 0 && s->tiny_counts == nullptr) {
    heap_free(s);
    return;
  }
  if (s->allocated < s->object_count) {
    set_place(s, SpanPlace::Partial);
    c.partial.push(s);
    return;
  }
  set_place(s, SpanPlace::Full);
  c.full.push(s);
  // A free that raced with the store above may have seen the old place and not moved the
  // span: look once more (the freer increments remote_frees before reading place).
  if (__atomic_load_n(&s->remote_frees, __ATOMIC_SEQ_CST) != 0) {
    c.full.remove(s);
    set_place(s, SpanPlace::Partial);
    c.partial.push(s);
  }
}

// A span with free slots for a cache (Go's mcentral.cacheSpan).
Span* take_from_central(uint32_t span_class) {
  Central& c = central_of(span_class);
  {
    LockGuard guard(c.lock);
    while (Span* s = c.partial.head) {
      c.partial.remove(s);
      merge_remote_frees(s);
      if (s->allocated < s->object_count) {
        load_window(s, 0);
        set_place(s, SpanPlace::Cached);
        return s;
      }
      set_place(s, SpanPlace::Full);
      c.full.push(s);
    }
  }
  Span* s = new_small_span(span_class);
  s->place = SpanPlace::Cached;
  return s;
}

void return_to_central(Span* s) {
  Central& c = central_of(s->span_class);
  LockGuard guard(c.lock);
  place_on_central(c, s);
}

void* allocate_small(AllocationCache* cache, uint32_t span_class) {
  Span*& slot = cached_span(cache, span_class);
  Span* s = slot;
  if (s != nullptr) {
    if (void* p = take_slot(s)) return p;
    if (merge_remote_frees(s) != 0) {  // others freed slots: start over in this span
      load_window(s, 0);
      if (void* p = take_slot(s)) return p;
    }
    return_to_central(s);
  }
  s = take_from_central(span_class);
  slot = s;
  return take_slot(s);
}

void* allocate_large(AllocationCache* cache, size_t bytes) {
  if (bytes > tunables::heap_arena_bytes) out_of_memory(bytes);
  uint32_t pages = uint32_t((bytes + heap_page_size - 1) / heap_page_size);
  Span* s = heap_allocate(pages);
  s->size_class = 0;
  s->object_size = uint32_t(pages * heap_page_size > UINT32_MAX ? 0 : pages * heap_page_size);
  s->object_count = 1;
  s->allocated = 1;
  s->place = SpanPlace::Heap;
  s->object_start = s->start;
  cache->mallocs[0]++;
  cache->live_bytes += int64_t(pages * heap_page_size);
  return reinterpret_cast<void*>(s->start);
}

// The cache of the current Processor, or the shared one under its lock.
class CacheAccess {
 public:
  CacheAccess() {
    AllocationCache* c = current_allocation_cache();
    // Null with a Processor held: a preemption request poisoned it (request_preemption in
    // runtime/preempt.cpp). Put it back; the preemption point is the caller's business.
    if (c == nullptr) {
      Machine* m = cpu::current_machine();
      if (m->processor != nullptr) {
        c = m->processor->allocation_cache;
        __atomic_store_n(&m->tls.cache, c, __ATOMIC_RELAXED);
      }
    }
    if (c != nullptr) {
      cache_ = c;
    } else {
      fallback_lock.lock();
      cache_ = fallback_cache;
      locked_ = true;
    }
  }
  ~CacheAccess() {
    if (locked_) fallback_lock.unlock();
  }
  AllocationCache* operator->() const { return cache_; }
  AllocationCache* get() const { return cache_; }

 private:
  AllocationCache* cache_;
  bool locked_ = false;
};

// Frees slot `index` of small span s, from the owner's cache or from anyone else.
void free_slot(AllocationCache* cache, Span* s, uint32_t index) {
  if (cache->spans[s->span_class] == s) {  // we own it
    if (!owner_free_slot(s, index)) fatal("free: object is not allocated (double free?)");
    return;
  }
  if (!remote_free_slot(s, index)) fatal("free: object is not allocated (double free?)");
  if (place_of(s) == SpanPlace::Full) {
    Central& c = central_of(s->span_class);
    LockGuard guard(c.lock);
    if (s->place == SpanPlace::Full) {
      c.full.remove(s);
      s->place = SpanPlace::Partial;
      c.partial.push(s);
    }
  }
}

// Drops one reference to the tiny block at slot `index`; frees the block at zero.
void tiny_release(AllocationCache* cache, Span* s, uint32_t index) {
  if (__atomic_sub_fetch(&s->tiny_counts[index], 1, __ATOMIC_ACQ_REL) == 0) free_slot(cache, s, index);
}

void* allocate_tiny(AllocationCache* cache, size_t bytes) {
  uint32_t align = bytes % 8 == 0 ? 8 : bytes % 4 == 0 ? 4 : bytes % 2 == 0 ? 2 : 1;
  uint32_t offset = (cache->tiny_offset + align - 1) & ~(align - 1);
  if (cache->tiny_block != 0 && offset + bytes <= tiny_block_bytes) {
    Span* s = cache->spans[tiny_span_class];
    uint32_t index = uint32_t(((cache->tiny_block - s->start) * class_reciprocal[s->size_class]) >> 32);
    __atomic_add_fetch(&s->tiny_counts[index], 1, __ATOMIC_ACQ_REL);
    cache->tiny_offset = offset + uint32_t(bytes);
    return reinterpret_cast<void*>(cache->tiny_block + offset);
  }
  // A new block. The cache holds one reference to its current block, so a block whose
  // objects are all freed is not reused while the cache still carves from it.
  if (cache->tiny_block != 0) {
    Span* old = heap_span_of(cache->tiny_block);
    tiny_release(cache, old, uint32_t(((cache->tiny_block - old->start) * class_reciprocal[old->size_class]) >> 32));
  }
  void* block = allocate_small(cache, tiny_span_class);
  Span* s = cache->spans[tiny_span_class];
  if (s->tiny_counts == nullptr) {
    s->tiny_counts = static_cast<uint8_t*>(persistent_alloc(s->object_count, 8));
    heap_set_page_classes(s, tiny_span_class, true);  // free() must look at the counts
  }
  uint32_t index = uint32_t(((reinterpret_cast<uintptr_t>(block) - s->start) * class_reciprocal[s->size_class]) >> 32);
  __atomic_store_n(&s->tiny_counts[index], 2, __ATOMIC_RELEASE);  // the cache's and this object's
  cache->tiny_block = reinterpret_cast<uintptr_t>(block);
  cache->tiny_offset = uint32_t(bytes);
  return block;
}

// "fatal error: free of a collected object 0xc000012340" (`operation` "free"; "realloc"
// from reallocation_size): the collector owns it.
[[noreturn]] void fatal_collected_object(const char* operation, uintptr_t p) {
  char message[64];
  size_t at = 0;
  const char* parts[] = {operation, " of a collected object 0x"};
  for (const char* part : parts)
    for (; *part != 0 && at < 40; part++) message[at++] = *part;  // 40: room for 16 digits
  const size_t start = at;
  for (int shift = 60; shift >= 0; shift -= 4) {
    uint32_t digit = uint32_t(p >> shift) & 15;
    if (digit == 0 && at == start && shift > 0) continue;  // no leading zeros
    message[at++] = "0123456789abcdef"[digit];
  }
  message[at] = 0;
  fatal(message);
}

// The value a listed object carries in its second word: one for the whole process, so that
// a second free on another Processor also sees it (and takes the slow path) at no cost to
// the fast path, which compares with its own cache's copy as before. Random (AT_RANDOM's
// second half), so a live object's data matches it only by a 1-in-2^63 chance; odd, so it is
// never an aligned pointer a program stored there.
uintptr_t listed_key() {
  uintptr_t key = 0x5bd1e9955bd1e995ULL;
  if (process.aux.random != nullptr)
    for (int i = 8; i < 16; i++) key = key * 131 + process.aux.random[i];
  return key | 1;
}

// A free list's budget: about 64 KiB of objects, at least 8 (tunables::free_list_bytes).
void prepare_cache(AllocationCache* c) {
  for (uint32_t spc = 0; spc < span_class_count; spc++) {
    uint32_t size = class_size[spc / 2];
    uint32_t budget = size == 0 ? 0 : uint32_t(tunables::free_list_bytes / size);
    c->free_list_budget[spc] = budget < 8 ? 8 : budget;
    c->free_lists[spc].full_mark = c->free_list_budget[spc];
  }
  c->free_key = listed_key();
}

// Returns listed objects to their spans until `keep` remain.
void flush_free_list(AllocationCache* cache, uint32_t spc, uint32_t keep) {
  AllocationCache::FreeList& list = cache->free_lists[spc];
  for (uint64_t n = cache->listed(spc); n > keep; n--) {
    void* p = list.head;
    list.head = *static_cast<void**>(p);
    list.full_mark++;  // handed back: neither a malloc nor a free
    static_cast<uintptr_t*>(p)[1] = 0;  // no longer listed
    Span* s = heap_span_of(reinterpret_cast<uintptr_t>(p));
    uint32_t index = uint32_t(((reinterpret_cast<uintptr_t>(p) - s->start) * class_reciprocal[s->size_class]) >> 32);
    free_slot(cache, s, index);
  }
}

// Returns empty spans sitting on central partial lists to the heap.
void release_empty_central_spans() {
  for (uint32_t spc = 0; spc < span_class_count + collected_span_class_count; spc++) {
    Central& c = central_of(spc);
    LockGuard guard(c.lock);
    Span* s = c.partial.head;
    while (s != nullptr) {
      Span* next = s->next;
      merge_remote_frees(s);
      if (s->allocated == 0 && s->tiny_counts == nullptr) {
        c.partial.remove(s);
        heap_free(s);
      }
      s = next;
    }
  }
}

}  // namespace

void release_overflow(AllocationCache* cache, uint32_t span_class) {
  flush_free_list(cache, span_class, cache->free_list_budget[span_class] / 2);
}

void allocator_init() {
  heap_init();
  fallback_cache = new_allocation_cache();
  static_assert(alignof(Central) == 64);
  collected_centrals = static_cast<Central*>(persistent_alloc(sizeof(Central) * collected_span_class_count, 64));  // zero: empty, unlocked
}

AllocationCache* new_allocation_cache() {
  static_assert(alignof(AllocationCache) == 64 && sizeof(AllocationCache) % 64 == 0);
  AllocationCache* c = persistent_new<AllocationCache>();  // own cache lines: no false sharing between Processors
  prepare_cache(c);
  return c;
}

void flush_collected_counts(AllocationCache* cache) {
  if (cache->collected_pending_objects == 0) return;
  __atomic_add_fetch(&collected_bytes, cache->collected_pending_bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch(&collected_objects, cache->collected_pending_objects, __ATOMIC_RELAXED);
  cache->collected_pending_bytes = cache->collected_pending_objects = 0;
}

uint64_t take_black_allocations(uint64_t* objects) {
  uint64_t bytes = 0;
  *objects = 0;
  auto take = [&bytes, objects](AllocationCache* c) {
    bytes += c->black_bytes;
    *objects += c->black_objects;
    c->black_bytes = c->black_objects = 0;
  };
  {
    LockGuard guard(fallback_lock);  // as start_sweep's give_back, in the same pause
    take(fallback_cache);
  }
  for (Processor* p : scheduler.processors)
    if (p != nullptr && p->allocation_cache != nullptr) take(p->allocation_cache);
  return bytes;
}

void flush_allocation_cache(AllocationCache* cache) {
  flush_collected_counts(cache);
  for (uint32_t spc = 0; spc < span_class_count; spc++) flush_free_list(cache, spc, 0);
  if (cache->tiny_block != 0) {
    Span* s = heap_span_of(cache->tiny_block);
    tiny_release(cache, s, uint32_t(((cache->tiny_block - s->start) * class_reciprocal[s->size_class]) >> 32));
    cache->tiny_block = 0;
  }
  for (Span*& s : cache->spans) {
    if (s == nullptr) continue;
    return_to_central(s);
    s = nullptr;
  }
  for (Span*& s : cache->collected_spans) {
    if (s == nullptr) continue;
    return_to_central(s);
    s = nullptr;
  }
}

// reclaim_pages, once a sweep has started (start_sweep sets it): reached through this
// pointer, malloc does not pull the sweep into a program that never collects.
void (*explicit_reclaim)(uint64_t pages) = nullptr;  // atomic, relaxed: set once

void* allocate(size_t bytes, bool noscan) {
  CacheAccess cache;
  if (bytes > max_small_size) {
    // An explicit block too reuses the last mark's garbage before the heap grows: a large
    // malloc right after a collection would otherwise map new memory beside the unswept
    // spans (a memory limit counts both). One load when no sweep is pending.
    if (auto reclaim = __atomic_load_n(&explicit_reclaim, __ATOMIC_RELAXED)) reclaim((bytes + heap_page_size - 1) / heap_page_size);
    return allocate_large(cache.get(), bytes);
  }
  if (noscan && bytes < tiny_block_bytes && bytes > 0) {
    cache->tiny_mallocs++;
    cache->live_bytes += int64_t(bytes);
    return allocate_tiny(cache.get(), bytes);
  }
  uint32_t size_class = class_for(bytes == 0 ? 1 : bytes);
  uint32_t spc = size_class * 2 + (noscan ? 1 : 0);
  if (void* p = pop_free(&cache->free_lists[spc])) return p;  // an object this Processor freed
  cache->mallocs[size_class]++;
  return allocate_small(cache.get(), spc);
}

void* allocate_for_program(size_t bytes) {
  preemption_point();
  return allocate(bytes, false);
}

void release_for_program(void* p) {
  preemption_point();
  release(p);
}

// Large zeroing and copying for the program (calloc, realloc) go in steps with a preemption
// point between them, so that one call cannot hold a Processor for many time slices.
constexpr size_t preemptible_step_bytes = 256 * 1024;

void zero_for_program(void* p, size_t bytes) {
  auto* at = static_cast<uint8_t*>(p);
  for (;;) {
    size_t step = bytes < preemptible_step_bytes ? bytes : preemptible_step_bytes;
    __builtin_memset(at, 0, step);
    at += step;
    bytes -= step;
    if (bytes == 0) return;
    preemption_point();
  }
}

void copy_for_program(void* to, const void* from, size_t bytes) {
  auto* out = static_cast<uint8_t*>(to);
  auto* in = static_cast<const uint8_t*>(from);
  for (;;) {
    size_t step = bytes < preemptible_step_bytes ? bytes : preemptible_step_bytes;
    __builtin_memcpy(out, in, step);
    out += step;
    in += step;
    bytes -= step;
    if (bytes == 0) return;
    preemption_point();
  }
}

void* allocate_zeroed(size_t bytes, bool noscan) {
  preemption_point();
  void* p = allocate(bytes, noscan);
  size_t dirty = bytes;
  if (bytes > max_small_size) {  // a large object: only its pages used before need zeroing
    size_t used_before = size_t(heap_span_of(reinterpret_cast<uintptr_t>(p))->dirty_pages) * heap_page_size;
    if (used_before < dirty) dirty = used_before;
  }
  zero_for_program(p, dirty);  // small slots may be reused: always zeroed
  return p;
}

void* allocate_aligned(size_t bytes, size_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) fatal("allocate_aligned: alignment is not a power of two");
  // An alignment or size the arena cannot hold (aligned_alloc(1 << 63, 10)) must not wrap
  // around in the sums below and come back as a small block.
  if (alignment > tunables::heap_arena_bytes || bytes > tunables::heap_arena_bytes)
    out_of_memory(bytes > SIZE_MAX - alignment ? SIZE_MAX : bytes + alignment);
  size_t rounded = (bytes + alignment - 1) & ~(alignment - 1);
  if (alignment <= heap_page_size && rounded <= max_small_size) {
    // A class whose size is a multiple of the alignment: span starts are page aligned.
    for (uint32_t c = class_for(rounded); c < count; c++)
      if (class_size[c] % alignment == 0) return allocate(class_size[c], false);
  }
  if (alignment <= heap_page_size) return allocate(rounded > max_small_size ? rounded : max_small_size + 1, false);
  uintptr_t p = reinterpret_cast<uintptr_t>(allocate(rounded + alignment, false));  // a large object
  uintptr_t aligned = (p + alignment - 1) & ~(alignment - 1);
  heap_span_of(p)->object_start = aligned;  // what free() will be given
  return reinterpret_cast<void*>(aligned);
}

void release(void* pointer) {
  if (pointer == nullptr) return;
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  // The common cases were handled by release_fast (allocator.h); this is everything else:
  // large objects, tiny blocks, 8-byte objects, objects that may be listed already, and
  // pointers that are not objects at all.
  Span* s = heap_span_of(p);
  if (s == nullptr) fatal("free: pointer was not allocated by gort's heap");
  // Collected spans are marked careful in the page-class map (large ones have no entry), so
  // release_fast always brings them here: the check costs the fast path nothing.
  if (s->collected) fatal_collected_object("free", p);
  CacheAccess cache;
  if (s->size_class == 0) {
    if (p != s->object_start) fatal("free: pointer to the inside of an object");
    cache->frees[0]++;
    cache->live_bytes -= int64_t(s->pages * heap_page_size);
    heap_free(s);
    return;
  }
  uint32_t index = uint32_t(((p - s->start) * class_reciprocal[s->size_class]) >> 32);
  uintptr_t base = s->start + uintptr_t(index) * s->object_size;
  if (s->tiny_counts != nullptr && __atomic_load_n(&s->tiny_counts[index], __ATOMIC_ACQUIRE) != 0) {
    cache->tiny_frees++;
    tiny_release(cache.get(), s, index);
    return;
  }
  if (base != p) fatal("free: pointer to the inside of an object");
  if (s->object_size < 16) {  // no room for the double-free key: straight to the span
    cache->frees[s->size_class]++;
    free_slot(cache.get(), s, index);
    return;
  }
  uint32_t spc = s->size_class * 2 + (s->noscan ? 1 : 0);
  if (reinterpret_cast<uintptr_t*>(p)[1] == cache->free_key) {  // listed already, here or on another Processor
    for (void* q = cache->free_lists[spc].head; q != nullptr; q = *static_cast<void**>(q))
      if (q == pointer) fatal("free: object is not allocated (double free?)");
    // Not on this Processor's list: on another's, which only its owner may walk. The key is
    // random, so this is a second free (glibc's tcache, with per-thread lists, misses it).
    fatal("free: object is on another Processor's free list (double free?)");
  }
  push_free(cache.get(), spc, pointer, cache->free_key);  // counted as a free in the list's pushes
}

bool is_collected(const void* pointer) {
  Span* s = heap_span_of(reinterpret_cast<uintptr_t>(pointer));
  return s != nullptr && s->collected;
}

bool collected_object_allocated(const void* pointer) {
  uintptr_t p = reinterpret_cast<uintptr_t>(pointer);
  Span* s = heap_span_of(p);
  if (s == nullptr || !s->collected) return false;
  uint32_t index = s->size_class == 0 ? 0 : uint32_t(((p - s->start) * class_reciprocal[s->size_class]) >> 32);
  if (index >= s->object_count) return false;
  // An unswept span's alloc bits still hold the garbage the mark left: its mark bits say.
  // A sweeper may rewrite both meanwhile: read as a seqlock, the generation before and after
  // the bit, and again while the span is being swept.
  for (;;) {
    uint32_t before = __atomic_load_n(&s->sweep_generation, __ATOMIC_ACQUIRE);
    uint32_t now = __atomic_load_n(&heap_sweep_generation, __ATOMIC_ACQUIRE);
    if (before == now - 1) {
      __builtin_ia32_pause();
      continue;
    }
    bool unswept = before == now - 2;
    bool set;
    if (s->size_class == 0) set = !unswept || (__atomic_load_n(&s->mark_bits(0), __ATOMIC_ACQUIRE) & 1);
    else set = (__atomic_load_n(unswept ? &s->mark_bits(index / 64) : &s->alloc_bits(index / 64), __ATOMIC_ACQUIRE) >> (index % 64)) & 1;
    if (__atomic_load_n(&s->sweep_generation, __ATOMIC_ACQUIRE) == before) return set;
  }
}

namespace {

size_t usable_size(const Span* s) {
  if (s->size_class != 0) return s->object_size;
  // A large object handed out at an aligned address inside its run (allocate_aligned) has
  // only the rest of the run: realloc must not copy past the run's end.
  return s->start + s->pages * heap_page_size - s->object_start;
}

}  // namespace

size_t allocation_size(const void* pointer) {
  Span* s = heap_span_of(reinterpret_cast<uintptr_t>(pointer));
  return s == nullptr ? 0 : usable_size(s);
}

// realloc's one span lookup (runtime/malloc.cpp) tests the span's kind too: a collected
// object cannot be resized, freed or moved by the program, whatever the size asked for.
size_t reallocation_size(const void* pointer) {
  Span* s = heap_span_of(reinterpret_cast<uintptr_t>(pointer));
  if (s == nullptr) return 0;
  if (s->collected) fatal_collected_object("realloc", reinterpret_cast<uintptr_t>(pointer));
  return usable_size(s);
}

void* object_base(const void* address) {
  uintptr_t p = reinterpret_cast<uintptr_t>(address);
  Span* s = heap_span_of(p);
  if (s == nullptr) return nullptr;
  if (s->size_class == 0) return reinterpret_cast<void*>(s->start);
  uint32_t index = uint32_t(((p - s->start) * class_reciprocal[s->size_class]) >> 32);
  if (index >= s->object_count) return nullptr;  // the tail left over after the last slot
  return reinterpret_cast<void*>(s->start + uintptr_t(index) * s->object_size);
}

CollectorCounters collector_counters{};

MemStats read_mem_stats() {
  MemStats m{};
  // Other Processors' counters are read while their owners bump them with plain stores: each
  // 8-byte load is whole (relaxed atomic), and the sums are a moment's approximation, as Go's
  // are between collections.
  auto load = [](const uint64_t& counter) { return __atomic_load_n(&counter, __ATOMIC_RELAXED); };
  uint64_t pending_bytes = 0, pending_objects = 0;  // collected counts not flushed yet
  auto add = [&m, &load, &pending_bytes, &pending_objects](const AllocationCache* c) {
    for (uint32_t i = 0; i < count; i++) {
      uint64_t mallocs = load(c->mallocs[i]), frees = load(c->frees[i]);
      if (i > 0) {
        for (uint32_t spc = i * 2; spc < i * 2 + 2; spc++) {
          mallocs += load(c->free_lists[spc].pops);
          frees += load(c->free_lists[spc].pushes);
        }
      }
      m.by_size[i].mallocs += mallocs;
      m.by_size[i].frees += frees;
      if (i > 0) m.heap_alloc += (mallocs - frees) * class_size[i];
    }
    m.by_size[1].mallocs += c->tiny_mallocs;  // tiny objects are reported in the smallest class
    m.by_size[1].frees += c->tiny_frees;
    m.heap_alloc += uint64_t(c->live_bytes);
    pending_bytes += load(c->collected_pending_bytes);
    pending_objects += load(c->collected_pending_objects);
  };
  {
    LockGuard guard(fallback_lock);
    add(fallback_cache);
  }
  for (Processor* p : scheduler.processors)
    if (p != nullptr && p->allocation_cache != nullptr) add(p->allocation_cache);
  for (uint32_t i = 0; i < count; i++) {
    m.by_size[i].size = class_size[i];
    m.mallocs += m.by_size[i].mallocs;
    m.frees += m.by_size[i].frees;
  }
  // Collected objects: those allocated now plus those reclaimed were all allocated once.
  uint64_t explicit_bytes = m.heap_alloc;
  // Unswept garbage is still allocated, as in Go's HeapAlloc, until a sweep frees it.
  uint64_t collected_now = collected_heap_objects() + pending_objects + load(garbage_objects),
           reclaimed = load(collector_counters.freed_objects);
  m.mallocs += collected_now + reclaimed;
  m.frees += reclaimed;
  m.heap_objects = m.mallocs - m.frees;
  m.heap_alloc += collected_heap_bytes() + pending_bytes + load(garbage_bytes);
  uint64_t goal = load(collector_counters.heap_goal);
  if (goal == 0) goal = 4 << 20;  // the collector not used yet: its first goal (Go's heapminimum)
  m.next_gc = goal > UINT64_MAX - explicit_bytes ? UINT64_MAX : goal + explicit_bytes;
  uint64_t collections = __atomic_load_n(&collector_counters.collections, __ATOMIC_ACQUIRE);
  m.num_gc = uint32_t(collections);
  m.pause_total_ns = load(collector_counters.pause_total_ns);
  const uint64_t* pauses = __atomic_load_n(&collector_counters.pause_ns, __ATOMIC_ACQUIRE);
  if (pauses != nullptr)
    for (uint32_t i = 0; i < pause_history; i++) m.pause_ns[i] = load(pauses[i]);
  m.gc_cpu_fraction = gc_cpu_fraction(collector_counters, nanotime_since_start(), scheduler.gomaxprocs);
  HeapStats h = heap_stats();
  m.heap_sys = h.sys;
  m.heap_idle = h.idle;
  m.heap_inuse = h.in_use;
  m.heap_released = h.released;
  return m;
}

void* alloc_noscan(size_t bytes) { return allocate(bytes, true); }

// --- Collected objects and their sweep (Go's mgcsweep.go) ---
//
// A span's sweep state is its sweep_generation against heap_sweep_generation (G, which
// start_sweep advances by 2 in each mark termination), as Go's sweepgen:
//   G - 2  unswept: its alloc_bits still hold the objects the last mark did not reach; it is
//          on its central's unswept lists (large: collected_large's), keeping the place it
//          had when start_sweep moved the lists (nothing reads a collected span's place);
//   G - 1  being swept: claimed (compare-and-swap from G - 2) by exactly one sweeper, which
//          has taken it off every list and alone may touch it, place Sweeping;
//   G      swept: in a cache, on partial or full, or (large) on collected_large.partial.
// A span cut from the heap starts swept (heap_allocate). Advancing G turns every swept span
// into an unswept one at once; start_sweep then moves the lists whole, so the pause is
// O(span classes + Processors), never O(spans). The next mark must not begin before every
// span is swept (its mark bits would be overwritten): finish_sweep.

namespace {

constexpr uint64_t clobber_word = 0xdeadbeefdeadbeefULL;  // GODEBUG=clobberfree=1's pattern

uint32_t sweep_generation_now() { return __atomic_load_n(&heap_sweep_generation, __ATOMIC_ACQUIRE); }

// unswept -> being swept. False if someone else claimed it (or it is not unswept).
bool claim_for_sweep(Span* s) {
  uint32_t now = sweep_generation_now();
  uint32_t unswept = now - 2;
  // Acquire: the claimer sees what the last owner wrote to the span.
  return __atomic_compare_exchange_n(&s->sweep_generation, &unswept, now - 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

// being swept -> swept. Release: whoever next sees the span swept sees its new bitmaps.
void mark_swept(Span* s) { __atomic_store_n(&s->sweep_generation, sweep_generation_now(), __ATOMIC_RELEASE); }

void clobber(uintptr_t start, size_t bytes) {
  for (uintptr_t at = start; at + 8 <= start + bytes; at += 8) *reinterpret_cast<uint64_t*>(at) = clobber_word;
}

// One span swept: counts it and what it freed (MemStats frees, gc::stats().freed_objects).
void count_swept(SweptBy who, uint64_t freed_objects, uint64_t freed_bytes) {
  uint64_t* counter = who == SweptBy::Pause        ? &sweep_totals.swept_in_pause
                      : who == SweptBy::Allocation ? &sweep_totals.swept_by_allocation
                      : who == SweptBy::Background ? &sweep_totals.swept_in_background
                                                   : &sweep_totals.swept_by_finish;
  __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&garbage_objects, freed_objects, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&garbage_bytes, freed_bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch(&collector_counters.freed_objects, freed_objects, __ATOMIC_RELAXED);
}

// An unmarked object the finalization hook kept for its destructor is not garbage of this
// sweep: it goes back from the garbage counts to the heap's (collected_bytes, the pacer's
// heap), and a later sweep frees it as garbage of a later mark.
void note_kept_for_destructors(uint32_t objects, uint64_t bytes) {
  if (objects == 0) return;
  __atomic_sub_fetch(&garbage_objects, objects, __ATOMIC_RELAXED);
  __atomic_sub_fetch(&garbage_bytes, bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch(&collected_objects, objects, __ATOMIC_RELAXED);
  __atomic_add_fetch(&collected_bytes, bytes, __ATOMIC_RELAXED);
}

// Sweeps a small collected span the caller claimed (span.h: alloc_bits = mark_bits, then
// mark_bits = 0). Freed slots keep their contents (allocate_collected zeroes every object it
// hands out), or take the clobberfree pattern. Does not place the span.
void sweep_small(Span* s, SweptBy who) {
  if (s->remote_frees != 0 || s->tiny_counts != nullptr) fatal("sweep: a collected span has explicit slot state");
  // The finalization hook, one call: queues the cleanups of unmarked objects and keeps
  // (marks) unmarked typed objects whose destructors have not run yet. What it keeps goes
  // back from the garbage to the heap's counts (note_kept_for_destructors).
  if (s->typed || __atomic_load_n(&s->specials, __ATOMIC_ACQUIRE) != nullptr) {
    uint32_t kept = sweep_specials(s);
    note_kept_for_destructors(kept, uint64_t(kept) * s->object_size);
  }
  uint32_t kept = 0;
  bool clobbering = debug.clobberfree != 0;
  for (uint32_t w = 0; w < words_of(s); w++) {
    uint64_t live = s->mark_bits(w) & valid_mask(s, w);
    uint64_t freed = s->alloc_bits(w) & ~live;
    for (; clobbering && freed != 0; freed &= freed - 1)
      clobber(s->start + uintptr_t(w * 64 + uint32_t(__builtin_ctzll(freed))) * s->object_size, s->object_size);
    s->alloc_bits(w) = live;
    s->mark_bits(w) = 0;
    kept += uint32_t(__builtin_popcountll(live));
  }
  uint32_t freed_objects = s->allocated - kept;
  s->allocated = kept;
  load_window(s, 0);
  mark_swept(s);
  count_swept(who, freed_objects, uint64_t(freed_objects) * s->object_size);
}

// A sweeper counts itself in before it looks at an unswept list, and out once the span it
// took is placed (release: whoever then sees sweepers at 0 sees the span placed). Both
// sequentially consistent with sweep_pending: one that finds every list empty and then reads
// sweepers at 0 knows that no claimed span is still unplaced.
bool enter_sweep() {
  if (__atomic_load_n(&sweep_pending, __ATOMIC_SEQ_CST) == 0) return false;
  __atomic_add_fetch(&sweepers, 1, __ATOMIC_SEQ_CST);
  return true;
}
void leave_sweep() { __atomic_sub_fetch(&sweepers, 1, __ATOMIC_SEQ_CST); }

// Takes the first unswept span of central c and claims it. Caller holds c's lock.
Span* pop_unswept(Central& c) {
  for (SpanList& list : c.unswept) {
    Span* s = list.head;
    if (s == nullptr) continue;
    list.remove(s);
    if (!claim_for_sweep(s)) fatal("sweep: a span on an unswept list is not unswept");
    set_place(s, SpanPlace::Sweeping);
    return s;
  }
  return nullptr;
}

void reclaim_pages(uint64_t pages);  // below

// Lazy sweep (Go's mcentral.cacheSpan): a span with free slots of collected class spc for a
// cache. A swept one from partial if any; otherwise unswept ones, each swept here, the first
// with a free slot taken and the others placed (full; an empty span has free slots); then a
// new one from the heap. The central's lock is not held while sweeping.
Span* take_collected_span(uint32_t span_class) {
  Central& c = central_of(span_class);
  bool sweeping = enter_sweep();
  for (;;) {
    Span* s;
    {
      LockGuard guard(c.lock);
      if ((s = c.partial.head) != nullptr) {
        c.partial.remove(s);
        load_window(s, 0);
        set_place(s, SpanPlace::Cached);
      } else if (sweeping) {
        s = pop_unswept(c);
        if (s == nullptr) break;
      } else {
        break;
      }
    }
    if (place_of(s) == SpanPlace::Cached) {
      if (sweeping) leave_sweep();
      return s;
    }
    sweep_small(s, SweptBy::Allocation);
    if (s->allocated < s->object_count) {
      set_place(s, SpanPlace::Cached);
      leave_sweep();
      return s;
    }
    LockGuard guard(c.lock);
    place_on_central(c, s);
  }
  if (sweeping) leave_sweep();
  reclaim_pages(class_pages[span_class >= typed_span_class_base ? span_class - typed_span_class_base : (span_class - collected_span_class_base) / 2]);
  Span* s = new_small_span(span_class);
  s->place = SpanPlace::Cached;
  return s;
}

// allocate_small for the collected classes: no free lists, no remote frees, lazy sweep.
void* allocate_small_collected(AllocationCache* cache, uint32_t span_class) {
  Span*& slot = cached_span(cache, span_class);
  if (slot != nullptr) {
    if (void* p = take_slot(slot)) return p;
    return_to_central(slot);
  }
  slot = take_collected_span(span_class);
  return take_slot(slot);
}

// Sweeps one large collected object's span the caller claimed: kept if marked (its one bit),
// else back to the heap. True if kept.
bool sweep_large(Span* s, SweptBy who) {
  // The same finalization hook as sweep_small's.
  if (s->typed || __atomic_load_n(&s->specials, __ATOMIC_ACQUIRE) != nullptr)
    note_kept_for_destructors(sweep_specials(s), uint64_t(s->pages) * heap_page_size);
  if (s->mark_bits(0) & 1) {
    s->mark_bits(0) = 0;
    mark_swept(s);
    {
      LockGuard guard(collected_large.lock);
      set_place(s, SpanPlace::Heap);
      collected_large.partial.push(s);
    }
    count_swept(who, 0, 0);
    return true;
  }
  uint64_t bytes = uint64_t(s->pages) * heap_page_size;
  if (debug.clobberfree != 0) clobber(s->start, bytes);
  count_swept(who, 1, bytes);
  heap_free(s);
  return false;
}

// Where the next sweep_one_span looks first: the class it last found work in (atomic; a hint).
uint32_t sweep_cursor = 0;

// Claims and sweeps one unswept span of any class (sweep_one_span); adds the pages it gave
// back to the heap to *pages_freed.
bool sweep_next(SweptBy who, uint64_t* pages_freed);

// Go's mheap.reclaim: before a collected allocation takes `pages` new pages from the heap
// while a sweep is pending, sweep until that many went back to it (the garbage the last mark
// left is the first memory to reuse, or the heap would grow by it), at most
// reclaim_span_limit spans more than the pages asked for (a heap that kept everything would
// otherwise be swept whole by one allocation; a large request may sweep in proportion to its
// size, as Go's does). Caller holds no central lock (fallback_lock is fine: it ranks before).
constexpr uint32_t reclaim_span_limit = 64;
void reclaim_pages(uint64_t pages) {
  if (__atomic_load_n(&sweep_pending, __ATOMIC_RELAXED) == 0) return;
  uint64_t freed = 0;
  for (uint64_t n = 0; freed < pages && n < reclaim_span_limit + pages; n++)
    if (!sweep_next(SweptBy::Allocation, &freed)) return;
}

}  // namespace

namespace {

// A small collected object counted: in its cache, flushed to the heap's counts each
// collected_flush_bytes (AllocationCache::collected_pending_bytes).
inline void count_collected(AllocationCache* cache, uint32_t bytes) {
  cache->collected_pending_bytes += bytes;
  cache->collected_pending_objects++;
  if (__builtin_expect(cache->collected_pending_bytes >= collected_flush_bytes, 0)) flush_collected_counts(cache);
}

// allocate_collected and allocate_collected_typed: `typed` with the header's two words.
void* allocate_collected_kind(size_t bytes, size_t alignment, bool noscan, bool typed, uintptr_t header0, uintptr_t header1) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > heap_page_size)
    fatal("gc::make: alignment is not a power of two of at most a page");
  if (bytes > tunables::heap_arena_bytes) out_of_memory(bytes);
  size_t rounded = (bytes + alignment - 1) & ~(alignment - 1);
  void* p;
  size_t dirty;
  {
    CacheAccess cache;
    if (rounded > max_small_size) {
      reclaim_pages((rounded + heap_page_size - 1) / heap_page_size);
      p = allocate_large(cache.get(), rounded);
      Span* s = heap_span_of(reinterpret_cast<uintptr_t>(p));
      cache->mallocs[0]--;  // not an explicit object: counted in collected_bytes instead
      cache->live_bytes -= int64_t(s->pages * heap_page_size);
      s->collected = true;
      s->noscan = noscan && !typed;
      s->typed = typed;
      dirty = s->dirty_pages * heap_page_size < rounded ? s->dirty_pages * heap_page_size : rounded;
      {
        LockGuard guard(collected_large.lock);
        collected_large.partial.push(s);
      }
      __atomic_add_fetch(&collected_bytes, s->pages * heap_page_size, __ATOMIC_RELAXED);
      __atomic_add_fetch(&collected_objects, 1, __ATOMIC_RELAXED);
    } else {
      // A type of alignment 8 or less may take the 24-byte class, which malloc skips
      // (tools/size_classes.cpp); a larger alignment takes a class whose size is a multiple
      // of it (span starts are page aligned; a mask: alignment is a power of two).
      size_t request = rounded == 0 ? 1 : rounded;
      uint32_t size_class = alignment <= 8 ? class_for_8_aligned(request) : class_for(request);
      while ((class_size[size_class] & (alignment - 1)) != 0) size_class++;
      uint32_t span_class = typed ? typed_span_class_base + size_class : collected_span_class_base + size_class * 2 + (noscan ? 1 : 0);
      p = allocate_small_collected(cache.get(), span_class);
      dirty = class_size[size_class];
      count_collected(cache.get(), class_size[size_class]);
    }
    // A typed slot's header is written here, in runtime code that no collection can
    // interrupt (no preemption point since the slot was taken), so the stopped marker never
    // reads a reused slot's stale header (a concurrent one may: it checks the header is
    // plausible, runtime/marker.cpp); the zeroing below may be preempted (large objects).
    if (typed) {
      __atomic_store_n(&static_cast<uintptr_t*>(p)[1], header1, __ATOMIC_RELAXED);
      __atomic_store_n(&static_cast<uintptr_t*>(p)[0], header0, __ATOMIC_RELEASE);
    }
    // Allocated during a mark: black (counted as marked, never scanned this cycle).
    if (__builtin_expect(marking(), 0)) {
      Span* s = heap_span_of(reinterpret_cast<uintptr_t>(p));
      if (s->size_class == 0) mark_black(cache.get(), s, 0, uint64_t(s->pages) * heap_page_size);
      else mark_black(cache.get(), s, uint32_t(((reinterpret_cast<uintptr_t>(p) - s->start) * class_reciprocal[s->size_class]) >> 32), s->object_size);
    }
  }
  // A reused slot holds what its object left there, or clobberfree's pattern: always zeroed
  // here (Go's mallocgc zeroes at allocation too: the memory is about to be written, so it
  // is in cache, where a sweep would touch cold garbage), all but a typed slot's header,
  // written above. The slot is allocated already, so a collection while this runs
  // (preempted) keeps it: p is in a register or on this stack.
  size_t header = typed ? 2 * sizeof(uintptr_t) : 0;
  if (dirty > header) zero_for_program(static_cast<char*>(p) + header, dirty - header);
  return p;
}

}  // namespace

// The fast path, for small untyped objects up to 1 KiB (gc::make's leaf in
// gc::detail::allocate takes those up to 64 bytes first): a slot from the current window of
// the cache's span for the class (take_collected_slot), black during a mark, counted and
// zeroed.
// Everything else (no span or an empty window, no Processor, large, odd alignments) goes to
// allocate_collected_kind.
void* allocate_collected(size_t bytes, size_t alignment, bool noscan) {
  AllocationCache* cache = current_allocation_cache();
  if (__builtin_expect(cache != nullptr && bytes - 1 < 1024 && alignment - 1 < 16 && (alignment & (alignment - 1)) == 0, 1)) {
    size_t rounded = (bytes + alignment - 1) & ~(alignment - 1);
    uint32_t size_class = alignment <= 8 ? class_for_8_aligned(rounded) : class_for(rounded);
    if (void* p = take_collected_slot(cache, size_class, noscan, marking())) {
      if (__builtin_expect(cache->collected_pending_bytes >= collected_flush_bytes, 0)) flush_collected_counts(cache);
      if (bytes <= 64) zero_small_slot(static_cast<char*>(p), class_size[size_class]);
      else zero_for_program(p, class_size[size_class]);
      return p;
    }
  }
  return allocate_collected_kind(bytes, alignment, noscan, false, 0, 0);
}

// bytes >= 16: gc::detail::allocate_typed adds the header (no check here: a message in this
// file's strings would be in every program, hello included).
void* allocate_collected_typed(size_t bytes, size_t alignment, uintptr_t header0, uintptr_t header1) {
  return allocate_collected_kind(bytes, alignment, false, true, header0, header1);
}

uint64_t collected_heap_objects() { return __atomic_load_n(&collected_objects, __ATOMIC_RELAXED); }

void start_sweep(uint64_t marked_bytes, uint64_t marked_objects) {
  if (!sweep_finished()) fatal("start_sweep: the previous sweep is not finished");
  __atomic_store_n(&explicit_reclaim, &reclaim_pages, __ATOMIC_RELAXED);  // large mallocs reclaim from now on
  // 1. Every cache gives its collected spans back to their centrals, so that every small
  //    collected span is on a central list (the world is stopped: the caches are ours).
  auto give_back = [](AllocationCache* c) {
    flush_collected_counts(c);  // before the counts are read below
    for (Span*& s : c->collected_spans) {
      if (s == nullptr) continue;
      return_to_central(s);
      s = nullptr;
    }
  };
  // fallback_lock is held to the end: with the world stopped, only a thread without a
  // Processor (the fallback cache, under this lock) could touch a collected central, so
  // holding it makes the stopper their only user and step 3's test of an empty central exact.
  LockGuard fallback_guard(fallback_lock);
  give_back(fallback_cache);
  for (Processor* p : scheduler.processors)
    if (p != nullptr && p->allocation_cache != nullptr) give_back(p->allocation_cache);
  // 2. Everything unmarked is garbage from now on: the heap's counts become the mark's, and
  //    what they lose waits in garbage_* until a sweep frees it.
  uint64_t bytes = __atomic_load_n(&collected_bytes, __ATOMIC_RELAXED), objects = __atomic_load_n(&collected_objects, __ATOMIC_RELAXED);
  __atomic_store_n(&garbage_bytes, bytes > marked_bytes ? bytes - marked_bytes : 0, __ATOMIC_RELAXED);
  __atomic_store_n(&garbage_objects, objects > marked_objects ? objects - marked_objects : 0, __ATOMIC_RELAXED);
  __atomic_store_n(&collected_bytes, marked_bytes, __ATOMIC_RELAXED);
  __atomic_store_n(&collected_objects, marked_objects, __ATOMIC_RELAXED);
  // 3. Every collected span becomes unswept (G advances), and the lists move whole. The
  //    places are left as they were (Partial, Full, Heap): no reader of a collected span's
  //    place exists while it is unswept, and writing them would cost O(spans). A central
  //    with no span is skipped unlocked (its unswept lists are empty: the last sweep
  //    finished): locking all of them, most empty, cost 12-20 us of the pause.
  __atomic_store_n(&sweep_pending, 1, __ATOMIC_SEQ_CST);
  __atomic_store_n(&heap_sweep_generation, sweep_generation_now() + 2, __ATOMIC_RELEASE);
  for (uint32_t spc = collected_span_class_base; spc < collected_span_class_base + collected_span_class_count; spc++) {
    Central& c = central_of(spc);
    if (c.partial.head == nullptr && c.full.head == nullptr) continue;
    LockGuard guard(c.lock);
    c.unswept[0] = c.partial;
    c.unswept[1] = c.full;
    c.partial = c.full = SpanList{};
  }
  LockGuard guard(collected_large.lock);
  collected_large.unswept[0] = collected_large.partial;
  collected_large.partial = SpanList{};
}

bool sweep_one_span(SweptBy who) {
  uint64_t pages = 0;
  return sweep_next(who, &pages);
}

namespace {

bool sweep_next(SweptBy who, uint64_t* pages_freed) {
  if (!enter_sweep()) return false;
  constexpr uint32_t lists = collected_span_class_count + 1;  // the last: large objects
  uint32_t first = __atomic_load_n(&sweep_cursor, __ATOMIC_RELAXED);
  for (uint32_t i = 0; i < lists; i++) {
    uint32_t k = (first + i) % lists;
    Central& c = k == collected_span_class_count ? collected_large : collected_centrals[k];
    Span* s;
    {
      LockGuard guard(c.lock);
      s = pop_unswept(c);
    }
    if (s == nullptr) continue;
    if (i != 0) __atomic_store_n(&sweep_cursor, k, __ATOMIC_RELAXED);
    uint32_t pages = s->pages;
    if (s->size_class == 0) {
      if (!sweep_large(s, who)) *pages_freed += pages;
    } else {
      sweep_small(s, who);
      if (s->allocated == 0) *pages_freed += pages;  // place_on_central gives it back
      LockGuard guard(c.lock);
      place_on_central(c, s);
    }
    leave_sweep();
    return true;
  }
  // Every list was empty when looked at, and they only shrink: drained.
  __atomic_store_n(&sweep_pending, 0, __ATOMIC_SEQ_CST);
  leave_sweep();
  return false;
}

}  // namespace

bool sweep_finished() {
  return __atomic_load_n(&sweep_pending, __ATOMIC_SEQ_CST) == 0 && __atomic_load_n(&sweepers, __ATOMIC_SEQ_CST) == 0;
}

void finish_sweep(SweptBy who) {
  while (sweep_one_span(who)) {
  }
  // Others may still be sweeping the spans they claimed: a sweep never parks or yields
  // inside a span (runtime code is not preempted), so this waits for a few of them at most.
  while (!sweep_finished()) __builtin_ia32_pause();
}

SweepCounters sweep_counters() {
  SweepCounters c;
  c.swept_in_pause = __atomic_load_n(&sweep_totals.swept_in_pause, __ATOMIC_RELAXED);
  c.swept_by_allocation = __atomic_load_n(&sweep_totals.swept_by_allocation, __ATOMIC_RELAXED);
  c.swept_in_background = __atomic_load_n(&sweep_totals.swept_in_background, __ATOMIC_RELAXED);
  c.swept_by_finish = __atomic_load_n(&sweep_totals.swept_by_finish, __ATOMIC_RELAXED);
  c.finished = sweep_finished();
  return c;
}

uint64_t unswept_garbage_bytes() { return __atomic_load_n(&garbage_bytes, __ATOMIC_RELAXED); }
uint64_t unswept_garbage_objects() { return __atomic_load_n(&garbage_objects, __ATOMIC_RELAXED); }

void free_os_memory() {
  {
    CacheAccess cache;  // this Processor's listed objects go back to their spans
    for (uint32_t spc = 0; spc < span_class_count; spc++) flush_free_list(cache.get(), spc, 0);
  }
  release_empty_central_spans();
  heap_scavenge(0);
}

// sysmon, about once a second: empty central spans go back to the heap, and heap runs free
// for a while go back to the OS.
void scavenge_in_background() {
  release_empty_central_spans();
  heap_scavenge(tunables::scavenge_after_ns);
}

}  // namespace gort
