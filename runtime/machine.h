// Machine: the runtime's record of one OS thread (Go's m), and its thread-local block.
//
// Every thread's FS base points at its Machine's ThreadLocal, so "current goroutine" and
// "current machine" are single fs-relative loads (arch/amd64/cpu.h). Machines are never
// freed. The first Machine, m0, is a static object set up by _start (asm/rt0.asm) on the
// stack the kernel gave the process; its scheduler stack (Go's g0) is that OS stack.
// Others are made by start_machine() (runtime/machine.cpp), each with its own scheduler
// stack and signal stack. Book: docs/02-scheduler.md.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "goroutine.h"
#include "note.h"

namespace gort {

struct Processor;

// The block FS points at. Layout is an ABI shared with assembly: offsets are generated.
struct ThreadLocal {
  Goroutine* current;     // the goroutine running on this thread (Go's getg())
  Machine* machine;       // this thread's Machine (Go's getg().m)
  uintptr_t stack_guard;  // copy of current->stack_guard: GORT_STACK_CHECK compares rsp
                          // with fs:[16] in one instruction. Written by whoever changes the
                          // running goroutine's guard (set_stack_guard) and by every switch.
  struct AllocationCache* cache;  // the held Processor's allocation cache, or null: malloc's
                                  // fast path is one fs-relative load away from it. Also null
                                  // while a preemption request is pending (request_preemption
                                  // stores null from another thread; the slow path reloads it).
  uint32_t locks_held;  // runtime locks this thread holds (Go's m.locks): one fs-relative add
                        // per lock and unlock (runtime/checks/*/lock_checks.h); read by
                        // holds_runtime_lock(). Changed only by the thread itself.
};

struct Machine {
  ThreadLocal tls;  // must stay first: FS base == this Machine's address

  // --- Set once when the thread is created, read-only afterwards ---
  Goroutine* g0;               // the scheduler stack (Go's g0): runs runtime code between goroutines
  int64_t id;                  // 0 for m0, as in Go
  int32_t tid;                 // kernel thread id
  uintptr_t signal_stack_lo;   // alternate stack for signal handlers (sigaltstack)
  size_t signal_stack_size;
  uintptr_t scheduler_sp;      // where each switch to the scheduler stack starts (asm reads it)
  void (*start_function)();    // for Machines that run something other than the scheduler (sysmon)

  // --- Owned by the thread itself ---
  int32_t dying;               // nonzero once this thread has started to crash
  Goroutine* current_goroutine;  // the user goroutine it runs, or null (Go's curg)
  Processor* processor;          // the Processor it holds, or null (Go's p)
  uint64_t random_state;         // fastrand state, seeded from AT_RANDOM and the id

  // The Processor this Machine held when its goroutine entered a system call, and that
  // Processor's syscall_tick for this call; sysmon may retake it meanwhile
  // (runtime/blocking.cpp). Owned by the thread itself.
  Processor* syscall_processor;
  uint32_t syscall_tick;
  // park(): what the scheduler stack runs once the parking goroutine is off its stack (Go's
  // m.waitunlockf and m.waitlock). Set by park() just before it switches away, read and
  // cleared by park_on_scheduler_stack() on the same thread: on the Machine rather than the
  // Goroutine, so that a million parked goroutines do not carry 16 bytes each for it.
  void (*park_commit)(Goroutine* g, void* arg);
  void* park_arg;
  // The registers and sp of the goroutine this thread runs, as enter_syscall and
  // enter_blocking_syscall found them (save_syscall_context, asm/context.asm); valid while that
  // goroutine's status is Syscall. Kept here rather than in the Goroutine: a thread makes one
  // system call at a time, and a million parked goroutines need not carry 72 bytes each for it.
  arch::SyscallContext syscall_context;

  // The goroutine wired to this thread by lock_os_thread (Go's lockedg). While it is not
  // running, this Machine runs nothing else: it sleeps until that goroutine is runnable.
  Goroutine* locked_goroutine;

  // The locks this thread holds, oldest first: kept by the debug build's rank checks only
  // (runtime/checks/debug/lock_checks.cpp). Owned by the thread itself.
  // Several locks of a rank that may repeat (a select's channels) share one entry.
  struct HeldLock {
    const void* lock;  // the first of them
    uint8_t rank;      // a LockRank
    uint32_t more;     // how many more of the same rank
  } held_locks[16];
  uint32_t held_lock_count;

  // --- Handed over by another thread while this one sleeps on `park` ---
  Processor* next_processor;  // the Processor to acquire on waking (Go's nextp)
  bool spinning;              // looking for work; counted in scheduler.spinning_machines
  Note park;                  // sleeps here while idle

  // --- Guarded by scheduler.lock ---
  Machine* next_idle;  // link on the idle-Machine list
  Machine* next_all;   // link on the list of all Machines (never unlinked)
  bool idle;           // on the idle list
};

// The first thread's Machine and scheduler stack, set up by _start.
extern "C" Machine runtime_m0;
extern "C" Goroutine runtime_g0;

// True if this thread holds a runtime lock (RuntimeLock or SpinLock; Go's m.locks > 0): it
// must not be preempted or switch goroutines now. One fs-relative load.
inline bool holds_runtime_lock() {
  uint32_t n;
  asm volatile("movl %%fs:%c1, %0" : "=r"(n) : "i"(offsetof(ThreadLocal, locks_held)));
  return n != 0;
}
// The same for another Machine, read racily (for sysmon, which may ask about any thread).
inline bool machine_holds_runtime_lock(const Machine* m) { return __atomic_load_n(&m->tls.locks_held, __ATOMIC_RELAXED) != 0; }

// Sets g's stack guard and, when g is running on this thread, the thread's copy of it.
void set_stack_guard(Goroutine* g, uintptr_t guard);
// Sleeps until another Machine hands this one a Processor (in next_processor, then wakes
// it), and takes it.
void acquire_handed_processor(Machine* m);
// Sets g's real guard (stack_lo + the guard reserve), kept poisoned if a preemption request
// is pending.
void refresh_stack_guard(Goroutine* g);

// A random 32-bit number from this Machine's generator (Go's fastrand; not for security).
uint32_t fastrand();
// A random number in [0, n).
inline uint32_t fastrandn(uint32_t n) { return uint32_t((uint64_t(fastrand()) * n) >> 32); }

}  // namespace gort
