// Processors: the idle list, acquiring and releasing, GOMAXPROCS, and stopping the world to
// change it (Go's pidleget, pidleput, acquirep, releasep, procresize, stopTheWorld,
// startTheWorld). See runtime/processor.h for the record and its run queue.
//
// Stopping the world (needed to resize the Processor array safely):
//   1. Under scheduler.lock, set stop_requested and count the Processors still to stop.
//      Take the caller's own and every idle one at once.
//   2. Every other Machine notices stop_requested at its next trip through the scheduler,
//      marks its Processor Stopped, decrements the count, and sleeps; the last one wakes us.
//   3. Starting again gives each Stopped Processor with work to a Machine and puts the rest
//      on the idle list.
// A goroutine that never enters the scheduler (a loop without calls) delays step 2; the
// preemption of the stacks/preemption issue removes that wait.
#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "fatal.h"
#include "environment.h"
#include "os_memory.h"
#include "scheduler.h"
#include "syscall.h"
#include "timer.h"

namespace gort {

bool take_idle_processor(Processor* p) {
  for (Processor** link = &scheduler.idle_processors; *link != nullptr; link = &(*link)->next_idle) {
    if (*link != p) continue;
    *link = p->next_idle;
    p->next_idle = nullptr;
    __atomic_sub_fetch(&scheduler.idle_processor_count, 1, __ATOMIC_ACQ_REL);
    return true;
  }
  return false;
}

Processor* idle_processor_get() {
  Processor* p = scheduler.idle_processors;
  if (p != nullptr) take_idle_processor(p);  // the head: unlinked at the first step
  return p;
}

void idle_processor_put(Processor* p) {
  if (!run_queue_empty(p)) fatal("idle_processor_put: processor has runnable goroutines");
  p->status = ProcessorStatus::Idle;
  p->next_idle = scheduler.idle_processors;
  scheduler.idle_processors = p;
  __atomic_add_fetch(&scheduler.idle_processor_count, 1, __ATOMIC_ACQ_REL);
}

void acquire_processor(Processor* p) {
  Machine* m = cpu::current_machine();
  if (m->processor != nullptr) fatal("acquire_processor: machine already holds a processor");
  if (p->machine != nullptr || (p->status != ProcessorStatus::Idle && p->status != ProcessorStatus::Stopped))
    fatal("acquire_processor: processor is in use");
  m->processor = p;
  m->tls.cache = p->allocation_cache;
  p->machine = m;
  p->status = ProcessorStatus::Running;
}

Processor* release_processor() {
  Machine* m = cpu::current_machine();
  Processor* p = m->processor;
  if (p == nullptr || p->machine != m) fatal("release_processor: machine does not hold a processor");
  p->machine = nullptr;
  m->processor = nullptr;
  m->tls.cache = nullptr;
  p->status = ProcessorStatus::Idle;
  return p;
}

// Moves everything a Processor beyond the new GOMAXPROCS still holds to the global lists.
// Caller holds scheduler.lock with the world stopped.
static void retire_processor(Processor* p) {
  bool unused;
  while (Goroutine* g = run_queue_get(p, &unused)) global_queue_put(g);
  scheduler.free_goroutines.append(p->free_goroutines);
  flush_allocation_cache(p->allocation_cache);
  p->status = ProcessorStatus::Dead;
}

// Makes n Processors exist and be Stopped, retiring any beyond n (Go's procresize).
// Caller holds scheduler.lock with the world stopped (or during start-up).
static void resize_processors(int32_t n) {
  Machine* m = cpu::current_machine();
  for (int32_t i = 0; i < n; i++) {
    Processor*& p = scheduler.processors[i];
    if (p == nullptr) {
      p = persistent_new<Processor>();
      p->id = i;
      p->next_timer = INT64_MAX;
      p->allocation_cache = new_allocation_cache();
      p->status = ProcessorStatus::Stopped;
    } else if (p->status == ProcessorStatus::Dead) {
      p->status = ProcessorStatus::Stopped;
    }
  }
  for (int32_t i = n; i < scheduler.gomaxprocs; i++) {
    Processor* p = scheduler.processors[i];
    if (p == m->processor) {  // we hold one that is going away: switch to Processor 0
      release_processor();
      acquire_processor(scheduler.processors[0]);
    }
    move_timers(p, m->processor);  // its timers keep running on the Processor we hold
    retire_processor(p);
  }
  __atomic_store_n(&scheduler.gomaxprocs, n, __ATOMIC_RELEASE);
}

void stop_the_world() {
  Machine* m = cpu::current_machine();
  bool wait;
  {
    LockGuard guard(scheduler.lock);
    if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) fatal("stop_the_world: already stopping");
    scheduler.stop_wait = scheduler.gomaxprocs;
    __atomic_store_n(&scheduler.stop_requested, 1, __ATOMIC_RELEASE);
    m->processor->status = ProcessorStatus::Stopped;
    scheduler.stop_wait--;
    while (Processor* p = idle_processor_get()) {
      p->status = ProcessorStatus::Stopped;
      scheduler.stop_wait--;
    }
    // Processors whose Machine is in a system call are taken now; the Machine will find
    // its Processor gone when it returns (runtime/blocking.cpp).
    for (int32_t i = 0; i < scheduler.gomaxprocs; i++) {
      Processor* p = scheduler.processors[i];
      uint32_t in_syscall = uint32_t(ProcessorStatus::Syscall);
      if (__atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(&p->status), &in_syscall,
                                      uint32_t(ProcessorStatus::Stopped), false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        p->machine = nullptr;
        scheduler.stop_wait--;
      }
    }
    wait = scheduler.stop_wait > 0;
  }
  if (wait) scheduler.stop_note.sleep();
  scheduler.stop_note.clear();
  LockGuard guard(scheduler.lock);
  if (scheduler.stop_wait != 0) fatal("stop_the_world: not stopped");
  for (int32_t i = 0; i < scheduler.gomaxprocs; i++)
    if (scheduler.processors[i]->status != ProcessorStatus::Stopped) fatal("stop_the_world: processor not stopped");
}

