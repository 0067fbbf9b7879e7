// GODEBUG: comma-separated key=value settings read once at start (Go's debug variables,
// runtime/runtime1.go). Unknown keys, malformed entries and values that are not decimal
// integers fitting in 32 bits are ignored, as Go ignores them; a later entry for the same
// key overrides an earlier one. Every subsystem reads its settings from `debug`.
#pragma once
#include <stdint.h>

namespace gort {

struct DebugSettings {
  int32_t schedtrace = 0;       // print a SCHED line every N ms (scheduler)
  int32_t scheddetail = 0;      // with schedtrace, add P, M and G lines
  int32_t gctrace = 0;          // one line per collection (collector)
  int32_t asyncpreemptoff = 0;  // 1: no signal-based preemption (stacks/preemption)
  int32_t madvdontneed = 1;     // 1: return memory with MADV_DONTNEED (allocator)
  int32_t gcstoptheworld = 0;   // 2: the sweep too runs in the collection's pause (collector)
  int32_t gccheckmark = 0;     // 1: after each concurrent mark, re-mark with the world stopped and check (collector)
  int32_t clobberfree = 0;      // 1: the sweep fills freed collected objects with 0xdeadbeef
};

extern DebugSettings debug;

// Applies the settings in `text` (a GODEBUG value) on top of `settings`. Null is fine.
void parse_godebug(const char* text, DebugSettings& settings);

// Reads the GODEBUG environment variable into `debug`.
void read_godebug();

}  // namespace gort
