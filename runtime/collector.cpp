// The collector's cycle, pacer and API: when a cycle starts, its two pauses, the goal and the
// knobs (GOGC, GOMEMLIMIT), the forced cycle, the background sweeper, gctrace and the pause
// records. What a mark reaches and how its work is shared is the marker's
// (runtime/marker.cpp); the sweep is the allocator's (runtime/allocator.cpp); destructors
// and cleanups are runtime/finalization.cpp's. API: runtime/collector.h. Book:
// docs/07-collector.md, "The cycle, as built".
//
// A cycle (Go's gcStart .. gcMarkTermination), from a goroutine with a Processor:
//   1. the trigger: an allocation finds the heap at heap_trigger (before_allocation), or
//      gc::collect() (run_full_cycle), or the forced helper every two minutes;
//   2. start_cycle: one starter at a time (cycle_starting); the last sweep finishes
//      (finish_sweep), the world stops, and the first pause (begin_cycle_in_pause ->
//      begin_mark) snapshots the roots no barrier covers and turns the barrier and the phase
//      on; the world starts and the mark workers are readied (start_mark_workers);
//   3. the concurrent mark (runtime/marker.cpp): workers, assists (before_allocation ->
//      assist_allocation), stacks scanned before goroutines run, allocation black;
//   4. the last marker to run dry calls end_mark_if_done: the second pause
//      (end_mark_in_pause -> finish_mark_in_pause) drains what was shaded since, within
//      termination_budget_ns, or resumes the mark; with GODEBUG=gccheckmark=1 it re-marks
//      and checks (verify_mark); end_cycle_in_pause starts the sweep (start_sweep), sets the
//      next goal and trigger, records the pauses and prints the gctrace line;
//   5. after_cycle, with the world running: the background sweeper, the cleanup goroutine,
//      and gc::collect()'s waiters (wait_for_cycle).
// With GODEBUG=gcstoptheworld=1 the whole cycle runs in one pause (mark_and_sweep_stopped:
// mark_with_world_stopped); with =2 the sweep too.
//
// Locks: roots_lock and cycle_wait_lock (rank Roots) are leaves of this file; the marker
// takes its own (runtime/marker.cpp); start_sweep takes fallback_lock and the centrals' in
// their usual order. stop_the_world's semaphore comes before all of them.
#include "collector.h"

#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "channel.h"
#include "context.h"
#include "elf.h"
#include "environment.h"
#include "fatal.h"
#include "finalization.h"
#include "godebug.h"
#include "goroutine.h"
#include "heap.h"
#include "lock.h"
#include "marker.h"
#include "machine.h"
#include "memory_limit.h"
#include "os_memory.h"
#include "preempt.h"
#include "processor.h"
#include "scheduler.h"
#include "print.h"
#include "size_classes.h"
#include "time.h"
#include "world.h"

// The ELF header of the program, placed by the linker at the start of its first loaded
// segment; its program headers say where the writable segments (data, bss) are.
extern "C" const char __ehdr_start[];