void start_the_world() {
  Machine* m = cpu::current_machine();
  Processor* with_work[max_processors];
  int count = 0;
  {
    LockGuard guard(scheduler.lock);
    m->processor->status = ProcessorStatus::Running;
    for (int32_t i = 0; i < scheduler.gomaxprocs; i++) {
      Processor* p = scheduler.processors[i];
      if (p == m->processor) continue;
      if (run_queue_empty(p)) idle_processor_put(p);
      else with_work[count++] = p;
    }
    __atomic_store_n(&scheduler.stop_requested, 0, __ATOMIC_RELEASE);
  }
  for (int i = 0; i < count; i++) start_machine(with_work[i], false);
  wake_processor();  // there may be work in the global queue for the idle ones
}

int32_t set_gomaxprocs(int32_t n) {
  int32_t old = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  if (n <= 0 || n == old) return old;
  if (n > max_processors) n = max_processors;
  stop_the_world();
  {
    LockGuard guard(scheduler.lock);
    resize_processors(n);
  }
  start_the_world();
  return old;
}

// Number of CPUs this process may run on: the bits set in its affinity mask.
static int32_t usable_cpu_count() {
  uint64_t mask[16] = {};
  long bytes = sys::sched_getaffinity(0, sizeof(mask), mask);
  if (bytes <= 0) return 1;
  int32_t count = 0;
  for (long i = 0; i < bytes / 8; i++) count += __builtin_popcountll(mask[i]);
  return count > 0 ? count : 1;
}

// GOMAXPROCS as Go reads it: a positive decimal integer; anything else is ignored.
static int32_t gomaxprocs_from_environment(int32_t fallback) {
  const char* text = getenv("GOMAXPROCS");
  if (text == nullptr || *text == 0) return fallback;
  int64_t value = 0;
  for (const char* c = text; *c != 0; c++) {
    if (*c < '0' || *c > '9') return fallback;
    value = value * 10 + (*c - '0');
    if (value > 1 << 30) return fallback;
  }
  return value > 0 ? int32_t(value) : fallback;
}

void scheduler_init() {
  int32_t n = gomaxprocs_from_environment(usable_cpu_count());
  if (n > max_processors) n = max_processors;
  Machine* m = cpu::current_machine();
  LockGuard guard(scheduler.lock);
  scheduler.machine_count = 1;  // m0
  scheduler.next_machine_id = 1;
  scheduler.all_machines = m;
  resize_processors(n);
  acquire_processor(scheduler.processors[0]);
  for (int32_t i = 1; i < n; i++) idle_processor_put(scheduler.processors[i]);
}

}  // namespace gort
