// WaitGroup and Mutex for programs (Go's sync.WaitGroup and sync.Mutex), built on the
// runtime semaphore. Declared in runtime/gort.h.
//
// WaitGroup: one 64-bit word, counter in the high half and number of waiters in the low
// half, updated atomically together, so "counter reached zero with n waiters" is observed
// by exactly one add(), which releases the semaphore n times.
//
// Mutex: Go's sync.Mutex state machine, normal and starvation modes (see below).
// RWMutex, Once and Cond: Go's algorithms, on the runtime semaphore and park/ready.
#include "../arch/amd64/cpu.h"
#include "fatal.h"
#include "gort.h"
#include "preempt.h"
#include "scheduler.h"
#include "semaphore.h"
#include "time.h"

namespace gort {

void WaitGroup::add(int32_t delta) {
  preemption_point();
  uint64_t state = __atomic_add_fetch(&state_, uint64_t(int64_t(delta)) << 32, __ATOMIC_ACQ_REL);
  int32_t counter = int32_t(state >> 32);
  uint32_t waiters = uint32_t(state);
  if (counter < 0) panic("sync: negative WaitGroup counter");  // Go panics here (sync/waitgroup.go)
  if (delta > 0 && counter == delta && waiters != 0) panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  if (counter > 0 || waiters == 0) return;
  // Counter is zero and there are waiters: nobody may change the state now but us.
  if (__atomic_load_n(&state_, __ATOMIC_ACQUIRE) != state) panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  __atomic_store_n(&state_, 0, __ATOMIC_RELEASE);
  for (; waiters > 0; waiters--) semaphore_release(&semaphore_);
}

void WaitGroup::wait() {
  preemption_point();
  uint64_t state = __atomic_load_n(&state_, __ATOMIC_ACQUIRE);
  for (;;) {
    if ((state >> 32) == 0) return;
    if (__atomic_compare_exchange_n(&state_, &state, state + 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      semaphore_acquire(&semaphore_, WaitReason::WaitGroupWait);
      if (__atomic_load_n(&state_, __ATOMIC_ACQUIRE) != 0) panic("sync: WaitGroup is reused before previous Wait has returned");
      return;
    }
  }
}

namespace {
// Mutex state (the layout of Go's sync.Mutex): bit 0 locked, bit 1 a waiter is awake and
// competing (so unlock need not wake another), bit 2 starvation mode, the rest the number of
// waiters. Normal mode lets a running goroutine take the lock ahead of woken waiters, which
// is fast; a waiter that has waited over 1 ms switches the mutex to starvation mode, in which
// unlock hands the lock straight to the first waiter and newcomers queue behind it, so no
// waiter waits forever.
constexpr uint32_t mutex_locked = 1;
constexpr uint32_t mutex_woken = 2;
constexpr uint32_t mutex_starving = 4;
constexpr uint32_t mutex_waiter_shift = 3;
constexpr int64_t starvation_threshold_ns = 1000 * 1000;

bool cas(uint32_t* word, uint32_t& expected, uint32_t desired) {
  return __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
}  // namespace

void Mutex::lock() {
  preemption_point();  // a loop of lock/unlock never blocks when uncontended
  uint32_t free = 0;
  if (__atomic_compare_exchange_n(&state_, &free, mutex_locked, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
  lock_slow();
}

void Mutex::lock_slow() {
  int64_t wait_start = 0;
  bool starving = false, awoke = false;
  int spins = 0;
  uint32_t old = __atomic_load_n(&state_, __ATOMIC_RELAXED);
  for (;;) {
    // Spin briefly while the holder runs on another processor (not in starvation mode, where
    // the lock goes to a waiter anyway), flagging "woken" so unlock does not wake another.
    if ((old & (mutex_locked | mutex_starving)) == mutex_locked && spins < 4 &&
        __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_RELAXED) > 1) {  // spinning helps only with another CPU
      if (!awoke && (old & mutex_woken) == 0 && (old >> mutex_waiter_shift) != 0 && cas(&state_, old, old | mutex_woken))
        awoke = true;
      for (int i = 0; i < 30; i++) __builtin_ia32_pause();
      spins++;
      old = __atomic_load_n(&state_, __ATOMIC_RELAXED);
      continue;
    }
    uint32_t next = old;
    if ((old & mutex_starving) == 0) next |= mutex_locked;  // newcomers do not take a starving mutex
    if ((old & (mutex_locked | mutex_starving)) != 0) next += 1 << mutex_waiter_shift;
    if (starving && (old & mutex_locked) != 0) next |= mutex_starving;
    if (awoke) {
      if ((next & mutex_woken) == 0) fatal("sync: inconsistent mutex state");
      next &= ~mutex_woken;
    }
    if (!cas(&state_, old, next)) continue;  // cas reloaded old
    if ((old & (mutex_locked | mutex_starving)) == 0) return;  // took it
    bool waited_before = wait_start != 0;
    if (!waited_before) wait_start = nanotime();
    semaphore_acquire(&semaphore_, WaitReason::MutexLock, waited_before);
    starving = starving || nanotime() - wait_start > starvation_threshold_ns;
    old = __atomic_load_n(&state_, __ATOMIC_RELAXED);
    if ((old & mutex_starving) != 0) {
      // The lock was handed to us; the state still counts us as a waiter.
      if ((old & (mutex_locked | mutex_woken)) != 0 || (old >> mutex_waiter_shift) == 0)
        fatal("sync: inconsistent mutex state");
      uint32_t delta = mutex_locked - (1u << mutex_waiter_shift);
      if (!starving || (old >> mutex_waiter_shift) == 1) delta -= mutex_starving;  // leave starvation mode
      __atomic_add_fetch(&state_, delta, __ATOMIC_ACQ_REL);
      return;
    }
    awoke = true;
    spins = 0;
  }
}

bool Mutex::try_lock() {
  preemption_point();
  uint32_t state = __atomic_load_n(&state_, __ATOMIC_RELAXED);
  return (state & (mutex_locked | mutex_starving)) == 0 &&
         __atomic_compare_exchange_n(&state_, &state, state | mutex_locked, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

void Mutex::unlock() {
  uint32_t next = __atomic_sub_fetch(&state_, mutex_locked, __ATOMIC_RELEASE);
  if (next == 0) return;
  if (((next + mutex_locked) & mutex_locked) == 0) fatal("sync: unlock of unlocked mutex");
  if ((next & mutex_starving) != 0) {
    semaphore_release(&semaphore_, true);  // hand the lock to the first waiter
    return;
  }
  uint32_t old = next;
  for (;;) {
    // Nobody to wake, or someone is already awake, or the lock was taken meanwhile.
    if ((old >> mutex_waiter_shift) == 0 || (old & (mutex_locked | mutex_woken | mutex_starving)) != 0) return;
    if (cas(&state_, old, (old - (1u << mutex_waiter_shift)) | mutex_woken)) {
      semaphore_release(&semaphore_);
      return;
    }
  }
}

// --- RWMutex (Go's sync.RWMutex) ---
// reader_count counts active readers; a writer subtracts max_readers from it, which makes
// new readers wait on reader_semaphore, and waits on writer_semaphore for the readers that
// were already in (reader_wait) to leave.
namespace {
constexpr int32_t max_readers = 1 << 30;
}

void RWMutex::read_lock() {
  if (__atomic_add_fetch(&reader_count_, 1, __ATOMIC_ACQ_REL) < 0)
    semaphore_acquire(&reader_semaphore_, WaitReason::RWMutexRLock);  // a writer is pending
}

void RWMutex::read_unlock() {
  int32_t r = __atomic_sub_fetch(&reader_count_, 1, __ATOMIC_ACQ_REL);
  if (r >= 0) return;
  if (r + 1 == 0 || r + 1 == -max_readers) fatal("sync: RUnlock of unlocked RWMutex");
  if (__atomic_sub_fetch(&reader_wait_, 1, __ATOMIC_ACQ_REL) == 0) semaphore_release(&writer_semaphore_);
}

void RWMutex::lock() {
  writer_.lock();
  int32_t readers = __atomic_sub_fetch(&reader_count_, max_readers, __ATOMIC_ACQ_REL) + max_readers;
  if (readers != 0 && __atomic_add_fetch(&reader_wait_, readers, __ATOMIC_ACQ_REL) != 0)
    semaphore_acquire(&writer_semaphore_, WaitReason::RWMutexLock);
}

void RWMutex::unlock() {
  int32_t readers = __atomic_add_fetch(&reader_count_, max_readers, __ATOMIC_ACQ_REL);
  if (readers >= max_readers) fatal("sync: Unlock of unlocked RWMutex");
  for (int32_t i = 0; i < readers; i++) semaphore_release(&reader_semaphore_);
  writer_.unlock();
}

// --- Once ---
void Once::call_slow(void (*f)(void*), void* arg) {
  mutex_.lock();
  if (__atomic_load_n(&done_, __ATOMIC_ACQUIRE) == 0) {
    f(arg);
    __atomic_store_n(&done_, 1, __ATOMIC_RELEASE);  // after f: every caller sees its effects
  }
  mutex_.unlock();
}

// --- Cond ---
// Waiters queue on a list guarded by an internal lock. wait() joins the list *before*
// releasing the user's mutex, so a signal sent after that release always finds it.
namespace {
struct CondWaiter {
  Goroutine* g;
  CondWaiter* next;
};
}  // namespace

void Cond::wait() {
  CondWaiter me{cpu::current_goroutine(), nullptr};
  lock_.lock();
  auto** tail = reinterpret_cast<CondWaiter**>(&waiters_);
  while (*tail != nullptr) tail = &(*tail)->next;
  *tail = &me;
  mutex_->unlock();
  park(WaitReason::CondWait, unlock_runtime_lock, &lock_);
  mutex_->lock();
}

void Cond::signal() {
  lock_.lock();
  auto* w = static_cast<CondWaiter*>(waiters_);
  if (w != nullptr) waiters_ = w->next;
  lock_.unlock();
  if (w != nullptr) ready(w->g);
}

void Cond::broadcast() {
  lock_.lock();
  auto* w = static_cast<CondWaiter*>(waiters_);
  waiters_ = nullptr;
  lock_.unlock();
  while (w != nullptr) {
    CondWaiter* next = w->next;  // read before ready: the record lives on that stack
    ready(w->g);
    w = next;
  }
}

}  // namespace gort
