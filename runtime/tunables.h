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

// Chunk size of the persistent allocator that holds runtime structures which are never freed.
constexpr size_t persistent_chunk_bytes = 256 * 1024;

}  // namespace gort::tunables
