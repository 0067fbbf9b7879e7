// The scheduling loop: what a Machine does between goroutines (Go's schedule, findRunnable,
// execute, park_m, goready, gosched_m, checkdead). Everything here runs on the scheduler
// stack (Go's g0) except park(), ready() and yield_processor(), which are called by
// goroutines. See runtime/scheduler.h for the model and lock order; book chapter
// docs/02-scheduler.md walks through schedule() step by step.
#include "scheduler.h"

#include "../arch/amd64/cpu.h"
#include "context.h"
#include "fatal.h"
#include "lock_checks.h"
#include "print.h"
#include "blocking.h"
#include "syscall.h"
#include "time.h"
#include "timer.h"
#include "tunables.h"
#include "world.h"
#include "marker.h"

namespace gort {

Scheduler scheduler;

namespace {

// Runs p's due timers; reads the clock only if p has any.
inline void run_due_timers(Processor* p) {
  if (__atomic_load_n(&p->next_timer, __ATOMIC_ACQUIRE) != INT64_MAX) run_timers(p, nanotime());
}

// How often the global queue is checked before the local one, so that goroutines on the
// global queue cannot starve behind a busy local queue (Go uses 61, a prime, so the check
// does not fall into step with program loops).
constexpr uint32_t global_queue_check_interval = 61;
constexpr uint64_t spin_before_sleep_cycles = 100000;  // ~40 us at 2.5 GHz

// m is about to switch to g: the bookkeeping of every way a goroutine starts running.
inline void begin_running(Machine* m, Goroutine* g, bool inherit_time) {
  check_stack_top_canary(g);  // nothing overflowed into it while it waited
  lock_checks::expect_none_held("begin_running");  // debug build only (docs/locking.md)
  m->current_goroutine = g;
  g->machine = m;
  g->status = GoroutineStatus::Running;
  if (!inherit_time) m->processor->schedule_tick++;
}

// The current Machine starts or stops looking for work (counted in spinning_machines).
void enter_spinning(Machine* m) {
  if (m->spinning) return;
  m->spinning = true;
  __atomic_add_fetch(&scheduler.spinning_machines, 1, __ATOMIC_ACQ_REL);
}

void leave_spinning() {
  Machine* m = cpu::current_machine();
  if (!m->spinning) return;
  m->spinning = false;
  if (int32_t(__atomic_sub_fetch(&scheduler.spinning_machines, 1, __ATOMIC_ACQ_REL)) < 0)
    fatal("leave_spinning: negative spinning count");
}

// The current Machine found work while spinning: it stops spinning, and since it was the
// one allowed to look, it wakes another to keep looking (Go's resetspinning).
void stop_spinning_and_wake_another() {
  leave_spinning();
  wake_processor();
}

// A stop-the-world is pending: hand our Processor to the stopper and sleep (Go's gcstopm).
void stop_for_world() {
  leave_spinning();
  Processor* p = release_processor();
  {
    LockGuard guard(scheduler.lock);
    processor_stopped_locked(p);
  }
  stop_machine();
}

// Time to serve the global queue before the local one (every 61st schedule, if not empty).
bool global_queue_due(Processor* p) {
  return p->schedule_tick % global_queue_check_interval == 0 &&
         __atomic_load_n(&scheduler.queue_size, __ATOMIC_RELAXED) != 0;
}

// Visits the Processors in a random order: a random start and a stride coprime with the
// count reach each exactly once (Go's randomOrder).
uint32_t gcd(uint32_t a, uint32_t b) {
  while (b != 0) {
    uint32_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

Goroutine* steal_work(Processor* p) {
  constexpr int attempts = 4;
  uint32_t count = uint32_t(__atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE));
  for (int attempt = 0; attempt < attempts; attempt++) {
    bool last_attempt = attempt == attempts - 1;
    uint32_t position = fastrandn(count);
    uint32_t stride = 1 + fastrandn(count);
    while (gcd(stride, count) != 1) stride = stride % count + 1;
    for (uint32_t i = 0; i < count; i++, position = (position + stride) % count) {
      if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) return nullptr;
      Processor* victim = scheduler.processors[position];
      if (victim == p || victim == nullptr) continue;
      // run_next is stolen only on the last pass: it is the goroutine its owner is about to
      // run, and taking it early just moves work around.
      if (Goroutine* g = run_queue_steal(p, victim, last_attempt)) return g;
    }
  }
  return nullptr;
}

// The start of each scheduling round (find_runnable, schedule): join a stop-the-world in
// progress and return null (the caller starts the round again), or run the Processor's due
// timers and return it.
Processor* begin_round(Machine* m) {
  if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) {
    stop_for_world();
    return nullptr;
  }
  Processor* p = m->processor;
  run_due_timers(p);
  return p;
}

// Finds a goroutine to run, blocking (the Machine sleeps without a Processor) until one
// exists. Returns with the Machine holding a Processor.
// Inlined into schedule(), its only caller: the common case (the local queue) costs no call.
__attribute__((always_inline)) inline Goroutine* find_runnable(bool* inherit_time) {
  Machine* m = cpu::current_machine();
  for (;;) {
    Processor* p = begin_round(m);
    if (p == nullptr) continue;  // stopped for the world: start again
    *inherit_time = false;
    // During a mark, a dedicated or fractional turn of a mark worker comes before the queues
    // (Go's findRunnableGCWorker; runtime/mark_workers.cpp plans them).
    if (Goroutine* g = mark_worker_to_run(p, false)) return g;
    if (global_queue_due(p)) {
      LockGuard guard(scheduler.lock);
      if (Goroutine* g = global_queue_get(p, 1)) return g;
    }
    if (Goroutine* g = run_queue_get(p, inherit_time)) return g;
    *inherit_time = false;
    if (__atomic_load_n(&scheduler.queue_size, __ATOMIC_RELAXED) != 0) {
      LockGuard guard(scheduler.lock);
      if (Goroutine* g = global_queue_get(p, 0)) return g;
    }

    // Steal, but let at most half of the busy Processors' worth of Machines spin at once:
    // more spinners only burn CPU fighting over the same queues.
    uint32_t busy = uint32_t(scheduler.gomaxprocs) - __atomic_load_n(&scheduler.idle_processor_count, __ATOMIC_ACQUIRE);
    if (m->spinning || 2 * __atomic_load_n(&scheduler.spinning_machines, __ATOMIC_ACQUIRE) < busy) {
      enter_spinning(m);
      if (Goroutine* g = steal_work(p)) return g;
      // Keep looking for a short while before sleeping: waking a sleeping thread costs
      // ~0.1 ms here, far more than a fork-join program waits between bursts of work.
      uint64_t until = cpu::cycle_counter() + spin_before_sleep_cycles;
      while (cpu::cycle_counter() < until) {
        for (int i = 0; i < 50; i++) cpu::relax();
        if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) break;
        if (Goroutine* g = steal_work(p)) return g;
        if (__atomic_load_n(&scheduler.queue_size, __ATOMIC_RELAXED) != 0) break;
      }
    }

    // Nothing to run here: during a mark, an idle turn of a mark worker before sleeping.
    if (Goroutine* g = mark_worker_to_run(p, true)) return g;

    // Nothing anywhere: give the Processor back and sleep.
    {
      LockGuard guard(scheduler.lock);
      if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) continue;
      if (scheduler.queue_size != 0) {
        if (Goroutine* g = global_queue_get(p, 0)) return g;
      }
      release_processor();
      idle_processor_put(p);
    }

