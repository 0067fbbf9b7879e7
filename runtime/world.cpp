// Stopping and starting the world (Go's stopTheWorldWithSema, startTheWorldWithSema,
// worldsema, preemptall). What "stopped" guarantees is in runtime/world.h; the book's
// account is docs/02-scheduler.md, "Stopping the world".
//
// State: the world semaphore (one unit, Go's worldsema) serialises stoppers; the stopping
// goroutine is recorded in `stopper`; scheduler.stop_requested (Go's gcwaiting), stop_wait and
// stop_note (runtime/scheduler.h) carry one stop to the other Machines.
//
// Stopping, on the caller's goroutine stack (every frame here is small):
//   1. Take the world semaphore, parking if another goroutine holds it (never spinning, never
//      failing: two goroutines changing GOMAXPROCS at once simply take turns).
//   2. Under scheduler.lock: set stop_requested, count the Processors to stop, and stop at once
//      the caller's own, every idle one, and every one whose Machine is in a system call (a
//      compare-and-swap Syscall -> Stopped: that Machine's exit_syscall then finds it gone).
//   3. Ask every goroutine still running to yield now (Go's preemptall): the cooperative
//      flag and poisoned stack guard, then the preemption signal (request_preemption). A
//      goroutine in user code is interrupted by the signal within microseconds; one in runtime
//      code yields at its next preemption point (runtime/preempt.h). Each of their Machines
//      enters the scheduler, sees stop_requested and parks its Processor as Stopped
//      (stop_for_world in runtime/scheduler.cpp); the last one wakes stop_note.
//   4. Sleep on stop_note for at most 100 us at a time; after each timeout take the Processors
//      that entered a system call meanwhile and ask the running goroutines again (a signal that
//      found its goroutine in runtime code is simply dropped, so it is resent, as Go does).
// Starting: Stopped Processors with queued goroutines are handed to Machines, the rest go
// idle, stop_requested is cleared, sysmon is woken, and the semaphore is released.
//
// Why not wait for sysmon's time slice: sysmon asks a goroutine to yield only after it has run
// 10 ms, so a stop with one goroutine spinning took 10-70 ms; asking all at once makes it a
// matter of one signal delivery and one trip through the scheduler per Processor.
//
// Lock order: the world semaphore comes before every runtime lock (taking it may park, so no
// RuntimeLock may be held then): world semaphore, then scheduler.lock, then the rest of
// docs/locking.md. It is a semaphore, not a RuntimeLock: its holder runs goroutine code.
#include "world.h"

#include "../arch/amd64/cpu.h"
#include "fatal.h"
#include "preempt.h"
#include "scheduler.h"
#include "semaphore.h"
#include "syscall.h"

namespace gort {

namespace {

struct World {
  uint32_t semaphore = 1;       // Go's worldsema: one unit, held from stop to start
  Goroutine* stopper = nullptr;  // atomic: the goroutine holding the world stopped, or null
  uint32_t generation = 0;       // atomic futex word: bumped by every start; sysmon waits on it
  uint64_t stops = 0;            // atomic statistic
};
World world;

// How long the stopper sleeps before asking the running goroutines again (Go: 100 us).
constexpr int64_t stop_retry_ns = 100 * 1000;

// Stops every Processor whose Machine is in a system call. Caller holds scheduler.lock with
// stop_requested set.
void take_syscall_processors_locked() {
  for (int32_t i = 0; i < scheduler.gomaxprocs; i++) {
    Processor* p = scheduler.processors[i];
    uint32_t in_syscall = uint32_t(ProcessorStatus::Syscall);
    if (__atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(&p->status), &in_syscall,
                                    uint32_t(ProcessorStatus::Stopped), false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      p->machine = nullptr;  // its Machine keeps syscall_processor; its exit swap will fail
      scheduler.stop_wait--;
    }
  }
}

// Asks the goroutine running on every Processor but `own` to yield (Go's preemptall). The
// reads race with the Processors changing hands; a request that reaches a goroutine which has
// just stopped running costs it one spurious trip through a preemption point.
void preempt_running_goroutines(Processor* own) {
  int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  for (int32_t i = 0; i < count; i++) {
    Processor* p = scheduler.processors[i];
    if (p == own || __atomic_load_n(reinterpret_cast<uint32_t*>(&p->status), __ATOMIC_ACQUIRE) != uint32_t(ProcessorStatus::Running))
      continue;
    Machine* m = __atomic_load_n(&p->machine, __ATOMIC_ACQUIRE);
    if (m == nullptr) continue;
    Goroutine* g = __atomic_load_n(&m->current_goroutine, __ATOMIC_ACQUIRE);
    if (g != nullptr) request_preemption(g, m);
  }
}

// Steps 2-4 of the file comment: returns with every Processor Stopped.
void stop_processors(Machine* m) {
  bool stopped;
  {
    LockGuard guard(scheduler.lock);
    if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) fatal("stop_the_world: already stopping");
    scheduler.stop_wait = scheduler.gomaxprocs;
    // Sequentially consistent: a Machine that then stores its Processor's status and loads
    // stop_requested (hand_off_processor, find_runnable under this lock) sees it set.
    __atomic_store_n(&scheduler.stop_requested, 1, __ATOMIC_SEQ_CST);
    m->processor->status = ProcessorStatus::Stopped;
    scheduler.stop_wait--;
    while (Processor* p = idle_processor_get()) {
      p->status = ProcessorStatus::Stopped;
      scheduler.stop_wait--;
    }
    take_syscall_processors_locked();
    stopped = scheduler.stop_wait == 0;
  }
  while (!stopped) {
    preempt_running_goroutines(m->processor);
    if (scheduler.stop_note.sleep_for(stop_retry_ns)) break;  // the last Processor stopped
    LockGuard guard(scheduler.lock);
    take_syscall_processors_locked();
    stopped = scheduler.stop_wait == 0;  // if we took the last one, nobody wakes the note
  }
  scheduler.stop_note.clear();
  LockGuard guard(scheduler.lock);
  if (scheduler.stop_wait != 0) fatal("stop_the_world: not stopped");
  for (int32_t i = 0; i < scheduler.gomaxprocs; i++)
    if (scheduler.processors[i]->status != ProcessorStatus::Stopped) fatal("stop_the_world: processor not stopped");
}

}  // namespace

