// Machine: the runtime's record of one OS thread (Go's m), and its thread-local block.
//
// Every thread's FS base points at its Machine's ThreadLocal, so `current goroutine` and
// `current machine` are single fs-relative loads (arch/amd64/cpu.h). Machines are never
// freed. The first Machine, m0, is a static object set up by _start (asm/rt0.asm) on the
// stack the kernel gave the process; its scheduler stack (Go's g0) is that OS stack.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "goroutine.h"

namespace gort {

// The block FS points at. Layout is an ABI shared with assembly: offsets are generated.
struct ThreadLocal {
  Goroutine* current;  // the goroutine running on this thread (Go's getg())
  Machine* machine;    // this thread's Machine (Go's getg().m)
};

struct Machine {
  ThreadLocal tls;  // must stay first: FS base == this Machine's address

  // --- Set once when the thread is created, read-only afterwards ---
  Goroutine* g0;  // the scheduler stack (Go's g0): runs runtime code between goroutines
  int64_t id;     // 0 for m0, as in Go
  int32_t tid;    // kernel thread id
  uintptr_t signal_stack_lo;  // alternate stack for signal handlers (sigaltstack)
  size_t signal_stack_size;

  // --- Owned by the thread itself ---
  int32_t dying;  // nonzero once this thread has started to crash; stops recursive crashes
};

// The first thread's Machine and scheduler stack, set up by _start.
extern "C" Machine runtime_m0;
extern "C" Goroutine runtime_g0;

}  // namespace gort
