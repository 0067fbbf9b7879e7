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
}  // namespace gort
