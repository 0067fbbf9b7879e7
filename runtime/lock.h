// RuntimeLock: the runtime's mutual-exclusion lock (Go's runtime.mutex, lock_futex.go).
//
// A three-state futex word: 0 unlocked, 1 locked, 2 locked and someone may sleep on it.
// lock() tries to take it with one compare-and-swap (acquire), spins briefly, then marks
// the word 2 and sleeps in futex_wait until woken. unlock() swaps in 0 (release) and wakes
// one sleeper only if the old value was 2, so an uncontended lock/unlock pair costs two
// atomic instructions and no system call. It blocks the whole thread, not just a goroutine:
// hold it only for short runtime critical sections, never across a goroutine switch.
// Lock order: docs/locking.md.
#pragma once
#include <stdint.h>

namespace gort {

class RuntimeLock {
 public:
  void lock();
  void unlock();
  bool try_lock() {
    uint32_t expected = 0;
    return __atomic_compare_exchange_n(&state_, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
  }

 private:
  uint32_t state_ = 0;
};

// SpinLock: a lock for critical sections that are a few dozen instructions long and never
// block the thread: a channel's (runtime/channel.cpp). lock() is one compare-and-swap
// (acquire) when free; unlock() is one release store, with no read-modify-write: a
// RuntimeLock's unlock needs an exchange to learn whether someone sleeps on it, and on a
// buffered channel those atomics were most of the cost of a value. A waiter never sleeps: it
// spins with pause, and after a while yields its thread to the kernel (sched_yield), which
// lets a holder that the kernel preempted run again. Since a holder never blocks, it is
// always running or runnable, and the waiter gets the lock once it has run.
class SpinLock {
 public:
  void lock() {
    if (!try_lock()) lock_slow();
  }
  void unlock() { __atomic_store_n(&state_, 0, __ATOMIC_RELEASE); }
  bool try_lock() {
    uint32_t expected = 0;
    return __atomic_compare_exchange_n(&state_, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
  }

 private:
  void lock_slow();
  uint32_t state_ = 0;  // 0 free, 1 held
};

// Holds a RuntimeLock for the lifetime of a scope.
class LockGuard {
 public:
  explicit LockGuard(RuntimeLock& l) : lock_(l) { lock_.lock(); }
  ~LockGuard() { lock_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  RuntimeLock& lock_;
};

}  // namespace gort
