// The collector's marker: what a mark reaches and how the work is shared, for the mark with
// the world stopped (GODEBUG=gcstoptheworld=1, gccheckmark's re-mark) and for the concurrent
// mark of Go's cycle (the default). The cycle that drives it, the pacer and the API are in
// runtime/collector.cpp; who marks when (the workers' turns, assists) is in
// runtime/mark_workers.cpp; the book's chapter is docs/07-collector.md.
//
// Colours. An object is white (mark bit clear), grey (mark bit set, queued on a work list,
// not yet scanned) or black (mark bit set, scanned, or holding nothing to scan). Marking
// ends when no grey object is left; the sweep then frees every white one.
//
// The work (a Marker): a private chain of MarkChunks, each an array of object ranges, plus
// counts of what it marked and scanned. A Marker of the stopped-world mark keeps every chunk
// to itself; a concurrent one (a mark worker's, an assist's, a Machine's scanning a stack)
// hands full chunks, and what is left when its batch ends, to the shared work list
// (work_lock), where every other marker finds them. Mark bits are set with an atomic OR while
// the mark is concurrent (several markers, and allocation, set bits in one word), with a
// plain OR with the world stopped.
//
// The concurrent mark's sources of grey objects:
//   1. the roots scanned in the first pause (begin_mark): the program's data and bss, the
//      Root handles, and the stack of the goroutine that starts the cycle;
//   2. root jobs, claimed by the first markers to ask (take_root_job): explicit channels'
//      buffers, every Processor's timers, the cleanups' arguments;
//   3. every goroutine's stack, scanned once per cycle while the goroutine is not running
//      (claim_scan, then scan_stopped_goroutine): by a mark worker walking the list of all goroutines
//      (scan_next_goroutine), by the Machine about to run it (scan_before_running, from
//      execute), or by the goroutine itself coming back from a system call
//      (scan_after_syscall). Each claims the goroutine's gc_scan_state by compare-and-swap, so
//      exactly one scans it, and nobody runs it while it is scanned. So a goroutine never runs
//      user code during a mark with an unscanned (grey) stack: every running stack is black;
//   4. the write barrier and channel copies (shade_pointer), into the current Processor's
//      shade buffer (ShadeBuffer: a lock per Processor, since the markers steal from it);
//   5. allocation: an object allocated during the mark is black at once (the allocator sets
//      its bit and counts it: take_black_allocations in runtime/allocator.cpp).
//
// Why this is enough (the tri-colour invariant the hybrid barrier keeps): at the first
// pause the roots are snapshotted (1), and every pointer a goroutine deletes from the heap
// afterwards is shaded first (the barrier's "old value"; channels shade what they take out
// of a buffer), so every object reachable at the pause is reached, and objects allocated
// later are black. A running stack is black (3), so what a goroutine stores anywhere came
// either from the snapshot (reached anyway) or from a new object (black). Stacks therefore
// need no rescan at the end (Go's hybrid barrier argument); raw stores into the data and bss
// (not barriered) are safe because those were scanned in the pause.
//
// Termination. Markers count themselves in active_markers while they hold private work.
// The last one to find nothing (root jobs done, goroutine walk done, no scan in progress,
// the shared list and every shade buffer empty) asks the cycle to end the mark
// (end_mark_if_done in runtime/collector.cpp); the second pause drains what mutators shaded
// since (finish_mark_in_pause), within a budget, and resumes the mark instead if that budget
// runs out.
//
// Locks: a ShadeBuffer's lock (rank MarkBuffer), then work_lock (MarkWork) under it; both
// rank after every lock the marker scans under (timer_lock, live_channels_lock,
// specials_lock, roots_lock, a channel's lock for channel copies). work_lock also guards the
// parked workers' pool (runtime/mark_workers.cpp); nothing is readied or woken under it.
#include "marker.h"

#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "channel.h"
#include "collector.h"
#include "context.h"
#include "elf.h"
#include "fatal.h"
#include "finalization.h"
#include "godebug.h"
#include "goroutine.h"
#include "heap.h"
#include "lock.h"
#include "machine.h"
#include "os_memory.h"
#include "preempt.h"
#include "print.h"
#include "processor.h"
#include "scheduler.h"
#include "size_classes.h"
#include "spin_lock.h"
#include "stack.h"
#include "syscall.h"
#include "time.h"
#include "timer.h"
#include "tunables.h"

extern "C" const char __ehdr_start[];  // the program's ELF header (see scan_data_and_bss)
extern "C" char __executable_start[];  // the image's first byte: a typed header's TypeInfo lies
                                       // between it and the first writable segment (readonly_end)

