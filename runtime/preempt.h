// Asynchronous preemption (Go's preemptM / asyncPreempt): stopping a goroutine that runs a
// loop without calls, which no stack check would ever stop. See runtime/preempt.cpp.
#pragma once
#include <stdint.h>

#include "../arch/amd64/cpu.h"
#include "goroutine.h"
#include "gort.h"

namespace gort {

struct Machine;

// Finds the CPU's register-save size and installs the SIGURG handler. At start-up.
void init_async_preemption();

// Sends SIGURG to m's thread, unless GODEBUG=asyncpreemptoff=1. Called by sysmon after it
// has asked m's goroutine to yield (preempt_requested).
void signal_preemption(Machine* m);

struct Goroutine;
// Asks g, running on m, to yield: the flag and guard sysmon sets, then the signal. For
// sysmon and for tests that need many preemptions quickly.
void request_preemption(Goroutine* g, Machine* m);

// How long a goroutine may run before sysmon asks it to yield (10 ms, as Go). For tests.
void set_preemption_time_slice(int64_t nanoseconds);

// Goroutines stopped by the preemption signal so far (a statistic; tests read it).
uint64_t async_preemption_count();

// Time slices that sysmon ended by asking a goroutine to yield, each counted once however often
// it asked (a statistic: tests count how many slices something took instead of milliseconds,
// and a thread the host did not run meanwhile does not stretch the count).
uint64_t sysmon_slices_ended();
// Rounds sysmon has begun (a statistic: none begins while the world is stopped).
uint64_t sysmon_round_count();

// A preemption point for runtime code. The signal never stops a goroutine inside the runtime
// (it may hold a runtime lock there), so the runtime entry points that a goroutine can loop on
// (channel operations and their try_ forms, `go`, Mutex and WaitGroup, malloc's slow path,
// long copies) call this at a place where they hold no runtime lock, on the goroutine's
// stack. A pending request (its poisoned thread guard, one fs-relative load) makes it yield,
// as a stack check would; otherwise it costs a load and a branch.
inline void preemption_point() {
  if (__builtin_expect(detail::stack_guard() == stack_guard_preempt, 0)) preempt_at_stack_check(cpu::current_goroutine());
}

}  // namespace gort