void stop_the_world() {
  Goroutine* g = cpu::current_goroutine();
  if (g == cpu::current_machine()->g0) fatal("stop_the_world: on the scheduler stack");
  if (cpu::current_machine()->processor == nullptr) fatal("stop_the_world: no processor");
  if (world_stopped_by(g)) fatal("stop_the_world: world already stopped by this goroutine");
  // The world semaphore comes before every runtime lock (docs/locking.md): parking with one
  // held would stop every thread that wants it.
  if (holds_runtime_lock()) fatal("stop_the_world: holding a runtime lock");
  semaphore_acquire(&world.semaphore, WaitReason::Semacquire);  // may park; may resume elsewhere
  __atomic_store_n(&world.stopper, g, __ATOMIC_RELEASE);  // from now on g is not preempted
  stop_processors(cpu::current_machine());
  __atomic_add_fetch(&world.stops, 1, __ATOMIC_RELAXED);
}

void start_the_world() {
  Goroutine* g = cpu::current_goroutine();
  if (!world_stopped_by(g)) fatal("start_the_world: world not stopped by this goroutine");
  Machine* m = cpu::current_machine();
  Processor* own = m->processor;
  {
    LockGuard guard(scheduler.lock);
    own->status = ProcessorStatus::Running;
    for (int32_t i = 0; i < scheduler.gomaxprocs; i++) {
      Processor* p = scheduler.processors[i];
      if (p != own && run_queue_empty(p)) idle_processor_put(p);
    }
    __atomic_store_n(&scheduler.stop_requested, 0, __ATOMIC_RELEASE);
  }
  // The Processors still Stopped have work. Nobody else touches a Stopped Processor (it is on
  // no list, and no system-call exit or retake takes one), and GOMAXPROCS cannot change while
  // we hold the semaphore, so this second pass needs no lock and no array of them.
  int32_t count = scheduler.gomaxprocs;
  bool more_work = __atomic_load_n(&scheduler.queue_size, __ATOMIC_RELAXED) != 0;
  for (int32_t i = 0; i < count; i++) {
    Processor* p = scheduler.processors[i];
    if (p == own || p->status != ProcessorStatus::Stopped) continue;
    // More than the one goroutine its Machine will run first: an idle Processor could steal.
    if (run_queue_length(p) + (__atomic_load_n(&p->run_next, __ATOMIC_ACQUIRE) != nullptr ? 1 : 0) > 1) more_work = true;
    start_machine(p, false);
  }
  // Go wakes a Machine here unconditionally; one that finds nothing spins ~40 us first, which
  // on a small machine delays the next stop (a thread the kernel has to find a CPU for).
  if (more_work) wake_processor();
  __atomic_add_fetch(&world.generation, 1, __ATOMIC_RELEASE);
  sys::futex_wake(&world.generation, 1 << 30);  // sysmon, if it waits
  __atomic_store_n(&world.stopper, static_cast<Goroutine*>(nullptr), __ATOMIC_RELEASE);
  semaphore_release(&world.semaphore);
}

bool world_stopped_by(const Goroutine* g) { return __atomic_load_n(&world.stopper, __ATOMIC_ACQUIRE) == g; }

void wait_while_world_stopped() {
  for (;;) {
    uint32_t generation = __atomic_load_n(&world.generation, __ATOMIC_ACQUIRE);
    if (!__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) return;
    sys::futex_wait(&world.generation, generation, 1000 * 1000 * 1000);  // a start changes the word
  }
}

uint64_t world_stop_count() { return __atomic_load_n(&world.stops, __ATOMIC_RELAXED); }

}  // namespace gort
