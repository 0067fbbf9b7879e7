// Span: a run of heap pages (Go's mspan). A small-object span is cut into equal slots of one
// size class; a large-object span holds one object; a free span is an unused run in the heap.
// Drawing of a span: docs/04-allocator.md; the collector's use of it: docs/07-collector.md.
//
// A span belongs to one of two worlds, fixed when it is cut from the heap (Span::collected):
//   explicit   objects of malloc/new, freed by hand. Never swept.
//   collected  objects of gc::make (runtime/collector.h), freed only by the collector's sweep.
// They never share a span, so a slot's state has exactly one meaning in each:
//   explicit:  a slot is allocated iff its alloc_bits bit is set and its freed_bits bit is
//              not; an object on a Processor's free list (AllocationCache::free_lists) still
//              counts as allocated, and a tiny block is allocated while its tiny_counts
//              entry is non-zero. Only free() and the free lists change these.
//   collected: freed_bits are never used (their word holds mark_bits), remote_frees and
//              tiny_counts stay zero (free() or realloc() of a collected object is fatal
//              before it touches a bit, the free lists hold only explicit objects, collected tiny
//              objects take the 16-byte class). A mark sets mark_bits ("reached"; in a typed span,
//              sweep_specials in runtime/finalization.cpp also sets the mark bits of
//              unreachable objects it keeps for their destructors); the sweep
//              that follows is alloc_bits = mark_bits, mark_bits = 0, span by span after
//              the pause. So a slot is allocated iff its alloc_bits bit is set in a swept
//              span, and iff its mark_bits bit is set in an unswept one (its alloc_bits
//              still show the garbage). Sweep state is sweep_generation against
//              heap_sweep_generation G (Go's sweepgen): G - 2 unswept, G - 1 being swept,
//              G swept. Only swept spans are ever allocated from (a cache takes a swept
//              span, or sweeps one itself first), the claim G - 2 -> G - 1 is a
//              compare-and-swap, so exactly one sweeper sweeps a span, and no mark starts
//              before every span is swept (finish_sweep): a sweep can never hand out an
//              object twice, nor free one allocated since the mark (it is in a swept span).
//
// Who owns a span, by state (SpanPlace). "Owns" means may write alloc_bits, alloc_cache and
// scan_word, and move the span between lists:
//
//   place    in_use  which spans               on which list            owner
//   Heap     false   free runs                 heap free_runs (by size)  heap_lock
//   Heap     true    large objects             collected: the collector's large list (its
//                                              lock); explicit: none     heap_lock for the record;
//                                                                        the object's holder frees it
//   Cached   true    small spans               a Processor's cache       that Processor's holder
//                                              (spans / collected_spans)
//   Partial  true    small spans with room     its central's partial     the central's lock
//   Full     true    small spans without room  its central's full        the central's lock
//   Sweeping true    a collected span being    none                     its sweeper (who claimed
//                    swept (G - 1)                                        it), until it places it
//
// Collected spans that are unswept (G - 2) sit on their central's unswept lists (large ones:
// the collector's large unswept list), owned by that list's lock, and keep the place they had
// when start_sweep moved the lists (Partial, Full, Heap): nothing reads a collected span's
// place. Swept collected spans are Cached, Partial or Full (small) or Heap (large), as above.
//
// With the world stopped, the stopper owns every span (runtime/world.h: it alone may touch
// the stopped Processors' caches); start_sweep relies on that.
//
// Explicit spans, whatever their place:
//   - alloc_bits is written only by the span's owner, so the allocation fast path needs no
//     atomic instruction;
//   - freed_bits collects frees by anyone else (atomic OR); the owner folds them into
//     alloc_bits when it runs out of free slots (merge_remote_frees below).
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

// Where a small-object span is, which says who owns its alloc_bits.
enum class SpanPlace : uint8_t {
  Heap,     // a free run, or a large object: the heap lock guards it
  Cached,   // in a Processor's cache: that Processor owns it
  Partial,  // on its central's list of spans with free slots: the central lock owns it
  Full,     // on its central's list of full spans: the central lock owns it
  Sweeping, // (collected spans) claimed by a sweeper, on no list: the sweeper owns it
};

// One word of a span's slots, 64 slots: the allocator's bit and the collector's side by side,
// so that the marker's test (allocated? then reached?) reads one cache line, not two. The
// second word is the mark bits of a collected span and the freed bits of an explicit one:
// each world uses only its own (the table above), so they share it, and the record is 128
// bytes smaller (6% of a page became 4.7%: about 5 MB of binary-trees' 300 MB heap).
struct SlotBits {
  uint64_t alloc;           // Span::alloc_bits
  uint64_t mark_or_freed;   // Span::mark_bits (collected), Span::freed_bits (explicit)
};

