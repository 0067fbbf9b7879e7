// SpinLock: a lock for critical sections that are a few dozen instructions long and never
// block the thread: a channel's (runtime/channel.cpp). lock() is one compare-and-swap
// (acquire) when free; unlock() is one release store, with no read-modify-write: a
// RuntimeLock's unlock needs an exchange to learn whether someone sleeps on it, and on a
// buffered channel those atomics were most of the cost of a value. A waiter never sleeps: it
// spins with pause, and after a while yields its thread to the kernel (sched_yield), which
// lets a holder that the kernel preempted run again. Since a holder never blocks, it is
// always running or runnable, and the waiter gets the lock once it has run.
//
// Like RuntimeLock it has a rank and counts in the thread's locks_held; the fast paths are
// inline, so the checks come from lock_checks.h, which the Makefile picks from
// runtime/checks/release (the count only: one fs-relative add) or runtime/checks/debug
// (rank checks). Lock order: docs/locking.md.
#pragma once
#include <stdint.h>

#include "lock_checks.h"
#include "lock_rank.h"

namespace gort {

class SpinLockBase {
 protected:
  bool try_acquire() {
    uint32_t expected = 0;
    return __atomic_compare_exchange_n(&state_, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
  }
  void lock_slow();     // runtime/lock.cpp
  uint32_t state_ = 0;  // 0 free, 1 held; all of the lock, so zeroed memory is a free lock
};

template <LockRank Rank>
class SpinLock : public SpinLockBase {
 public:
  void lock() {
    lock_checks::before_acquire(this, Rank);
    if (!try_acquire()) lock_slow();
    lock_checks::acquired(this, Rank);
  }
  void unlock() {
    lock_checks::released(this, Rank);
    __atomic_store_n(&state_, 0, __ATOMIC_RELEASE);
  }
};

}  // namespace gort
