// Finalization: destructors of collected objects, and cleanups (Go's runtime.AddCleanup).
// API: runtime/collector.h (gc::make of a type with a destructor, gc::add_cleanup,
// gc::Cleanup). Book: docs/07-collector.md, "Cleanups and destructors".
//
// Both kinds of work run on one system goroutine, the cleanup goroutine (Go's cleanup and
// finalizer goroutines are one here), one item at a time, in no particular order: never
// inside the allocator or the sweep, so a destructor or cleanup may allocate, lock, block and
// free explicit memory.
//
// Destructors. A type with a non-trivial destructor is "typed" (runtime/collector.h): its
// objects live in typed spans (Span::typed) and start with a 16-byte header {TypeInfo* |
// state, element count}. Its life, as the header's state bits say:
//   1. allocate_typed writes the header; make/make_array set `constructed` once every
//      constructor has returned (an object found dead before that is freed, not destroyed);
//   2. a sweep finds it unmarked (sweep_specials, the sweep's hook): it sets the object's
//      mark bit, so the sweep keeps it, sets `queued` and puts the slot on destroy_queue;
//      later sweeps that find it unmarked and still queued keep it again without queuing;
//   3. the cleanup goroutine runs TypeInfo::destroy on its elements and sets `destroyed`;
//   4. the next sweep that finds it unmarked frees it (nothing keeps it any more); a stale
//      pointer that still reaches it keeps it without scanning it (collector.cpp), and its
//      destructor never runs again. So ~T() runs exactly once, before the slot is reused.
// A destructor may not touch other collected objects: they may have died in the same cycle
// and been swept already (their slots reused). Only the object's own memory is kept.
//
// Cleanups. A record (Special) per gc::add_cleanup, in explicit memory, on two lists under
// specials_lock: its span's `specials` list sorted by offset (Go's mspan.specials), where
// the sweep finds the records of its unmarked objects, and all_specials, where the marker
// finds every argument (scan_cleanup_arguments: an argument is a root while its record
// exists). The sweep moves a record of an unmarked object from its span's list to the
// cleanup queue (cleanup_queue, FIFO); the goroutine runs fn(arg) and only then takes the
// record off all_specials and frees it, so arg lives until its cleanup has run. The object
// itself is never passed to anyone: it is freed by the same sweep, no resurrection.
//
// Alternatives rejected. Running destructors in the sweep (cppgc's choice): the sweep runs
// with the world stopped and inside the allocator's locks, so a destructor could not
// allocate or lock, and a slow one would lengthen the pause. Go's finalizers (an object
// resurrected for its finalizer): cycles through finalizers leak, and Go itself moved to
// AddCleanup. A header on every collected object: 16 bytes on each small object to serve
// the few types that need it; only typed spans carry headers.
//
// Locks: specials_lock (rank Roots: the cleanup records are the collector's roots) guards
// every record's links, both queues, the pending count and the goroutine's parked state. The
// sweep takes it under a central's lock (rank Central, below it); nothing is called while it
// is held but os_alloc (for a destroy-queue chunk).
#include "finalization.h"

#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "collector.h"
#include "fatal.h"
#include "goroutine.h"
#include "heap.h"
#include "lock.h"
#include "machine.h"
#include "os_memory.h"
#include "processor.h"
#include "scheduler.h"
#include "size_classes.h"
#include "span.h"

