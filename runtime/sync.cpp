// WaitGroup and Mutex for programs (Go's sync.WaitGroup and sync.Mutex), built on the
// runtime semaphore. Declared in runtime/gort.h.
//
// WaitGroup: one 64-bit word, counter in the high half and number of waiters in the low
// half, updated atomically together, so "counter reached zero with n waiters" is observed
// by exactly one add(), which releases the semaphore n times.
//
// Mutex: one word holding a locked bit and a count of sleeping waiters. lock() takes the bit
// with a compare-and-swap when it is free; otherwise it registers as a waiter and sleeps on
// the semaphore, then competes again. unlock() clears the bit and, if there are waiters,
// wakes one. Woken waiters compete with newcomers, which favours throughput; the starvation
// mode of Go's Mutex (hand the lock directly to a waiter after 1 ms) comes with the channels
// and sync issue.
#include "fatal.h"
#include "gort.h"
#include "semaphore.h"

namespace gort {

void WaitGroup::add(int32_t delta) {
  uint64_t state = __atomic_add_fetch(&state_, uint64_t(int64_t(delta)) << 32, __ATOMIC_ACQ_REL);
  int32_t counter = int32_t(state >> 32);
  uint32_t waiters = uint32_t(state);
  if (counter < 0) fatal("sync: negative WaitGroup counter");
  if (delta > 0 && counter == delta && waiters != 0) fatal("sync: WaitGroup misuse: Add called concurrently with Wait");
  if (counter > 0 || waiters == 0) return;
  // Counter is zero and there are waiters: nobody may change the state now but us.
  if (__atomic_load_n(&state_, __ATOMIC_ACQUIRE) != state) fatal("sync: WaitGroup misuse: Add called concurrently with Wait");
  __atomic_store_n(&state_, 0, __ATOMIC_RELEASE);
  for (; waiters > 0; waiters--) semaphore_release(&semaphore_);
}

void WaitGroup::wait() {
  uint64_t state = __atomic_load_n(&state_, __ATOMIC_ACQUIRE);
  for (;;) {
    if ((state >> 32) == 0) return;
    if (__atomic_compare_exchange_n(&state_, &state, state + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      semaphore_acquire(&semaphore_, WaitReason::WaitGroupWait);
      if (__atomic_load_n(&state_, __ATOMIC_ACQUIRE) != 0) fatal("sync: WaitGroup is reused before previous Wait has returned");
      return;
    }
  }
}

namespace {
constexpr uint32_t mutex_locked = 1;
constexpr uint32_t mutex_waiter = 2;  // the waiter count is state >> 1
}  // namespace

void Mutex::lock() {
  uint32_t free = 0;
  if (__atomic_compare_exchange_n(&state_, &free, mutex_locked, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
  lock_slow();
}

void Mutex::lock_slow() {
  uint32_t state = __atomic_load_n(&state_, __ATOMIC_RELAXED);
  for (;;) {
    if ((state & mutex_locked) == 0) {
      if (__atomic_compare_exchange_n(&state_, &state, state | mutex_locked, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
      continue;
    }
    if (__atomic_compare_exchange_n(&state_, &state, state + mutex_waiter, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
      semaphore_acquire(&semaphore_, WaitReason::MutexLock);
      state = __atomic_load_n(&state_, __ATOMIC_RELAXED);
    }
  }
}

bool Mutex::try_lock() {
  uint32_t state = __atomic_load_n(&state_, __ATOMIC_RELAXED);
  return (state & mutex_locked) == 0 &&
         __atomic_compare_exchange_n(&state_, &state, state | mutex_locked, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void Mutex::unlock() {
  uint32_t old = __atomic_fetch_sub(&state_, mutex_locked, __ATOMIC_RELEASE);
  if ((old & mutex_locked) == 0) fatal("sync: unlock of unlocked mutex");
  uint32_t state = old - mutex_locked;
  while (state >= mutex_waiter) {
    // Take one waiter off the count and wake it; it competes for the lock again.
    if (__atomic_compare_exchange_n(&state_, &state, state - mutex_waiter, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
      semaphore_release(&semaphore_);
      return;
    }
  }
}

}  // namespace gort
