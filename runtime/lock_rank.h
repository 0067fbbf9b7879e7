// The lock order: every runtime lock has a rank, and a thread holding a lock may take only a
// lock of a later rank (Go's lockrank.go). The one list of ranks is the enum below; the book's
// docs/locking.md gives the same list with what each lock guards (tests/harness/test_docs.cpp
// checks that the two agree). The debug build (runtime/checks/debug/lock_checks.cpp, chosen
// by the Makefile) checks every acquisition against the locks its thread holds; both builds
// count the runtime locks each thread holds (ThreadLocal::locks_held, Go's m.locks), which
// holds_runtime_lock() reads.
#pragma once
#include <stdint.h>

namespace gort {

// In acquisition order: a lock may be taken while holding only locks listed above it. The world
// semaphore (runtime/world.cpp) comes before all of them but is not a lock of this kind: taking it
// may park, so stop_the_world() refuses to be called with any runtime lock held.
enum class LockRank : uint8_t {
  Cond,               // a Cond's waiter list (runtime/sync.cpp): wait() releases the Mutex under it
  Scheduler,          // scheduler.lock (runtime/scheduler.h)
  AllGoroutines,      // scheduler.all_lock
  Semaphore,          // a semaphore bucket (runtime/semaphore.cpp)
  StaticInitWaiters,  // waiters_lock (runtime/static_init.cpp)
  Timers,             // a Processor's timer_lock (runtime/timer.cpp); two only in move_timers
  ChannelList,        // live_channels_lock (runtime/channel.cpp): every explicit channel; the marker takes each channel's lock under it
  Channel,            // ChannelCore::lock (runtime/channel.cpp); several in a select, by address
  StackPool,          // stack_pool_lock (runtime/stack.cpp); also in the preemption handler
  AllocatorFallback,  // fallback_lock (runtime/allocator.cpp)
  Central,            // a Central's lock (runtime/allocator.cpp)
  Heap,               // heap_lock (runtime/heap.cpp)
  Roots,              // the collector's root lists: roots_lock (runtime/collector.cpp), live_channels_lock (runtime/channel.cpp), specials_lock (runtime/finalization.cpp)
  MarkBuffer,         // a Processor's shade buffer (runtime/marker.cpp): barriers and channel copies shade into it
  MarkWork,           // work_lock (runtime/marker.cpp): the marker's shared work list and parked workers
  Persistent,         // persistent_lock (runtime/os_memory.cpp): a leaf
  Test,               // locks made by tests only, after every runtime lock
  Count
};

// The rank's name as docs/locking.md spells it, for the debug build's report.
const char* lock_rank_name(LockRank rank);

// True for ranks of which a thread may hold several at once (taken in a documented order
// that the check cannot see: channels by address, timer heaps with the world stopped).
constexpr bool lock_rank_may_repeat(LockRank rank) { return rank == LockRank::Channel || rank == LockRank::Timers; }

}  // namespace gort
