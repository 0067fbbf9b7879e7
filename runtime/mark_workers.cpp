// The concurrent mark's workers and assists (Go's gcBgMarkWorker, the scheduler's
// findRunnableGCWorker, and gcAssistAlloc): who does the marking that runtime/marker.cpp
// defines, and when. The workers are system goroutines given turns by each Processor's
// scheduler (find_mark_worker, reached from find_runnable in runtime/scheduler.cpp through
// mark_worker_to_run in runtime/marker.h); assists are allocating goroutines paying for
// their allocation with scan work (assist_allocation, from runtime/collector.cpp's
// before_allocation). Both mark in batches (drain_batch: on the scheduler stack, counted in
// active_markers), and the last marker to run dry ends the mark (end_mark_if_done in
// runtime/collector.cpp). The book's account is docs/07-collector.md, "Workers" and
// "Assists".
//
// Invariants: a worker is either parked in the pool (status Waiting, on parked_workers) or in
// a turn, never both; only a scheduler that takes it out of the pool makes it runnable. The
// plan of a cycle's turns is written before any turn of that cycle reads it (planned_cycle,
// release/acquire). Locks: work_lock (rank MarkWork, runtime/marker.cpp's) guards the pool;
// nothing is readied under it.
#include "../arch/amd64/cpu.h"
#include "collector.h"
#include "fatal.h"
#include "goroutine.h"
#include "lock.h"
#include "machine.h"
#include "marker.h"
#include "preempt.h"
#include "processor.h"
#include "scheduler.h"
#include "spin_lock.h"
#include "time.h"