namespace gort {

MarkTotals mark_totals;

// --- Chunks and the shared work list ---

struct MarkChunk {
  static constexpr uint32_t capacity = (65536 - 16) / 16;
  MarkChunk* next;
  uint64_t count;
  struct Entry {
    uintptr_t start;  // bit 0 set: a typed object (its header is read)
    size_t bytes;
  } entries[capacity];
};
static_assert(sizeof(MarkChunk) <= 65536);

SpinLock<LockRank::MarkWork> work_lock;

namespace {

MarkChunk* shared_chunks = nullptr;  // work_lock: non-empty chunks waiting for a marker
MarkChunk* spare_chunks = nullptr;   // work_lock: empty chunks kept for reuse
uint32_t shared_chunk_count = 0;     // atomic (written under work_lock): a lock-free emptiness test

MarkChunk* new_chunk() {
  MarkChunk* c;
  {
    LockGuard guard(work_lock);
    c = spare_chunks;
    if (c != nullptr) spare_chunks = c->next;
  }
  if (c == nullptr) c = static_cast<MarkChunk*>(os_alloc(sizeof(MarkChunk)));
  if (c == nullptr) fatal("gc: out of memory for the mark stack");
  c->next = nullptr;
  c->count = 0;
  return c;
}

void recycle_chunk(MarkChunk* c) {
  LockGuard guard(work_lock);
  c->next = spare_chunks;
  spare_chunks = c;
}

// No Processor is woken here (nor anywhere for new work: an idle one finds it when it next
// looks, as Go's do since waking for it was withdrawn, golang.org/issue/19112): a thread
// woken for marking is one more runnable thread than a small machine has CPUs for, and a
// stop of the world then waits for the kernel to run it.
void publish_chunk(MarkChunk* c) {
  LockGuard guard(work_lock);
  c->next = shared_chunks;
  shared_chunks = c;
  __atomic_store_n(&shared_chunk_count, shared_chunk_count + 1, __ATOMIC_SEQ_CST);
}

MarkChunk* take_shared_chunk() {
  if (__atomic_load_n(&shared_chunk_count, __ATOMIC_SEQ_CST) == 0) return nullptr;
  LockGuard guard(work_lock);
  MarkChunk* c = shared_chunks;
  if (c != nullptr) {
    shared_chunks = c->next;
    __atomic_store_n(&shared_chunk_count, shared_chunk_count - 1, __ATOMIC_SEQ_CST);
    c->next = nullptr;
  }
  return c;
}

}  // namespace

// --- A marker's private work ---

// Inline: every object the mark reaches is pushed (only this file pushes).
[[gnu::always_inline]] inline void Marker::push(uintptr_t start, size_t bytes) {
  if (__builtin_expect(chunk == nullptr || chunk->count == MarkChunk::capacity, 0)) start_chunk();
  chunk->entries[chunk->count++] = {start, bytes};
}

void Marker::start_chunk() {
  MarkChunk* fresh = new_chunk();
  if (chunk != nullptr && concurrent) {
    publish_chunk(chunk);  // a full chunk is for everyone
    chunk = nullptr;
  }
  fresh->next = chunk;
  chunk = fresh;
}

// Inline (only this file pops). The usual case: the ring holds all but one (as the last pop
// left it) and the top chunk has entries; the chunk's top joins the ring, prefetched, and the
// oldest leaves it.
[[gnu::always_inline]] inline bool Marker::pop(uintptr_t* start, size_t* bytes) {
  MarkChunk* c = chunk;
  if (__builtin_expect(prefetch_count == prefetch_depth - 1 && c != nullptr && c->count != 0, 1)) {
    const MarkChunk::Entry& e = c->entries[--c->count];
    __builtin_prefetch(reinterpret_cast<const void*>(e.start & ~uintptr_t(1)));  // bit 0: typed
    prefetched[(prefetch_head + prefetch_depth - 1) % prefetch_depth] = {e.start, e.bytes};
    const Grey& oldest = prefetched[prefetch_head];
    *start = oldest.start;
    *bytes = oldest.bytes;
    prefetch_head = (prefetch_head + 1) % prefetch_depth;
    return true;
  }
  return pop_refilling(start, bytes);
}

// pop's general case: fills the ring from the chain (recycling empty chunks), then returns
// the oldest.
bool Marker::pop_refilling(uintptr_t* start, size_t* bytes) {
  while (prefetch_count < prefetch_depth) {
    Grey g;
    if (!pop_chain(&g.start, &g.bytes)) break;
    __builtin_prefetch(reinterpret_cast<const void*>(g.start & ~uintptr_t(1)));  // bit 0: typed
    prefetched[(prefetch_head + prefetch_count++) % prefetch_depth] = g;
  }
  if (prefetch_count == 0) return false;
  const Grey& g = prefetched[prefetch_head];
  *start = g.start;
  *bytes = g.bytes;
  prefetch_head = (prefetch_head + 1) % prefetch_depth;
  prefetch_count--;
  return true;
}

bool Marker::pop_chain(uintptr_t* start, size_t* bytes) {
  while (chunk != nullptr && chunk->count == 0) {
    MarkChunk* empty = chunk;
    chunk = empty->next;
    recycle_chunk(empty);
  }
  if (chunk == nullptr) return false;
  const MarkChunk::Entry& e = chunk->entries[--chunk->count];
  *start = e.start;
  *bytes = e.bytes;
  return true;
}

void Marker::adopt(MarkChunk* c) {
  c->next = chunk;
  chunk = c;
}

void Marker::flush() {
  for (; prefetch_count != 0; prefetch_count--) {  // popped, not scanned: grey still
    const Grey& g = prefetched[prefetch_head];
    prefetch_head = (prefetch_head + 1) % prefetch_depth;
    push(g.start, g.bytes);
  }
  prefetch_head = 0;
  __builtin_memset(prefetched, 0, sizeof prefetched);  // as check_slot below: no stale heap address
  while (chunk != nullptr) {
    MarkChunk* c = chunk;
    chunk = c->next;
    c->next = nullptr;
    if (c->count != 0) publish_chunk(c);
    else recycle_chunk(c);
  }
  if (marked_objects != 0) {
    __atomic_add_fetch(&mark_totals.marked_bytes, marked_bytes, __ATOMIC_RELAXED);
    __atomic_add_fetch(&mark_totals.marked_objects, marked_objects, __ATOMIC_RELAXED);
  }
  if (scanned_bytes != 0) __atomic_add_fetch(&mark_totals.scanned_bytes, scanned_bytes, __ATOMIC_RELAXED);
  if (stack_bytes != 0) __atomic_add_fetch(&mark_totals.stack_bytes, stack_bytes, __ATOMIC_RELAXED);
  if (stacks != 0) __atomic_add_fetch(&mark_totals.stacks, stacks, __ATOMIC_RELAXED);
  if (global_bytes != 0) __atomic_add_fetch(&mark_totals.global_bytes, global_bytes, __ATOMIC_RELAXED);
  marked_bytes = marked_objects = scanned_bytes = stack_bytes = global_bytes = stacks = 0;
  check_slot = check_object = 0;  // a Marker may live on a goroutine's stack: no stale heap address
}

// --- gccheckmark's bits: one per 8 bytes of the arena, mapped for one check at a time ---

uint64_t* checkmark_bits = nullptr;

void map_checkmark_bits() {
  long at = sys::mmap_or_error(nullptr, tunables::heap_arena_bytes / 64, sys::PROT_READ | sys::PROT_WRITE,
                               sys::MAP_PRIVATE | sys::MAP_ANONYMOUS | sys::MAP_NORESERVE);
  if (at < 0) fatal("gc: cannot map gccheckmark's bitmap");
  checkmark_bits = reinterpret_cast<uint64_t*>(at);
}

void unmap_checkmark_bits() {
  sys::munmap(checkmark_bits, tunables::heap_arena_bytes / 64);
  checkmark_bits = nullptr;
}

// True if the object at `start` was not yet marked by the check (and now is).
inline bool checkmark_test_and_set(uintptr_t start) {
  uintptr_t index = (start - heap_arena_start) / 8;
  uint64_t bit = 1ULL << (index % 64);
  if (checkmark_bits[index / 64] & bit) return false;
  checkmark_bits[index / 64] |= bit;
  return true;
}
// Undoes checkmark_test_and_set for an object the check did not traverse.
inline void checkmark_clear(uintptr_t start) {
  uintptr_t index = (start - heap_arena_start) / 8;
  checkmark_bits[index / 64] &= ~(1ULL << (index % 64));
}

// --- The conservative test ---

// Marks the collected object `word` points into, if any, and queues it for scanning if it
// may hold pointers. Cheapest rejection first: in the arena (a shift and a compare); the
// page-class map (one load) says a small span's class, explicit or collected, or 0 for every
// other page; the span map gives the span; the object's index by the class's reciprocal (an
// interior pointer finds its object's start); its alloc bit; its mark bit.
//
// A page whose class is collected needs no more checks on its span: the class is written
// last when the span is made (release; read here with acquire), so the span map already
// names the span and its fields are visible, and a collected small span goes back to the
// heap only when a sweep frees it or with the world stopped, neither of which can happen
// while a marker is inside this function (sweeps start after the mark; a marker is runtime
// code, stopped only at its preemption points). A large object's page has class 0 and takes
// heap_span_of's checks (the map may name a stale record inside a free run).
// Inlined into the scan loops (a call per word had been a fifth of the mark's time: most
// words are not pointers and leave at the first test); mark_word is the out-of-line entry.
[[gnu::always_inline]] inline void mark_candidate(uintptr_t word, Marker& m) {
  if (!in_heap_arena(word)) return;
  uint32_t entry = arena_page_class(word);
  Span* s;
  uint32_t index;
  uintptr_t start;
  size_t bytes;
  if (entry != 0) {
    if ((entry & 0xffff) < collected_span_class_base) return;  // an explicit small span
    s = __atomic_load_n(&span_map[(word - heap_arena_start) / heap_page_size], __ATOMIC_RELAXED);
    index = uint32_t(((word - s->start) * size_classes::class_reciprocal[s->size_class]) >> 32);
    if (index >= s->object_count) return;  // the span's unused tail
    if ((__atomic_load_n(&s->alloc_bits(index / 64), __ATOMIC_RELAXED) & (1ULL << (index % 64))) == 0) return;  // a free slot
    start = s->start + uintptr_t(index) * s->object_size;
    bytes = s->object_size;
  } else {
    s = heap_span_of(word);
    if (s == nullptr || !__atomic_load_n(&s->collected, __ATOMIC_ACQUIRE) || s->size_class != 0) return;
    index = 0;
    start = s->start;
    bytes = size_t(s->pages) * heap_page_size;
  }
  uint64_t bit = 1ULL << (index % 64);
  uint64_t* mark_bits = &s->mark_bits(index / 64);
  if (__builtin_expect(m.check != nullptr, 0)) {  // gccheckmark's re-mark: its own bits
    if (!checkmark_test_and_set(start)) return;
    if (!m.check(start, m)) {  // not traversed (a stale stack word: see report_if_unmarked)
      checkmark_clear(start);    // so a heap slot that reaches it later still reports it
      return;
    }
  } else if (m.concurrent) {
    if (__atomic_load_n(mark_bits, __ATOMIC_RELAXED) & bit) return;
    if (!set_bit_was_clear(mark_bits, index)) return;  // another marker won
  } else {
    if (*mark_bits & bit) return;
    *mark_bits |= bit;
  }
  m.marked_bytes += bytes;
  m.marked_objects++;
  // A typed span's objects are queued with bit 0 of their start set (starts are at least
  // 8-byte aligned): scan_object reads their headers.
  if (!s->noscan) m.push(start | uintptr_t(s->typed), bytes);
}

void mark_word(uintptr_t word, Marker& m) { mark_candidate(word, m); }

namespace {

// Every aligned word of [lo, hi). gccheckmark's re-mark records each slot (the one that
// names a missed object); it takes its own loop so the mark's has no test for it. Inlined
// into scan_object, the mark's inner loop; scan_range is the entry for everything else.
[[gnu::always_inline]] inline void scan_words(uintptr_t lo, uintptr_t hi, Marker& m) {
  lo = (lo + 7) & ~uintptr_t(7);
  if (__builtin_expect(m.check != nullptr, 0)) {
    for (uintptr_t at = lo; at + 8 <= hi; at += 8) {
      m.check_slot = at;
      mark_word(*reinterpret_cast<const uintptr_t*>(at), m);
    }
    return;
  }
  for (uintptr_t at = lo; at + 8 <= hi; at += 8)
    mark_candidate(__atomic_load_n(reinterpret_cast<const uintptr_t*>(at), __ATOMIC_RELAXED), m);
}

void scan_range(uintptr_t lo, uintptr_t hi, Marker& m) { scan_words(lo, hi, m); }

// Whether a typed header's TypeInfo address can be one: inside the program's image, aligned.
// A concurrent marker can meet a slot between take_slot and its header's store (through a
// stale pointer on a stack): that object is being allocated, so it is black and needs no scan.
uintptr_t readonly_end = 0;  // the first writable segment's start; set before each mark (size_snapshot_buffer)
bool plausible_type(uintptr_t type) {
  return (type & 7) == 0 && type >= uintptr_t(__executable_start) && type + sizeof(gc::TypeInfo) <= readonly_end &&
         reinterpret_cast<const gc::TypeInfo*>(type)->size != 0;
}

// A typed object (runtime/collector.h: a 16-byte header {TypeInfo* | state, count} at the
// start of its slot): with a layout, only each element's pointer words; without one, every
// word of its elements; the header itself never. One whose destructor ran is not scanned: a
// stale pointer keeps its memory, nothing it pointed to.
void scan_typed_object(uintptr_t start, size_t bytes, Marker& m) {
  const auto* header = reinterpret_cast<const uintptr_t*>(start);
  uintptr_t word = __atomic_load_n(&header[0], __ATOMIC_ACQUIRE);
  auto* type = reinterpret_cast<const gc::TypeInfo*>(word & ~uintptr_t(gc::detail::header_state_mask));
  if (!plausible_type(uintptr_t(type))) {
    if (m.concurrent) return;
    fatal("gc: a typed object has no type");  // allocate_collected_typed writes it first
  }
  if (word & gc::detail::header_destroyed) return;
  uintptr_t first = start + type->header_bytes;
  uint64_t count = __atomic_load_n(&header[1], __ATOMIC_RELAXED);
  uint64_t room = bytes > type->header_bytes ? (bytes - type->header_bytes) / type->size : 0;
  if (count > room) {
    if (m.concurrent) return;  // a stale header of a slot being reused
    fatal("gc: a typed object's count exceeds its slot");
  }
  if (type->pointer_bits == nullptr) {
    scan_range(first, first + count * type->size, m);
    return;
  }
  for (uint64_t e = 0; e < count; e++) {
    auto* element = reinterpret_cast<const uintptr_t*>(first + e * type->size);
    for (uint32_t w = 0; w < type->layout_words; w += 64) {
      for (uint64_t bits = type->pointer_bits[w / 64]; bits != 0; bits &= bits - 1) {
        const uintptr_t* slot = &element[w + uint32_t(__builtin_ctzll(bits))];
        if (__builtin_expect(m.check != nullptr, 0)) m.check_slot = uintptr_t(slot);
        mark_candidate(__atomic_load_n(slot, __ATOMIC_RELAXED), m);
      }
    }
  }
}

// The one place a marked object is scanned: by its type if its span is typed.
[[gnu::always_inline]] inline void scan_object(uintptr_t start, size_t bytes, Marker& m) {
  if (__builtin_expect(m.check != nullptr, 0)) m.check_object = start & ~uintptr_t(1);
  if (start & 1) scan_typed_object(start & ~uintptr_t(1), bytes, m);
  else scan_words(start, start + bytes, m);
  m.scanned_bytes += bytes;
  m.check_object = 0;
}

// Like scan_range, and a word that points to the start of an explicit object (a channel's
// box: `new T` for a T that is not trivially copyable, gort.h) has that object scanned too.
void scan_range_with_boxes(uintptr_t lo, uintptr_t hi, Marker& m) {
  lo = (lo + 7) & ~uintptr_t(7);
  for (uintptr_t at = lo; at + 8 <= hi; at += 8) {
    uintptr_t word = __atomic_load_n(reinterpret_cast<const uintptr_t*>(at), __ATOMIC_RELAXED);
    if (__builtin_expect(m.check != nullptr, 0)) m.check_slot = at;  // gccheckmark only: an interior pointer
    mark_word(word, m);
    if (!in_heap_arena(word)) continue;
    Span* s = heap_span_of(word);
    if (s == nullptr || s->collected) continue;
    void* base = object_base(reinterpret_cast<void*>(word));
    if (reinterpret_cast<uintptr_t>(base) == word) scan_range(word, word + allocation_size(base), m);
  }
}

// --- Stacks ---

// A goroutine's stack from sp up: the rest of the segment sp is in, then each earlier
// segment from where the goroutine left it (StackSegment::left_sp, set by
// enter_next_segment) to its top. What lies below left_sp is frames that have returned: not
// scanning them keeps their stale words from retaining garbage. Deeper cached segments are
// unused.
void scan_stack(const Goroutine* g, uintptr_t sp, Marker& m) {
  m.stacks++;
  const StackSegment* s = g->segment;
  if (s == nullptr || sp < s->base || sp > s->base + s->size) fatal("gc: a goroutine's stack pointer is outside its segment");
  scan_range(sp, s->base + s->size, m);
  m.stack_bytes += s->base + s->size - sp;
  for (s = s->previous; s != nullptr; s = s->previous) {
    if (s->left_sp < s->base + stack_bottom_canary_bytes || s->left_sp > s->base + s->size)
      fatal("gc: a goroutine left a stack segment at a stack pointer outside it");
    scan_range(s->left_sp, s->base + s->size, m);
    m.stack_bytes += s->base + s->size - s->left_sp;
  }
}

}  // namespace

// A goroutine that is not running: its saved registers and its stack. The caller stopped
// the world, or holds g's scan claim (g cannot start running meanwhile).
void scan_stopped_goroutine(Goroutine* g, Marker& m) {
  arch::StoppedRegisters registers;
  GoroutineStatus status = GoroutineStatus(__atomic_load_n(reinterpret_cast<const uint32_t*>(&g->status), __ATOMIC_ACQUIRE));
  switch (status) {
    case GoroutineStatus::Idle:
    case GoroutineStatus::Dead:
      return;  // no frames (a dead one's stack is garbage)
    case GoroutineStatus::Running:
      fatal("gc: a goroutine is running while its stack is scanned");
    case GoroutineStatus::Syscall:
      // Back from the kernel and on its way to the global queue (exit_syscall_without_processor
      // in runtime/blocking.cpp cleared g->machine on the scheduler stack): its switch frame.
      if (!stopped_registers(g, &registers))
        registers = arch::registers_of(reinterpret_cast<const arch::SwitchFrame*>(g->saved_sp));
      break;
    default:
      if (!stopped_registers(g, &registers)) fatal("gc: a stopped goroutine has no saved registers");
  }
  m.check_slot = 0;
  for (size_t i = 0; i < registers.word_count; i++) mark_word(registers.words[i], m);
  scan_stack(g, registers.sp, m);
  // Stopped or parked, so its cached segments are not in use; not one in a system call,
  // which may be back on its stack already (Go does not shrink those either).
  if (status != GoroutineStatus::Syscall) shrink_stack(g);
}

// Calls visit(lo, hi) for each of the program's writable loaded segments: .data, .bss, and
// the runtime's own globals.
template <typename Visit>
void for_each_writable_segment(Visit visit) {
  auto* header = reinterpret_cast<const elf::Header*>(__ehdr_start);
  // The load bias (0 for gort's static, non-PIE binaries): where the header is, less where
  // the segment that holds it was linked.
  uintptr_t bias = 0;
  for (uint16_t i = 0; i < header->phnum; i++) {
    const elf::ProgramHeader* ph = elf::program_header(header, i);
    if (ph->type == elf::PT_LOAD && ph->offset == 0) bias = uintptr_t(__ehdr_start) - ph->vaddr;
  }
  for (uint16_t i = 0; i < header->phnum; i++) {
    const elf::ProgramHeader* ph = elf::program_header(header, i);
    if (ph->type == elf::PT_LOAD && (ph->flags & elf::PF_W) != 0) visit(bias + ph->vaddr, bias + ph->vaddr + ph->memsz);
  }
}

void scan_data_and_bss(Marker& m) {
  for_each_writable_segment([&m](uintptr_t lo, uintptr_t hi) {
    scan_range(lo, hi, m);
    m.global_bytes += hi - lo;
  });
}

// The data and bss as they were in the first pause (Go scans its globals concurrently behind
// a barrier on every store to them; gort's programs store to globals without one, so the
// mark scans a copy made in the pause instead: a memcpy there, not a scan, so its cost is
// bytes copied, about 10 us per 100 KB, and a pointer deleted from a global afterwards is in
// the copy). Written in begin_mark, scanned by a root job; memory from the OS, kept.
struct GlobalsSnapshot {
  uint8_t* bytes = nullptr;
  size_t capacity = 0, used = 0;
};
GlobalsSnapshot globals_snapshot;

// Makes the snapshot's buffer hold the writable segments as they are now (a new buffer
// only if they grew), its pages touched so that the pause that fills it takes no page faults.
// Notes where the read-only image ends (readonly_end).
void size_snapshot_buffer() {
  size_t total = 0;
  uintptr_t first_writable = 0;
  for_each_writable_segment([&total, &first_writable](uintptr_t lo, uintptr_t hi) {
    total += ((hi + 7) & ~uintptr_t(7)) - (lo & ~uintptr_t(7));
    if (first_writable == 0 || lo < first_writable) first_writable = lo;
  });
  readonly_end = first_writable;  // one store: never 0 between two marks' reads
  if (total <= globals_snapshot.capacity) return;
  if (globals_snapshot.bytes != nullptr) os_free(globals_snapshot.bytes, globals_snapshot.capacity);
  size_t capacity = (total + 65535) & ~size_t(65535);
  globals_snapshot.bytes = static_cast<uint8_t*>(os_alloc(capacity));
  if (globals_snapshot.bytes == nullptr) fatal("gc: out of memory for the globals' snapshot");
  globals_snapshot.capacity = capacity;
  __builtin_memset(globals_snapshot.bytes, 0, capacity);
}

void snapshot_data_and_bss() {
  size_snapshot_buffer();  // prepare_mark sized it already, unless the segments grew since
  size_t at = 0;
  for_each_writable_segment([&at](uintptr_t lo, uintptr_t hi) {
    lo &= ~uintptr_t(7);
    hi = (hi + 7) & ~uintptr_t(7);
    __builtin_memcpy(globals_snapshot.bytes + at, reinterpret_cast<const void*>(lo), hi - lo);
    at += hi - lo;
  });
  globals_snapshot.used = at;
}

// The snapshot is scanned in pieces of this size, each a root job of its own: a job is one
// step of a marker's batch, which a stop of the world waits for.
constexpr size_t snapshot_piece_bytes = 8 << 10;
uint32_t snapshot_pieces() { return uint32_t((globals_snapshot.used + snapshot_piece_bytes - 1) / snapshot_piece_bytes); }

void scan_globals_snapshot(Marker& m, uint32_t piece) {
  uintptr_t lo = reinterpret_cast<uintptr_t>(globals_snapshot.bytes) + uintptr_t(piece) * snapshot_piece_bytes;
  uintptr_t end = reinterpret_cast<uintptr_t>(globals_snapshot.bytes) + globals_snapshot.used;
  uintptr_t hi = lo + snapshot_piece_bytes < end ? lo + snapshot_piece_bytes : end;
  scan_range(lo, hi, m);
  m.global_bytes += hi - lo;
}

void scan_root_handles(Marker& m);  // runtime/collector.cpp (roots_lock is there)

namespace {

void mark_word_with(uintptr_t word, void* marker) { mark_word(word, *static_cast<Marker*>(marker)); }

// Each explicit channel's buffer, and the values its blocked senders wait to send (on their
// stacks; for a channel of boxed elements the word there points to an explicit box, which a
// stack scan would not follow). A concurrent marker holds the channel's lock meanwhile
// (live_channels_lock ranks before a channel's), so the waiter list is stable.
void scan_channels(Marker& m) {
  for_each_channel([](ChannelCore* c, void* arg) {
    Marker& m = *static_cast<Marker*>(arg);
    if (m.concurrent) c->lock.lock();
    if (c->buffer != nullptr) {
      uintptr_t buffer = reinterpret_cast<uintptr_t>(c->buffer);
      scan_range_with_boxes(buffer, buffer + size_t(c->capacity) * c->element_size, m);
    }
    for (ChannelWaiter* w = c->senders.head; w != nullptr; w = w->next) {
      uintptr_t element = reinterpret_cast<uintptr_t>(w->element);
      if (element != 0) scan_range_with_boxes(element, element + c->element_size, m);
    }
    if (m.concurrent) c->lock.unlock();
  }, &m);
}

// A pending timer's record: its words (arg may point anywhere), and the record itself when
// it lies in a collected object (after()'s Timer, or a gc::make<Timer>): pending, it is
// kept; fired and out of the heap, it is garbage once nothing else points to it.
void scan_timers(Marker& m) {
  for (int32_t i = 0; i < max_processors; i++) {
    Processor* p = __atomic_load_n(&scheduler.processors[i], __ATOMIC_ACQUIRE);
    if (p == nullptr) continue;
    if (m.concurrent) p->timer_lock.lock();
    for (int32_t t = 0; t < p->timer_count; t++) {
      uintptr_t record = reinterpret_cast<uintptr_t>(p->timers[t]);
      m.check_slot = 0;
      mark_word(record, m);
      scan_range(record, record + sizeof(TimerRecord), m);
    }
    if (m.concurrent) p->timer_lock.unlock();
  }
}

void scan_cleanups(Marker& m) {
  m.check_slot = 0;
  scan_cleanup_arguments(mark_word_with, &m);  // runtime/finalization.cpp
}

// --- The concurrent mark's shared state (reset in begin_mark, with the world stopped) ---

// A Processor's shade buffer: what barriers and channel copies on it shaded.
struct ShadeBuffer {
  SpinLock<LockRank::MarkBuffer> lock;
  Marker marker;  // lock; concurrent
};
ShadeBuffer* shade_buffers[max_processors];  // made for each Processor index at its first mark

// The root jobs: the globals' snapshot piece by piece, then channels, timers, cleanups.
uint32_t root_job_count = 3;   // set by begin_mark (the pieces + 3), before any marker runs
uint32_t next_root_job = 0;    // atomic: the next job to claim
uint32_t root_jobs_done = 0;   // atomic
Goroutine* goroutine_cursor = nullptr;  // atomic: the next goroutine of the walk (from the first pause); null: walked
uint32_t scans_in_progress = 0;  // atomic: stacks claimed and not yet done
uint32_t active_markers = 0;     // atomic: markers holding private work

bool take_root_job(Marker& m) {
  if (__atomic_load_n(&next_root_job, __ATOMIC_RELAXED) >= root_job_count) return false;
  uint32_t job = __atomic_fetch_add(&next_root_job, 1, __ATOMIC_ACQ_REL);
  if (job >= root_job_count) return false;
  uint32_t pieces = root_job_count - 3;
  if (job < pieces) scan_globals_snapshot(m, job);
  else if (job == pieces) scan_channels(m);
  else if (job == pieces + 1) scan_timers(m);
  else scan_cleanups(m);
  __atomic_add_fetch(&root_jobs_done, 1, __ATOMIC_SEQ_CST);
  return true;
}

// Claims g's scan for `cycle`: true if the caller now must scan it (busy is set); false if
// it is done or someone else is scanning it.
bool claim_scan(Goroutine* g, uint32_t cycle) {
  uint32_t state = __atomic_load_n(&g->gc_scan_state, __ATOMIC_ACQUIRE);
  for (;;) {
    if ((state >> 1) == cycle) return false;
    if (__atomic_compare_exchange_n(&g->gc_scan_state, &state, scanned_state(cycle) | 1, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
      __atomic_add_fetch(&scans_in_progress, 1, __ATOMIC_SEQ_CST);
      return true;
    }
  }
}

void release_scan(Goroutine* g, uint32_t cycle) {
  __atomic_store_n(&g->gc_scan_state, scanned_state(cycle), __ATOMIC_RELEASE);
  __atomic_sub_fetch(&scans_in_progress, 1, __ATOMIC_SEQ_CST);
}

// Returns once g's scan for `cycle` is done (someone else held the claim).
void wait_for_scan(Goroutine* g, uint32_t cycle) {
  while (__atomic_load_n(&g->gc_scan_state, __ATOMIC_ACQUIRE) != scanned_state(cycle)) __builtin_ia32_pause();
}

// The walk over every goroutine: takes the next from the cursor and scans it if unclaimed.
// False when the walk is over.
bool scan_next_goroutine(Marker& m) {
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE);
  // The list only grows at its tail, and each record's link is written before it is
  // published, so walking it needs no lock.
  Goroutine* g = __atomic_load_n(&goroutine_cursor, __ATOMIC_ACQUIRE);
  for (;;) {
    if (g == nullptr) return false;
    Goroutine* next = __atomic_load_n(&g->next_in_all, __ATOMIC_ACQUIRE);
    if (__atomic_compare_exchange_n(&goroutine_cursor, &g, next, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
  }
  if (claim_scan(g, cycle)) {
    scan_stopped_goroutine(g, m);
    release_scan(g, cycle);
  }
  return true;
}

// Takes what a Processor's buffer holds (the markers steal from the barriers). True if any.
bool steal_shade_buffers(Marker& m) {
  bool found = false;
  for (int32_t i = 0; i < max_processors; i++) {
    ShadeBuffer* b = __atomic_load_n(&shade_buffers[i], __ATOMIC_ACQUIRE);
    if (b == nullptr) break;
    if (__atomic_load_n(&b->marker.chunk, __ATOMIC_RELAXED) == nullptr) continue;
    MarkChunk* c;
    {
      LockGuard guard(b->lock);
      c = b->marker.chunk;
      b->marker.chunk = nullptr;
    }
    while (c != nullptr) {
      MarkChunk* next = c->next;
      c->next = nullptr;
      if (c->count != 0) {
        m.adopt(c);
        found = true;
      } else {
        recycle_chunk(c);
      }
      c = next;
    }
  }
  return found;
}

// One step of marking, from wherever work is, in this order: an object of m's own, a
// chunk from the shared list (taken, not scanned: the next step scans), a root job, the
// next goroutine of the walk, the Processors' shade buffers. Returns the bytes of work it
// did (a root job or a stack counts 64 besides the bytes it scanned), 1 for a chunk taken,
// 0 when none was left anywhere.
uint64_t mark_step(Marker& m) {
  uintptr_t object;
  size_t bytes;
  if (m.pop(&object, &bytes)) {
    scan_object(object, bytes, m);
    return bytes;
  }
  if (MarkChunk* c = take_shared_chunk()) {
    m.adopt(c);
    return 1;
  }
  if (take_root_job(m) || scan_next_goroutine(m) || steal_shade_buffers(m)) return 64;
  return 0;
}

}  // namespace

// Work no marker has taken yet: chunks on the shared list, root jobs, goroutines not walked.
bool unclaimed_work() {
  return __atomic_load_n(&shared_chunk_count, __ATOMIC_SEQ_CST) != 0 ||
         __atomic_load_n(&next_root_job, __ATOMIC_SEQ_CST) < root_job_count ||
         __atomic_load_n(&goroutine_cursor, __ATOMIC_SEQ_CST) != nullptr;
}

// Scans up to about `budget` bytes (objects and stacks), taking work from wherever it is;
// flushes what is left to the shared list and the counts to mark_totals. Returns whether it
// found anything to do. A concurrent marker, any stack (callers use the scheduler stack).
uint64_t drain(Marker& m, uint64_t budget) {
  uint64_t found = 0;
  uint64_t start = m.scanned_bytes + m.stack_bytes;
  // A stop of the world waits for this batch (runtime code is not preempted): it ends early
  // when one is requested (a load of a line that is only read between stops, each step: one
  // object, one stack, or one root job of at most 8 KiB), so a pause is not a batch long.
  while (m.scanned_bytes + m.stack_bytes - start < budget) {
    if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_RELAXED)) break;
    uint64_t step = mark_step(m);
    if (step == 0) break;
    if (step > 1) found += step;
  }
  found += m.stack_bytes;
  m.flush();

