// Processors: the idle list, acquiring and releasing, and GOMAXPROCS (Go's pidleget,
// pidleput, acquirep, releasep, procresize). See runtime/processor.h for the record and its run queue.
//
// Changing GOMAXPROCS stops the world (runtime/world.cpp) and resizes the Processor array
// while nothing else runs.
#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "context.h"
#include "fatal.h"
#include "environment.h"
#include "os_memory.h"
#include "scheduler.h"
#include "syscall.h"
#include "timer.h"
#include "world.h"

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
// Its goroutines go to the front of the global queue, in their order (run_next first), as
// Go's procresize does: they were runnable before anything queued there, and at the back a
// busy program could keep them waiting for many rounds.
static void retire_processor(Processor* p) {
  bool unused;
  GoroutineList reversed;  // the run queue is off the goroutines' queue links: use them
  while (Goroutine* g = run_queue_get(p, &unused)) reversed.push(g);
  while (Goroutine* g = reversed.pop()) global_queue_put_front(g);
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

// Runs on the scheduler stack, with the world stopped.
static void resize_on_scheduler_stack(void* arg) {
  LockGuard guard(scheduler.lock);
  resize_processors(*static_cast<int32_t*>(arg));
}

int32_t set_gomaxprocs(int32_t n) {
  int32_t old = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  if (n <= 0 || n == old) return old;
  if (n > max_processors) n = max_processors;
  // Stopping the world may park (a second changer waits for the first), so it happens on the
  // caller's goroutine stack; the resize itself (timer heaps that move and may grow, Processors
  // made) runs on the scheduler stack, as Go's systemstack, to keep within the reserve.
  stop_the_world();  // see runtime/world.h
  old = scheduler.gomaxprocs;  // what the stop found, not what we read before waiting
  if (n != old) run_on_scheduler_stack(resize_on_scheduler_stack, &n);
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
