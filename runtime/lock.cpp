// RuntimeLock and SpinLock implementations; see runtime/lock.h for their protocols.
#include "lock.h"

#include "../arch/amd64/cpu.h"
#include "syscall.h"

namespace gort {

void RuntimeLock::lock() {
  if (try_lock()) return;
  // Brief spin: critical sections are short, and sleeping costs two system calls.
  for (int spin = 0; spin < 64; spin++) {
    cpu::relax();
    if (__atomic_load_n(&state_, __ATOMIC_RELAXED) == 0 && try_lock()) return;
  }
  // Mark "contended" (2) so the holder knows to wake us. If the old value was 0 we just
  // took the lock, albeit in state 2, which only costs the next unlock one extra wake.
  while (__atomic_exchange_n(&state_, 2, __ATOMIC_ACQUIRE) != 0) sys::futex_wait(&state_, 2, -1);
}

void SpinLock::lock_slow() {
  for (uint32_t round = 0;; round++) {
    // Spin on a plain load (the line stays shared until the holder's store), a little
    // longer each round up to 64 pauses, then try; after 16 rounds, also yield the thread.
    uint32_t pauses = round < 6 ? 1u << round : 64;
    for (uint32_t i = 0; i < pauses; i++) cpu::relax();
    if (__atomic_load_n(&state_, __ATOMIC_RELAXED) == 0 && try_lock()) return;
    if (round >= 16) sys::sched_yield();
  }
}

void RuntimeLock::unlock() {
  uint32_t old = __atomic_exchange_n(&state_, 0, __ATOMIC_RELEASE);
  if (old == 2) sys::futex_wake(&state_, 1);
}

}  // namespace gort