  return found;
}

namespace {
struct Batch {
  Marker* marker;
  uint64_t budget;
  uint64_t done;
};
void drain_on_scheduler_stack(void* arg) {
  auto* batch = static_cast<Batch*>(arg);
  batch->done = drain(*batch->marker, batch->budget);
}
}  // namespace

void enter_marking() { __atomic_add_fetch(&active_markers, 1, __ATOMIC_SEQ_CST); }
uint32_t leave_marking() { return __atomic_sub_fetch(&active_markers, 1, __ATOMIC_SEQ_CST); }

// One batch of a worker's or an assist's marking, from its goroutine: counted in
// active_markers meanwhile, drained on the scheduler stack (its depth is drain's, not the
// goroutine's to provide), its time added to *cpu_ns. *left: the active markers after it.
uint64_t drain_batch(Marker* m, uint64_t budget, uint64_t* cpu_ns, uint32_t* left) {
  enter_marking();
  int64_t t0 = nanotime();
  Batch batch{m, budget, 0};
  run_on_scheduler_stack(drain_on_scheduler_stack, &batch);
  __atomic_add_fetch(cpu_ns, uint64_t(nanotime() - t0), __ATOMIC_RELAXED);
  *left = leave_marking();
  return batch.done;
}

// What the barrier and channel copies shaded into the Processors' buffers, not yet stolen.
bool shade_buffers_hold_work() {
  for (int32_t i = 0; i < max_processors; i++) {
    ShadeBuffer* b = __atomic_load_n(&shade_buffers[i], __ATOMIC_ACQUIRE);
    if (b == nullptr) break;
    if (__atomic_load_n(&b->marker.chunk, __ATOMIC_RELAXED) != nullptr) return true;
  }
  return false;
}

// Whether the concurrent mark has anything left that a marker could find or holds: false
// is the end of the mark, but for what mutators shade meanwhile (the second pause takes that).
bool mark_work_left() {
  if (__atomic_load_n(&root_jobs_done, __ATOMIC_SEQ_CST) < root_job_count) return true;
  if (unclaimed_work()) return true;
  if (__atomic_load_n(&scans_in_progress, __ATOMIC_SEQ_CST) != 0) return true;
  if (__atomic_load_n(&active_markers, __ATOMIC_SEQ_CST) != 0) return true;
  return shade_buffers_hold_work();
}


// --- Shading (the write barrier's and the channels' entry) ---

void shade_pointer(uintptr_t word) {
  if (__atomic_load_n(&mark_phase, __ATOMIC_ACQUIRE) == 0) return;
  if (!in_heap_arena(word)) return;  // null or not the heap: no lock to take
  Processor* p = cpu::current_machine()->processor;
  if (p == nullptr) fatal("gc: shade without a processor");
  ShadeBuffer* b = __atomic_load_n(&shade_buffers[p->id], __ATOMIC_ACQUIRE);
  if (b == nullptr) {  // a Processor made during this mark (GOMAXPROCS grew): straight to the shared list
    Marker m;
    m.concurrent = true;
    mark_word(word, m);
    m.flush();
    return;
  }
  LockGuard guard(b->lock);
  b->marker.check_slot = 0;
  mark_word(word, b->marker);
  // Counts go to the totals at once (the buffer's chunks stay for the markers to steal).
  if (b->marker.marked_objects != 0) {
    __atomic_add_fetch(&mark_totals.marked_bytes, b->marker.marked_bytes, __ATOMIC_RELAXED);
    __atomic_add_fetch(&mark_totals.marked_objects, b->marker.marked_objects, __ATOMIC_RELAXED);
    b->marker.marked_bytes = b->marker.marked_objects = 0;
  }
}


void shade_range(uintptr_t lo, uintptr_t hi) {
  if (__atomic_load_n(&mark_phase, __ATOMIC_ACQUIRE) == 0) return;
  lo = (lo + 7) & ~uintptr_t(7);
  for (uintptr_t at = lo; at + 8 <= hi; at += 8) shade_pointer(*reinterpret_cast<const uintptr_t*>(at));
}

// --- Stacks scanned outside the walk ---

// From execute, on the scheduler stack, with a Processor: g is about to run. During a mark
// its stack is scanned first (or waited for, if a worker is scanning it).
void scan_before_running(Goroutine* g) {
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE);
  if (claim_scan(g, cycle)) {
    Marker m;
    m.concurrent = true;
    scan_stopped_goroutine(g, m);
    m.flush();
    release_scan(g, cycle);
  } else {
    wait_for_scan(g, cycle);
  }
}

