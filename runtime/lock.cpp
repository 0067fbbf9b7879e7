// RuntimeLock and SpinLock implementations; see runtime/lock.h and runtime/spin_lock.h for
// their protocols, runtime/lock_rank.h for the ranks and the checks each acquisition makes.
#include "lock.h"

#include "../arch/amd64/cpu.h"
#include "lock_checks.h"
#include "spin_lock.h"
#include "syscall.h"

namespace gort {

const char* lock_rank_name(LockRank rank) {
  static const char* const names[] = {
      "Cond",                       // Cond
      "scheduler.lock",             // Scheduler
      "scheduler.all_lock",         // AllGoroutines
      "semaphore bucket",           // Semaphore
      "static_init waiters_lock",   // StaticInitWaiters
      "timer_lock",                 // Timers
      "live_channels_lock",         // ChannelList
      "channel",                    // Channel
      "stack_pool_lock",            // StackPool
      "fallback_lock",              // AllocatorFallback
      "central",                    // Central
      "heap_lock",                  // Heap
      "roots_lock",                 // Roots
      "shade_buffer.lock",          // MarkBuffer
      "work_lock",                  // MarkWork
      "persistent_lock",            // Persistent
      "test",                       // Test
  };
  static_assert(sizeof(names) / sizeof(names[0]) == size_t(LockRank::Count));
  return size_t(rank) < size_t(LockRank::Count) ? names[size_t(rank)] : "?";
}

bool RuntimeLock::try_acquire() {
  uint32_t expected = 0;
  return __atomic_compare_exchange_n(&state_, &expected, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void RuntimeLock::lock_with_rank(LockRank rank) {
  lock_checks::before_acquire(this, rank);
  if (!try_acquire()) {
    // Brief spin: critical sections are short, and sleeping costs two system calls.
    bool taken = false;
    for (int spin = 0; spin < 64 && !taken; spin++) {
      cpu::relax();
      taken = __atomic_load_n(&state_, __ATOMIC_RELAXED) == 0 && try_acquire();
    }
    // Mark "contended" (2) so the holder knows to wake us. If the old value was 0 we just
    // took the lock, albeit in state 2, which only costs the next unlock one extra wake.
    if (!taken)
      while (__atomic_exchange_n(&state_, 2, __ATOMIC_ACQUIRE) != 0) sys::futex_wait(&state_, 2, -1);
  }
  lock_checks::acquired(this, rank);
}

void SpinLockBase::lock_slow() {
  for (uint32_t round = 0;; round++) {
    // Spin on a plain load (the line stays shared until the holder's store), a little
    // longer each round up to 64 pauses, then try; after 16 rounds, also yield the thread.
    uint32_t pauses = round < 6 ? 1u << round : 64;
    for (uint32_t i = 0; i < pauses; i++) cpu::relax();
    if (__atomic_load_n(&state_, __ATOMIC_RELAXED) == 0 && try_acquire()) return;
    if (round >= 16) sys::sched_yield();
  }
}

void RuntimeLock::unlock() {
  lock_checks::released(this, LockRank::Count);  // the rank is only for the report
  uint32_t old = __atomic_exchange_n(&state_, 0, __ATOMIC_RELEASE);
  if (old == 2) sys::futex_wake(&state_, 1);
}

}  // namespace gort