// Cache-line aligned, with the fields the marker reads for every candidate pointer (start,
// collected, noscan, typed, size_class, object_size, object_count) in the first line and
// the slot bits from the second: a mark touches two lines of a span, where it touched four.
struct alignas(64) Span {
  uintptr_t start;  // address of the first page
  uint32_t pages;   // number of 8 KiB pages
  bool in_use;      // false: a free run in the heap
  bool scavenged;   // (free runs) physical pages returned to the OS
  bool noscan;      // objects hold no pointers (the collector does not scan them)
  bool collected;   // objects belong to the collector (reset by heap_allocate; see above)
  uint8_t size_class;  // 0: a large object
  bool typed;          // (collected) each slot starts with a 16-byte header naming
                       // its type (gc::TypeInfo, runtime/collector.h): typed span
                       // classes, and large objects made by gc::detail::allocate_typed.
                       // Set for every collected span as it is made (new_small_span,
                       // allocate_collected_typed); read only for collected spans
  uint16_t span_class; // (small spans) the index of its central and cache slot (allocator.h)
  SpanPlace place;     // atomic read by remote frees
  uint32_t object_size;
  uint32_t object_count;
  uint32_t allocated;     // slots allocated, as the owner counts them
  uint32_t scan_word;     // owner's position: the alloc_bits word alloc_cache mirrors
  uint64_t alloc_cache;   // owner's: free slots of word scan_word not yet handed out (1 = free)
  uint32_t remote_frees;  // atomic: bits set in freed_bits since the last merge
  uint32_t sweep_generation;  // atomic: against heap_sweep_generation (Go's sweepgen): G - 2
                              // unswept, G - 1 being swept, G swept (table above)
  // Word w of each slot bitmap, 1 bit per slot; at most 1024 slots (8-byte objects, one page).
  //   alloc_bits(w): allocated (owner writes; see above);
  //   mark_bits(w): (collected spans) the collector's, as in Go's mspan: reached in this
  //     collection (Go's gcmarkBits), written by the marker, then read and cleared by the
  //     span's sweeper;
  //   freed_bits(w): (explicit spans) freed by another Processor, atomic OR; the same word.
  // All reset by heap_allocate for every span it cuts.
  alignas(64) SlotBits slot_bits[16];
  uint8_t* tiny_counts;   // for tiny-allocator spans: live objects per 16-byte block
  int64_t freed_at;       // (free runs) when the run became free, for the scavenger
  uintptr_t object_start; // (large objects) the address handed out, which free() must be given:
                          // the start, or an aligned address inside (allocate_aligned)
  uint32_t dirty_pages;   // set by heap_allocate: the leading pages that may hold old data;
                          // the rest came fresh from the OS and read as zero (calloc skips them)
  Span* next;             // the SpanList the span is on (central, heap free list, large
  Span* previous;         // collected objects), guarded by that list's owner
  // Finalization (runtime/finalization.cpp).
  struct Special* specials;   // cleanup records of this span's objects, sorted by offset
                              // (Go's mspan.specials); guarded by specials_lock. Null while
                              // the span is not in use: a span goes back to the heap only
                              // when every object is dead, and the sweep's hook has then
                              // moved every record to the cleanup queue

  uint64_t& alloc_bits(uint32_t w) { return slot_bits[w].alloc; }
  uint64_t alloc_bits(uint32_t w) const { return slot_bits[w].alloc; }
  uint64_t& mark_bits(uint32_t w) { return slot_bits[w].mark_or_freed; }
  uint64_t mark_bits(uint32_t w) const { return slot_bits[w].mark_or_freed; }
  uint64_t& freed_bits(uint32_t w) { return slot_bits[w].mark_or_freed; }
};
static_assert(offsetof(Span, slot_bits) == 64, "the marker's fields fill the first line; the slot bits start the second");
static_assert(sizeof(Span) == 384, "six cache lines: a record per span, 4.7% of a one-page span");

// A doubly linked list of spans through next/previous (a central's partial and full lists,
// the heap's free runs, the collector's large objects). Not thread-safe: the list's owner
// (the lock named where it is declared) guards it and every span on it.
struct SpanList {
  Span* head = nullptr;

  void push(Span* s) {
    s->previous = nullptr;
    s->next = head;
    if (head != nullptr) head->previous = s;
    head = s;
  }
  void remove(Span* s) {
    if (s->previous != nullptr) s->previous->next = s->next;
    else head = s->next;
    if (s->next != nullptr) s->next->previous = s->previous;
    s->next = s->previous = nullptr;
  }
};