namespace gort {

// --- Mark workers (Go's gcBgMarkWorker, and gcController's findRunnableGCWorker) ---
//
// System goroutines, as many as Processors, made at the first concurrent mark (more if
// GOMAXPROCS grew). They wait parked in a pool; none is readied. A Processor's scheduler
// takes one out when it decides to give it a turn (find_mark_worker, from find_runnable),
// in one of Go's three modes, planned at each cycle's start (plan_workers) for 25% of
// GOMAXPROCS:
//   dedicated   whole Processors, round(GOMAXPROCS / 4) of them when that is within 30%
//               of the aim (GOMAXPROCS 4: 1; 8: 2). The first schedulers to look take them,
//               before their run queues; such a worker marks until the mark ends for it,
//               stopping only for a stop of the world (not for time slices);
//   fractional  the rest of the aim, as a share of each Processor's time since the mark
//               began (GOMAXPROCS 1 and 2: 25% of each; 3: 0). A scheduler gives a worker a
//               turn while its Processor's share is below the goal; the worker stops at 1.2
//               times it;
//   idle        a scheduler that found nothing to run (its queue, the global one, stealing)
//               gives a worker the Processor until something else is runnable there.
// A turn is batches of scanning (drain_batch, on the scheduler stack) with a safe point for
// a stop of the world between them; at its end the worker parks back in the pool. The last
// marker to run dry (a worker, or an assist: assist_allocation) ends the mark. A scheduler
// also gives a turn when the mark looks finished (nothing left anywhere), so that a mark
// whose last work was done elsewhere (a stack scanned by execute) still ends.
namespace {

enum class WorkerMode : uint8_t { Dedicated, Fractional, Idle };

struct Worker {
  Goroutine* g;
  WorkerMode mode;      // of the current turn; written by the scheduler that gives it
  uint32_t turn_cycle;  // mark_cycle of the current turn
};

constexpr uint64_t worker_batch_bytes = 128 << 10;  // about 50 us of scanning
constexpr int32_t max_workers = max_processors;
Worker workers[max_workers];
Worker* parked_workers[max_workers];  // work_lock
int32_t parked_count = 0;             // work_lock; read racily as a hint
int32_t worker_count = 0;             // workers made; by the cycle's starter only
uint64_t worker_cpu_ns = 0;           // atomic statistic: dedicated and fractional turns' batches, ever
uint64_t idle_worker_cpu_ns = 0;      // atomic statistic: idle turns' batches, ever

// The plan of the current mark (plan_workers, before any turn of it; read by schedulers).
uint32_t planned_cycle = 0;            // atomic: mark_cycle the plan is for
// Scan work the workers did in this mark that no assist has taken yet (Go's bgScanCredit):
// an assist in debt takes from it before it scans (assist_allocation). Reset by
// plan_workers; read and written with atomic adds (relaxed: only an amount, it orders nothing).
int64_t background_scan_credit = 0;
int32_t dedicated_wanted = 0;          // atomic: dedicated turns still to give
double fractional_goal = 0;            // share of each Processor's time for fractional turns
int64_t mark_started_ns = 0;
int64_t fractional_ns[max_processors];  // atomic: each Processor's fractional turns, this mark

void worker_park_commit(Goroutine* g, void* arg) {
  (void)g;
  LockGuard guard(work_lock);
  parked_workers[parked_count++] = static_cast<Worker*>(arg);
}

}  // namespace

// Go's startCycle (runtime/marker.h).
MarkWorkerPlan mark_worker_plan(int32_t procs) {
  double aim = double(procs) * 0.25;
  int32_t dedicated = int32_t(aim + 0.5);
  double error = double(dedicated) / aim - 1;
  double fractional = 0;
  if (error < -0.3 || error > 0.3) {
    if (double(dedicated) > aim) dedicated--;
    fractional = (aim - double(dedicated)) / double(procs);
  }
  return MarkWorkerPlan{dedicated, fractional};
}

namespace {

// The plan for this mark's GOMAXPROCS, and the fractional clocks from zero.
void plan_workers(uint32_t cycle) {
  MarkWorkerPlan plan = mark_worker_plan(__atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_RELAXED));
  for (int64_t& ns : fractional_ns) __atomic_store_n(&ns, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&background_scan_credit, 0, __ATOMIC_RELAXED);
  mark_started_ns = nanotime();
  fractional_goal = plan.fractional;
  __atomic_store_n(&dedicated_wanted, plan.dedicated, __ATOMIC_RELAXED);
  __atomic_store_n(&planned_cycle, cycle, __ATOMIC_RELEASE);  // the plan before schedulers use it
}

// p's fractional turns over the time since the mark began.
double fractional_share(const Processor* p, int64_t now) {
  int64_t elapsed = now - mark_started_ns;
  return elapsed > 0 ? double(__atomic_load_n(&fractional_ns[p->id], __ATOMIC_RELAXED)) / double(elapsed) : 0;
}

// Whether the current Processor has something else to run (an idle turn ends).
bool processor_has_other_work() {
  Processor* p = cpu::current_machine()->processor;
  return !run_queue_empty(p) || __atomic_load_n(&scheduler.queue_size, __ATOMIC_RELAXED) != 0;
}

// One turn, in w's mode, from the worker's goroutine.
void run_turn(Worker* w, Marker& m) {
  int64_t turn_start = nanotime();
  uint64_t* cpu_ns = w->mode == WorkerMode::Idle ? &idle_worker_cpu_ns : &worker_cpu_ns;
  while (__atomic_load_n(&mark_phase, __ATOMIC_ACQUIRE) != 0 && __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE) == w->turn_cycle &&
         !marking_held()) {
    uint32_t left;
    uint64_t found = drain_batch(&m, worker_batch_bytes, cpu_ns, &left);
    if (found != 0) __atomic_add_fetch(&background_scan_credit, int64_t(found), __ATOMIC_RELAXED);
    if (found == 0 && left == 0 && !mark_work_left()) {
      // The last marker ran dry: the second pause (runtime/collector.cpp), unless it resumes
      // the mark. Before any end of the turn: a turn given to end the mark must end it. If
      // another marker is ending it, this turn is over.
      if (!end_mark_if_done()) break;
      continue;
    }
    if (w->mode == WorkerMode::Fractional) {
      // The whole turn counts, waits between batches included: the Processor was given.
      int64_t now = nanotime();
      Processor* p = cpu::current_machine()->processor;
      __atomic_add_fetch(&fractional_ns[p->id], now - turn_start, __ATOMIC_RELAXED);
      turn_start = now;
      if (fractional_share(p, now) > 1.2 * fractional_goal) break;
    }
    if (w->mode == WorkerMode::Idle && processor_has_other_work()) break;
    if (found != 0) {
      // A stop of the world waits for at most a batch; a time slice ends only a turn that
      // is not dedicated (Go's dedicated workers run on through preemption).
      if (w->mode != WorkerMode::Dedicated || __atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) preemption_point();
      continue;
    }
    // Others hold the rest (a batch, a stack scan): let this Processor's goroutines run,
    // then look again, since the last of them to finish may need a worker to end the mark.
    yield_processor();
  }
  if (w->mode == WorkerMode::Dedicated && w->turn_cycle == __atomic_load_n(&planned_cycle, __ATOMIC_ACQUIRE))
    __atomic_add_fetch(&dedicated_wanted, 1, __ATOMIC_RELAXED);  // the Processor is given back (Go's, too)
}

