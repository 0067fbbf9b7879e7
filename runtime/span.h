// Span: a run of heap pages (Go's mspan). A small-object span is cut into equal slots of one
// size class; a large-object span holds one object; a free span is an unused run in the heap.
//
// A slot is allocated iff its bit in alloc_bits is set and its bit in freed_bits is not.
//   - alloc_bits is written only by the span's owner: the Processor whose cache holds it, or
//     whoever holds its size class's central lock while it sits on a central list. So the
//     allocation fast path needs no atomic instruction.
//   - freed_bits collects frees by anyone else (atomic OR); the owner folds them into
//     alloc_bits when it runs out of free slots (merge_remote_frees in allocator.cpp).
// Drawing of a span: docs/05-allocator.md.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

// Where a small-object span is, which says who owns its alloc_bits.
enum class SpanPlace : uint8_t {
  Heap,     // a free run, or a large object: the heap lock guards it
  Cached,   // in a Processor's cache: that Processor owns it
  Partial,  // on its central's list of spans with free slots: the central lock owns it
  Full,     // on its central's list of full spans: the central lock owns it
};

struct Span {
  uintptr_t start;  // address of the first page
  uint32_t pages;   // number of 8 KiB pages
  bool in_use;      // false: a free run in the heap
  bool scavenged;   // (free runs) physical pages returned to the OS
  bool noscan;      // objects hold no pointers (for the collector)
  uint8_t size_class;  // 0: a large object
  SpanPlace place;     // atomic read by remote frees
  uint32_t object_size;
  uint32_t object_count;
  uint32_t allocated;     // slots allocated, as the owner counts them
  uint32_t scan_word;     // owner's position: the alloc_bits word alloc_cache mirrors
  uint64_t alloc_cache;   // owner's: free slots of word scan_word not yet handed out (1 = free)
  uint32_t remote_frees;  // atomic: bits set in freed_bits since the last merge
  uint8_t* tiny_counts;   // for tiny-allocator spans: live objects per 16-byte block
  int64_t freed_at;       // (free runs) when the run became free, for the scavenger
  Span* next;             // the list the span is on (central, heap free list)
  Span* previous;
  uint64_t alloc_bits[16];  // 1 bit per slot; at most 1024 slots (8-byte objects, one page)
  uint64_t freed_bits[16];
};

constexpr uint32_t max_objects_per_span = 1024;

}  // namespace gort
