// Asynchronous preemption (Go's preemptM / asyncPreempt): stopping a goroutine that runs a
// loop without calls, which no stack check would ever stop. See runtime/preempt.cpp.
#pragma once
#include <stdint.h>

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

}  // namespace gort
