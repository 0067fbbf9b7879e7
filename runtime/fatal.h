// The fatal-error path (Go's throw): print "fatal error: <message>" on stderr, then where
// it happened, and exit the whole process with status 2. Also the shared entry and exit of
// every crash report (signals.cpp uses them), which keep two crashing threads from
// interleaving their reports and stop a crash inside a crash report from looping.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

// Ends the process: "fatal error: <message>", a goroutine header and frames, status 2.
[[noreturn]] void fatal(const char* message);

// Ends the process as an unrecovered Go panic does: "panic: <message>", the goroutine
// header and frames, status 2. (gort has no recover.)
[[noreturn]] void panic(const char* message);

// Starts a crash report. The first thread to crash continues; any other thread that crashes
// meanwhile sleeps until the first has exited the process; a thread that crashes again while
// reporting exits at once with status 2.
void begin_crash();
// True once some thread has begun a crash report (it will end the process with status 2).
bool crash_under_way();

struct Goroutine;

// Prints the "goroutine N [running]:" header for g (the goroutine that crashed, or a
// scheduler stack) and a frame-pointer traceback from (pc, fp), then exits with status 2.
// pc == 0 prints the header only.
[[noreturn]] void finish_crash(Goroutine* g, uintptr_t pc, uintptr_t fp);
// finish_crash without the exit: the header and frames of the goroutine running here.
void print_traceback(Goroutine* g, uintptr_t pc, uintptr_t fp);
// The header ("goroutine N [sleep]:") of a goroutine that is not running here, and its frames
// from its saved context if it has one (parked or runnable). For the SIGQUIT dump.
void print_parked_traceback(Goroutine* g);

}  // namespace gort
