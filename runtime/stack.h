// Goroutine stacks: small segments that grow without ever moving. See docs/03-stacks.md,
// which also records the measured facts this design rests on.
//
// Design:
//   - A goroutine starts on a 2 KiB segment carved from a large shared mapping (no guard
//     page, so no kernel mapping per stack: a million goroutines cost a million 2 KiB slots
//     and nothing else). Two stacks share a page, so a parked goroutine costs about 2 KiB.
//     The first region is carved upper halves first, so that the first 8,192 goroutines
//     each have an unused "spare" slot below, whose sampled canaries are checked.
//   - Functions that may recurse deeply start with GORT_STACK_CHECK() (runtime/gort.h). When
//     the stack pointer is below the segment's guard, enter_stack_segment() takes the next,
//     larger segment (16 KiB, doubling up to 64 MiB) and the macro moves the stack pointer
//     there with alloca: the function's own frame stays where it is (it is addressed through
//     rbp), and everything it calls runs on the new segment. When the function returns, the
//     macro's scope guard calls leave_stack_segment(), and the epilogue's `leave` puts the
//     stack pointer back on the old segment. No address ever changes.
//   - GORT_STACK_RESERVE(bytes) is the check with a larger demand: enter_stack_reserve()
//     moves the callees to a segment with `bytes` above the reserve, taking a larger one in
//     place of a cached segment that is too small (docs/03-stacks.md, "Reserving room").
//   - A segment that was left stays cached on the goroutine, so a call that crosses the same
//     boundary in a loop costs a few nanoseconds, not an allocation (the "hot split").
//   - The total size of the segments in use is bounded by the maximum stack size (1 GB by
//     default, as in Go); address space is taken only for segments actually used.
//   - Guard pages where the kernel's mapping budget allows: below main's stack (16 MiB of
//     inaccessible address space), below each region of first segments, and below extra
//     segments, the first 16,384 of them (tunables::max_guarded_segments).
//   - Overflows by code without the check elsewhere: each segment has canary words at its
//     bottom and the first segment also at its top. They are checked whenever the goroutine
//     leaves its processor (park, yield, exit), when it resumes, and when it changes
//     segments, so an overflow that reaches them ends the program with a message before the
//     damage can be used. What they cannot catch, tools/stack-check names at build time.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

struct Goroutine;

struct StackSegment {
  uintptr_t base;          // start of the allocation (the bottom canary lives here)
  size_t size;             // bytes in the allocation
  StackSegment* previous;  // the segment we return to, toward the goroutine's start
  StackSegment* next;      // a deeper segment: in use, or cached for reuse
};

// Bytes at each end of a segment that must never be written (checked canaries).
constexpr size_t stack_bottom_canary_bytes = 32;
constexpr size_t stack_top_canary_bytes = 16;

// Gives g its first segment of `bytes` (tunables::initial_stack_bytes for ordinary goroutines).
void allocate_initial_stack(Goroutine* g, size_t bytes);
// Returns every segment beyond the first to the pool (physical memory of large ones goes
// back to the OS) and resets g's bounds to its first segment. At goroutine exit.
void release_extra_stack_segments(Goroutine* g);
// Ends the program if the canary at the bottom of g's current segment was overwritten (g ran
// off its stack in code without a stack check). Called when a goroutine leaves its
// processor (park, yield, exit).
void check_stack_canaries(Goroutine* g);
// Ends the program if g has a spare slot below its first segment (the first 8,192
// goroutines, docs/03-stacks.md) and one of the spare's sampled canary words was written.
// Called when g parks or exits.
void check_spare_slot(Goroutine* g);
// Ends the program if the canary at the top of g's first segment was overwritten, i.e. a
// neighbouring stack overflowed into g's. Called only when g resumes, before it can use its
// frames (checking it on leaving too would compare the same word twice per switch): that
// line is hot then, since g's newest frames of a shallow goroutine sit right below it.
void check_stack_top_canary(Goroutine* g);

// The last two lines of every stack-overflow report (Go's): the stack pointer and the
// stack's bounds, then "fatal error: stack overflow". The caller prints the cause first.
void print_stack_overflow_tail(const Goroutine* g, uintptr_t sp);

// True if a fault at `address`, with the stack pointer at `sp`, is g running off the bottom
// of its stack (a segment's neighbour or guard, a region's guard page, main's guard range, a
// scheduler stack's guard page, or anywhere next to an sp that has left g's segment).
bool is_stack_overflow_fault(const Goroutine* g, uintptr_t address, uintptr_t sp);

// Segments beyond the first handed out to goroutines (from the pool or new), ever: a stack
// check that finds its next segment cached takes none (white-box tests read it).
uint64_t stack_segments_taken();

// Sets the maximum size of a goroutine's stack (Go's debug.SetMaxStack); returns the old one.
size_t set_max_stack_bytes(size_t bytes);

// For the async-preemption signal handler (runtime/preempt.cpp): returns a 16-byte aligned
// frame address for async_preempt_stub with `bytes` of room below it, either 144 bytes below
// sp in the current segment or at the top of the next segment (then entered, and
// g->async_preempt_segment set). Returns 0 if neither is possible right now.
uintptr_t reserve_async_preempt_frame(Goroutine* g, uintptr_t sp, size_t bytes);

// The first segment's usable top, where a new goroutine's closure goes.
uintptr_t stack_top_for_start(const Goroutine* g);

}  // namespace gort
