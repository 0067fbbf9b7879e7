// Timers; the design is in runtime/timer.h.
#include "timer.h"

#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "fatal.h"
#include "machine.h"
#include "processor.h"
#include "scheduler.h"
#include "syscall.h"
#include "time.h"

namespace gort {

namespace {

constexpr int64_t no_timer = INT64_MAX;

void place(Processor* p, TimerRecord* t, int32_t i) {
  p->timers[i] = t;
  t->index = i;
}

void sift_up(Processor* p, int32_t i) {
  TimerRecord* t = p->timers[i];
  while (i > 0) {
    int32_t parent = (i - 1) / 4;
    if (p->timers[parent]->when <= t->when) break;
    place(p, p->timers[parent], i);
    i = parent;
  }
  place(p, t, i);
}

void sift_down(Processor* p, int32_t i) {
  TimerRecord* t = p->timers[i];
  for (;;) {
    int32_t first = 4 * i + 1, best = -1;
    for (int32_t c = first; c < first + 4 && c < p->timer_count; c++)
      if (best < 0 || p->timers[c]->when < p->timers[best]->when) best = c;
    if (best < 0 || p->timers[best]->when >= t->when) break;
    place(p, p->timers[best], i);
    i = best;
  }
  place(p, t, i);
}

void publish_next(Processor* p) {
  __atomic_store_n(&p->next_timer, p->timer_count > 0 ? p->timers[0]->when : no_timer, __ATOMIC_RELEASE);
}

// Caller holds p->timer_lock.
void heap_push(Processor* p, TimerRecord* t) {
  if (p->timer_count == p->timer_capacity) {
    int32_t capacity = p->timer_capacity == 0 ? 64 : p->timer_capacity * 2;
    auto** grown = static_cast<TimerRecord**>(allocate(sizeof(TimerRecord*) * size_t(capacity), false));
    for (int32_t i = 0; i < p->timer_count; i++) grown[i] = p->timers[i];
    if (p->timers != nullptr) release(p->timers);
    p->timers = grown;
    p->timer_capacity = capacity;
  }
  t->owner = p;
  place(p, t, p->timer_count++);
  sift_up(p, t->index);
  publish_next(p);
}

// Caller holds p->timer_lock; t is in p's heap.
void heap_remove(Processor* p, TimerRecord* t) {
  int32_t i = t->index;
  TimerRecord* last = p->timers[--p->timer_count];
  t->owner = nullptr;
  t->index = -1;
  if (i != p->timer_count) {
    place(p, last, i);
    sift_down(p, i);
    sift_up(p, last->index);
  }
  publish_next(p);
}

}  // namespace

void add_timer(TimerRecord* t) {
  Processor* p = cpu::current_machine()->processor;
  if (p == nullptr) fatal("add_timer: no processor");
  // A record already in some heap would be linked twice and its heap index overwritten: the
  // heap would later move a stale slot (Go: "addtimer called with initialized timer").
  if (__atomic_load_n(&t->owner, __ATOMIC_ACQUIRE) != nullptr) fatal("timer_start: addtimer called with initialized timer");
  {
    LockGuard guard(p->timer_lock);
    heap_push(p, t);
  }
  timer_added_wake_sysmon(t->when);
}

bool delete_timer(TimerRecord* t) {
  for (;;) {
    auto* p = static_cast<Processor*>(__atomic_load_n(&t->owner, __ATOMIC_ACQUIRE));
    if (p == nullptr) return false;
    LockGuard guard(p->timer_lock);
    if (t->owner != p) continue;  // moved to another Processor meanwhile: look again
    heap_remove(p, t);
    return true;
  }
}

void run_timers(Processor* p, int64_t now) {
  if (__atomic_load_n(&p->next_timer, __ATOMIC_ACQUIRE) > now) return;  // the usual case: nothing due
  p->timer_lock.lock();
  while (p->timer_count > 0 && p->timers[0]->when <= now) {
    TimerRecord* t = p->timers[0];
    if (t->period > 0) {  // a ticker: next deadline, skipping any it already missed
      t->when = t->when > INT64_MAX - t->period ? INT64_MAX : t->when + t->period;
      if (t->when <= now) t->when = deadline_after_from(now, t->period);
      sift_down(p, 0);
      publish_next(p);
    } else {
      heap_remove(p, t);
    }
    // Fire without the lock: it may ready goroutines or send on a channel. A one-shot timer
    // is out of the heap, so nobody else touches it; a ticker's fields are only read.
    p->timer_lock.unlock();
    t->fire(t, now);
    p->timer_lock.lock();
  }
  p->timer_lock.unlock();
}

int64_t deadline_after(int64_t nanoseconds) { return deadline_after_from(nanotime(), nanoseconds); }

int64_t earliest_timer() {
  int64_t earliest = no_timer;
  int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  for (int32_t i = 0; i < count; i++) {
    int64_t next = __atomic_load_n(&scheduler.processors[i]->next_timer, __ATOMIC_ACQUIRE);
    if (next < earliest) earliest = next;
  }
  return earliest;
}

// Counts records, not deadlines: a timer at INT64_MAX (sleep(INT64_MAX), saturated) is
// published as "no timer" in next_timer, yet its goroutine waits on a timer, not on another
// goroutine, so the program is not deadlocked (Go's checkdead looks at the heaps too).
bool any_timers() {
  int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  for (int32_t i = 0; i < count; i++)
    if (__atomic_load_n(&scheduler.processors[i]->timer_count, __ATOMIC_RELAXED) > 0) return true;
  return false;
}

int64_t deadline_after_from(int64_t now, int64_t nanoseconds) {
  if (nanoseconds <= 0) return now;  // negative durations fire at once, as Go's
  return nanoseconds > INT64_MAX - now ? INT64_MAX : now + nanoseconds;
}

void move_timers(Processor* from, Processor* to) {
  LockGuard a(from->timer_lock);
  LockGuard b(to->timer_lock);
  while (from->timer_count > 0) {
    TimerRecord* t = from->timers[from->timer_count - 1];
    heap_remove(from, t);
    heap_push(to, t);
  }
}

// --- The public API (runtime/gort.h) ---

void timer_start(TimerRecord* t) { add_timer(t); }
bool timer_stop(TimerRecord* t) { return delete_timer(t); }

namespace {
void add_sleep_timer(Goroutine*, void* timer) {
  add_timer(static_cast<TimerRecord*>(timer));  // only now: the goroutine is off its stack
}
}  // namespace

void sleep(int64_t nanoseconds) {
  if (nanoseconds <= 0) return;
  TimerRecord t{deadline_after(nanoseconds), 0, [](TimerRecord* timer, int64_t) { ready(static_cast<Goroutine*>(timer->arg)); },
                cpu::current_goroutine(), nullptr, -1};
  park(WaitReason::Sleep, add_sleep_timer, &t);
}

}  // namespace gort
