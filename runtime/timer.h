// Timers (Go's runtime timers, time.go): each Processor keeps its timers in a 4-ary min-heap
// ordered by deadline, under its own lock. Whoever holds the Processor runs the timers that
// are due on every trip through the scheduler (run_timers); sysmon sleeps exactly until the
// earliest deadline of any Processor and, if that Processor is idle, hands it to a Machine
// so its timers run on time. An idle program therefore sleeps in the kernel until its next
// timer, and a program whose goroutines all wait on timers is not deadlocked.
// Deadlines saturate: nanotime() + d is computed by deadline_after, which stops at INT64_MAX
// (a deadline never reached; next_timer then reads as "none", so no clock work is done for
// it) and answers "now" for a negative d.
// Book: docs/05-channels.md, "Time".
#pragma once
#include <stdint.h>

#include "gort.h"

namespace gort {

struct Processor;

// Adds t to the current Processor's heap. Caller holds a Processor (any goroutine does).
void add_timer(TimerRecord* t);
// Removes t if it is still waiting; returns whether it was.
bool delete_timer(TimerRecord* t);
// Runs p's due timers. Caller holds p, on the scheduler stack.
void run_timers(Processor* p, int64_t now);
// The earliest deadline among all Processors' timers (INT64_MAX if none).
int64_t earliest_timer();
// deadline_after (gort.h) from a given clock reading: now + nanoseconds, at most INT64_MAX,
// and `now` itself for a duration of zero or less.
int64_t deadline_after_from(int64_t now, int64_t nanoseconds);
// True if any Processor has a timer (then nothing is deadlocked).
bool any_timers();
// Moves every timer of `from` to `to` (GOMAXPROCS shrinking; world stopped).
void move_timers(Processor* from, Processor* to);
// Wakes sysmon early: a timer was added before the time it planned to wake.
void timer_added_wake_sysmon(int64_t when);

}  // namespace gort