constexpr uint32_t max_objects_per_span = 1024;

// --- Slot bitmap operations (pure functions of a Span; unit-tested hosted) ---

inline uint32_t words_of(const Span* s) { return (s->object_count + 63) / 64; }

// Bits for the slots that exist in word w.
inline uint64_t valid_mask(const Span* s, uint32_t w) {
  uint32_t left = s->object_count - w * 64;
  return left >= 64 ? ~0ULL : (1ULL << left) - 1;
}

inline void load_window(Span* s, uint32_t w) {
  s->scan_word = w;
  s->alloc_cache = ~s->alloc_bits(w) & valid_mask(s, w);
}

// Atomically sets bit `index % 64` of *word; true if it was clear (this caller set it). One
// `lock bts`: clang turns a fetch_or whose old value is tested into a compare-and-swap loop
// (a load, the locked exchange, a retry on contention) when the bit is not a constant. Its
// ordering is a locked instruction's (sequentially consistent, more than the marker needs).
inline bool set_bit_was_clear(uint64_t* word, uint32_t index) {
  bool was_set;
  asm volatile("lock btsq %q2, %0" : "+m"(*word), "=@ccc"(was_set) : "r"(uint64_t(index % 64)) : "memory");
  return !was_set;
}

// The owner takes the next free slot of the current window (64 slots), or returns null
// when the window has none: the collected allocation's fast path.
// *index: the slot's index in the span.
inline void* take_slot_in_window(Span* s, uint32_t* index) {
  uint64_t window = s->alloc_cache;
  if (window == 0) return nullptr;
  uint32_t bit = uint32_t(__builtin_ctzll(window));
  s->alloc_cache = window & (window - 1);
  s->alloc_bits(s->scan_word) |= 1ULL << bit;
  s->allocated++;
  *index = s->scan_word * 64 + bit;
  return reinterpret_cast<void*>(s->start + uintptr_t(*index) * s->object_size);
}

// The owner takes the next free slot, or returns null when the span is exhausted.
inline void* take_slot(Span* s) {
  uint32_t words = words_of(s);
  for (;;) {
    uint32_t index;
    if (void* p = take_slot_in_window(s, &index)) return p;
    if (s->scan_word + 1 >= words) return nullptr;
    load_window(s, s->scan_word + 1);
  }
}

// Folds slots freed by others into alloc_bits. The caller owns the span. Returns how many.
inline uint32_t merge_remote_frees(Span* s) {
  if (__atomic_load_n(&s->remote_frees, __ATOMIC_ACQUIRE) == 0) return 0;
  uint32_t merged = 0;
  for (uint32_t w = 0; w < words_of(s); w++) {
    uint64_t bits = __atomic_exchange_n(&s->freed_bits(w), 0, __ATOMIC_ACQ_REL);
    if (bits == 0) continue;
    s->alloc_bits(w) &= ~bits;
    merged += uint32_t(__builtin_popcountll(bits));
  }
  // A freer increments the count after setting its bit, so the count may briefly run below
  // zero here; it is only ever used as "maybe some".
  __atomic_sub_fetch(&s->remote_frees, merged, __ATOMIC_ACQ_REL);
  s->allocated -= merged;
  return merged;
}

// The owner frees slot `index` itself: the slot can be handed out again at once.
// Returns false if the slot was not allocated.
inline bool owner_free_slot(Span* s, uint32_t index) {
  uint32_t w = index / 64;
  uint64_t bit = 1ULL << (index % 64);
  if ((s->alloc_bits(w) & bit) == 0 || (__atomic_load_n(&s->freed_bits(w), __ATOMIC_RELAXED) & bit) != 0) return false;
  s->alloc_bits(w) &= ~bit;
  s->allocated--;
  if (w < s->scan_word) load_window(s, w);
  else if (w == s->scan_word) s->alloc_cache |= bit;
  return true;
}

// Someone other than the owner frees slot `index`. Returns false if it was not allocated or
// already freed.
inline bool remote_free_slot(Span* s, uint32_t index) {
  uint32_t w = index / 64;
  uint64_t bit = 1ULL << (index % 64);
  if ((__atomic_load_n(&s->alloc_bits(w), __ATOMIC_RELAXED) & bit) == 0) return false;
  if (__atomic_fetch_or(&s->freed_bits(w), bit, __ATOMIC_ACQ_REL) & bit) return false;
  __atomic_add_fetch(&s->remote_frees, 1, __ATOMIC_SEQ_CST);
  return true;
}

}  // namespace gort
