// Blocking system calls (Go's entersyscall, entersyscallblock, exitsyscall, handoffp,
// retake). A goroutine about to make a system call that may block announces it, so that
// its Processor can go on running other goroutines while the thread waits in the kernel.
//
//   enter_syscall():          the Processor stays attached but is marked Syscall. If the call
//                             returns quickly, exit_syscall() just marks it Running again
//                             (one compare-and-swap each way). If it takes longer than a
//                             sysmon round (20 us), sysmon retakes the Processor
//                             (retake_from_syscalls) and hands it to another Machine.
//   enter_blocking_syscall(): for calls known to block: the Processor is handed off at once.
//   exit_syscall():           take back the old Processor if nobody retook it; else any idle
//                             one; else queue the goroutine and park this Machine.
// The Processor's status is the arbiter: the owner (Syscall -> Running) and sysmon or a
// world-stopper (Syscall -> Idle / Stopped) race with compare-and-swap, and exactly one wins.
// The owner's swap also compares the Processor's syscall_tick with the one its call began
// with: a retaken Processor may be in Syscall again by the time the owner returns, for
// another Machine's call, and the status alone would let the owner take it back from that
// Machine while the Processor still names it as holder (an ABA race that ended in
// "fatal error: release_processor: machine does not hold a processor").
#include "blocking.h"

#include "../arch/amd64/cpu.h"
#include "context.h"
#include "fatal.h"
#include "gort.h"
#include "scheduler.h"
#include "signals.h"
#include "syscall.h"
#include "time.h"
#include "marker.h"

