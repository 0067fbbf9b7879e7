// Every tunable constant of the runtime, one line and one comment each.
// Values that Go users know keep Go's numbers unless a comment says why not.
#pragma once
#include <stddef.h>

namespace gort::tunables {

// Bytes kept free below a stack's guard: room for code without a prologue check, the
// morestack path and a signal frame. Go keeps 928; see docs/03-stacks.md for our budget.
constexpr size_t stack_guard_bytes = 928;

// How much of the kernel-provided stack _start assumes it may use before the runtime has
// read RLIMIT_STACK and set the real bounds of m0's scheduler stack.
constexpr size_t initial_g0_stack_bytes = 64 * 1024;

// Upper bound on m0's scheduler stack when RLIMIT_STACK is unlimited (Go uses the OS stack
// too, and caps what it trusts of it).
constexpr size_t max_g0_stack_bytes = 8 * 1024 * 1024;

// Per-thread alternate signal stack (Go: 32 KiB). Holds the kernel's signal frame with the
// full XSAVE area (about 2.7 KiB with AVX-512) plus the handler's own frames.
constexpr size_t signal_stack_bytes = 32 * 1024;

// Scheduler stack (Go's g0) of every thread after the first; Go uses 16 KiB. Runtime code
// that needs room (schedtrace, stopping the world) runs here, never on goroutine stacks.
constexpr size_t scheduler_stack_bytes = 64 * 1024;

// Stack of each goroutine. A fixed size until the stacks/preemption issue adds growth;
// only the pages a goroutine touches cost memory.
constexpr size_t goroutine_stack_bytes = 64 * 1024;

// Goroutine stacks are carved from regions of this size (one mapping for many stacks).
constexpr size_t stack_region_bytes = 32 * 1024 * 1024;

// Largest closure `go` may capture (it lives at the top of the goroutine's stack).
constexpr size_t max_closure_bytes = 512;

// Dead goroutines a Processor keeps for reuse before moving half to the global list.
constexpr int32_t processor_free_goroutines = 64;

// Threads at most, as Go's default debug.SetMaxThreads.
constexpr int32_t max_threads = 10000;

// Chunk size of the persistent allocator that holds runtime structures which are never freed.
constexpr size_t persistent_chunk_bytes = 256 * 1024;

}  // namespace gort::tunables
