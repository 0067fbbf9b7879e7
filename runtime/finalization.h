// Finalization: destructors of collected objects and cleanups (Go's runtime.AddCleanup), for
// the collector (runtime/collector.cpp) and the sweep (runtime/allocator.cpp). The API is
// gc::add_cleanup and gc::make of a type with a destructor (runtime/collector.h); the design
// is in runtime/finalization.cpp and docs/07-collector.md, "Cleanups and destructors".
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

struct Span;

// The sweep's hook, one call per collected span that is typed or has cleanup records
// (Span::typed, Span::specials), before its alloc_bits become its mark_bits: queues the
// cleanups of unmarked objects, and sets the mark bit of every unmarked typed object whose
// destructor has not run (queuing it once), so that the sweep keeps it. Returns how many
// unmarked objects it kept so. Caller is the span's sweeper (it claimed the span: sweep_small
// and sweep_large in runtime/allocator.cpp); any stack.
uint32_t sweep_specials(Span* s);

// The marker's hook: calls mark(arg) for the argument of every cleanup record, attached or
// queued (an argument stays alive until its cleanup has run). With the world stopped.
void scan_cleanup_arguments(void (*mark)(uintptr_t word, void* marker), void* marker);

// After a collection, on the goroutine that ran it, with the world running: wakes the
// cleanup goroutine (making it on first need) if anything is queued.
void finalization_after_collection();

// A typed collected slot of `bytes` (runtime/collector.cpp): a collection first if the heap is
// at its goal, then allocate_collected_typed (runtime/allocator.h) with the header's words.
void* allocate_typed_slot(size_t bytes, size_t alignment, uintptr_t header0, uintptr_t header1);

// For tests (runtime/testing.h): cleanups and destructors queued and not yet finished, and
// the totals run, ever. A test waits for the queue to drain by yielding while pending is
// not zero.
uint64_t finalization_pending();
uint64_t cleanups_run();
uint64_t destructors_run();

}  // namespace gort