namespace gort {

namespace {

bool status_swap(Processor* p, ProcessorStatus from, ProcessorStatus to) {
  uint32_t expected = uint32_t(from);
  return __atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(&p->status), &expected, uint32_t(to), false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

// The owner's return from a system call: Syscall -> Running only if p's syscall_tick is still
// the one this call set, i.e. no other call has started on p since.
bool reclaim_after_syscall(Processor* p, uint32_t tick) {
  static_assert(offsetof(Processor, syscall_tick) == offsetof(Processor, status) + 4 && alignof(Processor) >= 8);
  auto word = [](ProcessorStatus s, uint32_t t) { return uint64_t(uint32_t(s)) | uint64_t(t) << 32; };
  uint64_t expected = word(ProcessorStatus::Syscall, tick);
  return __atomic_compare_exchange_n(reinterpret_cast<uint64_t*>(&p->status), &expected,
                                     word(ProcessorStatus::Running, tick), false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

// On the scheduler stack: the goroutine came back from its system call and found no
// Processor. It waits in the global queue; this Machine sleeps (Go's exitsyscall0).
void exit_syscall_without_processor(Goroutine* g) {
  Machine* m = cpu::current_machine();
  m->current_goroutine = nullptr;
  g->machine = nullptr;
  Processor* p;
  {
    LockGuard guard(scheduler.lock);
    p = __atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE) ? nullptr : idle_processor_get();
    g->status = GoroutineStatus::Runnable;
    if (p == nullptr) global_queue_put(g);
  }
  if (p != nullptr) {  // one became idle meanwhile: run on it
    acquire_processor(p);
    execute(g, false);
  }
  if (m->locked_goroutine != nullptr) {
    // Wired to g: this thread may run nothing else, and must not join the idle list (where
    // start_machine could wake it for other work while g's finder wakes it too: "double
    // wakeup"). It waits as a locked Machine until whoever takes g from the global queue
    // hands over a Processor (stop_locked_machine / hand_to_locked_machine).
    stop_locked_machine();
    execute(g, false);
  }
  stop_machine();
  schedule();
}

}  // namespace

void hand_off_processor(Processor* p) {
  // Work for it: give it to a Machine now.
  if (!run_queue_empty(p) || __atomic_load_n(&scheduler.queue_size, __ATOMIC_RELAXED) != 0) {
    start_machine(p, false);
    return;
  }
  {
    LockGuard guard(scheduler.lock);
    if (__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) {
      processor_stopped_locked(p);
      return;
    }
    // Look at the global queue again under the lock: a Machine back from a system call
    // without a Processor queues its goroutine there (under the lock) and sleeps. Had it done
    // so since the look above, parking p idle would leave that goroutine with nobody to run
    // it (as Go's handoffp, which checks runqsize under sched.lock).
    if (scheduler.queue_size == 0) {
      idle_processor_put(p);
      return;
    }
  }
  start_machine(p, false);
}

void detail::begin_syscall() {
  Machine* m = cpu::current_machine();
  Goroutine* g = cpu::current_goroutine();
  Processor* p = m->processor;
  g->status = GoroutineStatus::Syscall;
  m->syscall_processor = p;
  m->syscall_tick = __atomic_add_fetch(&p->syscall_tick, 1, __ATOMIC_RELAXED);
  __atomic_store_n(reinterpret_cast<uint32_t*>(&p->status), uint32_t(ProcessorStatus::Syscall), __ATOMIC_RELEASE);
}

void detail::begin_blocking_syscall() {
  Machine* m = cpu::current_machine();
  Goroutine* g = cpu::current_goroutine();
  g->status = GoroutineStatus::Syscall;
  m->syscall_processor = nullptr;
  Processor* p = release_processor();
  __atomic_add_fetch(&p->syscall_tick, 1, __ATOMIC_RELAXED);
  hand_off_processor(p);
}

void exit_syscall() {
  Machine* m = cpu::current_machine();
  Goroutine* g = cpu::current_goroutine();
  Processor* old = m->syscall_processor;
  m->syscall_processor = nullptr;
  // Fast path: nobody retook the Processor while we were in the kernel.
  if (old != nullptr && reclaim_after_syscall(old, m->syscall_tick)) {
    scan_after_syscall_if_marking(g);  // its stack, before it runs on
    g->status = GoroutineStatus::Running;
    return;
  }
  // It was retaken (or handed off at entry): detach from it and find another.
  if (old != nullptr && m->processor == old) {
    m->processor = nullptr;
    m->tls.cache = nullptr;
  }
  Processor* p = nullptr;
  if (__atomic_load_n(&scheduler.idle_processor_count, __ATOMIC_ACQUIRE) != 0 &&
      !__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE)) {
    LockGuard guard(scheduler.lock);
    p = idle_processor_get();
  }
  if (p != nullptr) {
    acquire_processor(p);
    scan_after_syscall_if_marking(g);
    g->status = GoroutineStatus::Running;
    return;
  }
  // None free: queue the goroutine and park this Machine, on the scheduler stack.
  switch_to_scheduler(exit_syscall_without_processor);
}

// sysmon: Processors whose Machine has been in one system call since the last round are
// handed to another Machine (Go's retake). `observed_tick` is sysmon's memory of each
// Processor's syscall_tick.
uint64_t retakes = 0;  // atomic: see syscall_retakes()

uint64_t syscall_retakes() { return __atomic_load_n(&retakes, __ATOMIC_RELAXED); }

bool retake_from_syscalls(uint32_t* observed_tick) {
  bool retook = false;
  int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  for (int32_t i = 0; i < count; i++) {
    Processor* p = scheduler.processors[i];
    if (__atomic_load_n(reinterpret_cast<uint32_t*>(&p->status), __ATOMIC_ACQUIRE) != uint32_t(ProcessorStatus::Syscall))
      continue;
    uint32_t tick = __atomic_load_n(&p->syscall_tick, __ATOMIC_RELAXED);
    if (tick != observed_tick[i]) {  // a new call since last round: give it one more round
      observed_tick[i] = tick;
      continue;
    }
    if (!status_swap(p, ProcessorStatus::Syscall, ProcessorStatus::Idle)) continue;  // it came back
    p->machine = nullptr;  // its Machine keeps syscall_processor, and its exit CAS will fail
    hand_off_processor(p);
    retook = true;
    __atomic_add_fetch(&retakes, 1, __ATOMIC_RELAXED);
  }
  return retook;
}

namespace os {

long read(int fd, void* buffer, size_t n) {
  enter_syscall();
  long r = sys::read(fd, buffer, n);
  exit_syscall();
  return r;
}

long write(int fd, const void* buffer, size_t n) {
  enter_syscall();
  long r = sys::write_all(fd, buffer, n);
  exit_syscall();
  // EPIPE on standard output or error ends the program by SIGPIPE, as in Go (os.epipecheck);
  // on any other descriptor it is returned (SIGPIPE is ignored: runtime/signals.cpp).
  if (r == -sys::EPIPE && (fd == 1 || fd == 2)) die_from_signal(sys::SIGPIPE);
  return r;
}

long pipe(int fds[2]) { return sys::pipe(fds); }
long close(int fd) { return sys::close(fd); }

void sleep_thread(int64_t nanoseconds) {
  enter_blocking_syscall();
  sys::nanosleep(nanoseconds);
  exit_syscall();
}

}  // namespace os
}  // namespace gort
