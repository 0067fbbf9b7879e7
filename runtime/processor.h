// Processor: the right to run goroutines (Go's p). There are GOMAXPROCS of them; a Machine
// must hold one to run user code. Each Processor owns a local run queue, a `runnext` slot,
// and a free list of dead goroutines. Processors are never freed: shrinking GOMAXPROCS
// marks the extra ones Dead and they are reused if it grows again.
//
// The local run queue (Go's runq) is a 256-entry ring:
//   - only the owner appends (at tail) and sets runnext;
//   - the owner and thieves take from head with a compare-and-swap, so taking is lock-free;
//   - head and tail only grow; an entry's index is counter % 256.
// Memory orders: the owner writes a slot, then publishes it with a release store of tail;
// readers load tail with acquire before reading slots. A taker's successful CAS on head
// (release) tells the owner those slots may be reused. Book: docs/02-scheduler.md.
#pragma once
#include <stdint.h>

#include "goroutine.h"
#include "gort.h"
#include "lock.h"

namespace gort {

struct Machine;

enum class ProcessorStatus : uint32_t {
  Idle = 0,     // on the idle list; no Machine; its run queue is empty
  Running = 1,  // held by a Machine running user code or the scheduler
  Syscall = 2,  // its Machine is in a system call; may be retaken (stacks/preemption issue)
  Stopped = 3,  // held for a stop-the-world (Go's _Pgcstop)
  Dead = 4,     // beyond GOMAXPROCS
};

constexpr uint32_t run_queue_size = 256;

struct Processor {
  int32_t id;
  // status and syscall_tick are adjacent in one aligned 8-byte word: exit_syscall compares
  // both in one compare-and-swap (runtime/blocking.cpp).
  alignas(8) ProcessorStatus status;  // changed by its Machine, or under scheduler.lock for idle/stopped ones
  uint32_t syscall_tick;              // system calls made here (Go's syscalltick)
  Machine* machine;        // the holder, or null
  Processor* next_idle;    // link on the idle list, guarded by scheduler.lock

  uint32_t schedule_tick;  // goroutines started here (Go's schedtick); read racily by schedtrace

  // --- Local run queue (see the file comment for the protocol) ---
  uint32_t run_head;  // atomic: advanced by owner and thieves with CAS
  uint32_t run_tail;  // atomic: written only by the owner
  Goroutine* run_ring[run_queue_size];
  Goroutine* run_next;  // atomic: a just-readied goroutine to run next (Go's runnext)

  // --- Dead goroutines kept for reuse; owned by the holder of this Processor ---
  GoroutineList free_goroutines;

  // Timers (runtime/timer.cpp): a 4-ary min-heap by deadline, guarded by timer_lock (any
  // Machine may add or delete; only the holder runs them).
  RankedLock<LockRank::Timers> timer_lock;
  TimerRecord** timers;
  int32_t timer_count;
  int32_t timer_capacity;
  int64_t next_timer;  // atomic: deadline of timers[0], or INT64_MAX

  // The allocator's per-Processor cache (runtime/allocator.h). Used by the holder only.
  struct AllocationCache* allocation_cache;

  // Goroutine ids handed out in batches to keep the global counter cold (Go's goidcache).
  // --- The write barrier's slow stores made here (runtime/barrier.cpp): a count for tests,
  // written only by the holder (relaxed), summed by write_barrier_counters. Per Processor,
  // because a shared counter on that path was a locked add per barriered store during a
  // mark, and a cache line the Processors passed back and forth.
  uint64_t barrier_slow_stores;
  uint64_t next_goroutine_id;
  uint64_t end_goroutine_id;
};

// Local run queue operations (runtime/run_queue.cpp). `put` and `get` are for the owner.
void run_queue_put(Processor* p, Goroutine* g, bool run_next);  // may spill half to the global queue
Goroutine* run_queue_get(Processor* p, bool* inherit_time);
Goroutine* run_queue_steal(Processor* thief, Processor* victim, bool take_run_next);
bool run_queue_empty(const Processor* p);
uint32_t run_queue_length(const Processor* p);  // approximate unless called by the owner

// Global run queue (Go's sched.runq), guarded by scheduler.lock.
void global_queue_put(Goroutine* g);           // caller holds scheduler.lock
void global_queue_put_front(Goroutine* g);     // caller holds scheduler.lock: runs before the rest
void global_queue_put_batch(Goroutine* const* gs, uint32_t n);  // caller holds scheduler.lock
Goroutine* global_queue_get(Processor* p, uint32_t max);  // caller holds scheduler.lock; fills p's ring too

}  // namespace gort
