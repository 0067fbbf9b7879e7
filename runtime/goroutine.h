// Goroutine: the runtime's record of one goroutine (Go's g), and its stack bounds.
//
// The first fields are read by assembly and by the stack-check prologue; their offsets are
// generated into build/gen/offsets.inc by tools/asm_offsets.cpp, never written by hand.
// Invariant: stack_lo <= stack_guard <= stack_hi for a goroutine that may run; the stack
// grows down from stack_hi. The scheduler stack (Go's g0) of each Machine is a Goroutine
// too, so the same check works on it. See docs/01-startup.md and docs/02-scheduler.md.
#pragma once
#include <stdint.h>

namespace gort {

struct Machine;

// The states a goroutine moves through, numbered as Go numbers them (scheddetail prints the
// numbers). For each state: who owns the stack, and whether it is on a run queue.
enum class GoroutineStatus : uint32_t {
  Idle = 0,      // just allocated, never run; no valid stack contents
  Runnable = 1,  // on a run queue; its saved context is valid; nobody runs its stack
  Running = 2,   // running on some Machine, which owns its stack
  Syscall = 3,   // running a system call; has no Processor
  Waiting = 4,   // parked; on no run queue; whoever readies it makes it Runnable
  Dead = 6,      // finished; on a free list, stack kept for reuse
};

struct Goroutine {
  // --- Read by assembly and the stack check (offsets generated) ---
  uintptr_t stack_guard;  // sp below this means "enter morestack"
  uintptr_t stack_lo;     // lowest usable address of the stack
  uintptr_t stack_hi;     // one past the highest address; the stack grows down from here
  uintptr_t saved_sp;     // stack pointer saved by the context switch while not running

  // --- Identity and state ---
  uint64_t id;  // goid; 0 for scheduler stacks
  GoroutineStatus status;
  Machine* machine;  // the Machine running it, or null
};

}  // namespace gort
