// The runtime semaphore; see runtime/semaphore.h.
//
// Acquire:  1. try to decrement the counter (no lock);  2. lock the bucket, count ourselves
//           as a waiter, and try again (a release may have come in between);  3. enqueue a
//           waiter record — on our own stack, which stays put while we are parked — and park,
//           releasing the bucket lock only once we are off our stack;  4. when woken, take
//           the unit handed to us, or go back to 1.
// Release:  1. increment the counter;  2. if the bucket has no waiters, done (no lock);
//           3. else lock, dequeue the first waiter for this address, unlock, ready it.
// Why no wakeup is lost: acquire counts itself as a waiter before its second try, and
// release increments before looking at the waiter count; both use sequentially consistent
// atomics, so at least one of them sees the other.
#include "semaphore.h"

#include "../arch/amd64/cpu.h"
#include "fatal.h"
#include "lock.h"
#include "scheduler.h"

namespace gort {

namespace {

struct Waiter {
  Goroutine* g;
  uint32_t* address;
  Waiter* next;
  bool handed_unit;  // the releaser decremented the counter for us
};

struct alignas(64) Bucket {  // one per cache line: buckets are contended independently
  RankedLock<LockRank::Semaphore> lock;
  // Every member initialised, so that `buckets` is constant-initialised (in .bss): a
  // dynamic initialiser would run only with the program's static constructors, after the
  // runtime has started using them.
  uint32_t waiter_count = 0;  // atomic; changed under lock, read without it by release
  Waiter* head = nullptr;     // guarded by lock
  Waiter* tail = nullptr;     // guarded by lock
};

constexpr uint32_t bucket_count = 251;  // prime, as in Go, so addresses spread evenly
Bucket buckets[bucket_count];

Bucket& bucket_for(uint32_t* address) { return buckets[(reinterpret_cast<uintptr_t>(address) >> 3) % bucket_count]; }

bool try_acquire(uint32_t* address) {
  uint32_t v = __atomic_load_n(address, __ATOMIC_SEQ_CST);
  while (v > 0) {
    if (__atomic_compare_exchange_n(address, &v, v - 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return true;
  }
  return false;
}

}  // namespace

void semaphore_acquire(uint32_t* address, WaitReason reason, bool lifo) {
  if (try_acquire(address)) return;
  Bucket& b = bucket_for(address);
  Waiter w{cpu::current_goroutine(), address, nullptr, false};
  for (;;) {
    b.lock.lock();
    __atomic_add_fetch(&b.waiter_count, 1, __ATOMIC_SEQ_CST);
    if (try_acquire(address)) {
      __atomic_sub_fetch(&b.waiter_count, 1, __ATOMIC_SEQ_CST);
      b.lock.unlock();
      return;
    }
    if (lifo) {
      w.next = b.head;
      b.head = &w;
      if (b.tail == nullptr) b.tail = &w;
    } else {
      w.next = nullptr;
      if (b.tail != nullptr) b.tail->next = &w;
      else b.head = &w;
      b.tail = &w;
    }
    park(reason, unlock_runtime_lock, &b.lock);
    // Woken by a release, which dequeued us and decremented waiter_count.
    if (w.handed_unit || try_acquire(address)) return;
  }
}

void semaphore_release(uint32_t* address, bool handoff) {
  __atomic_add_fetch(address, 1, __ATOMIC_SEQ_CST);
  Bucket& b = bucket_for(address);
  if (__atomic_load_n(&b.waiter_count, __ATOMIC_SEQ_CST) == 0) return;
  Waiter* found = nullptr;
  {
    LockGuard guard(b.lock);
    Waiter* previous = nullptr;
    for (Waiter* w = b.head; w != nullptr; previous = w, w = w->next) {
      if (w->address != address) continue;
      if (previous != nullptr) previous->next = w->next;
      else b.head = w->next;
      if (b.tail == w) b.tail = previous;
      found = w;
      break;
    }
    if (found == nullptr) return;
    __atomic_sub_fetch(&b.waiter_count, 1, __ATOMIC_SEQ_CST);
    if (handoff && try_acquire(address)) found->handed_unit = true;
  }
  ready(found->g);  // after this, `found` (on the waiter's stack) may be gone
}

}  // namespace gort
