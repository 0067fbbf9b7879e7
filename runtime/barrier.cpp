// The write barrier's runtime half (the public half, and the design, are in
// runtime/barrier.h): the flag, the slow path of a barriered store, the bulk barrier, the
// table of inline barrier sites that the preemption signal handler consults to rewind a
// goroutine stopped inside one, and the statistics and test hooks of runtime/testing.h.
// Book: docs/07-collector.md, "The write barrier".
//
// Everything here is runtime code (tools/gort.ld brackets it in gort_text): the signal
// never stops a goroutine in it, so a stop-the-world cannot fall between a slow path's
// test, its shades and its store. They run on any goroutine's stack, with a Processor
// (shade_pointer queues work on the current Processor), holding no lock.
//
// This object file is linked only into programs that use the barrier: preempt.cpp reaches
// rewind_barrier_site() through a weak reference, which does not pull the member out of
// libgort.a, so a program without a barrier site (hello) pays nothing for it.
#include "barrier.h"

#include "fatal.h"
#include "marker.h"
#include "preempt.h"
#include "processor.h"
#include "scheduler.h"
#include "testing.h"
#include "world.h"

// The flag itself (detail::write_barrier_enabled) is defined in runtime/mark_phase.cpp: the
// marker sets it, and a reference from the marker must not pull this object into programs
// that collect but have no barrier site.

namespace gort {

// One entry of the linker-made table: an inline site's test-and-store, [site, end).
struct BarrierRange {
  uintptr_t site;
  uintptr_t end;
};

namespace {

// Statistics (atomic, relaxed: counts only; nobody orders anything by them). The slow
// stores are counted in each Processor (Processor::barrier_slow_stores): every barriered
// store takes that path while a mark runs.
struct BarrierStats {
  uint64_t bulk_calls = 0;
  uint64_t rewinds = 0;
};
BarrierStats barrier_stats;

// The test's watched slot (watch_barrier_slot): its fields change only in the slow path and
// with the world stopped, so in the slow path they need no more than relaxed atomics.
struct Watch {
  void** slot = nullptr;  // atomic (relaxed)
  uint64_t stores = 0;
  uintptr_t first_old = 0;
  uintptr_t last_value = 0;
};
Watch watch;
bool rewind_enabled = true;  // atomic (relaxed); testing only (set_barrier_rewind_for_test)

}  // namespace

}  // namespace gort

// The linker's bounds of the site table (absent, so null, in a program with no site).
extern "C" {
extern const gort::BarrierRange __start_gort_barrier_ranges[] __attribute__((weak));
extern const gort::BarrierRange __stop_gort_barrier_ranges[] __attribute__((weak));
}

