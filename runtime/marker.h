// The collector's marker (runtime/marker.cpp) as the cycle (runtime/collector.cpp), the
// scheduler, the allocator, the write barrier and the channels see it. The design, the
// colours and why stacks need no rescan are in runtime/marker.cpp; the book's account is
// docs/07-collector.md, "The concurrent mark".
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../arch/amd64/cpu.h"
#include "goroutine.h"
#include "spin_lock.h"

namespace gort {

struct Goroutine;
struct MarkChunk;

// 1 while a concurrent mark runs: set in the first pause, cleared in the second (the world
// stopped both times). Read with acquire by the allocator, execute and exit_syscall.
extern uint32_t mark_phase;
// The current (or last) mark's number (claims of goroutines' gc_scan_state).
extern uint32_t mark_cycle;

inline bool marking() { return __atomic_load_n(&mark_phase, __ATOMIC_ACQUIRE) != 0; }

// What a mark reached and scanned, summed from every Marker's flush (relaxed atomic adds);
// read with the world stopped.
struct MarkTotals {
  uint64_t marked_bytes, marked_objects;  // where a mark bit went 0 -> 1 (allocated black included)
  uint64_t scanned_bytes;                 // heap objects scanned
  uint64_t stack_bytes, global_bytes;     // roots scanned
  uint64_t stacks;                        // goroutine stacks scanned
};
extern MarkTotals mark_totals;

// One marker's work: a private chain of chunks of grey objects and what it counted since its
// last flush. `concurrent`: atomic mark bits, full chunks shared. With `check` set (gccheckmark),
// each object newly marked is passed to it with the slot that pointed to it (0: a register or
// a root without an address) and the object being scanned (0: a root).
struct Marker {
  MarkChunk* chunk = nullptr;
  uint64_t marked_bytes = 0, marked_objects = 0, scanned_bytes = 0, stack_bytes = 0, global_bytes = 0, stacks = 0;
  bool concurrent = false;
  bool (*check)(uintptr_t object, const Marker& m) = nullptr;  // false: do not traverse it
  uintptr_t check_slot = 0, check_object = 0;
  bool check_stacks = false;  // gccheckmark: the words being scanned are a goroutine's stack or registers

  // The next objects to scan, taken off the chain a few ahead and prefetched: pop returns
  // the oldest, so its first line has had the scans of the ones before it to arrive (the
  // load of an object's first word was 95% of scan_object's time). flush puts them back.
  static constexpr uint32_t prefetch_depth = 8;
  struct Grey {
    uintptr_t start;
    size_t bytes;
  } prefetched[prefetch_depth];
  uint32_t prefetch_head = 0, prefetch_count = 0;

  void push(uintptr_t start, size_t bytes);  // inline in runtime/marker.cpp, its only user
  bool pop(uintptr_t* start, size_t* bytes);  // through the prefetched ones; inline in runtime/marker.cpp, its only user
  void adopt(MarkChunk* c);
  void flush();  // concurrent: chunks to the shared list, counts to mark_totals

 private:
  bool pop_chain(uintptr_t* start, size_t* bytes);
  bool pop_refilling(uintptr_t* start, size_t* bytes);  // pop's slow path
  void start_chunk();  // push's slow path: a fresh chunk on top (the full one shared, if concurrent)
};

// Marks the collected object `word` points into, if any (the conservative test).
void mark_word(uintptr_t word, Marker& m);

// Shades the collected object `word` points into (anywhere inside it), if any: sets its mark
// bit and queues it for scanning, on the current Processor's buffer. A no-op while no mark
// runs, and for words that point at no collected object. Runtime code (never preempted
// between its test of the phase and its mark); any goroutine stack; needs a Processor.
void shade_pointer(uintptr_t word);
// A goroutine's gc_scan_state once its stack's scan for `cycle` is done (runtime/goroutine.h).
inline uint32_t scanned_state(uint32_t cycle) { return cycle << 1; }
// Whether the running goroutine's stack is unscanned in this mark (grey): the barrier's test
// for shading the new value. Never true for a goroutine during a mark (scan_before_running,
// scan_after_syscall); true on a stack that belongs to no goroutine, to stay safe. Inline:
// the barrier's slow path asks it on every store of a heap pointer during a mark.
inline bool running_stack_grey() {
  Goroutine* g = cpu::current_goroutine();
  if (g == nullptr) return true;
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE);
  return __atomic_load_n(&g->gc_scan_state, __ATOMIC_ACQUIRE) != scanned_state(cycle);
}
// shade_pointer on every aligned word of [lo, hi).
void shade_range(uintptr_t lo, uintptr_t hi);