// `record`: the worker's Worker (its goroutine's closure, set by start_mark_workers).
void mark_worker_main(void* record) {
  Worker* w = static_cast<Worker*>(record);
  Marker m;
  m.concurrent = true;
  for (;;) {
    park(WaitReason::GCWorkerIdle, worker_park_commit, w);
    run_turn(w, m);
  }
}

}  // namespace

uint64_t mark_worker_cpu_ns() { return __atomic_load_n(&worker_cpu_ns, __ATOMIC_RELAXED); }
uint64_t idle_mark_worker_cpu_ns() { return __atomic_load_n(&idle_worker_cpu_ns, __ATOMIC_RELAXED); }

// From find_runnable, on the scheduler stack, holding p and no lock, while marking: a
// worker to run now, made runnable (its mode set), or null. `idle`: p found nothing else.
Goroutine* find_mark_worker(Processor* p, bool idle) {
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE);
  if (__atomic_load_n(&parked_count, __ATOMIC_RELAXED) == 0 || marking_held() ||
      __atomic_load_n(&planned_cycle, __ATOMIC_ACQUIRE) != cycle)
    return nullptr;
  bool work = unclaimed_work() || shade_buffers_hold_work();
  bool finished = !work && !mark_work_left();  // a turn ends the mark
  if (!work && !finished) return nullptr;      // what is left, others hold
  WorkerMode mode = WorkerMode::Idle;
  if (!idle) {
    int32_t wanted = __atomic_load_n(&dedicated_wanted, __ATOMIC_RELAXED);
    if (wanted > 0 && __atomic_compare_exchange_n(&dedicated_wanted, &wanted, wanted - 1, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
      mode = WorkerMode::Dedicated;
    else if (finished || (fractional_goal > 0 && fractional_share(p, nanotime()) < fractional_goal))
      mode = WorkerMode::Fractional;
    else
      return nullptr;
  }
  Worker* w = nullptr;
  {
    LockGuard guard(work_lock);
    if (parked_count > 0) w = parked_workers[--parked_count];
  }
  if (w == nullptr) {
    if (mode == WorkerMode::Dedicated) __atomic_add_fetch(&dedicated_wanted, 1, __ATOMIC_RELAXED);
    return nullptr;
  }
  w->mode = mode;
  w->turn_cycle = cycle;
  if (w->g->status != GoroutineStatus::Waiting) fatal("gc: a pooled mark worker is not parked");
  w->g->status = GoroutineStatus::Runnable;  // as ready(), without a run queue
  return w->g;
}

// From the cycle's starter (and a resumed mark), with the world running and a Processor:
// makes the missing workers, plans the cycle's turns once, and wakes an idle Processor (one
// that finds nothing else gives a worker an idle turn, and wakes the next).
void start_mark_workers() {
  int32_t procs = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_RELAXED);
  static uint32_t making = 0;  // atomic: one caller at a time makes workers
  uint32_t free = 0;
  if (__atomic_load_n(&worker_count, __ATOMIC_ACQUIRE) < procs &&
      __atomic_compare_exchange_n(&making, &free, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    while (worker_count < procs && worker_count < max_workers) {
      Goroutine* g = new_goroutine(mark_worker_main);
      g->is_system = true;
      g->closure = &workers[worker_count];  // static storage: nothing to destroy
      __atomic_add_fetch(&system_goroutine_count, 1, __ATOMIC_RELAXED);
      workers[worker_count].g = g;
      __atomic_store_n(&worker_count, worker_count + 1, __ATOMIC_RELEASE);
      start_goroutine(g);  // it parks in the pool at once
    }
    __atomic_store_n(&making, 0, __ATOMIC_RELEASE);
  }
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE);
  if (__atomic_load_n(&planned_cycle, __ATOMIC_ACQUIRE) != cycle) plan_workers(cycle);
  wake_processor();
}

