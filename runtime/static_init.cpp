// Function-local statics: the C++ ABI's __cxa_guard_acquire / __cxa_guard_release /
// __cxa_guard_abort, which compiled code calls around the first initialisation of a
// `static T x;` inside a function, so that exactly one caller runs the initialiser and every
// other caller waits until it has finished. Book: docs/02-scheduler.md, "Waiting for a
// static initialiser".
//
// The guard is 64 bits that the compiler zeroes. Byte 0 is the ABI's "initialised" flag,
// which the inline fast path tests before calling us; we use the second 32-bit word as state:
//
//   0                       idle: nobody is initialising
//   owner << 1 | waiting    an initialiser is running; `owner` tags who runs it (owner_tag),
//                           `waiting` (bit 0) says a goroutine may be parked on the guard
//
// Acquire: 1. initialised: return 0;  2. idle: claim it with a compare-and-swap and return 1
// (the caller runs the initialiser, then calls release);  3. claimed by the caller itself:
// the initialiser uses its own static (recursive initialisation), a fatal error, where a
// plain lock would wait forever;  4. claimed by another: a goroutine parks on the guard's
// waiter list (a whole thread spinning would hold its Processor, and at GOMAXPROCS=1 the
// initialiser, parked in a sleep, would never run again); code without a Processor (the
// scheduler stack) yields its thread instead. Woken, go back to 1.
// Release: set byte 0 (release order), swap the state to idle, and if `waiting` was set,
// ready every goroutine parked on this guard.
// Why no wakeup is lost: a waiter sets `waiting` with a compare-and-swap while it holds
// waiters_lock and enqueues itself before that lock is released (park() releases it once the
// goroutine is off its stack). Release's swap either comes first, and the waiter's
// compare-and-swap fails and it starts again, or comes after, and release then takes
// waiters_lock and finds the waiter enqueued. Both atomics are sequentially consistent.
//
// Waiters are rare (a static whose initialiser blocks, under contention), so they share one
// list and one lock (lock order: docs/locking.md, "static_init waiters_lock").
#include <stdint.h>

#include "../arch/amd64/cpu.h"
#include "fatal.h"
#include "lock.h"
#include "machine.h"
#include "scheduler.h"
#include "syscall.h"

namespace gort {

namespace {

constexpr uint32_t waiting_bit = 1;

// Who runs an initialiser, in 31 bits: a goroutine by its id (1 .. 2^30), a scheduler stack
// by 2^30 + its Machine's id. Two goroutines whose ids differ by a multiple of 2^30 share a
// tag, so one of them waiting for the other's initialiser would be taken for recursion; a
// program would need to start a billion goroutines for that.
uint32_t owner_tag() {
  Machine* m = cpu::current_machine();
  Goroutine* g = cpu::current_goroutine();
  if (g == m->g0) return (uint32_t(1) << 30) + (uint32_t(m->id) & 0x3fffffff);
  return (uint32_t(g->id - 1) & 0x3fffffff) + 1;
}

struct GuardWaiter {  // on the waiting goroutine's stack, which stays put while it is parked
  Goroutine* g;
  uint64_t* guard;
  GuardWaiter* next;
};

RankedLock<LockRank::StaticInitWaiters> waiters_lock; // guards `waiters`; a leaf but for ready() after it
GuardWaiter* waiters = nullptr;    // every goroutine parked on some guard

uint8_t* initialised_flag(uint64_t* guard) { return reinterpret_cast<uint8_t*>(guard); }
uint32_t* state_word(uint64_t* guard) { return reinterpret_cast<uint32_t*>(guard) + 1; }

// Parks the current goroutine on `guard` if its state is still `seen` (an initialiser is
// running). Returns at once if the state changed meanwhile; the caller looks again.
void wait_for_initialiser(uint64_t* guard, uint32_t seen) {
  GuardWaiter w{cpu::current_goroutine(), guard, nullptr};
  waiters_lock.lock();
  if (!__atomic_compare_exchange_n(state_word(guard), &seen, seen | waiting_bit, false, __ATOMIC_SEQ_CST,
                                   __ATOMIC_SEQ_CST)) {
    waiters_lock.unlock();
    return;
  }
  w.next = waiters;
  waiters = &w;
  park(WaitReason::StaticInit, unlock_runtime_lock, &waiters_lock);
}

// Readies every goroutine parked on `guard`.
void wake_waiters(uint64_t* guard) {
  GuardWaiter* woken = nullptr;
  {
    LockGuard hold(waiters_lock);
    for (GuardWaiter** link = &waiters; *link != nullptr;) {
      GuardWaiter* w = *link;
      if (w->guard != guard) {
        link = &w->next;
        continue;
      }
      *link = w->next;
      w->next = woken;
      woken = w;
    }
  }
  // ready() after the lock: it may take scheduler.lock, and a readied goroutine's record
  // (on its stack) may vanish as soon as it runs, so read `next` first.
  while (woken != nullptr) {
    GuardWaiter* next = woken->next;
    ready(woken->g);
    woken = next;
  }
}

void finish(uint64_t* guard) {
  uint32_t old = __atomic_exchange_n(state_word(guard), 0, __ATOMIC_SEQ_CST);
  if (old & waiting_bit) wake_waiters(guard);
}

}  // namespace

}  // namespace gort

extern "C" {

int __cxa_guard_acquire(uint64_t* guard) {
  using namespace gort;
  uint32_t mine = owner_tag() << 1;
  for (;;) {
    if (__atomic_load_n(initialised_flag(guard), __ATOMIC_ACQUIRE) != 0) return 0;
    uint32_t state = __atomic_load_n(state_word(guard), __ATOMIC_SEQ_CST);
    if (state == 0) {
      if (!__atomic_compare_exchange_n(state_word(guard), &state, mine, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        continue;
      if (__atomic_load_n(initialised_flag(guard), __ATOMIC_ACQUIRE) != 0) {  // finished while we raced
        finish(guard);
        return 0;
      }
      return 1;  // the caller runs the initialiser, then calls __cxa_guard_release
    }
    if ((state & ~waiting_bit) == mine) fatal("recursive initialization of a function-local static");
    Machine* m = cpu::current_machine();
    if (cpu::current_goroutine() == m->g0 || m->processor == nullptr) {
      sys::sched_yield();  // cannot park here: let the initialiser's thread run
      continue;
    }
    wait_for_initialiser(guard, state);
  }
}

void __cxa_guard_release(uint64_t* guard) {
  __atomic_store_n(gort::initialised_flag(guard), 1, __ATOMIC_RELEASE);
  gort::finish(guard);
}

// The initialiser ended without finishing (only by an exception, which gort programs do not
// throw): back to idle, and the waiters look again; one of them will initialise.
void __cxa_guard_abort(uint64_t* guard) { gort::finish(guard); }
}
