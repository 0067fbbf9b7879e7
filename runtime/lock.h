// RuntimeLock: the runtime's mutual-exclusion lock (Go's runtime.mutex, lock_futex.go).
//
// A three-state futex word: 0 unlocked, 1 locked, 2 locked and someone may sleep on it.
// lock() tries to take it with one compare-and-swap (acquire), spins briefly, then marks
// the word 2 and sleeps in futex_wait until woken. unlock() swaps in 0 (release) and wakes
// one sleeper only if the old value was 2, so an uncontended lock/unlock pair costs two
// atomic instructions and no system call. It blocks the whole thread, not just a goroutine:
// hold it only for short runtime critical sections, never across a goroutine switch.
// Each lock has a rank (runtime/lock_rank.h) in its type; lock() and unlock() keep the thread's count of
// held runtime locks, and the debug build checks the rank. Lock order: docs/locking.md.
// SpinLock, the channels' lock, is in runtime/spin_lock.h.
#pragma once
#include <stdint.h>

#include "lock_rank.h"

namespace gort {

// The lock itself: the futex word, nothing else, so a lock in zeroed memory (.bss, a
// persistent record) is ready to use and costs no bytes in the program file. Its rank is
// part of its type, RankedLock<rank> below; RuntimeLock is the untyped view that unlock()
// and park()'s commit use.
class RuntimeLock {
 public:
  void lock_with_rank(LockRank rank);
  void unlock();

 private:
  bool try_acquire();
  uint32_t state_ = 0;
};

// A RuntimeLock of a given rank (runtime/lock_rank.h): how every runtime lock is declared.
template <LockRank Rank>
class RankedLock : public RuntimeLock {
 public:
  static constexpr LockRank rank = Rank;
  void lock() { lock_with_rank(Rank); }
};

// Holds a lock for the lifetime of a scope.
template <class Lock>
class LockGuard {
 public:
  explicit LockGuard(Lock& l) : lock_(l) { lock_.lock(); }
  ~LockGuard() { lock_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lock& lock_;
};

}  // namespace gort