namespace {
struct SelfScan {
  Goroutine* self;
  uintptr_t sp;
};
void scan_self_on_scheduler_stack(void* arg) {
  auto* s = static_cast<SelfScan*>(arg);
  Marker m;
  m.concurrent = true;
  scan_stack(s->self, s->sp, m);
  m.flush();
}
}  // namespace

// The goroutine itself, back from a system call with a Processor, before it returns to its
// caller: its callee-saved registers are spilled into this frame (unwind_init), and its
// stack is scanned from here up. Runs on the goroutine's stack.
__attribute__((noinline)) void scan_after_syscall(Goroutine* g) {
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE);
  if (!claim_scan(g, cycle)) {
    wait_for_scan(g, cycle);
    return;
  }
  __builtin_unwind_init();
  SelfScan s{g, 0};
  asm volatile("mov %%rsp, %0" : "=r"(s.sp) : : "memory");
  run_on_scheduler_stack(scan_self_on_scheduler_stack, &s);
  asm volatile("" : : : "memory");
  release_scan(g, cycle);
}

// --- The pauses ---

namespace {
// A ShadeBuffer for every Processor that has none. Either with the world stopped or by the
// cycle's starter before it stops it (one at a time: cycle_starting).
void make_shade_buffers() {
  for (int32_t i = 0; i < max_processors && scheduler.processors[i] != nullptr; i++) {
    if (shade_buffers[i] != nullptr) continue;
    auto* b = static_cast<ShadeBuffer*>(persistent_alloc(sizeof(ShadeBuffer), 64));  // zeroed: a free lock
    b->marker.concurrent = true;
    __atomic_store_n(&shade_buffers[i], b, __ATOMIC_RELEASE);
  }
}
}  // namespace

