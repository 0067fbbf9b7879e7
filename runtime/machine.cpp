// Machines (OS threads): creating them, waking and parking them, and the first C++ each
// new thread runs (Go's newm, newosproc, mstart, startm, stopm, wakep).
//
// A new thread gets, from persistent memory: its Machine record, a scheduler stack
// (tunables::scheduler_stack_bytes, with an inaccessible guard page below it: there are
// few threads, so the extra kernel mapping is affordable), and a signal stack. clone(2)
// starts it in machine_main() with FS already pointing at the Machine.
#include "../arch/amd64/cpu.h"
#include "context.h"
#include "environment.h"
#include "fatal.h"
#include "os_memory.h"
#include "print.h"
#include "scheduler.h"
#include "signals.h"
#include "syscall.h"
#include "tunables.h"

namespace gort {

// Plain (relaxed) stores: this runs on every stack segment change, where a fence would cost
// more than the change itself. The price is a rare lost preemption request when sysmon
// poisons the guard just as the goroutine replaces it (see use_segment in stack.cpp); sysmon
// asks again one time slice later, and the preemption signal does not depend on the guard.
void set_stack_guard(Goroutine* g, uintptr_t guard) {
  __atomic_store_n(&g->stack_guard, guard, __ATOMIC_RELAXED);
  if (cpu::current_goroutine() == g) {
    Machine* m = cpu::current_machine();
    __atomic_store_n(&m->tls.stack_guard, guard, __ATOMIC_RELAXED);
  }
}

void refresh_stack_guard(Goroutine* g) {
  set_stack_guard(g, g->stack_lo + tunables::stack_guard_bytes);
  // A preemption request made meanwhile poisoned the old guard: poison the new one too.
  // (Without a fence between the store above and this load, a request racing with this very
  // instant can be missed; sysmon repeats it after one more time slice.)
  if (__atomic_load_n(&g->preempt_requested, __ATOMIC_ACQUIRE)) set_stack_guard(g, stack_guard_preempt);
}

uint32_t fastrand() {
  // wyrand: one multiply per number, good enough for choosing steal victims.
  Machine* m = cpu::current_machine();
  m->random_state += 0xa0761d6478bd642fULL;
  __uint128_t product = __uint128_t(m->random_state) * (m->random_state ^ 0xe7037ed1a0b428dbULL);
  return uint32_t(uint64_t(product >> 64) ^ uint64_t(product));
}

static void seed_random(Machine* m) {
  uint64_t seed = 0;
  if (process.aux.random != nullptr)
    for (int i = 0; i < 8; i++) seed = seed << 8 | process.aux.random[i];
  m->random_state = seed ^ (uint64_t(m->id) * 0x9e3779b97f4a7c15ULL) ^ cpu::cycle_counter();
}

// The most threads the program may have (Go's sched.maxmcount, debug.SetMaxThreads).
// Guarded by scheduler.lock.
static int32_t max_threads = tunables::max_threads;

// Caller holds scheduler.lock. A program about to have `count` threads, more than the limit,
// ends as Go's checkmcount does.
static void check_thread_count(int32_t count) {
  if (count <= max_threads) return;
  print("runtime: program exceeds ", max_threads, "-thread limit\n");
  fatal("thread exhaustion");
}

int32_t set_max_threads(int32_t n) {
  LockGuard guard(scheduler.lock);
  int32_t old = max_threads;
  max_threads = n;
  check_thread_count(scheduler.machine_count);
  return old;
}

Machine* new_machine(void (*start)(), Processor* p, bool spinning) {
  Machine* m = persistent_new<Machine>();
  Goroutine* g0 = persistent_new<Goroutine>();
  size_t page = process.aux.page_size;
  auto* region = static_cast<uint8_t*>(os_alloc(tunables::scheduler_stack_bytes + page));
  sys::mprotect(region, page, sys::PROT_NONE);  // guard page: overflowing the scheduler stack faults
  g0->stack_lo = reinterpret_cast<uintptr_t>(region) + page;
  g0->stack_hi = g0->stack_lo + tunables::scheduler_stack_bytes;
  g0->stack_guard = g0->stack_lo + tunables::stack_guard_bytes;
  g0->status = GoroutineStatus::Running;
  g0->machine = m;
  m->tls.current = g0;
  m->tls.machine = m;
  m->tls.stack_guard = g0->stack_guard;
  m->g0 = g0;
  m->scheduler_sp = g0->stack_hi;  // 16-byte aligned: a page boundary
  m->start_function = start;
  m->next_processor = p;
  m->spinning = spinning;  // set before the thread exists, so it starts out counted as spinning
  {
    LockGuard guard(scheduler.lock);
    check_thread_count(scheduler.machine_count + 1);
    m->id = scheduler.next_machine_id++;
    m->next_all = scheduler.all_machines;
    scheduler.all_machines = m;
    scheduler.machine_count++;
    if (start != nullptr) scheduler.system_machines++;
  }
  seed_random(m);
  constexpr unsigned long flags = sys::CLONE_VM | sys::CLONE_FS | sys::CLONE_FILES | sys::CLONE_SIGHAND |
                                  sys::CLONE_THREAD | sys::CLONE_SYSVSEM | sys::CLONE_SETTLS;
  long r = clone_thread(flags, reinterpret_cast<void*>(m->scheduler_sp), &m->tls);
  if (r < 0) {
    // As Go's newosproc: the detail line, then the fatal error (which begins the crash
    // report; beginning it here too made the report stop before its first line).
    print("runtime: failed to create new OS thread (have ", __atomic_load_n(&scheduler.machine_count, __ATOMIC_RELAXED) - 1,
          " already; errno=", -r, ")\n");
    if (r == -sys::EAGAIN) print("runtime: may need to increase max user processes (ulimit -u)\n");
    fatal("newosproc");
  }
  return m;
}

// Woken by the first Machine that start_helper_machine() makes, once it runs.
static Note helper_started;
static bool helper_requested = false;

extern "C" [[noreturn]] void machine_main() {
  Machine* m = cpu::current_machine();
  m->tid = int32_t(sys::gettid());
  install_signal_stack(m);
  if (__atomic_exchange_n(&helper_requested, false, __ATOMIC_ACQ_REL)) helper_started.wake();
  if (m->start_function != nullptr) {
    m->start_function();
    fatal("machine_main: system machine returned");
  }
  Processor* p = m->next_processor;
  m->next_processor = nullptr;
  acquire_processor(p);
  schedule();
}

void seed_first_machine() { seed_random(&runtime_m0); }

// On this kind of machine (a VM with 2 vCPUs) Linux often places a new thread on its
// creator's CPU, and a busy creator keeps it from running until the next scheduler tick,
// about 4 ms later (measured with plain pthreads too). A program that starts parallel work
// at once would run on one CPU for those milliseconds. So when GOMAXPROCS > 1, create the
// first helper thread before main and wait (at most 10 ms) until it has run; afterwards it
// parks like any idle Machine and wakes in about 0.1 ms when work appears.
void start_helper_machine() {
  if (__atomic_load_n(&scheduler.idle_processor_count, __ATOMIC_ACQUIRE) == 0) return;
  __atomic_store_n(&helper_requested, true, __ATOMIC_RELEASE);
  wake_processor();
  if (!helper_started.sleep_for(10 * 1000 * 1000)) __atomic_store_n(&helper_requested, false, __ATOMIC_RELEASE);
}

namespace {
struct MachineStart {
  Processor* p;
  bool spinning;
};
void start_machine_on_scheduler_stack(void* arg);
}  // namespace

// Waking or creating a thread (mmap, clone, and the crash report when that fails) is more
// than a goroutine's reserve below a stack check, and `go` and every wakeup come here from a
// goroutine's stack: the work runs on the scheduler stack, as Go's startm does.
void start_machine(Processor* p, bool spinning) {
  MachineStart start{p, spinning};
  run_on_scheduler_stack(start_machine_on_scheduler_stack, &start);
}

namespace {
void start_machine_on_scheduler_stack(void* arg) {
  Processor* p = static_cast<MachineStart*>(arg)->p;
  bool spinning = static_cast<MachineStart*>(arg)->spinning;
  Machine* idle;
  {
    LockGuard guard(scheduler.lock);
    if (p == nullptr) p = idle_processor_get();
    if (p == nullptr) {
      if (spinning) __atomic_sub_fetch(&scheduler.spinning_machines, 1, __ATOMIC_ACQ_REL);
      return;
    }
    idle = scheduler.idle_machines;
    if (idle != nullptr) {
      scheduler.idle_machines = idle->next_idle;
      scheduler.idle_machine_count--;
      idle->idle = false;
    }
  }
  if (idle == nullptr) {
    new_machine(nullptr, p, spinning);
    return;
  }
  idle->spinning = spinning;
  idle->next_processor = p;
  idle->park.wake();  // release: the two stores above are visible to the woken thread
}
}  // namespace

void wake_processor() {
  if (__atomic_load_n(&scheduler.idle_processor_count, __ATOMIC_ACQUIRE) == 0) return;
  // Only one Machine is woken to spin at a time; it wakes the next if it finds work.
  uint32_t none = 0;
  if (!__atomic_compare_exchange_n(&scheduler.spinning_machines, &none, 1, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_RELAXED))
    return;
  start_machine(nullptr, true);
}

void stop_machine() {
  Machine* m = cpu::current_machine();
  if (m->processor != nullptr) fatal("stop_machine: holding a processor");
  if (m->spinning) fatal("stop_machine: machine is spinning");
  {
    LockGuard guard(scheduler.lock);
    m->idle = true;
    m->next_idle = scheduler.idle_machines;
    scheduler.idle_machines = m;
    scheduler.idle_machine_count++;
    check_deadlock();
  }
  acquire_handed_processor(m);
}

void acquire_handed_processor(Machine* m) {
  m->park.sleep();
  m->park.clear();
  Processor* p = m->next_processor;
  m->next_processor = nullptr;
  if (p == nullptr) fatal("a machine was woken without a processor");
  acquire_processor(p);
}

}  // namespace gort