// --- Assists (Go's gcAssistAlloc) ---

namespace {
uint64_t assist_cpu_ns = 0;  // atomic statistic
}  // namespace

uint64_t mark_assist_cpu_ns() { return __atomic_load_n(&assist_cpu_ns, __ATOMIC_RELAXED); }

// g allocated `bytes` during the mark: it pays for them with scan work at the pacer's ratio
// (assist_ratio: scan bytes still expected per byte of heap left before the goal), in
// batches of at least assist_batch_bytes of credit. When no work can be found, the debt is
// forgiven unless the heap is past the goal's hard limit; then the goroutine yields until
// the mark ends or work appears (the collector must not lose the race with the program).
void assist_allocation(Goroutine* g, size_t bytes) {
  uint32_t cycle = __atomic_load_n(&mark_cycle, __ATOMIC_ACQUIRE);
  if (g->gc_assist_cycle != cycle) {
    g->gc_assist_cycle = cycle;
    g->gc_assist_credit = 0;
  }
  g->gc_assist_credit -= int64_t(bytes);
  if (g->gc_assist_credit >= 0) return;
  constexpr uint64_t assist_batch_bytes = 16 << 10, assist_batch_limit = 64 << 10;
  while (__atomic_load_n(&mark_phase, __ATOMIC_ACQUIRE) != 0 && g->gc_assist_credit < 0 && !marking_held()) {
    // Between batches the goroutine is at a safe point (its own stack, no lock held): a
    // stop of the world waits for at most one batch of an assist, not the whole debt.
    preemption_point();
    double ratio = assist_ratio();
    uint64_t debt = uint64_t(-g->gc_assist_credit);
    uint64_t want = uint64_t(double(debt) * ratio);
    if (want < assist_batch_bytes) want = assist_batch_bytes;
    if (want > assist_batch_limit) want = assist_batch_limit;
    // The workers' surplus first (Go's bgScanCredit): where a worker holds the work in its
    // own chunks, an assist would find nothing, forgive the debt, and be back at its next
    // allocation (at GOMAXPROCS=2 with an idle worker, GCBench's every allocation of a mark).
    int64_t surplus = __atomic_load_n(&background_scan_credit, __ATOMIC_RELAXED);
    if (surplus > 0) {
      uint64_t stolen = uint64_t(surplus) < want ? uint64_t(surplus) : want;
      __atomic_sub_fetch(&background_scan_credit, int64_t(stolen), __ATOMIC_RELAXED);
      g->gc_assist_credit += 1 + int64_t(double(stolen) / (ratio > 0 ? ratio : 1));
      if (stolen == want) continue;  // paid in full (want covers the debt at the ratio)
    }
    Marker m;
    m.concurrent = true;
    uint32_t left;
    uint64_t done = drain_batch(&m, want, &assist_cpu_ns, &left);
    if (done != 0) g->gc_assist_credit += int64_t(double(done) / (ratio > 0 ? ratio : 1));
    // The last marker to run dry has the mark ended at once (Go's gcAssistAlloc1 calls
    // gcMarkDone): the yield lets this Processor's scheduler give a worker the turn that ends
    // it (find_mark_worker gives one whenever the mark looks finished). Not here: the second
    // pause's depth does not fit in what an allocation may use of a goroutine's stack.
    if (left == 0 && !mark_work_left()) {
      yield_processor();
      if (!marking()) return;
    }
    if (done != 0) continue;
    if (!heap_past_hard_goal()) {
      g->gc_assist_credit = 0;  // nothing to do now: the workers hold what is left
      return;
    }
    yield_processor();
  }
}

}  // namespace gort