// Before the first pause, with the world running (the cycle's starter, which alone may:
// cycle_starting): what the pause would otherwise get from the OS, made and touched here, so
// that the first cycle's pause takes no page faults: the shade buffers, the globals'
// snapshot (its size now; begin_mark grows it if the segments grew), one chunk of mark work.
// Measured with 100,000 goroutines at GOMAXPROCS=2: the first cycle's begin_mark took 80-150
// us, the later ones' about 10.
void prepare_mark() {
  make_shade_buffers();
  size_snapshot_buffer();
  if (__atomic_load_n(&spare_chunks, __ATOMIC_RELAXED) == nullptr) {
    MarkChunk* c = new_chunk();
    __builtin_memset(c, 0, sizeof(MarkChunk));
    recycle_chunk(c);
  }
}

// The first pause (with the world stopped, on the scheduler stack): a new mark cycle; the
// roots that no barrier covers are scanned now (data and bss, Root handles, the starting
// goroutine's own stack from self_sp), then the barrier and the phase go on.
void begin_mark(Goroutine* self, uintptr_t self_sp) {
  mark_totals = MarkTotals{};
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_RELAXED) + 1;
  __atomic_store_n(&mark_cycle, cycle, __ATOMIC_RELEASE);
  next_root_job = 0;
  root_jobs_done = 0;
  goroutine_cursor = scheduler.all_goroutines;  // the world is stopped: the walk starts at the head
  scans_in_progress = 0;
  active_markers = 0;
  make_shade_buffers();  // prepare_mark made them, unless GOMAXPROCS grew since
  uint64_t stale_objects;
  (void)take_black_allocations(&stale_objects);  // none should be left; counted from zero
  Marker m;
  m.concurrent = true;
  snapshot_data_and_bss();
  root_job_count = snapshot_pieces() + 3;
  scan_root_handles(m);
  self->gc_scan_state = scanned_state(cycle);
  scan_stack(self, self_sp, m);
  m.flush();
  set_write_barrier(true);
  __atomic_store_n(&mark_phase, 1, __ATOMIC_RELEASE);
}

