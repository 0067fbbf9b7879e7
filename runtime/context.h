// The assembly routines that switch stacks (asm/context.asm), with their contracts.
// Portable code reaches goroutine switches only through these.
#pragma once
#include "goroutine.h"

extern "C" {
// On a goroutine stack: save its context and run fn(g) on the scheduler stack. fn must not
// return; the goroutine continues after this call when resumed. (Go's mcall)
void switch_to_scheduler(void (*fn)(gort::Goroutine* g));

// On the scheduler stack: continue g from its saved context. (Go's gogo)
[[noreturn]] void resume_goroutine(gort::Goroutine* g);

// On a goroutine stack: save from's context, run publish(from) on the scheduler stack, then
// continue `to`. The caller has already made `to` current in the scheduler's records.
void switch_goroutines(gort::Goroutine* from, gort::Goroutine* to, void (*publish)(gort::Goroutine* from));

// Run fn(arg) on the scheduler stack and come back. (Go's systemstack)
void run_on_scheduler_stack(void (*fn)(void*), void* arg);

// Where a new goroutine's first resume lands (never called directly).
void goroutine_start();

// On a goroutine, first thing on entering a system call: record the caller's callee-saved
// registers, pc and sp in the goroutine's syscall_context (arch::SyscallContext). Declared
// for its users in runtime/blocking.h.
void save_syscall_context();

// clone(2) a thread that starts in machine_main() on stack_top with FS = tls.
long clone_thread(unsigned long flags, void* stack_top, void* tls);

// Every new thread's first C++ function, on its scheduler stack (runtime/machine.cpp).
[[noreturn]] void machine_main();

// Every goroutine's first C++ function, on its own stack (runtime/goroutine.cpp).
[[noreturn]] void goroutine_main();
}