    // We stopped spinning after giving up the Processor. Someone may have readied a
    // goroutine while we looked spinning (and so did not wake anyone): look once more at
    // every queue, and take a Processor back if there is work (Go's "delicate dance").
    if (m->spinning) {
      leave_spinning();
      int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
      for (int32_t i = 0; i < count; i++) {
        Processor* other = scheduler.processors[i];
        if (other == nullptr || run_queue_empty(other)) continue;
        Processor* again;
        {
          LockGuard guard(scheduler.lock);
          again = idle_processor_get();
        }
        if (again != nullptr) {
          acquire_processor(again);
          enter_spinning(m);
        }
        break;
      }
      if (m->processor != nullptr) continue;
    }
    stop_machine();  // returns holding the Processor someone handed us
  }
}

// On the scheduler stack, after park() switched away from g.
void park_on_scheduler_stack(Goroutine* g) {
  Machine* m = cpu::current_machine();
  check_stack_canaries(g);
  check_spare_slot(g);
  g->status = GoroutineStatus::Waiting;
  m->current_goroutine = nullptr;
  g->machine = nullptr;
  auto commit = m->park_commit;
  void* arg = m->park_arg;
  m->park_commit = nullptr;  // cleared before commit: it may run another park on this thread
  if (commit != nullptr) commit(g, arg);
  schedule();
}

