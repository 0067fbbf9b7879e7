// The collector's marker as the rest of the runtime sees it: the one entry the write
// barrier (runtime/barrier.h, runtime/barrier.cpp) and the channel copies call to shade a
// pointer while a concurrent mark runs. Implementation: runtime/collector.cpp.
#pragma once
#include <stdint.h>

namespace gort {

// Shades the collected object `word` points into (anywhere inside it), if any: sets its mark
// bit and queues it for scanning, on the current Processor's buffer. A no-op while no mark
// runs, and for words that point at no collected object. Runtime code (never preempted
// between its test of the phase and its mark); any goroutine stack; needs a Processor.
void shade_pointer(uintptr_t word);
// shade_pointer on every aligned word of [lo, hi).
void shade_range(uintptr_t lo, uintptr_t hi);

}  // namespace gort
