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
//     rbp), and everything it calls runs on the new segment. No address ever changes.
//   - Leaving costs the function nothing either (Go's lessstack, up to Go 1.2): the check's
//     slow path saves the function's return address in the new segment's record and puts
//     the address of segment_return_trampoline (asm/stack.asm) in its place. The epilogue
//     puts the stack pointer back on the old segment from rbp, as usual, and its `ret` goes
//     to the trampoline, which keeps the return values, leaves the segment and jumps to the
//     real return address. So the check's fast path is a compare and a branch never taken.
//     A frame-pointer walk reads return addresses through frame_return_address().
//   - GORT_STACK_RESERVE(bytes) is the check with a larger demand: enter_stack_reserve()
//     moves the callees to a segment with `bytes` above the reserve, taking a larger one in
//     place of a cached segment that is too small (docs/03-stacks.md, "Reserving room"); it
//     patches the frame and leaves through the trampoline in the same way.
//   - A segment that was left stays cached on the goroutine, so a call that crosses the same
//     boundary in a loop costs a few nanoseconds, not an allocation (the "hot split"). In a
//     program that uses the collector, each collection gives back the cached segments a
//     goroutine has not used since the previous one (shrink_stack): nothing moves.
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
  // While in use, if entered by a stack check: the frame whose return address was replaced
  // by segment_return_trampoline's (its fp), and that return address. Each segment holds its
  // own, so nested segments unwind one by one. Zero for a segment entered otherwise.
  uintptr_t patched_frame;
  uintptr_t return_address;
  // While a deeper segment is in use: the lowest address of this segment that still holds
  // live frames, where the goroutine left it (enter_next_segment). Below it lie only frames
  // that have returned, which the collector does not scan (scan_stack, runtime/marker.cpp).
  uintptr_t left_sp;
  // Entered by a slow path (or in use) since the collector last shrank the stack
  // (shrink_stack): a cached segment without it has been idle for a whole cycle. Written by
  // the goroutine, and by shrink_stack while the goroutine is stopped.
  bool used;
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
// Segments given back to the pool, ever (at exit, by shrink_stack, replaced): taken less
// this is what goroutines hold.
uint64_t stack_segments_returned();

// Stack shrinking (issue 15 pt 6; Go's shrinkstack): gives back to the pool the segments
// cached below g's current one that g has not used since the previous call, so a goroutine
// that once went deep and came back gets its memory back after two cycles, while one that
// crosses a boundary in a loop keeps its hot segment. Called by the collector where it scans
// each goroutine's stack; g is not running (stopped or parked) and not in a system call,
// which the caller guarantees. On the scheduler stack (it takes stack_pool_lock and may
// return large segments' pages to the OS).
void shrink_stack(Goroutine* g);

// Sets the maximum size of a goroutine's stack (Go's debug.SetMaxStack); returns the old one.
size_t set_max_stack_bytes(size_t bytes);

// For the async-preemption signal handler (runtime/preempt.cpp): returns a 16-byte aligned
// frame address for async_preempt_stub with `bytes` of room below it, either 144 bytes below
// sp in the current segment or at the top of the next segment (then entered, and
// g->async_preempt_segment set). Returns 0 if neither is possible right now.
uintptr_t reserve_async_preempt_frame(Goroutine* g, uintptr_t sp, size_t bytes);

// g goes back to the segment before its current one, which stays cached as that one's
// next. Runs on the goroutine's stack (the old segment's), from segment_return_trampoline
// and from async_preempt_yield; ends the program if the current segment's bottom canary was
// overwritten.
void leave_stack_segment();

// The return address of the frame at fp, one of g's frames: [fp + 8], or, if that is
// segment_return_trampoline (the frame moved onto a new segment), the real one saved in the
// segment's record. For every frame-pointer walk (tracebacks, stack scans).
uintptr_t frame_return_address(const Goroutine* g, uintptr_t fp);

// The first segment's usable top, where a new goroutine's closure goes.
uintptr_t stack_top_for_start(const Goroutine* g);

}  // namespace gort

// Entered by the `ret` of a function that moved onto a new segment (never called): leaves
// the segment and continues at the function's real return address with its return values
// (rax, rdx, xmm0, xmm1, st0, st1) unchanged. Contract and frame: asm/stack.asm.
extern "C" void segment_return_trampoline();
// The trampoline's call into C++: writes the real return address into *return_slot, then
// leave_stack_segment(). runtime/stack.cpp.
extern "C" void leave_stack_segment_on_return(uintptr_t* return_slot);