// The second pause (world stopped, scheduler stack): drains what is left (shaded since the
// last marker ran dry) within `budget_ns`. True when the mark is over: the phase and the
// barrier are off and mark_totals holds what it reached. False if the budget ran out: what
// is left is on the shared list and the mark goes on when the world starts.
bool finish_mark_in_pause(int64_t budget_ns) {
  int64_t deadline = nanotime() + budget_ns;
  Marker m;
  m.concurrent = true;
  // The world is stopped, so drain() would end at once (stop_requested): the same steps,
  // with the clock read every 256 of them instead.
  for (uint32_t steps = 1; mark_step(m) != 0; steps++) {
    if (steps % 256 == 0 && nanotime() > deadline) {
      m.flush();
      return false;
    }
  }
  m.flush();
  if (__atomic_load_n(&scans_in_progress, __ATOMIC_RELAXED) != 0) fatal("gc: a stack scan is in progress at mark termination");
  __atomic_store_n(&mark_phase, 0, __ATOMIC_RELEASE);
  set_write_barrier(false);
  uint64_t black_objects;
  mark_totals.marked_bytes += take_black_allocations(&black_objects);  // what the allocator made black
  mark_totals.marked_objects += black_objects;
  return true;
}

// --- The mark with the world stopped ---

// Every root and the whole graph, with the world stopped, on the scheduler stack: for
// GODEBUG=gcstoptheworld=1 and for gccheckmark's re-mark. `self` and `self_sp`: the caller's
// goroutine and its stack pointer (its registers spilled above it). m is not concurrent.
void mark_with_world_stopped(Goroutine* self, uintptr_t self_sp, Marker& m) {
  {
    LockGuard guard(scheduler.all_lock);
    m.check_stacks = true;
    for (Goroutine* g = scheduler.all_goroutines; g != nullptr; g = g->next_in_all) {
      if (g == self) scan_stack(g, self_sp, m);
      else scan_stopped_goroutine(g, m);
    }
    m.check_stacks = false;
  }
  scan_data_and_bss(m);
  scan_channels(m);
  scan_timers(m);
  scan_cleanups(m);
  scan_root_handles(m);
  uintptr_t object;
  size_t bytes;
  while (m.pop(&object, &bytes)) scan_object(object, bytes, m);
}