void yield_on_scheduler_stack(Goroutine* g) {
  Machine* m = cpu::current_machine();
  check_stack_canaries(g);
  g->status = GoroutineStatus::Runnable;
  m->current_goroutine = nullptr;
  g->machine = nullptr;
  // Behind everything already queued here. (Go puts it on the global queue, which costs a
  // lock per yield; the local tail is fair among this Processor's goroutines, and the
  // global queue is still served every 61st schedule.)
  run_queue_put(m->processor, g, false);
  schedule();
}

// On the scheduler stack, after a preemption request stopped g (its time slice ended, or the
// world is stopping): g goes to the back of the global queue, behind everything waiting
// anywhere, as Go's gopreempt_m. On the local tail it would come back after at most 256
// others while the global queue waited: main spawning in a loop spills most of its children
// there, and was back within a few hundred of them, so nearly all stayed alive at once.
void preempted_on_scheduler_stack(Goroutine* g) {
  Machine* m = cpu::current_machine();
  check_stack_canaries(g);
  g->status = GoroutineStatus::Runnable;
  m->current_goroutine = nullptr;
  g->machine = nullptr;
  {
    LockGuard guard(scheduler.lock);
    global_queue_put(g);
  }
  wake_processor();  // an idle Processor may run it at once (Go's goschedImpl does too)
  schedule();
}

// g is wired to another Machine: hand it our Processor (g runs there) and go idle (Go's
// startlockedm). The one way a locked goroutine that became runnable reaches its thread:
// whoever finds it on a run queue (readied, yielded, or queued by exit_syscall) comes here.
void hand_to_locked_machine(Goroutine* g) {
  Machine* target = g->locked_machine;
  if (target == cpu::current_machine()) fatal("hand_to_locked_machine: locked to this machine");
  if (target->next_processor != nullptr) fatal("hand_to_locked_machine: machine already has a processor");
  Processor* p = release_processor();
  {
    // Count the target as running before we go idle, so check_deadlock never sees a moment
    // with a runnable goroutine and no running Machine.
    LockGuard guard(scheduler.lock);
    scheduler.idle_locked_count--;
  }
  target->next_processor = p;
  target->park.wake();  // release: next_processor is visible to it
  stop_machine();
}

}  // namespace

void stop_locked_machine() {
  Machine* m = cpu::current_machine();
  Goroutine* g = m->locked_goroutine;
  if (g == nullptr || g->locked_machine != m) fatal("stop_locked_machine: inconsistent locking");
  leave_spinning();
  if (m->processor != nullptr) hand_off_processor(release_processor());
  {
    // Counted idle only after the Processor is handed off: a waker may already have taken
    // us off (idle_locked_count one lower for a moment), which only makes check_deadlock
    // see one more running Machine, never a false deadlock.
    LockGuard guard(scheduler.lock);
    scheduler.idle_locked_count++;
    check_deadlock();
  }
  acquire_handed_processor(m);  // the waker has already taken us off idle_locked_count
  if (g->status != GoroutineStatus::Runnable) fatal("stop_locked_machine: locked goroutine is not runnable");
}