namespace gort {

// One cleanup: gc::add_cleanup's record. Guarded by specials_lock.
struct Special {
  Special* next_in_span;  // its span's list (sorted by offset); then the cleanup queue's link
  Special* previous;      // all_specials
  Special* next;
  uintptr_t offset;       // of the object's slot from its span's start
  uint64_t id;            // what gc::Cleanup::stop looks for; never 0
  void (*invoke)(gc::detail::ErasedFunction fn, void* arg);  // calls fn as its own type
  gc::detail::ErasedFunction fn;
  void* arg;
  // The callable form: arg is a box in explicit memory of box_bytes, all of it scanned;
  // discard destroys and frees it (stop()). 0 and null for the fn(arg) form.
  size_t box_bytes;
  void (*discard)(void* box);
};

namespace gc {
// The friend gc::Cleanup names: builds and reads handles.
struct CleanupAccess {
  static Cleanup make(uintptr_t object, uint64_t id) {
    Cleanup c;
    c.hidden_object_ = ~object;
    c.id_ = id;
    return c;
  }
  static uintptr_t object(const Cleanup& c) { return ~c.hidden_object_; }
  static uint64_t id(const Cleanup& c) { return c.id_; }
  static void clear(Cleanup& c) { c.id_ = 0; }
};
}  // namespace gc

namespace {

using gc::detail::header_constructed;
using gc::detail::header_destroyed;
using gc::detail::header_queued;
using gc::detail::header_state_mask;

RankedLock<LockRank::Roots> specials_lock;
// All guarded by specials_lock.
Special* all_specials = nullptr;  // attached and queued records
Special* cleanup_queue_head = nullptr;
Special* cleanup_queue_tail = nullptr;
uint64_t next_cleanup_id = 0;

// Slots of objects waiting for their destructors: chunks from the OS (never the heap: the
// sweep may not allocate), a stack of them; emptied chunks are kept for later.
struct DestroyChunk {
  static constexpr uint32_t capacity = (65536 - 16) / 8;
  DestroyChunk* next;
  uint64_t count;
  uintptr_t slots[capacity];
};
static_assert(sizeof(DestroyChunk) <= 65536);
DestroyChunk* destroy_queue = nullptr;  // specials_lock
DestroyChunk* spare_destroy_chunks = nullptr;

// Items queued and not yet finished: changed atomically (relaxed: only a count; the queues
// themselves are under specials_lock), read without the lock by tests and the wake test.
uint64_t pending = 0;
uint64_t cleanups_total = 0, destructors_total = 0;  // atomic statistics

Goroutine* cleanup_goroutine = nullptr;  // set once, by the first finalization_after_collection
bool cleanup_goroutine_started = false;  // atomic
bool cleanup_goroutine_parked = false;   // specials_lock: parked with nothing queued

void push_destroy(uintptr_t slot) {
  if (destroy_queue == nullptr || destroy_queue->count == DestroyChunk::capacity) {
    DestroyChunk* c = spare_destroy_chunks;
    if (c != nullptr) spare_destroy_chunks = c->next;
    else c = static_cast<DestroyChunk*>(os_alloc(sizeof(DestroyChunk)));
    if (c == nullptr) fatal("gc: out of memory for the destructor queue");
    c->next = destroy_queue;
    c->count = 0;
    destroy_queue = c;
  }
  destroy_queue->slots[destroy_queue->count++] = slot;
}

bool pop_destroy(uintptr_t* slot) {
  while (destroy_queue != nullptr && destroy_queue->count == 0) {
    DestroyChunk* empty = destroy_queue;
    destroy_queue = empty->next;
    empty->next = spare_destroy_chunks;
    spare_destroy_chunks = empty;
  }
  if (destroy_queue == nullptr) return false;
  *slot = destroy_queue->slots[--destroy_queue->count];
  return true;
}

bool marked(const Span* s, uint32_t index) { return (s->mark_bits(index / 64) >> (index % 64)) & 1; }

// Step 2 of a destructor's life for one unmarked, allocated slot of a typed span. Returns
// whether the slot is kept (its mark bit set) for a destructor still to run.
bool keep_for_destructor(Span* s, uint32_t index, uintptr_t slot) {
  auto* header = reinterpret_cast<uintptr_t*>(slot);
  uintptr_t word = __atomic_load_n(&header[0], __ATOMIC_ACQUIRE);
  auto* type = reinterpret_cast<const gc::TypeInfo*>(word & ~uintptr_t(header_state_mask));
  if (type == nullptr || type->destroy == nullptr) return false;
  if ((word & header_constructed) == 0 || (word & header_destroyed) != 0) return false;  // freed now
  s->mark_bits(index / 64) |= 1ULL << (index % 64);
  if (word & header_queued) return true;  // queued by an earlier sweep, not destroyed yet
  __atomic_fetch_or(&header[0], uintptr_t(header_queued), __ATOMIC_RELAXED);
  push_destroy(slot);
  __atomic_add_fetch(&pending, 1, __ATOMIC_RELAXED);
  return true;
}

// One item of work, taken off a queue under specials_lock: a cleanup record or a slot.
struct Work {
  Special* cleanup;
  uintptr_t slot;
};

bool take_work(Work* w) {
  if (Special* r = cleanup_queue_head) {
    cleanup_queue_head = r->next_in_span;
    if (cleanup_queue_head == nullptr) cleanup_queue_tail = nullptr;
    *w = {r, 0};
    return true;
  }
  uintptr_t slot;
  if (pop_destroy(&slot)) {
    *w = {nullptr, slot};
    return true;
  }
  return false;
}

void unlink_from_all(Special* r) {
  if (r->previous != nullptr) r->previous->next = r->next;
  else all_specials = r->next;
  if (r->next != nullptr) r->next->previous = r->previous;
}

// The cleanup goroutine: runs what the sweeps queued, parking when there is nothing.
void cleanup_goroutine_main(void*) {
  for (;;) {
    specials_lock.lock();
    Work w;
    if (!take_work(&w)) {
      cleanup_goroutine_parked = true;
      park(WaitReason::CleanupWait, unlock_runtime_lock, &specials_lock);  // releases the lock once parked
      continue;
    }
    specials_lock.unlock();
    if (w.cleanup != nullptr) {
      w.cleanup->invoke(w.cleanup->fn, w.cleanup->arg);  // the record is still on all_specials: arg stays alive
      {
        LockGuard guard(specials_lock);
        unlink_from_all(w.cleanup);
      }
      // The box of the callable form is freed only now that no marker can reach it.
      if (w.cleanup->discard != nullptr) w.cleanup->discard(w.cleanup->arg);
      release(w.cleanup);
      __atomic_add_fetch(&cleanups_total, 1, __ATOMIC_RELAXED);
      __atomic_sub_fetch(&pending, 1, __ATOMIC_RELEASE);  // the work's effects before the count
    } else {
      auto* header = reinterpret_cast<uintptr_t*>(w.slot);
      auto* type = reinterpret_cast<const gc::TypeInfo*>(__atomic_load_n(&header[0], __ATOMIC_ACQUIRE) & ~uintptr_t(header_state_mask));
      type->destroy(reinterpret_cast<void*>(w.slot + type->header_bytes), header[1]);
      // Release: the destructor's stores come before the sweep that frees the slot.
      __atomic_fetch_or(&header[0], uintptr_t(header_destroyed), __ATOMIC_RELEASE);
      __atomic_add_fetch(&destructors_total, 1, __ATOMIC_RELAXED);
      __atomic_sub_fetch(&pending, 1, __ATOMIC_RELEASE);  // the work's effects before the count
    }
  }
}

// The span and slot (its start) that `object` points into, if it is an allocated collected
// object; else false.
bool find_collected(uintptr_t object, Span** span, uintptr_t* slot) {
  if (!in_heap_arena(object) || !collected_object_allocated(reinterpret_cast<void*>(object))) return false;
  *span = heap_span_of(object);
  *slot = reinterpret_cast<uintptr_t>(object_base(reinterpret_cast<void*>(object)));
  return *span != nullptr && *slot != 0;
}

}  // namespace

uint32_t sweep_specials(Span* s) {
  LockGuard guard(specials_lock);
  // Cleanups first, by the marks as the marker left them (the destructor step sets more).
  Special** link = &s->specials;
  while (Special* r = *link) {
    uint32_t index = s->size_class == 0 ? 0 : uint32_t(r->offset / s->object_size);
    if (marked(s, index)) {
      link = &r->next_in_span;
      continue;
    }
    __atomic_store_n(link, r->next_in_span, __ATOMIC_RELEASE);
    r->next_in_span = nullptr;
    if (cleanup_queue_tail != nullptr) cleanup_queue_tail->next_in_span = r;
    else cleanup_queue_head = r;
    cleanup_queue_tail = r;
    __atomic_add_fetch(&pending, 1, __ATOMIC_RELAXED);
  }
  if (!s->typed) return 0;
  if (s->size_class == 0)  // a large object: allocated while its span is on the list
    return !marked(s, 0) && keep_for_destructor(s, 0, s->start) ? 1 : 0;
  uint32_t kept = 0;
  for (uint32_t w = 0; w < words_of(s); w++) {
    uint64_t dead = s->alloc_bits(w) & ~s->mark_bits(w) & valid_mask(s, w);
    while (dead != 0) {
      uint32_t index = w * 64 + uint32_t(__builtin_ctzll(dead));
      dead &= dead - 1;
      kept += keep_for_destructor(s, index, s->start + uintptr_t(index) * s->object_size) ? 1 : 0;
    }
  }
  return kept;
}

void scan_cleanup_arguments(void (*mark)(uintptr_t word, void* marker), void* marker) {
  LockGuard guard(specials_lock);
  for (Special* r = all_specials; r != nullptr; r = r->next) {
    mark(reinterpret_cast<uintptr_t>(r->arg), marker);
    const auto* words = static_cast<const uintptr_t*>(r->arg);
    for (size_t i = 0; i < r->box_bytes / sizeof(uintptr_t); i++) mark(words[i], marker);  // a callable's captures
  }
}

void finalization_after_collection() {
  if (__atomic_load_n(&pending, __ATOMIC_RELAXED) == 0) return;
  Goroutine* self = cpu::current_goroutine();
  if (self == nullptr || self->id == 0 || cpu::current_machine()->processor == nullptr) return;
  if (!__atomic_load_n(&cleanup_goroutine_started, __ATOMIC_ACQUIRE)) {
    if (__atomic_exchange_n(&cleanup_goroutine_started, true, __ATOMIC_ACQ_REL)) return;  // another is making it
    Goroutine* g = new_goroutine(cleanup_goroutine_main);
    g->is_system = true;  // not counted by num_goroutine or the deadlock check
    __atomic_add_fetch(&system_goroutine_count, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&cleanup_goroutine, g, __ATOMIC_RELEASE);
    start_goroutine(g);  // it finds the queue itself
    return;
  }
  Goroutine* g = __atomic_load_n(&cleanup_goroutine, __ATOMIC_ACQUIRE);
  if (g == nullptr) return;  // being made: it will find the queue
  bool wake;
  {
    LockGuard guard(specials_lock);
    wake = cleanup_goroutine_parked;
    cleanup_goroutine_parked = false;  // claimed: readied once
  }
  // Parked is set before park() and the lock is released only once it is off its stack
  // (unlock_runtime_lock as park's commit), so a claimed goroutine is Waiting here.
  if (wake) ready(g);
}

uint64_t finalization_pending() { return __atomic_load_n(&pending, __ATOMIC_ACQUIRE); }
uint64_t cleanups_run() { return __atomic_load_n(&cleanups_total, __ATOMIC_RELAXED); }
uint64_t destructors_run() { return __atomic_load_n(&destructors_total, __ATOMIC_RELAXED); }

namespace gc {

namespace detail {

void* allocate_typed(const TypeInfo* type, size_t count) {
  if (count > (SIZE_MAX - type->header_bytes) / type->size) array_too_large();
  size_t bytes = type->header_bytes + count * type->size;
  // The header goes at the slot's start, and the first element header_bytes after it: the
  // slot is aligned to header_bytes (16, or the type's larger alignment).
  // Through allocate() with the header's words: the goal check, then the typed slot.
  void* slot = allocate_typed_slot(bytes, type->header_bytes, reinterpret_cast<uintptr_t>(type), count);
  return static_cast<char*>(slot) + type->header_bytes;
}

// Both forms: checks, then the record on its span's list and on all_specials. `box_bytes`
// non-zero: arg is a box whose every word is a root, none of which may point into object.
Cleanup attach_cleanup(const void* object, void (*invoke)(ErasedFunction, void*), ErasedFunction fn, void* arg,
                       size_t box_bytes, void (*discard)(void*)) {
  uintptr_t p = reinterpret_cast<uintptr_t>(object);
  Span* s;
  uintptr_t slot;
  if (!find_collected(p, &s, &slot)) panic("gc::add_cleanup: object is not a collected object (gc::make)");
  if (invoke == nullptr || (fn == nullptr && box_bytes == 0)) panic("gc::add_cleanup: fn is null");
  size_t slot_bytes = s->size_class == 0 ? size_t(s->pages) * heap_page_size : s->object_size;
  auto inside = [slot, slot_bytes](uintptr_t a) { return a >= slot && a < slot + slot_bytes; };
  if (box_bytes == 0 && inside(reinterpret_cast<uintptr_t>(arg)))
    panic("runtime.AddCleanup: ptr is equal to arg, cleanup will never run");
  for (size_t i = 0; i < box_bytes / sizeof(uintptr_t); i++)
    if (inside(static_cast<const uintptr_t*>(arg)[i]))
      panic("gc::add_cleanup: the callable captures a pointer into its object, so the cleanup would never run");
  auto* r = static_cast<Special*>(gort::allocate(sizeof(Special), false));
  r->offset = slot - s->start;
  r->invoke = invoke;
  r->fn = fn;
  r->arg = arg;
  r->box_bytes = box_bytes;
  r->discard = discard;
  LockGuard guard(specials_lock);
  r->id = ++next_cleanup_id;
  Special** link = &s->specials;
  while (*link != nullptr && (*link)->offset <= r->offset) link = &(*link)->next_in_span;
  r->next_in_span = *link;
  __atomic_store_n(link, r, __ATOMIC_RELEASE);  // the sweep tests s->specials without the lock
  r->previous = nullptr;
  r->next = all_specials;
  if (all_specials != nullptr) all_specials->previous = r;
  all_specials = r;
  return CleanupAccess::make(slot, r->id);
}

Cleanup add_cleanup(const void* object, void (*invoke)(ErasedFunction, void*), ErasedFunction fn, void* arg) {
  return attach_cleanup(object, invoke, fn, arg, 0, nullptr);
}

Cleanup add_boxed_cleanup(const void* object, void (*invoke)(ErasedFunction, void*), void (*discard)(void*), void* box,
                          size_t box_bytes) {
  return attach_cleanup(object, invoke, nullptr, box, box_bytes < sizeof(uintptr_t) ? sizeof(uintptr_t) : box_bytes, discard);
}

}  // namespace detail

bool Cleanup::stop() {
  uint64_t id = CleanupAccess::id(*this);
  if (id == 0) return false;
  CleanupAccess::clear(*this);
  uintptr_t p = CleanupAccess::object(*this);
  Special* found = nullptr;
  {
    LockGuard guard(specials_lock);
    Span* s = in_heap_arena(p) ? heap_span_of(p) : nullptr;
    // Not found: already queued or run (ids are never reused, so a record of a newer object
    // in the same slot is never taken for it).
    for (Special** link = s != nullptr ? &s->specials : nullptr; link != nullptr && *link != nullptr; link = &(*link)->next_in_span) {
      if ((*link)->id != id) continue;
      found = *link;
      __atomic_store_n(link, found->next_in_span, __ATOMIC_RELEASE);
      unlink_from_all(found);
      break;
    }
  }
  if (found == nullptr) return false;
  if (found->discard != nullptr) found->discard(found->arg);  // the callable form's box
  release(found);
  return true;
}

}  // namespace gc

}  // namespace gort