// --- gccheckmark ---

namespace {

// The address the program knows an object by: a typed slot's first element, past its header.
uintptr_t program_address(uintptr_t start) {
  Span* s = heap_span_of(start);
  if (s == nullptr || !s->typed) return start;
  auto* type = reinterpret_cast<const gc::TypeInfo*>(*reinterpret_cast<const uintptr_t*>(start) & ~uintptr_t(gc::detail::header_state_mask));
  return plausible_type(uintptr_t(type)) ? start + type->header_bytes : start;
}

// The re-mark reached `object`: the concurrent mark must have too (Go's setCheckmark). One
// exception: an object reached only through a goroutine's stack or registers, which are
// scanned conservatively, may be a stale word (a slot of a new frame not yet written, whose
// old value was below the stack pointer when the mark scanned that stack, or a dead register):
// the mark rightly left it white, so the re-mark neither reports nor follows it (false: not
// traversed). So gccheckmark reports what precise evidence shows, a white object a heap
// object's slot, a global, a channel or a root points to; a miss whose only trace is on a
// stack goes unreported.
bool report_if_unmarked(uintptr_t object, const Marker& m) {
  Span* s = heap_span_of(object);
  uint32_t index = s->size_class != 0 ? uint32_t(((object - s->start) * size_classes::class_reciprocal[s->size_class]) >> 32) : 0;
  if (s->mark_bits(index / 64) & (1ULL << (index % 64))) return true;
  if (m.check_stacks) return false;
  print("runtime: checkmarks found unexpected unmarked object obj=", hex(program_address(object)), "\n");
  uintptr_t base = program_address(m.check_object);
  if (m.check_object != 0)
    print("runtime: found obj at *(", hex(base), "+", hex(m.check_slot - base), ")\n");
  else if (m.check_slot != 0)
    print("runtime: found obj at *(", hex(m.check_slot), ") (a root: a global, a channel or a runtime structure)\n");
  else
    print("runtime: found obj in a runtime root (a Root handle, a timer, a cleanup's argument)\n");
  fatal("checkmark found unmarked object");
  return false;
}

}  // namespace