void execute(Goroutine* g, bool inherit_time) {
  Machine* m = cpu::current_machine();
  if (g->status != GoroutineStatus::Runnable) fatal("execute: goroutine is not runnable");
  scan_before_running_if_marking(g);  // during a mark no goroutine runs with an unscanned stack
  begin_running(m, g, inherit_time);
  resume_goroutine(g);
}

void schedule() {
  Machine* m = cpu::current_machine();
  if (cpu::current_goroutine() != m->g0) fatal("schedule: not on the scheduler stack");
  if (m->locked_goroutine != nullptr) {  // wired: run nothing else until it is runnable
    stop_locked_machine();
    execute(m->locked_goroutine, false);
  }
  for (;;) {
    bool inherit_time = false;
    Goroutine* g = find_runnable(&inherit_time);
    if (m->spinning) stop_spinning_and_wake_another();
    if (g->locked_machine != nullptr && g->locked_machine != m) {
      hand_to_locked_machine(g);
      continue;
    }
    execute(g, inherit_time);
  }
}

void lock_os_thread() {
  Goroutine* g = cpu::current_goroutine();
  Machine* m = cpu::current_machine();
  if (g == m->g0) fatal("lock_os_thread: on the scheduler stack");
  if (g->thread_lock_count++ == 0) {
    g->locked_machine = m;
    m->locked_goroutine = g;
  }
}

void unlock_os_thread() {
  Goroutine* g = cpu::current_goroutine();
  if (g->thread_lock_count == 0) return;  // as Go: unlocking an unlocked goroutine does nothing
  if (--g->thread_lock_count == 0) {
    cpu::current_machine()->locked_goroutine = nullptr;
    g->locked_machine = nullptr;
  }
}

void processor_stopped_locked(Processor* p) {
  p->status = ProcessorStatus::Stopped;
  if (--scheduler.stop_wait == 0) scheduler.stop_note.wake();
}

void unlock_runtime_lock(Goroutine*, void* lock) { static_cast<RuntimeLock*>(lock)->unlock(); }

void park(WaitReason reason, void (*commit)(Goroutine*, void*), void* arg) {
  Goroutine* g = cpu::current_goroutine();
  if (g->status != GoroutineStatus::Running) fatal("park: goroutine not running");
  if (g == cpu::current_machine()->g0) fatal("park: on the scheduler stack");
  g->wait_reason = reason;
  Machine* m = cpu::current_machine();
  m->park_commit = commit;
  m->park_arg = arg;
  switch_to_scheduler(park_on_scheduler_stack);
}

void ready(Goroutine* g) {
  if (g->status != GoroutineStatus::Waiting) fatal("ready: goroutine is not waiting");
  Machine* m = cpu::current_machine();
  if (m->processor == nullptr) fatal("ready: no processor");
  g->status = GoroutineStatus::Runnable;
  run_queue_put(m->processor, g, true);
  wake_processor();
}

// Runs on the scheduler stack inside switch_goroutines, once `from` is saved.
void publish_yielded(Goroutine* from) { run_queue_put(cpu::current_machine()->processor, from, false); }

void yield_processor() {
  Goroutine* g = cpu::current_goroutine();
  Machine* m = cpu::current_machine();
  Processor* p = m->processor;
  // Fast path: hand the processor straight to the next local goroutine, without a trip
  // through schedule(), when schedule() would have chosen it anyway (no stop pending, not
  // time to look at the global queue, no thread wiring involved).
  if (!global_queue_due(p) && !__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE) &&
      m->locked_goroutine == nullptr && !m->spinning && !marking() &&  // a mark scans next in execute
      __atomic_load_n(&p->next_timer, __ATOMIC_ACQUIRE) == INT64_MAX) {
    bool inherit_time;
    if (Goroutine* next = run_queue_get(p, &inherit_time)) {
      if (next->locked_machine == nullptr) {
        check_stack_canaries(g);
        g->status = GoroutineStatus::Runnable;
        g->machine = nullptr;
        begin_running(m, next, inherit_time);
        switch_goroutines(g, next, publish_yielded);
        return;
      }
      run_queue_put(p, next, true);  // wired elsewhere: let schedule() hand it over
    }
  }
  switch_to_scheduler(yield_on_scheduler_stack);
}

