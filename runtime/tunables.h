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

// First stack segment of each goroutine (Go: 2 KiB). Two share a page, so a parked goroutine
// costs about 2 KiB plus its record. Growth: docs/03-stacks.md.
constexpr size_t initial_stack_bytes = 2 * 1024;

// First segment of the main goroutine: main is ordinary C++ that rarely carries stack
// checks, so it gets the room of a thread's stack (pages are touched only as used).
constexpr size_t main_stack_bytes = 8 * 1024 * 1024;

// The segment after the first, and the largest; sizes double in between.
constexpr size_t second_segment_bytes = 16 * 1024;
constexpr size_t max_segment_bytes = 64 * 1024 * 1024;

// Segments this large give their pages back to the OS when a goroutine exits.
constexpr size_t release_segment_bytes = 64 * 1024;

// Segments this large ask for transparent huge pages (one fault per 2 MiB).
constexpr size_t huge_page_segment_bytes = 2 * 1024 * 1024;

// A goroutine's stack may not exceed this many bytes of segments (Go: 1 GB on 64-bit).
constexpr size_t default_max_stack_bytes = 1000000000;

// First segments are carved from regions of this size (one mapping for 16,384 stacks).
constexpr size_t stack_region_bytes = 32 * 1024 * 1024;

// The first region's spare slots (docs/03-stacks.md): one canary word every this many bytes,
// compared at every switch of the goroutine above. An overrun that writes this many
// contiguous bytes into the spare is caught; 16 words per check.
constexpr size_t spare_slot_stride = 128;

// Extra stack segments that get an inaccessible guard page below them. Each costs about two
// of the process's kernel mappings (vm.max_map_count: 65,530, measured cap near 32,750
// guard-paged stacks); this leaves half of them to the heap and the program. Beyond it,
// segments have only their canaries.
constexpr uint64_t max_guarded_segments = 16384;

// Inaccessible address space below the main goroutine's stack (no memory, one mapping): a
// local of up to this much more than the stack's 8 MiB faults instead of writing below it.
constexpr size_t main_stack_guard_bytes = 16 * 1024 * 1024;

// Largest closure `go` may capture (it lives at the top of the goroutine's stack).
constexpr size_t max_closure_bytes = 512;

// A goroutine that starts another while the global run queue already holds this many per
// Processor yields to the queue's back (as if its time slice had ended), so a spawning loop
// cannot keep creating goroutines faster than they run: each queued goroutine holds a stack.
// (Go has no such rule; there the spawner is stopped only by its 10 ms slice, which at our
// spawn rate let ~70,000 goroutines, 150 MB of stacks, wait at once.) 1,024 rather than 4,096:
// a million spawns then peak at 5-10 MB instead of 19-34 MB and run faster (docs/02-scheduler.md).
constexpr uint32_t spawn_backlog_per_processor = 1024;

// Dead goroutines a Processor keeps for reuse before moving half to the global list.
constexpr int32_t processor_free_goroutines = 64;

// Threads at most, as Go's default debug.SetMaxThreads.
constexpr int32_t max_threads = 10000;

// The heap arena's size: address space the heap may map, from its low end, as it grows
// (nothing is reserved ahead). An allocation that would need more ends the program with
// "fatal error: out of memory".
constexpr size_t heap_arena_bytes = size_t(64) << 30;
// Where the arena is: a fixed address, so that free() tests "is this gort's heap?" against
// constants. It is Go's first arena hint on amd64 (0xc000000000), far above a static
// binary's image and brk area and far below the mmap area and the stack.
constexpr uintptr_t heap_arena_address = uintptr_t(0xc0) << 32;
// Where the heap's page-class map is (32 MiB for a 64 GiB arena): low, at 1 GiB, so that
// free() indexes it with a 32-bit displacement; far above a static binary's image and brk
// area (and not at 0x58000000, where valgrind puts itself).
constexpr uintptr_t heap_page_class_map_address = 0x40000000;

// The heap commits memory from its arena in steps of at least this much.
constexpr size_t heap_growth_bytes = 4 * 1024 * 1024;

// Bytes of freed objects a Processor keeps per size class for quick reuse (its free lists).
constexpr size_t free_list_bytes = 64 * 1024;

// Free heap runs unused for this long are returned to the OS by the scavenger (sysmon).
constexpr int64_t scavenge_after_ns = 1000 * 1000 * 1000;

// Chunk size of the persistent allocator that holds runtime structures which are never freed.
constexpr size_t persistent_chunk_bytes = 256 * 1024;

}  // namespace gort::tunables