// GODEBUG=gccheckmark=1, in the second pause once the concurrent mark is over (world
// stopped, scheduler stack): every root and the whole graph again, with gccheckmark's own
// bits; any object this reaches that the concurrent mark left white was missed (a store
// without the barrier), and the program dies naming it and the slot that points to it.
void verify_mark(Goroutine* self, uintptr_t self_sp) {
  map_checkmark_bits();
  Marker m;
  m.check = report_if_unmarked;
  mark_with_world_stopped(self, self_sp, m);
  unmap_checkmark_bits();
}

uint64_t last_mark_stack_scans() { return __atomic_load_n(&mark_totals.stacks, __ATOMIC_RELAXED); }

uint64_t goroutines_with_stacks() {
  LockGuard guard(scheduler.all_lock);
  uint64_t n = 0;
  for (Goroutine* g = scheduler.all_goroutines; g != nullptr; g = g->next_in_all) {
    auto status = GoroutineStatus(__atomic_load_n(reinterpret_cast<const uint32_t*>(&g->status), __ATOMIC_ACQUIRE));
    if (status != GoroutineStatus::Idle && status != GoroutineStatus::Dead) n++;
  }
  return n;
}

void install_mark_hooks() {
  mark_hooks.scan_before_running = scan_before_running;
  mark_hooks.scan_after_syscall = scan_after_syscall;
  mark_hooks.shade_range = shade_range;
  mark_hooks.find_worker = find_mark_worker;
}

}  // namespace gort
