// time.After (gort.h): a channel that receives the time once, after a delay. A file of its
// own, so that only programs that call after() link the collector it allocates from (a
// reference from timer.cpp, which every program links, would pull the collector's object
// file into hello). Book: docs/07-collector.md, "Stacks and channels under the collector".
//
// One collected object holds the record and the Channel (whose core is then collected too,
// runtime/channel.h): while pending, the timer heap holds the record, and the collector marks
// a collected record it finds there (scan_timers in runtime/marker.cpp); once fired and out
// of the heap, the returned channel (an interior pointer) is all that keeps it. So a loop of
// select on after() runs in bounded memory.
#include "gort.h"

namespace gort {

// From a goroutine holding no runtime lock (the allocation may start a collection).
Channel<int64_t>* after(int64_t nanoseconds) {
  auto* timer = gc::make<Timer>(nanoseconds);
  return &timer->channel();
}

}  // namespace gort
