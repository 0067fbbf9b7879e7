// Run queues: each Processor's lock-free local ring with its runnext slot, and the global
// queue under scheduler.lock (Go's runqput, runqget, runqgrab, runqsteal, globrunqput,
// globrunqget). The protocol and its memory orders are described in runtime/processor.h.
//
// Why a ring plus a global list: the ring makes the common case (a goroutine readied and
// run on the same Processor) touch no shared lock; the global list absorbs overflow and
// lets any Processor pick up work; stealing half of a victim's ring balances load in
// O(log n) steals instead of one goroutine at a time.
#include "../arch/amd64/cpu.h"
#include "context.h"
#include "fatal.h"
#include "os_memory.h"
#include "processor.h"
#include "scheduler.h"

namespace gort {

namespace {

inline uint32_t load_acquire(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
inline Goroutine* load_slot(Goroutine* const* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
inline void store_slot(Goroutine** p, Goroutine* g) { __atomic_store_n(p, g, __ATOMIC_RELAXED); }

struct Spill {
  Processor* p;
  Goroutine* g;
  uint32_t head, tail;
  bool done;
};

// The ring is full: move half of it plus g to the global queue in one locked operation.
// Sets done to false if a thief moved head meanwhile (the caller retries the fast path).
// Runs on the scheduler stack (run_queue_put may be called on a goroutine's, which is as
// far as the reserve below a stack check goes): the batch alone is 1 KiB.
void spill_half_to_global(void* arg) {
  auto* s = static_cast<Spill*>(arg);
  constexpr uint32_t half = run_queue_size / 2;
  if (s->tail - s->head != run_queue_size) fatal("run_queue_put: queue is not full");
  Goroutine* batch[half + 1];
  for (uint32_t i = 0; i < half; i++) batch[i] = load_slot(&s->p->run_ring[(s->head + i) % run_queue_size]);
  s->done = __atomic_compare_exchange_n(&s->p->run_head, &s->head, s->head + half, false, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED);
  if (!s->done) return;
  batch[half] = s->g;
  LockGuard guard(scheduler.lock);
  global_queue_put_batch(batch, half + 1);
}

// Takes about half of victim's queued goroutines into the thief's ring starting at
// batch_head (slots the thief does not yet publish). Returns how many.
uint32_t grab_half(Processor* victim, Goroutine** batch, uint32_t batch_head, bool take_run_next) {
  for (;;) {
    uint32_t head = load_acquire(&victim->run_head);
    uint32_t tail = load_acquire(&victim->run_tail);
    uint32_t n = tail - head;
    n -= n / 2;
    if (n == 0) {
      if (!take_run_next) return 0;
      Goroutine* next = __atomic_load_n(&victim->run_next, __ATOMIC_ACQUIRE);
      if (next == nullptr) return 0;
      // The victim just readied `next` and is about to run it; give it a moment so we do not
      // steal the goroutine its owner would run at once (Go sleeps 3 us here). Measured: with
      // 300 pauses a producer/consumer pair on two Processors kept being pulled apart, and
      // buffered channel throughput was 2.5x Go's time; with 3,000 it beats Go's.
      if (victim->status == ProcessorStatus::Running)
        for (int i = 0; i < 3000; i++) cpu::relax();
      if (!__atomic_compare_exchange_n(&victim->run_next, &next, nullptr, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        continue;
      batch[batch_head % run_queue_size] = next;
      return 1;
    }
    if (n > run_queue_size / 2) continue;  // head and tail read at different moments: retry
    for (uint32_t i = 0; i < n; i++)
      store_slot(&batch[(batch_head + i) % run_queue_size], load_slot(&victim->run_ring[(head + i) % run_queue_size]));
    if (__atomic_compare_exchange_n(&victim->run_head, &head, head + n, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
      return n;
  }
}

}  // namespace

void run_queue_put(Processor* p, Goroutine* g, bool run_next) {
  if (run_next) {
    Goroutine* old = __atomic_exchange_n(&p->run_next, g, __ATOMIC_ACQ_REL);
    if (old == nullptr) return;
    g = old;  // the displaced one goes to the ring's tail
  }
  for (;;) {
    uint32_t head = load_acquire(&p->run_head);
    uint32_t tail = p->run_tail;  // only the owner writes it
    if (tail - head < run_queue_size) {
      store_slot(&p->run_ring[tail % run_queue_size], g);
      __atomic_store_n(&p->run_tail, tail + 1, __ATOMIC_RELEASE);  // publish the slot
      return;
    }
    Spill spill{p, g, head, tail, false};
    run_on_scheduler_stack(spill_half_to_global, &spill);
    if (spill.done) return;
  }
}

Goroutine* run_queue_get(Processor* p, bool* inherit_time) {
  Goroutine* next = __atomic_load_n(&p->run_next, __ATOMIC_ACQUIRE);
  if (next != nullptr &&
      __atomic_compare_exchange_n(&p->run_next, &next, nullptr, false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
    *inherit_time = true;  // runs in the time slice of the goroutine that readied it
    return next;
  }
  *inherit_time = false;
  for (;;) {
    uint32_t head = load_acquire(&p->run_head);
    uint32_t tail = p->run_tail;
    if (tail == head) return nullptr;
    Goroutine* g = load_slot(&p->run_ring[head % run_queue_size]);
    if (__atomic_compare_exchange_n(&p->run_head, &head, head + 1, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
      return g;
  }
}

Goroutine* run_queue_steal(Processor* thief, Processor* victim, bool take_run_next) {
  uint32_t tail = thief->run_tail;
  uint32_t n = grab_half(victim, thief->run_ring, tail, take_run_next);
  if (n == 0) return nullptr;
  n--;
  Goroutine* g = load_slot(&thief->run_ring[(tail + n) % run_queue_size]);
  if (n == 0) return g;
  uint32_t head = load_acquire(&thief->run_head);
  if (tail - head + n >= run_queue_size) fatal("run_queue_steal: queue overflow");
  __atomic_store_n(&thief->run_tail, tail + n, __ATOMIC_RELEASE);
  return g;
}

bool run_queue_empty(const Processor* p) {
  // head, tail and run_next are read at different moments; retry until tail is stable so a
  // goroutine moving from run_next to the ring is not missed.
  for (;;) {
    uint32_t head = load_acquire(&p->run_head);
    uint32_t tail = load_acquire(&p->run_tail);
    Goroutine* next = __atomic_load_n(&p->run_next, __ATOMIC_ACQUIRE);
    if (tail == load_acquire(&p->run_tail)) return head == tail && next == nullptr;
  }
}

uint32_t run_queue_length(const Processor* p) {
  uint32_t head = load_acquire(&p->run_head);
  uint32_t tail = load_acquire(&p->run_tail);
  uint32_t n = tail - head;
  return n > run_queue_size ? 0 : n;
}

void global_queue_put_batch(Goroutine* const* gs, uint32_t n) {
  for (uint32_t i = 0; i < n;) {
    GlobalQueueBlock* last = scheduler.queue_last;
    if (last == nullptr || last->tail == GlobalQueueBlock::capacity) {
      GlobalQueueBlock* block = scheduler.spare_blocks;
      if (block != nullptr) scheduler.spare_blocks = block->next;
      else block = persistent_new<GlobalQueueBlock>();
      block->next = nullptr;
      block->head = block->tail = 0;
      if (last != nullptr) last->next = block;
      else scheduler.queue_first = block;
      scheduler.queue_last = last = block;
    }
    while (i < n && last->tail < GlobalQueueBlock::capacity) last->items[last->tail++] = gs[i++];
  }
  __atomic_store_n(&scheduler.queue_size, scheduler.queue_size + n, __ATOMIC_RELAXED);
}

void global_queue_put(Goroutine* g) { global_queue_put_batch(&g, 1); }

void global_queue_put_front(Goroutine* g) {
  GlobalQueueBlock* first = scheduler.queue_first;
  if (first == nullptr || first->head == 0) {  // no room before the oldest: a block in front
    GlobalQueueBlock* block = scheduler.spare_blocks;
    if (block != nullptr) scheduler.spare_blocks = block->next;
    else block = persistent_new<GlobalQueueBlock>();
    block->next = first;
    block->head = block->tail = GlobalQueueBlock::capacity;  // filled from the back
    scheduler.queue_first = first = block;
    if (scheduler.queue_last == nullptr) scheduler.queue_last = block;
  }
  first->items[--first->head] = g;
  __atomic_store_n(&scheduler.queue_size, scheduler.queue_size + 1, __ATOMIC_RELAXED);
}

// Removes the oldest goroutine; caller holds scheduler.lock and knows the queue is not empty.
static Goroutine* global_queue_take() {
  GlobalQueueBlock* block = scheduler.queue_first;
  Goroutine* g = block->items[block->head++];
  if (block->head == block->tail) {  // emptied: recycle the block
    scheduler.queue_first = block->next;
    if (scheduler.queue_first == nullptr) scheduler.queue_last = nullptr;
    block->next = scheduler.spare_blocks;
    scheduler.spare_blocks = block;
  }
  return g;
}

// Takes a fair share of the global queue: one goroutine to return, and up to half a ring
// more into p's local ring. Only called when p's ring is empty (so the puts cannot spill,
// which would need the lock we already hold).
Goroutine* global_queue_get(Processor* p, uint32_t max) {
  uint32_t size = scheduler.queue_size;
  if (size == 0) return nullptr;
  uint32_t n = size / uint32_t(scheduler.gomaxprocs) + 1;
  if (n > size) n = size;
  if (max > 0 && n > max) n = max;
  if (n > run_queue_size / 2) n = run_queue_size / 2;
  __atomic_store_n(&scheduler.queue_size, size - n, __ATOMIC_RELAXED);
  Goroutine* first = global_queue_take();
  uint32_t head = load_acquire(&p->run_head), tail = p->run_tail;
  if (tail - head + (n - 1) > run_queue_size) fatal("global_queue_get: local queue full");
  for (uint32_t i = 1; i < n; i++) store_slot(&p->run_ring[(tail + i - 1) % run_queue_size], global_queue_take());
  __atomic_store_n(&p->run_tail, tail + n - 1, __ATOMIC_RELEASE);  // publish the batch at once
  return first;
}

}  // namespace gort
