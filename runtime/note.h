// Note: a one-shot sleep/wakeup event between threads (Go's note, lock_futex.go). One thread
// sleeps until another wakes it; then the note must be cleared before reuse. This and
// RuntimeLock are the only primitives that block a whole thread.
//
// The futex word is 0 (not signalled) or 1 (signalled). wake() stores 1 with release order
// and wakes sleepers; sleep() loads with acquire order, so whatever the waker wrote before
// wake() is visible after sleep() returns.
#pragma once
#include <stdint.h>

namespace gort {

class Note {
 public:
  void clear() { __atomic_store_n(&key_, 0, __ATOMIC_RELAXED); }
  void wake();                            // at most once between clears
  void sleep();                           // until woken
  bool sleep_for(int64_t nanoseconds);    // true if woken, false on timeout
  bool signalled() const { return __atomic_load_n(&key_, __ATOMIC_ACQUIRE) != 0; }

 private:
  uint32_t key_ = 0;
};

}  // namespace gort