namespace gort {

namespace {

void record_watched_store(void** slot, void* old_value, void* value) {
  if (slot != __atomic_load_n(&watch.slot, __ATOMIC_RELAXED)) return;
  if (watch.stores == 0) watch.first_old = reinterpret_cast<uintptr_t>(old_value);
  watch.last_value = reinterpret_cast<uintptr_t>(value);
  watch.stores++;
}

}  // namespace

// Called by the preemption signal handler (runtime/preempt.cpp, by a weak reference) with
// the pc it interrupted in program code; returns where the goroutine must resume: the site's
// start if pc lies inside a site's [site, end) (the test ran, the store did not), else pc.
// On the signal stack: no lock, no allocation.
//
// Binary search, no sorting: the table is already in ascending address order, because each
// entry's section is SHF_LINK_ORDER to its function's code section and the linker orders
// such sections as it orders the code they link to, while within one function the assembler
// appends entries in code order (tests/progs/gc_barrier.cpp checks the order). Sorting at
// first use would need a lock or a once in the handler; a linear scan would cost the handler
// time proportional to the program's size. Sites never overlap, so the one candidate is the
// last with site <= pc.
uintptr_t rewind_barrier_site(uintptr_t pc) {
  const BarrierRange* lo = __start_gort_barrier_ranges;
  const BarrierRange* hi = __stop_gort_barrier_ranges;
  if (lo == nullptr || lo == hi || !__atomic_load_n(&rewind_enabled, __ATOMIC_RELAXED)) return pc;
  while (hi - lo > 1) {  // invariant: lo->site <= pc, or lo is the first entry
    const BarrierRange* middle = lo + (hi - lo) / 2;
    if (middle->site <= pc) lo = middle;
    else hi = middle;
  }
  if (pc < lo->site || pc >= lo->end) return pc;
  __atomic_add_fetch(&barrier_stats.rewinds, 1, __ATOMIC_RELAXED);
  return lo->site;
}

// Go's hybrid barrier as its design states it (golang.org/design/17503):
//   shade(*slot); if the current stack is grey: shade(value); *slot = value.
// The old value (Yuasa: a pointer a goroutine copied to its stack before its stack was
// scanned stays reachable), then the new one only while the storing goroutine's stack is
// unscanned (Dijkstra: a pointer from a stack the marker has not seen yet, moved into a
// black object, is seen). Go shades the new value always because it cannot tell a stack's
// colour cheaply; gort can (running_stack_grey: the goroutine's gc_scan_state), and by
// construction every running stack is black (runtime/marker.cpp, step 3), so the second
// shade is skipped, which halves the barrier's work on a store of a fresh object's pointer.
// The store is a relaxed atomic because the marker may be reading the slot on another thread.
// A word outside the heap arena (null above all: a fresh object's fields) is nothing to
// shade, and is tested here, so that such a store makes no call (shade_pointer tests it too,
// for its other callers).
void gc::detail::write_pointer_slow(void** slot, void* value) {
  void* old_value = __atomic_load_n(slot, __ATOMIC_RELAXED);
  auto old_word = reinterpret_cast<uintptr_t>(old_value), new_word = reinterpret_cast<uintptr_t>(value);
  if (in_heap_arena(old_word)) shade_pointer(old_word);
  if (in_heap_arena(new_word) && running_stack_grey()) shade_pointer(new_word);
  __atomic_store_n(slot, value, __ATOMIC_RELAXED);
  Processor* p = cpu::current_machine()->processor;  // shade_pointer needs one as well
  __atomic_store_n(&p->barrier_slow_stores, __atomic_load_n(&p->barrier_slow_stores, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
  record_watched_store(slot, old_value, value);
}

// The bulk barrier shades every aligned word of the old destination (what the copy deletes)
// and of the source (what it publishes), then moves. The flag is read here, in runtime code,
// so the test and the copy cannot be split by a stop-the-world. Each of the three shades
// below has a scenario that fails without it (moved_pointer bulk_overwrite, bulk_copy and
// bulk_clear in tests/progs/gc_mark.cpp; docs/07-collector.md, "The write barrier").
void gc::detail::copy_pointers_checked(void* dst, const void* src, size_t bytes) {
  if (__builtin_expect(write_barrier_enabled != 0, 0)) {
    auto d = reinterpret_cast<uintptr_t>(dst), s = reinterpret_cast<uintptr_t>(src);
    shade_range(d, d + bytes);
    shade_range(s, s + bytes);
    __atomic_add_fetch(&barrier_stats.bulk_calls, 1, __ATOMIC_RELAXED);
  }
  __builtin_memmove(dst, src, bytes);
}

void gc::detail::clear_pointers_checked(void* dst, size_t bytes) {
  if (__builtin_expect(write_barrier_enabled != 0, 0)) {
    auto d = reinterpret_cast<uintptr_t>(dst);
    shade_range(d, d + bytes);
    __atomic_add_fetch(&barrier_stats.bulk_calls, 1, __ATOMIC_RELAXED);
  }
  __builtin_memset(dst, 0, bytes);
}

// --- runtime/testing.h ---

void set_write_barrier_world_stopped(bool on) {
  if (!world_stopped_by(cpu::current_goroutine())) fatal("set_write_barrier_world_stopped: world not stopped by caller");
  set_write_barrier(on);  // runtime/mark_phase.cpp
}

void set_write_barrier_for_test(bool on) {
  stop_the_world();
  set_write_barrier_world_stopped(on);
  start_the_world();
}

WriteBarrierCounters write_barrier_counters() {
  uint64_t slow_stores = 0;
  for (int32_t i = 0; i < max_processors; i++)  // never freed: a retired one keeps its count
    if (Processor* p = __atomic_load_n(&scheduler.processors[i], __ATOMIC_ACQUIRE))
      slow_stores += __atomic_load_n(&p->barrier_slow_stores, __ATOMIC_RELAXED);
  return {slow_stores, __atomic_load_n(&barrier_stats.bulk_calls, __ATOMIC_RELAXED), __atomic_load_n(&barrier_stats.rewinds, __ATOMIC_RELAXED)};
}

void watch_barrier_slot(void** slot) {
  if (!world_stopped_by(cpu::current_goroutine())) fatal("watch_barrier_slot: world not stopped by caller");
  watch.stores = 0;
  watch.first_old = 0;
  watch.last_value = 0;
  __atomic_store_n(&watch.slot, slot, __ATOMIC_RELAXED);
}

BarrierWatch barrier_watch() {
  if (!world_stopped_by(cpu::current_goroutine())) fatal("barrier_watch: world not stopped by caller");
  return {watch.stores, watch.first_old, watch.last_value};
}

BarrierSites barrier_sites() {
  const BarrierRange* lo = __start_gort_barrier_ranges;
  const BarrierRange* hi = __stop_gort_barrier_ranges;
  if (lo == nullptr) return {nullptr, 0};
  return {reinterpret_cast<const uintptr_t*>(lo), size_t(hi - lo)};
}

void set_barrier_rewind_for_test(bool on) { __atomic_store_n(&rewind_enabled, on, __ATOMIC_RELAXED); }

}  // namespace gort