// execute (runtime/scheduler.cpp), on the scheduler stack, during a mark: g's stack is
// scanned before it runs, unless it already was this cycle.
void scan_before_running(Goroutine* g);
// exit_syscall (runtime/blocking.cpp), on the goroutine's own stack, during a mark, before
// it returns to its caller with a Processor.
void scan_after_syscall(Goroutine* g);
// The marker's entries from code every program links (the scheduler, system calls,
// channels) go through these pointers, set on the collector's first use (before any mark can
// run), so a program that never collects links none of the marker (hello's size).
struct MarkHooks {
  void (*scan_before_running)(Goroutine* g);
  void (*scan_after_syscall)(Goroutine* g);
  void (*shade_range)(uintptr_t lo, uintptr_t hi);
  Goroutine* (*find_worker)(struct Processor* p, bool idle);
};
extern MarkHooks mark_hooks;
void install_mark_hooks();  // runtime/marker.cpp; from the collector's first use
inline void scan_before_running_if_marking(Goroutine* g) {
  if (__builtin_expect(marking(), 0)) mark_hooks.scan_before_running(g);
}
inline void scan_after_syscall_if_marking(Goroutine* g) {
  if (__builtin_expect(marking(), 0)) mark_hooks.scan_after_syscall(g);
}
inline void shade_range_if_marking(uintptr_t lo, uintptr_t hi) {
  if (__builtin_expect(marking(), 0)) mark_hooks.shade_range(lo, hi);
}
// find_runnable (runtime/scheduler.cpp), on the scheduler stack, holding p and no lock: a
// mark worker to give a turn to now (dedicated or fractional; `idle`: p found nothing else
// to run), made runnable, or null. Null at once while no mark runs.
inline Goroutine* mark_worker_to_run(struct Processor* p, bool idle) {
  if (__builtin_expect(marking(), 0)) return mark_hooks.find_worker(p, idle);
  return nullptr;
}

// Called by an allocating goroutine during a mark (runtime/collector.cpp's before_allocation).
void assist_allocation(Goroutine* g, size_t bytes);

// The cycle's use of the marker (runtime/collector.cpp):
void prepare_mark();                                   // before the first pause, world running
void begin_mark(Goroutine* self, uintptr_t self_sp);  // first pause
void start_mark_workers();                             // after it, world running
uint64_t drain(Marker& m, uint64_t budget);            // a batch of concurrent marking: the work it did (0: found none)
bool mark_work_left();
bool finish_mark_in_pause(int64_t budget_ns);          // second pause
void mark_with_world_stopped(Goroutine* self, uintptr_t self_sp, Marker& m);
void verify_mark(Goroutine* self, uintptr_t self_sp);  // GODEBUG=gccheckmark=1, in the second pause
void scan_stopped_goroutine(Goroutine* g, Marker& m);
uint64_t mark_worker_cpu_ns();       // dedicated and fractional turns, ever
uint64_t idle_mark_worker_cpu_ns();  // idle turns, ever
uint64_t mark_assist_cpu_ns();
// Go's startCycle plan for `procs` Processors (runtime/mark_workers.cpp): 25% of them as
// whole dedicated Processors when rounding is within 30% of that, else fewer (rounded down)
// plus a fractional share of each Processor's time for the rest.
struct MarkWorkerPlan {
  int32_t dedicated;
  double fractional;
};
MarkWorkerPlan mark_worker_plan(int32_t procs);
// Goroutine stacks the last concurrent mark scanned (MarkTotals::stacks), and the
// goroutines that have a stack to scan now (not idle or dead): with no goroutine made or
// ended since, the two are equal when every stack was scanned exactly once (white-box,
// runtime/testing.h).
uint64_t last_mark_stack_scans();
uint64_t goroutines_with_stacks();

// Between the marker (runtime/marker.cpp) and its workers and assists
// (runtime/mark_workers.cpp):
extern SpinLock<LockRank::MarkWork> work_lock;  // the shared work list, the spare chunks, the parked workers
bool unclaimed_work();                           // chunks on the shared list, root jobs, goroutines not walked
bool shade_buffers_hold_work();                  // what the Processors' shade buffers hold, not yet stolen
// One batch of a worker's or an assist's marking, from its goroutine: counted in
// active_markers meanwhile, drained on the scheduler stack, its time added to *cpu_ns.
// Returns the work done; *left: the active markers after it.
uint64_t drain_batch(Marker* m, uint64_t budget, uint64_t* cpu_ns, uint32_t* left);
Goroutine* find_mark_worker(struct Processor* p, bool idle);  // mark_hooks.find_worker

// Provided by runtime/collector.cpp for the marker:
void scan_root_handles(Marker& m);  // the gc::Root list, under roots_lock
bool end_mark_if_done();            // from the last marker to run dry: the second pause (false: another is in it)
double assist_ratio();              // the pacer's scan bytes per allocated byte, now
bool heap_past_hard_goal();         // the heap has outgrown the goal by the hard margin
bool marking_held();                // a white-box test holds the markers (runtime/testing.h)
void set_write_barrier(bool on);    // with the world stopped (runtime/mark_phase.cpp)

}  // namespace gort
