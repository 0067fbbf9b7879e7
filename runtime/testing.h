// The one test-only header: white-box access to runtime internals for the programs under
// tests/progs. User programs include gort.h only; nothing becomes public for a test's sake.
#pragma once
#include "../arch/amd64/cpu.h"
#include "gort.h"
#include "machine.h"
#include "subsystems.h"
#include "syscall.h"
#include "semaphore.h"
#include "allocator.h"
#include "memory_limit.h"
#include "blocking.h"
#include "preempt.h"
#include "stack.h"
#include "world.h"
#include "finalization.h"
#include "marker.h"

namespace gort {
// gc::collect() without waiting for the sweep it starts (runtime/collector.cpp).
void collect_leaving_sweep();
// While held, the background sweeper sweeps nothing (it stops between spans and parks), so
// a test can watch allocation sweep on its own; releasing it wakes it.
void hold_background_sweeper(bool hold);
// The concurrent cycle step by step (runtime/collector.cpp): start_concurrent_cycle returns
// after the first pause (false if a cycle was running or starting); wait_for_cycle_end
// returns once the last cycle started has ended. While hold_marking(true), no worker or
// assist marks (stacks are still scanned before goroutines run), so a test can store into
// objects while the mark stands still; releasing it readies the workers.
bool start_concurrent_cycle();
void wait_for_cycle_end();
void hold_marking(bool hold);
// Second pauses that ran out of their budget and resumed the mark (each one more pause).
uint64_t mark_resumptions();
// Where a concurrent cycle starts for a live heap, a goal above it and the bytes the last
// mark saw allocated (runtime/collector.cpp's trigger_for, without its state).
uint64_t concurrent_trigger(uint64_t live, uint64_t goal, uint64_t mark_allocation);

// --- The write barrier (runtime/barrier.cpp) ---
// Sets the barrier's flag as the marker does: stops the world, sets it, starts the world.
void set_write_barrier_for_test(bool on);
// The same inside a stop the caller holds (fatal otherwise).
void set_write_barrier_world_stopped(bool on);
struct WriteBarrierCounters {
  uint64_t slow_stores;  // write_pointer_slow calls
  uint64_t bulk_calls;   // copy_pointers/clear_pointers calls that found the flag set
  uint64_t rewinds;      // goroutines the preemption signal stopped inside a site and rewound
};
WriteBarrierCounters write_barrier_counters();
// What the slow path stored into one watched slot since watch_barrier_slot(slot) (both calls
// with the world stopped by the caller): how many stores, the old value the first one found,
// the last value stored.
struct BarrierWatch {
  uint64_t stores;
  uintptr_t first_old;
  uintptr_t last_value;
};
void watch_barrier_slot(void** slot);
BarrierWatch barrier_watch();
// The program's table of inline barrier sites: `count` pairs of words [site, end).
struct BarrierSites {
  const uintptr_t* words;
  size_t count;
};
BarrierSites barrier_sites();
// Off: the signal handler no longer rewinds a goroutine stopped inside a site (to show the
// rewind test fails without it).
void set_barrier_rewind_for_test(bool on);
}  // namespace gort