namespace gort {

// trigger_for's arithmetic for a concurrent cycle (live < goal), apart from its state, so
// that tests/progs/collector.cpp can check the bounds (runtime/testing.h).
uint64_t concurrent_trigger(uint64_t live, uint64_t goal, uint64_t mark_allocation) {
  constexpr uint64_t headroom_floor = 4 << 20;  // Go's defaultHeapMinimum, as its trigger() uses it
  uint64_t runway = goal - live, want = mark_allocation + mark_allocation / 4;
  uint64_t lowest = live + runway / 64 * 45, highest = live + runway / 64 * 61;
  if (goal > headroom_floor && goal - headroom_floor > highest) highest = goal - headroom_floor;
  uint64_t trigger = goal > want ? goal - want : live;
  return trigger < lowest ? lowest : trigger > highest ? highest : trigger;
}

namespace {

using gc::detail::RootNode;

RankedLock<LockRank::Roots> roots_lock;
RootNode* roots = nullptr;  // roots_lock

// Pacing state; written with the world stopped (or by set_percent), read atomically. The
// counters MemStats reports live in collector_counters (runtime/allocator.h).
int32_t gc_percent = 100;                 // GOGC; negative: off
uint64_t& heap_goal = collector_counters.heap_goal;  // collected bytes that start the next collection
constexpr uint64_t minimum_goal = 4 << 20;  // Go's defaultHeapMinimum, at GOGC=100
uint64_t& collections = collector_counters.collections;
uint64_t last_live_bytes = 0, last_live_objects = 0;
uint64_t& freed_objects_total = collector_counters.freed_objects;
// Every collection's whole pause: the world is stopped throughout.
uint64_t& pause_total_ns = collector_counters.pause_total_ns;

// What one collection measured, for GODEBUG=gctrace=1 (print_trace_line). Written by the
// collector with the world stopped, read by it after starting the world.
struct CycleTrace {
  int64_t start_ns, stopped_ns, marked_ns, swept_ns;  // nanotime at each step (swept: the cycle's end)
  int64_t pause_start_ns;                             // the current pause's start
  int64_t first_pause_ns, mark_start_ns, mark_end_ns;  // a concurrent cycle's
  uint64_t heap_before, heap_at_mark_end, goal;
  uint64_t stack_bytes, global_bytes;  // bytes scanned as roots
  uint64_t worker_cpu_at_start, assist_cpu_at_start, idle_cpu_at_start, worker_cpu_ns, assist_cpu_ns, idle_cpu_ns;
  bool forced, concurrent;
};
CycleTrace trace;

// The floor scales with GOGC as Go's heapMinimum does (4 MiB * GOGC/100): GOGC=1 starts a
// collection every ~40 KiB, GOGC=200 no sooner than 8 MiB.
// The heap size at which a concurrent cycle starts, so that the mark (and the allocation it
// overlaps) ends near the goal: the goal less what the last mark saw allocated, with a
// quarter more (Go's pacer also learns the trigger from the cycles before), kept between
// Go's bounds: 45/64 (about 0.7) and 61/64 (about 0.95) of the way from live to the goal, the
// upper one raised to 4 MiB short of the goal for large heaps (Go's trigger()). The lower
// bound matters with a fast allocator: everything allocated during the mark is black, so an
// early start makes the next live heap, and goal, larger (Go chose 0.7 for that reason;
// gort's 0.6 gave binary-trees at GOMAXPROCS=1 8% more peak RSS than Go). Assists speed
// the mark up when the heap nears the goal. The stopped mark starts at the goal itself.
uint64_t& heap_trigger = collector_counters.heap_trigger;
uint64_t last_mark_allocation = 0;  // bytes allocated during the last concurrent mark
uint64_t trigger_for(uint64_t live, uint64_t goal) {
  if (goal == UINT64_MAX || debug.gcstoptheworld != 0 || goal <= live) return goal;
  return concurrent_trigger(live, goal, last_mark_allocation);
}

uint64_t goal_for(uint64_t live, int32_t percent) {
  if (percent < 0) return UINT64_MAX;
  uint64_t goal = live + live / 100 * uint64_t(percent);
  uint64_t floor = minimum_goal * uint64_t(percent) / 100;  // GOGC is at most ~10^8: no overflow
  return goal < floor ? floor : goal;
}

// GOMEMLIMIT: a soft limit over all memory gort maps (collected heap, explicit heap, stacks,
// runtime structures), in bytes; INT64_MAX: none. Set by read_gogc and set_memory_limit.
int64_t memory_limit_bytes = INT64_MAX;  // atomic
// Whether the goal now comes from the limit (it is below GOGC's): then the CPU cap applies.
bool goal_from_limit = false;  // atomic
// The last collection's end (nanotime), and the CPU cap's bucket (collection_may_start).
int64_t last_end_ns = 0, cap_bucket_ns = 0;  // atomic; written with the world stopped
constexpr int64_t cap_bucket_capacity_ns = 100 * 1000 * 1000;  // gort's choice (Go's: 1 CPU-second per P)
constexpr uint64_t limit_floor_headroom = 64 << 10;  // gort's choice: the goal stays above live

// The collected heap the limit leaves room for, as Go's memoryLimitHeapGoal: the limit less
// all other mapped memory (mapped, less the heap's free runs, less the collected bytes, unswept
// garbage included),
// less ~3% headroom; never below live + 64 KiB (a limit the program cannot meet leaves the
// goal just above what it keeps, and the CPU cap paces the collections that follow).
// The mapped total the last limit goal was computed from (refresh_limit_goal).
uint64_t mapped_at_limit_goal = 0;  // atomic, relaxed: a hint for when to recompute
uint64_t limit_goal(uint64_t live) {
  int64_t limit = __atomic_load_n(&memory_limit_bytes, __ATOMIC_RELAXED);
  if (limit == INT64_MAX) return UINT64_MAX;
  // Unswept garbage is collected heap too (it is freed without another collection).
  uint64_t mapped = os_memory_stats().mapped_bytes, idle = heap_stats().idle,
           collected = collected_heap_bytes() + unswept_garbage_bytes();
  __atomic_store_n(&mapped_at_limit_goal, mapped, __ATOMIC_RELAXED);
  uint64_t other = mapped > idle + collected ? mapped - idle - collected : 0;
  uint64_t budget = uint64_t(limit) > other ? uint64_t(limit) - other : 0;
  budget -= budget / 32;
  uint64_t floor = live + limit_floor_headroom;
  return budget < floor ? floor : budget;
}

// The goal both knobs allow: the smaller of GOGC's and the limit's. Publishes whether the
// limit set it (goal_from_limit).
uint64_t combined_goal(uint64_t live, int32_t percent) {
  uint64_t by_percent = goal_for(live, percent), by_limit = limit_goal(live);
  __atomic_store_n(&goal_from_limit, by_limit < by_percent, __ATOMIC_RELAXED);
  return by_limit < by_percent ? by_limit : by_percent;
}

// The goal for `live` and `percent` (combined_goal) and the trigger that leads to it,
// published: at a cycle's end, when a knob changes, and when the limit's room shrinks.
void set_goal(uint64_t live, int32_t percent) {
  uint64_t goal = combined_goal(live, percent);
  __atomic_store_n(&heap_goal, goal, __ATOMIC_RELAXED);
  __atomic_store_n(&heap_trigger, trigger_for(live, goal), __ATOMIC_RELAXED);
}

// Between cycles the limit's room shrinks as explicit memory, stacks and runtime maps grow,
// and a goal computed at the last cycle's end would let the collected heap use room that is
// gone. So the allocation slow path (before_allocation) calls this while a limit is set, and
// once the mapped total has grown by 1/64 of the limit since the last limit goal, the goal
// and trigger are computed again (Go recomputes its memory-limit goal at every trigger
// test). One load and a compare otherwise. On a goroutine that holds no runtime lock.
void refresh_limit_goal(uint64_t limit) {
  uint64_t mapped = os_memory_stats().mapped_bytes;
  if (mapped <= __atomic_load_n(&mapped_at_limit_goal, __ATOMIC_RELAXED) + limit / 64) return;
  set_goal(__atomic_load_n(&last_live_bytes, __ATOMIC_RELAXED), __atomic_load_n(&gc_percent, __ATOMIC_RELAXED));
}

// The cap on the collector's CPU while the limit drives it (Go's gcCPULimiter caps it at
// 50%), as a leaky bucket: each collection pours in its length, and the time between
// collections drains it (fill_cap_bucket). While the bucket, drained by the time since the
// last collection ended, is still full, a collection the goal asks for does not start (the
// allocation goes ahead). Full, then, the next starts no sooner than the last one's length
// after it ended: a limit the program cannot meet slows it to half speed at worst instead
// of collecting at every allocation. The bucket's 100 ms absorb collections that a loaded
// machine stretched now and then, so a limit that can be met is still met. gc::collect()
// and GOGC's goal are never capped.
bool collection_may_start() {
  if (!__atomic_load_n(&goal_from_limit, __ATOMIC_RELAXED)) return true;
  int64_t since = nanotime() - __atomic_load_n(&last_end_ns, __ATOMIC_RELAXED);
  return __atomic_load_n(&cap_bucket_ns, __ATOMIC_RELAXED) - since < cap_bucket_capacity_ns;
}

// With the world stopped, as a collection ends: drain by the time since the previous one
// ended, pour in this one's length; never more than full plus one collection.
void fill_cap_bucket(int64_t start_ns, int64_t pause_ns) {
  int64_t last = __atomic_load_n(&last_end_ns, __ATOMIC_RELAXED);
  int64_t level = __atomic_load_n(&cap_bucket_ns, __ATOMIC_RELAXED);
  if (last != 0) level -= start_ns > last ? start_ns - last : 0;
  if (level < 0) level = 0;
  level += pause_ns;
  if (level > cap_bucket_capacity_ns + pause_ns) level = cap_bucket_capacity_ns + pause_ns;
  __atomic_store_n(&cap_bucket_ns, level, __ATOMIC_RELAXED);
}

// --- What one cycle measured, for GODEBUG=gctrace=1 and the pause records ---

// Go's fmtNSAsMS: whole milliseconds from 10 ms up, else two significant digits with at
// most three decimals ("0.009", "0.25", "1.2").
void print_ms(Writer& w, int64_t ns) {
  if (ns < 0) ns = 0;
  if (ns >= 10000000) {
    w.all(ns / 1000000);
    return;
  }
  int64_t x = ns / 1000;
  if (x == 0) {
    w.all("0");
    return;
  }
  int decimals = 3;
  for (; x >= 100; x /= 10) decimals--;
  int64_t scale = decimals == 3 ? 1000 : decimals == 2 ? 100 : 10;
  w.all(x / scale, ".");
  for (int64_t d = scale / 10; d > 0; d /= 10) w.all((x / d) % 10);
}

// GODEBUG=gctrace=1: Go's line, on stderr. The three clock phases are the first pause
// (Go: sweep termination), the concurrent mark, and the second pause (mark termination;
// with the mark stopped, the mark is inside the pause and the first phase is the stop). CPU:
// each pause's clock times GOMAXPROCS; the mark's as assist/background/idle (background:
// dedicated and fractional workers' turns). The percentage is Go's too: the collector's
// share of the CPU since the program started (MemStats' GCCPUFraction). Printed on the scheduler stack
// before the world starts (Go prints after): the Writer's buffer does not fit in a
// goroutine's stack reserve, and once the world runs another cycle may overwrite `trace`.
void print_trace_line(uint64_t live_bytes, uint64_t number, int32_t procs) {
  int64_t since_start = nanotime_since_start();
  int64_t stop = trace.stopped_ns - trace.start_ns, mark = trace.marked_ns - trace.stopped_ns,
          terminate = trace.swept_ns - trace.marked_ns;
  if (trace.concurrent) {
    stop = trace.first_pause_ns;
    mark = trace.mark_end_ns - trace.mark_start_ns;
    terminate = trace.swept_ns - trace.mark_end_ns;
  }
  uint64_t percent = uint64_t(gc_cpu_fraction(collector_counters, since_start, procs) * 100);
  Writer w(stderr_fd, Writer::FloatStyle::GoBuiltin);
  w.all("gc ", number, " @", since_start / 1000000000, ".");
  int64_t ms = since_start / 1000000 % 1000;
  w.all(ms / 100, ms / 10 % 10, ms % 10, "s ", percent, "%: ");
  print_ms(w, stop);
  w.all("+");
  print_ms(w, mark);
  w.all("+");
  print_ms(w, terminate);
  w.all(" ms clock, ");
  print_ms(w, stop * procs);
  w.all("+");
  print_ms(w, int64_t(trace.assist_cpu_ns));
  w.all("/");
  print_ms(w, trace.concurrent ? int64_t(trace.worker_cpu_ns) : mark);
  w.all("/");
  print_ms(w, int64_t(trace.idle_cpu_ns));
  w.all("+");
  print_ms(w, terminate * procs);
  uint64_t heap_end = trace.concurrent ? trace.heap_at_mark_end : trace.heap_before;
  w.all(" ms cpu, ", trace.heap_before >> 20, "->", heap_end >> 20, "->", live_bytes >> 20, " MB, ",
        trace.goal == UINT64_MAX ? 0 : trace.goal >> 20, " MB goal, ", trace.stack_bytes >> 20, " MB stacks, ",
        trace.global_bytes >> 20, " MB globals, ", procs, " P", trace.forced ? " (forced)" : "", "\n");
}

// Every stop-the-world pause, for gc::read_pauses (the whole history MemStats' ring of 256
// cannot keep). Made by the collector's first use (persistent memory, about 5 KB), so
// programs that never collect carry none of it. Written only with the world stopped, by
// record_pause; read with relaxed atomic loads.
gc::PauseHistogram* pause_histogram = nullptr;  // atomic: published with release by read_gogc

// Counts one stop-the-world pause of `ns`. Caller stopped the world (a concurrent cycle
// calls it once for each of its pauses); any stack.
void record_pause(uint64_t ns) {
  gc::PauseHistogram* h = pause_histogram;
  __atomic_add_fetch(&h->buckets[gc::PauseHistogram::bucket_of(ns)], 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&h->total_ns, ns, __ATOMIC_RELAXED);
  if (ns > h->max_ns) __atomic_store_n(&h->max_ns, ns, __ATOMIC_RELAXED);
  __atomic_add_fetch(&h->pauses, 1, __ATOMIC_RELAXED);
}

// --- The cycle ---
//
// Cycles are numbered; cycles_started counts first pauses, collections (NumGC) second ones.
// A cycle is running while they differ. cycle_starting (0 -> 1) lets one goroutine at a time
// try to start one; the others return at once (an allocation that reaches the trigger while
// a cycle starts or marks just goes on, paying assists), instead of queueing on the world
// semaphore behind the stop. mark_ending (0 -> 1) lets one marker at a time try to end it.
uint64_t cycles_started = 0;  // atomic; written with the world stopped
uint32_t cycle_starting = 0;  // atomic
uint32_t mark_ending = 0;     // atomic
uint64_t resumed_marks = 0;   // atomic statistic: second pauses that resumed the mark
uint64_t cycle_pause_ns = 0;  // this cycle's pauses so far (MemStats' PauseNs sums them, as Go's)
uint64_t last_scan_work = 0;  // bytes the last mark scanned (heap, stacks, globals): the pacer's estimate
uint64_t cycle_goal = 0, cycle_live = 0;  // the goal and last live when this cycle's mark began
constexpr int64_t termination_budget_ns = 60 * 1000;  // gort's choice: the second pause's drain, at most

// Goroutines waiting in gc::collect() (or the forced helper) for a cycle to end, linked
// through next_in_queue (free while parked). cycle_wait_lock is a leaf.
RankedLock<LockRank::Roots> cycle_wait_lock;
GoroutineList cycle_waiters;  // cycle_wait_lock
struct CycleWait {
  uint64_t number;  // the cycle to wait for
};

void cycle_wait_commit(Goroutine* g, void* arg) {
  uint64_t number = static_cast<CycleWait*>(arg)->number;
  bool done;
  {
    LockGuard guard(cycle_wait_lock);
    done = __atomic_load_n(&collections, __ATOMIC_ACQUIRE) >= number;
    if (!done) cycle_waiters.push(g);
  }
  if (done) ready(g);
}

// Returns once `number` cycles have ended (their second pause is over).
void wait_for_cycle(uint64_t number) {
  while (__atomic_load_n(&collections, __ATOMIC_ACQUIRE) < number) {
    CycleWait wait{number};
    park(WaitReason::GCCycleWait, cycle_wait_commit, &wait);
  }
}

void wake_cycle_waiters() {
  GoroutineList waiters;
  {
    LockGuard guard(cycle_wait_lock);
    waiters = cycle_waiters;
    cycle_waiters = GoroutineList{};
  }
  while (Goroutine* g = waiters.pop()) ready(g);  // each rechecks its number
}

// The end of a cycle's second pause (world stopped, scheduler stack): the sweep starts
// (start_sweep: O(classes)), the next goal, the records, the trace line.
void end_cycle_in_pause(uint64_t live_bytes, uint64_t live_objects) {
  start_sweep(live_bytes, live_objects);  // the sweep itself runs after the pause
  if (debug.gcstoptheworld >= 2) finish_sweep(SweptBy::Pause);  // GODEBUG=gcstoptheworld=2: in it
  trace.swept_ns = nanotime();
  last_live_bytes = live_bytes;
  last_live_objects = live_objects;
  if (trace.concurrent)
    last_mark_allocation = trace.heap_at_mark_end > trace.heap_before ? trace.heap_at_mark_end - trace.heap_before : 0;
  set_goal(live_bytes, __atomic_load_n(&gc_percent, __ATOMIC_RELAXED));
  // The pause is recorded before the count is published (release), so a reader that sees
  // collection N sees its pause (read_mem_stats loads the count with acquire).
  uint64_t pause = uint64_t(trace.swept_ns - trace.pause_start_ns);
  record_pause(pause);
  cycle_pause_ns += pause;
  uint64_t number = __atomic_load_n(&collections, __ATOMIC_RELAXED) + 1;
  __atomic_store_n(&collector_counters.pause_ns[(number - 1) % pause_history], cycle_pause_ns, __ATOMIC_RELAXED);
  __atomic_add_fetch(&pause_total_ns, pause, __ATOMIC_RELAXED);
  uint64_t mark_cpu = trace.assist_cpu_ns + trace.worker_cpu_ns + trace.idle_cpu_ns;
  __atomic_add_fetch(&collector_counters.mark_cpu_ns, mark_cpu, __ATOMIC_RELAXED);
  __atomic_store_n(&collections, number, __ATOMIC_RELEASE);
  // The CPU cap's bucket takes the cycle's share of the machine: its pauses, and its
  // concurrent marking spread over the Processors.
  int32_t procs = scheduler.gomaxprocs;
  fill_cap_bucket(trace.start_ns, int64_t(cycle_pause_ns + mark_cpu / uint64_t(procs > 0 ? procs : 1)));
  __atomic_store_n(&last_end_ns, trace.swept_ns, __ATOMIC_RELAXED);
  if (debug.gctrace > 0) print_trace_line(live_bytes, number, procs);
}

struct PauseArgs {
  Goroutine* self;   // the goroutine that stopped the world
  uintptr_t self_sp;  // its stack pointer, below its spilled registers
  bool done;         // the second pause: whether the mark ended
};

// A whole cycle with the world stopped (GODEBUG=gcstoptheworld=1), on the scheduler stack.
void mark_and_sweep_stopped(void* arg) {
  auto* args = static_cast<PauseArgs*>(arg);
  // Nothing is left unswept (the mark would overwrite what a sweep still needs): the caller
  // finished the sweep before stopping the world, unless another collection ran while it
  // waited to stop it; then the rest is swept here (Go's finishsweep_m).
  if (!sweep_finished()) finish_sweep(SweptBy::Pause);
  Marker m;
  mark_with_world_stopped(args->self, args->self_sp, m);
  trace.marked_ns = nanotime();
  trace.stack_bytes = m.stack_bytes;
  trace.global_bytes = m.global_bytes;
  last_scan_work = m.scanned_bytes + m.stack_bytes + m.global_bytes;
  __atomic_store_n(&cycles_started, cycles_started + 1, __ATOMIC_RELEASE);
  end_cycle_in_pause(m.marked_bytes, m.marked_objects);
}

// The first pause of a concurrent cycle, on the scheduler stack.
void begin_cycle_in_pause(void* arg) {
  auto* args = static_cast<PauseArgs*>(arg);
  if (!sweep_finished()) finish_sweep(SweptBy::Pause);
  cycle_goal = __atomic_load_n(&heap_goal, __ATOMIC_RELAXED);
  cycle_live = last_live_bytes;
  begin_mark(args->self, args->self_sp);
  __atomic_store_n(&cycles_started, cycles_started + 1, __ATOMIC_RELEASE);
  int64_t now = nanotime();
  trace.first_pause_ns = now - trace.pause_start_ns;
  trace.mark_start_ns = now;
  cycle_pause_ns = uint64_t(now - trace.pause_start_ns);
  record_pause(cycle_pause_ns);
  __atomic_add_fetch(&pause_total_ns, cycle_pause_ns, __ATOMIC_RELAXED);
}

// The second pause, on the scheduler stack: the rest of the mark within the budget, then
// (gccheckmark) the check, and the cycle's end.
void end_mark_in_pause(void* arg) {
  auto* args = static_cast<PauseArgs*>(arg);
  args->done = finish_mark_in_pause(termination_budget_ns);
  if (!args->done) {  // resumed: this stop was a pause too
    __atomic_add_fetch(&resumed_marks, 1, __ATOMIC_RELAXED);
    uint64_t pause = uint64_t(nanotime() - trace.pause_start_ns);
    record_pause(pause);
    cycle_pause_ns += pause;
    __atomic_add_fetch(&pause_total_ns, pause, __ATOMIC_RELAXED);
    return;
  }
  if (debug.gccheckmark != 0) verify_mark(args->self, args->self_sp);
  trace.mark_end_ns = trace.pause_start_ns;
  trace.heap_at_mark_end = collected_heap_bytes();
  trace.stack_bytes = mark_totals.stack_bytes;
  trace.global_bytes = mark_totals.global_bytes;
  trace.worker_cpu_ns = mark_worker_cpu_ns() - trace.worker_cpu_at_start;
  trace.assist_cpu_ns = mark_assist_cpu_ns() - trace.assist_cpu_at_start;
  trace.idle_cpu_ns = idle_mark_worker_cpu_ns() - trace.idle_cpu_at_start;
  last_scan_work = mark_totals.scanned_bytes + mark_totals.stack_bytes + mark_totals.global_bytes;
  end_cycle_in_pause(mark_totals.marked_bytes, mark_totals.marked_objects);
}

// Runs fn on the scheduler stack with this goroutine's callee-saved registers spilled into
// this frame (unwind_init makes the prologue save them all) and sp below them, so its own
// stack is scanned like a stopped one's.
__attribute__((noinline)) void pause_here(Goroutine* self, void (*fn)(void*), PauseArgs* args) {
  __builtin_unwind_init();
  args->self = self;
  asm volatile("mov %%rsp, %0" : "=r"(args->self_sp) : : "memory");
  run_on_scheduler_stack(fn, args);
  asm volatile("" : : : "memory");
}

// What started a collection (Go's gcTrigger kinds).
enum class Trigger { Goal, User, Time };

void wake_background_sweeper();

// After a cycle's second pause, with the world running: the sweeper, the cleanup goroutine
// (if a sweep in the pause queued work) and gc::collect()'s waiters.
void after_cycle() {
  wake_background_sweeper();
  finalization_after_collection();
  wake_cycle_waiters();
}

// Starts a cycle, unless one is running or being started, or the trigger no longer holds
// once the world is stopped:
//   Trigger::Goal: an allocation found the heap at the trigger; skipped if a collection
//     brought it back under while this one waited to stop the world, or the CPU cap says wait;
//   Trigger::Time: the forced cycle; skipped if a collection ended within the period since;
//   Trigger::User: gc::collect(), always, marked "(forced)" in the trace as Go marks it.
// With GODEBUG=gcstoptheworld=1 the whole cycle runs here. Returns whether it started one.
// From a goroutine holding no runtime lock, with a Processor.
bool start_cycle(Trigger trigger) {
  Goroutine* self = cpu::current_goroutine();
  if (self == nullptr || self->id == 0) fatal("gc: collect called on the scheduler stack");
  uint32_t idle = 0;
  if (!__atomic_compare_exchange_n(&cycle_starting, &idle, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return false;
  if (__atomic_load_n(&cycles_started, __ATOMIC_ACQUIRE) != __atomic_load_n(&collections, __ATOMIC_ACQUIRE)) {
    __atomic_store_n(&cycle_starting, 0, __ATOMIC_RELEASE);
    return false;  // one is marking
  }
  finish_sweep(SweptBy::Finish);  // the last cycle's sweep ends before this one marks
  if (debug.gcstoptheworld == 0) prepare_mark();  // what the first pause would get from the OS
  int64_t start = nanotime();
  stop_the_world();
  bool run = trigger == Trigger::User;
  if (trigger == Trigger::Goal)
    run = collected_heap_bytes() >= __atomic_load_n(&heap_trigger, __ATOMIC_RELAXED) && collection_may_start();
  if (trigger == Trigger::Time) run = nanotime() - __atomic_load_n(&last_end_ns, __ATOMIC_RELAXED) >= forced_collection_period_ns();
  bool concurrent = debug.gcstoptheworld == 0;
  if (run) {
    int64_t stopped = nanotime();
    trace = CycleTrace{};
    trace.start_ns = start;
    trace.pause_start_ns = start;
    trace.stopped_ns = stopped;
    trace.heap_before = collected_heap_bytes();
    trace.goal = __atomic_load_n(&heap_goal, __ATOMIC_RELAXED);
    trace.forced = trigger == Trigger::User;
    trace.concurrent = concurrent;
    trace.worker_cpu_at_start = mark_worker_cpu_ns();
    trace.assist_cpu_at_start = mark_assist_cpu_ns();
    trace.idle_cpu_at_start = idle_mark_worker_cpu_ns();
    PauseArgs args{};
    cycle_pause_ns = 0;
    pause_here(self, concurrent ? begin_cycle_in_pause : mark_and_sweep_stopped, &args);
  }
  start_the_world();
  __atomic_store_n(&cycle_starting, 0, __ATOMIC_RELEASE);
  if (run && concurrent) start_mark_workers();
  if (run && !concurrent) after_cycle();
  return run;
}

}  // namespace

// From the last marker to find no work (runtime/marker.cpp), a goroutine holding no lock:
// the second pause. If the mutators shaded more than the pause's budget can drain, the mark
// resumes (and this is retried when the markers run dry again).
bool end_mark_if_done() {
  uint32_t idle = 0;
  if (!__atomic_compare_exchange_n(&mark_ending, &idle, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return false;
  if (!marking()) {
    __atomic_store_n(&mark_ending, 0, __ATOMIC_RELEASE);
    return false;
  }
  Goroutine* self = cpu::current_goroutine();
  int64_t start = nanotime();
  stop_the_world();
  trace.pause_start_ns = start;
  PauseArgs args{};
  pause_here(self, end_mark_in_pause, &args);
  start_the_world();
  __atomic_store_n(&mark_ending, 0, __ATOMIC_RELEASE);
  if (args.done) after_cycle();
  else start_mark_workers();  // what the pause left is on the shared list
  return true;
}

double assist_ratio() {
  uint64_t expected = last_scan_work != 0 ? last_scan_work : cycle_live + (1 << 20);
  uint64_t done = __atomic_load_n(&mark_totals.scanned_bytes, __ATOMIC_RELAXED) + __atomic_load_n(&mark_totals.stack_bytes, __ATOMIC_RELAXED);
  uint64_t remaining = expected > done ? expected - done : 0;
  if (remaining < expected / 16 + (64 << 10)) remaining = expected / 16 + (64 << 10);
  // The mark should end as the heap reaches the goal; past it, the same ratio over a small
  // distance makes assists do nearly all that is left (Go's pacer aims at the goal too, and
  // only past it at the hard goal).
  uint64_t heap = collected_heap_bytes();
  uint64_t distance = cycle_goal > heap + (64 << 10) ? cycle_goal - heap : 64 << 10;
  return double(remaining) / double(distance);
}

bool heap_past_hard_goal() { return collected_heap_bytes() > cycle_goal + cycle_goal / 10; }

namespace {
uint32_t markers_held = 0;  // atomic: hold_marking (runtime/testing.h)
}  // namespace

bool marking_held() { return __atomic_load_n(&markers_held, __ATOMIC_ACQUIRE) != 0; }

void scan_root_handles(Marker& m) {
  LockGuard guard(roots_lock);
  m.check_slot = 0;
  for (RootNode* r = roots; r != nullptr; r = r->next)
    mark_word(reinterpret_cast<uintptr_t>(__atomic_load_n(&r->object, __ATOMIC_RELAXED)), m);
}

namespace {

// Starts a cycle if none is running and returns once one that began after this call has
// ended (Go's runtime.GC: a cycle already marking when it is called does not count).
void run_full_cycle(Trigger trigger) {
  uint64_t at_call = __atomic_load_n(&cycles_started, __ATOMIC_ACQUIRE);
  for (;;) {
    uint64_t started = __atomic_load_n(&cycles_started, __ATOMIC_ACQUIRE);
    if (started > at_call) {  // began after the call
      wait_for_cycle(started);
      return;
    }
    if (__atomic_load_n(&collections, __ATOMIC_ACQUIRE) < started) {
      wait_for_cycle(started);  // one from before the call: let it end, then start ours
      continue;
    }
    if (start_cycle(trigger)) {
      wait_for_cycle(__atomic_load_n(&cycles_started, __ATOMIC_ACQUIRE));
      return;
    }
    // Skipped because a collection ended within the period: done. (Still due: another
    // goroutine was starting a cycle; that one began after this call, the loop waits for it.)
    if (trigger == Trigger::Time && nanotime() - __atomic_load_n(&last_end_ns, __ATOMIC_RELAXED) < forced_collection_period_ns())
      return;
    yield_processor();  // another goroutine is starting one
  }
}

// --- The forced cycle (Go's forcegchelper and sysmon's gcTrigger{gcTriggerTime} test) ---
//
// A system goroutine (is_system: not counted by num_goroutine or the deadlock check), made
// on the collector's first use, parks between cycles. sysmon calls check_forced_collection
// each round; once a collection has ended (as Go: never before the first) and none since
// for the period, it claims the parked helper (forced_helper_parked 1 -> 0, so it is readied
// once) and puts it on the global queue, as a goroutine back from a system call goes there.
// The helper prints "GC forced" under gctrace, as Go's does, and collects.
Goroutine* forced_helper = nullptr;  // set once, before forced_collection_check is published
uint32_t forced_helper_parked = 0;   // atomic: 1 from its park's commit until sysmon claims it
uint64_t forced_total = 0;           // atomic statistic: forced cycles finished

void forced_helper_commit(Goroutine*, void*) { __atomic_store_n(&forced_helper_parked, 1, __ATOMIC_RELEASE); }

// On the scheduler stack: print's buffer is more than a goroutine's stack reserve.
void print_gc_forced(void*) { print("GC forced\n"); }

void forced_helper_main(void*) {
  for (;;) {
    park(WaitReason::ForceGCIdle, forced_helper_commit, nullptr);
    if (debug.gctrace > 0) run_on_scheduler_stack(print_gc_forced, nullptr);
    uint64_t before = __atomic_load_n(&collections, __ATOMIC_ACQUIRE);
    run_full_cycle(Trigger::Time);
    if (__atomic_load_n(&collections, __ATOMIC_ACQUIRE) != before) __atomic_add_fetch(&forced_total, 1, __ATOMIC_RELAXED);
  }
}

// On sysmon's thread, without a Processor (so it only queues the helper: the collection
// needs a goroutine). The world is not stopped: sysmon starts no round while it is.
void check_forced_collection() {
  int64_t last = __atomic_load_n(&last_end_ns, __ATOMIC_RELAXED);
  if (last == 0 || nanotime() - last < forced_collection_period_ns()) return;
  uint32_t parked = 1;
  if (!__atomic_compare_exchange_n(&forced_helper_parked, &parked, 0, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
  {
    LockGuard guard(scheduler.lock);
    forced_helper->status = GoroutineStatus::Runnable;
    global_queue_put(forced_helper);
  }
  wake_processor();
}

// --- The background sweeper (Go's bgsweep) ---
//
// A system goroutine, made with the forced helper on the collector's first use, so `hello`
// links none of it. Each collection readies it (wake_background_sweeper, after the world
// starts again); it sweeps span by span (sweep_one_span), yields its Processor after every
// batch so that the program runs between them (Go's Gosched after sweepBatchSize), and parks
// once no span is left to claim. Allocation sweeps too (lazily, runtime/allocator.cpp), and
// finish_sweep whatever is left before the next mark.
//   The park and the wake-up cannot miss each other: the sweeper's commit publishes
// sweeper_parked = 1 and then reads whether spans are unswept; a waker makes spans unswept
// (start_sweep, in the pause) and then reads sweeper_parked. Both sequentially consistent,
// so at least one of them sees the other, and the 1 -> 0 exchange lets only one ready it.
constexpr uint32_t sweep_batch_spans = 10;  // Go's sweepBatchSize
Goroutine* background_sweeper = nullptr;   // atomic: set once (release), on first use
uint32_t sweeper_parked = 0;               // atomic: 1 from its park's commit until readied
uint32_t sweeper_held = 0;                 // atomic: 1 while a test holds it off (testing.h)

// On the scheduler stack, the sweeper off its stack and Waiting: it may be readied now.
void background_sweeper_commit(Goroutine* g, void*) {
  __atomic_store_n(&sweeper_parked, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&sweeper_held, __ATOMIC_SEQ_CST) == 0 && !sweep_finished() &&
      __atomic_exchange_n(&sweeper_parked, 0, __ATOMIC_SEQ_CST) == 1)
    ready(g);
}

void background_sweeper_main(void*) {
  for (;;) {
    park(WaitReason::GCSweepWait, background_sweeper_commit, nullptr);
    for (uint32_t swept = 0; __atomic_load_n(&sweeper_held, __ATOMIC_SEQ_CST) == 0 && sweep_one_span(SweptBy::Background);)
      if (++swept % sweep_batch_spans == 0) {
        finalization_after_collection();  // what the batch (or allocation) queued
        yield_processor();
      }
    finalization_after_collection();
  }
}

// From the goroutine that ran a collection, with the world running and a Processor held.
void wake_background_sweeper() {
  Goroutine* sweeper = __atomic_load_n(&background_sweeper, __ATOMIC_ACQUIRE);
  if (sweeper == nullptr || __atomic_load_n(&sweeper_held, __ATOMIC_SEQ_CST) != 0 || sweep_finished()) return;
  if (__atomic_exchange_n(&sweeper_parked, 0, __ATOMIC_SEQ_CST) == 1) ready(sweeper);
}

// Makes the helper and registers the check with sysmon. From a goroutine with a Processor
// (the collector's first use from main or a goroutine; a first use with none, before the
// scheduler starts, leaves it to the next gc::collect() or collection).
bool forced_cycle_started = false;  // atomic
void start_forced_cycle() {
  if (__atomic_load_n(&forced_cycle_started, __ATOMIC_ACQUIRE)) return;
  Goroutine* self = cpu::current_goroutine();
  if (self == nullptr || self->id == 0 || cpu::current_machine()->processor == nullptr || !scheduler.main_started) return;
  if (__atomic_exchange_n(&forced_cycle_started, true, __ATOMIC_ACQ_REL)) return;
  Goroutine* g = new_goroutine(forced_helper_main);
  g->is_system = true;
  __atomic_add_fetch(&system_goroutine_count, 1, __ATOMIC_RELAXED);
  forced_helper = g;
  start_goroutine(g);
  g = new_goroutine(background_sweeper_main);
  g->is_system = true;
  __atomic_add_fetch(&system_goroutine_count, 1, __ATOMIC_RELAXED);
  __atomic_store_n(&background_sweeper, g, __ATOMIC_RELEASE);
  start_goroutine(g);
  __atomic_store_n(&forced_collection_check, check_forced_collection, __ATOMIC_RELEASE);
}

}  // namespace

// GOGC is read on the collector's first use (any gc:: call), not at start-up, so programs
// that never collect carry none of this. The first caller claims the read (0 -> 1) and
// publishes it (2); a racing one waits the few instructions it takes (runtime code is not
// preempted), so a set_percent() can never be overwritten by a late read.
static uint32_t gogc_read = 0;  // atomic: 0 not read, 1 being read, 2 read

// Go's parseByteCount: decimal digits and an optional B, KiB, MiB, GiB or TiB; false for
// anything else, a negative number, or one that does not fit in an int64.
static bool parse_byte_count(const char* text, int64_t* out) {
  size_t n = 0;
  while (text[n] != 0) n++;
  uint64_t scale = 1;
  if (n > 0 && text[n - 1] == 'B') {
    n--;
    if (n >= 2 && text[n - 1] == 'i') {
      const char unit = text[n - 2];
      scale = unit == 'K' ? uint64_t(1) << 10 : unit == 'M' ? uint64_t(1) << 20 : unit == 'G' ? uint64_t(1) << 30 : unit == 'T' ? uint64_t(1) << 40 : 0;
      if (scale == 0) return false;
      n -= 2;
    }
  }
  if (n == 0) return false;
  uint64_t value = 0;
  for (size_t i = 0; i < n; i++) {
    if (text[i] < '0' || text[i] > '9') return false;
    if (value > (uint64_t(INT64_MAX) - uint64_t(text[i] - '0')) / 10) return false;
    value = value * 10 + uint64_t(text[i] - '0');
  }
  if (value > uint64_t(INT64_MAX) / scale) return false;
  *out = int64_t(value * scale);
  return true;
}

// GOMEMLIMIT, on the collector's first use: "off" is no limit (INT64_MAX, Go's default);
// unset, gort's default is the container's limit (memory_limit(): cgroup memory.max), where
// Go has none; anything unparsable is Go's fatal error. On the scheduler stack: reading the
// cgroup's files and printing need more than a goroutine's stack reserve.
static void read_gomemlimit(void*) {
  const char* value = getenv("GOMEMLIMIT");
  int64_t limit = INT64_MAX;
  if (value == nullptr || *value == 0) {
    uint64_t cgroup = memory_limit();
    if (cgroup != no_memory_limit && cgroup < uint64_t(INT64_MAX)) limit = int64_t(cgroup);
  } else if (!(value[0] == 'o' && value[1] == 'f' && value[2] == 'f' && value[3] == 0) && !parse_byte_count(value, &limit)) {
    print("GOMEMLIMIT=", value, "\n");
    fatal("malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`");
  }
  __atomic_store_n(&memory_limit_bytes, limit, __ATOMIC_RELAXED);
}

static void read_gogc() {
  uint32_t state = __atomic_load_n(&gogc_read, __ATOMIC_ACQUIRE);
  if (state == 2) return;
  if (state != 0 || !__atomic_compare_exchange_n(&gogc_read, &state, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
    while (__atomic_load_n(&gogc_read, __ATOMIC_ACQUIRE) != 2) __builtin_ia32_pause();
    return;
  }
  const char* value = getenv("GOGC");
  int32_t percent = 100;
  if (value != nullptr && value[0] == 'o' && value[1] == 'f' && value[2] == 'f' && value[3] == 0) {
    percent = -1;
  } else if (value != nullptr && *value != 0) {
    int32_t n = 0;
    for (const char* c = value; *c != 0 && n >= 0; c++) {
      if (*c < '0' || *c > '9' || n > 100000000) n = -1;  // as Go: an unparsable GOGC is ignored
      else n = n * 10 + (*c - '0');
    }
    if (n >= 0) percent = n;
  }
  __atomic_store_n(&gc_percent, percent, __ATOMIC_RELAXED);
  run_on_scheduler_stack(read_gomemlimit, nullptr);
  install_mark_hooks();  // before any cycle can start
  set_goal(0, percent);
  // gc::read_pauses' histogram, made here so programs that never collect carry none of its 5 KB.
  auto* histogram = static_cast<gc::PauseHistogram*>(persistent_alloc(sizeof(gc::PauseHistogram), 64));  // zeroed
  __atomic_store_n(&pause_histogram, histogram, __ATOMIC_RELEASE);
  // MemStats' PauseNs history, made here so programs that never collect carry none of it.
  auto* pauses = static_cast<uint64_t*>(persistent_alloc(sizeof(uint64_t) * pause_history, 64));  // zeroed
  __atomic_store_n(&collector_counters.pause_ns, pauses, __ATOMIC_RELEASE);
  // Collected channels and their boxes allocate through this (runtime/channel.cpp); release:
  // published before any collected object exists.
  __atomic_store_n(&collected_allocate, &gc::detail::allocate, __ATOMIC_RELEASE);
  __atomic_store_n(&gogc_read, 2, __ATOMIC_RELEASE);
}

// Before a collected allocation: the read of GOGC on first use, and a collection if the
// heap is at its goal.
// During a mark, the allocating goroutine pays its assist instead (assist_allocation).
static inline bool may_collect_here(Goroutine* g) {
  return g != nullptr && g->id != 0 && scheduler.main_started && !holds_runtime_lock() && !world_stopped_by(g) &&
         cpu::current_machine()->processor != nullptr;
}
static inline void before_allocation(size_t bytes) {
  if (__builtin_expect(__atomic_load_n(&gogc_read, __ATOMIC_ACQUIRE) != 2, 0)) read_gogc();
  // A stop of the world (a cycle's pause) waits for every goroutine to reach a safe point; a
  // loop of collected allocations is almost all runtime code, where the preemption signal
  // never stops it, so each allocation is one (a load and a branch, as malloc's slow path).
  preemption_point();
  if (__builtin_expect(marking(), 0)) {
    Goroutine* g = cpu::current_goroutine();
    if (may_collect_here(g) && !g->is_system) assist_allocation(g, bytes);
    return;
  }
  int64_t limit = __atomic_load_n(&memory_limit_bytes, __ATOMIC_RELAXED);
  if (__builtin_expect(limit != INT64_MAX, 0)) refresh_limit_goal(uint64_t(limit));
  if (__builtin_expect(collected_heap_bytes() + bytes >= __atomic_load_n(&heap_trigger, __ATOMIC_RELAXED), 0) &&
      may_collect_here(cpu::current_goroutine()) && collection_may_start()) {
    start_forced_cycle();
    start_cycle(Trigger::Goal);
  }
}

uint64_t forced_collections() { return __atomic_load_n(&forced_total, __ATOMIC_RELAXED); }

void* allocate_typed_slot(size_t bytes, size_t alignment, uintptr_t header0, uintptr_t header1) {
  before_allocation(bytes);
  return allocate_collected_typed(bytes, alignment, header0, header1);
}

namespace gc {

namespace detail {

namespace {
// The slow path: outside a mark, the Processor's pending counts flushed first, so that the
// trigger test sees its latest; then the preemption point, the assist or the trigger, and the
// allocator's general path.
[[gnu::noinline]] void* allocate_slowly(size_t bytes, size_t alignment, bool noscan) {
  if (!marking())
    if (AllocationCache* cache = current_allocation_cache()) flush_collected_counts(cache);
  before_allocation(bytes);
  return allocate_collected(bytes, alignment, noscan);
}
}  // namespace

// The fast path inline (allocate_collected_fast in runtime/allocator.h), a leaf: a pending
// preemption request sends the allocation down the slow path, whose before_allocation is the
// preemption point. During a mark, a goroutine whose assist credit for this cycle covers the
// object takes the fast path too (the object black), paying with the credit; one without
// enough takes the slow path, which assists (assist_allocation).
void* allocate(size_t bytes, size_t alignment, bool noscan) {
  if (__builtin_expect(gort::detail::stack_guard() != stack_guard_preempt, 1)) {
    if (__builtin_expect(!marking(), 1)) {
      if (void* p = allocate_collected_fast(bytes, alignment, noscan, false)) return p;
    } else {
      Goroutine* g = cpu::current_goroutine();
      if (g != nullptr && g->gc_assist_cycle == __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE) &&
          g->gc_assist_credit >= int64_t(bytes)) {
        if (void* p = allocate_collected_fast(bytes, alignment, noscan, true)) {
          g->gc_assist_credit -= int64_t(bytes);
          return p;
        }
      }
    }
  }
  return allocate_slowly(bytes, alignment, noscan);
}

void array_too_large() { out_of_memory(SIZE_MAX); }

void add_root(RootNode* node) {
  LockGuard guard(roots_lock);
  node->previous = nullptr;
  node->next = roots;
  if (roots != nullptr) roots->previous = node;
  roots = node;
}

void remove_root(RootNode* node) {
  LockGuard guard(roots_lock);
  if (node->previous != nullptr) node->previous->next = node->next;
  else roots = node->next;
  if (node->next != nullptr) node->next->previous = node->previous;
}

}  // namespace detail

void collect() {
  read_gogc();
  start_forced_cycle();
  run_full_cycle(Trigger::User);
  finish_sweep(SweptBy::Finish);  // returns with the heap swept, as Go's runtime.GC()
  finalization_after_collection();  // and the cleanup goroutine woken for what it queued
}

int set_percent(int percent) {
  read_gogc();
  int old = __atomic_exchange_n(&gc_percent, percent < 0 ? -1 : percent, __ATOMIC_RELAXED);
  set_goal(__atomic_load_n(&last_live_bytes, __ATOMIC_RELAXED), percent < 0 ? -1 : percent);
  return old;
}

int64_t set_memory_limit(int64_t limit) {
  read_gogc();
  if (limit < 0) return __atomic_load_n(&memory_limit_bytes, __ATOMIC_RELAXED);
  int64_t old = __atomic_exchange_n(&memory_limit_bytes, limit, __ATOMIC_RELAXED);
  set_goal(__atomic_load_n(&last_live_bytes, __ATOMIC_RELAXED), __atomic_load_n(&gc_percent, __ATOMIC_RELAXED));
  return old;
}

Stats stats() {
  read_gogc();
  Stats s{};
  s.collections = __atomic_load_n(&collections, __ATOMIC_ACQUIRE);
  s.heap_bytes = collected_heap_bytes();
  s.live_bytes = __atomic_load_n(&last_live_bytes, __ATOMIC_RELAXED);
  s.live_objects = __atomic_load_n(&last_live_objects, __ATOMIC_RELAXED);
  s.freed_objects = __atomic_load_n(&freed_objects_total, __ATOMIC_RELAXED);
  uint64_t goal = __atomic_load_n(&heap_goal, __ATOMIC_RELAXED);
  s.goal_bytes = goal == UINT64_MAX ? 0 : goal;
  return s;
}

void read_pauses(PauseHistogram* out) {
  read_gogc();
  const PauseHistogram* h = __atomic_load_n(&pause_histogram, __ATOMIC_ACQUIRE);
  out->pauses = __atomic_load_n(&h->pauses, __ATOMIC_RELAXED);
  out->total_ns = __atomic_load_n(&h->total_ns, __ATOMIC_RELAXED);
  out->max_ns = __atomic_load_n(&h->max_ns, __ATOMIC_RELAXED);
  for (uint32_t b = 0; b < PauseHistogram::bucket_count; b++)
    out->buckets[b] = __atomic_load_n(&h->buckets[b], __ATOMIC_RELAXED);
}

}  // namespace gc

// For white-box tests (runtime/testing.h): gc::collect() without its finish_sweep, so that
// the sweep left after the pause can be watched.
void collect_leaving_sweep() {
  read_gogc();
  start_forced_cycle();
  run_full_cycle(Trigger::User);
}

bool start_concurrent_cycle() {
  read_gogc();
  start_forced_cycle();
  return start_cycle(Trigger::User);
}

void wait_for_cycle_end() {
  wait_for_cycle(__atomic_load_n(&cycles_started, __ATOMIC_ACQUIRE));
}

uint64_t mark_resumptions() { return __atomic_load_n(&resumed_marks, __ATOMIC_RELAXED); }

void hold_marking(bool hold) {
  __atomic_store_n(&markers_held, hold ? 1u : 0u, __ATOMIC_RELEASE);
  if (!hold && marking()) start_mark_workers();
}

void hold_background_sweeper(bool hold) {
  read_gogc();
  start_forced_cycle();
  __atomic_store_n(&sweeper_held, hold ? 1 : 0, __ATOMIC_SEQ_CST);
  if (!hold) wake_background_sweeper();
}

}  // namespace gort