void yield_to_global_queue() {
  if (world_stopped_by(cpu::current_goroutine())) return;  // its Processor runs only it
  switch_to_scheduler(preempted_on_scheduler_stack);
}

void preempt_at_stack_check(Goroutine* g) {
  // Clear the request first, then restore the real guard: a new request made in between
  // poisons the guard again and is seen at the next check. A poisoned thread guard without
  // a request (sysmon aimed at the goroutine this thread ran before) is just refreshed.
  bool requested = __atomic_exchange_n(&g->preempt_requested, 0, __ATOMIC_ACQ_REL) != 0;
  refresh_stack_guard(g);
  // The goroutine holding the world stopped must not yield (its Processor runs only it until
  // it starts the world, runtime/world.h); the request is dropped, and sysmon asks again
  // after another slice. (Go's preemptoff.)
  if (requested && !world_stopped_by(g)) switch_to_scheduler(preempted_on_scheduler_stack);
}

const char* wait_reason_text(WaitReason r) {
  static const char* const texts[] = {
      "",                     // None
      "semacquire",           // Semacquire
      "sync.WaitGroup.Wait",  // WaitGroupWait
      "sync.Mutex.Lock",      // MutexLock
      "sync.RWMutex.RLock",   // RWMutexRLock
      "sync.RWMutex.Lock",    // RWMutexLock
      "sync.Cond.Wait",       // CondWait
      "chan receive",            // ChanReceive
      "chan send",               // ChanSend
      "chan receive (nil chan)", // ChanReceiveNil
      "chan send (nil chan)",    // ChanSendNil
      "select",                  // Select
      "select (no cases)",       // SelectNoCases
      "sleep",                // Sleep
      "preempted",            // Preempted
      "IO wait",              // IOWait
      "static initialization",  // StaticInit
      "force gc (idle)",        // ForceGCIdle
      "cleanup wait",           // CleanupWait
      "GC sweep wait",          // GCSweepWait
      "GC worker (idle)",       // GCWorkerIdle
      "GC cycle wait",          // GCCycleWait
  };
  static_assert(sizeof(texts) / sizeof(texts[0]) == size_t(WaitReason::Count));
  return size_t(r) < size_t(WaitReason::Count) ? texts[size_t(r)] : "?";
}

// Called with scheduler.lock held whenever a Machine goes idle. If no Machine is left that
// could ever ready a goroutine, the program can make no progress (Go's checkdead).
void check_deadlock() {
  if (!scheduler.main_started) return;
  if (any_timers()) return;  // a timer will wake someone: sysmon hands its Processor to a Machine
  int32_t running = scheduler.machine_count - scheduler.idle_machine_count - scheduler.idle_locked_count -
                    scheduler.system_machines;
  if (running > 0) return;
  if (running < 0) fatal("check_deadlock: inconsistent machine counts");
  int waiting = 0;
  LockGuard guard(scheduler.all_lock);
  for (Goroutine* g = scheduler.all_goroutines; g != nullptr; g = g->next_in_all) {
    if (g->is_system) continue;
    switch (g->status) {
      case GoroutineStatus::Waiting: waiting++; break;
      case GoroutineStatus::Runnable:
      case GoroutineStatus::Running:
      case GoroutineStatus::Syscall: fatal("check_deadlock: runnable goroutine with no running machine");
      default: break;
    }
  }
  begin_crash();
  print("fatal error: ", waiting == 0 ? "no goroutines (main called runtime.Goexit) - deadlock!"
                                      : "all goroutines are asleep - deadlock!",
        "\n");
  for (Goroutine* g = scheduler.all_goroutines; g != nullptr; g = g->next_in_all) {
    if (g->is_system || g->status != GoroutineStatus::Waiting) continue;
    print("\ngoroutine ", g->id, " [", wait_reason_text(g->wait_reason), "]:\n");
  }
  sys::exit_group(2);
}

}  // namespace gort
