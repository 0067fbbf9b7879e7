// Clocks over clock_gettime, through the vDSO when it was found (runtime/vdso.cpp); see
// runtime/time.h.
#include "time.h"

#include "syscall.h"

namespace gort {

static int64_t start_time = 0;  // written once at start-up, before other threads exist

static int64_t read_clock(long clock) {
  sys::Timespec ts{};
  if (vdso_clock_gettime != nullptr) vdso_clock_gettime(clock, &ts);
  else sys::clock_gettime(clock, &ts);
  return ts.seconds * 1000000000 + ts.nanoseconds;
}

int64_t nanotime() { return read_clock(sys::CLOCK_MONOTONIC); }
int64_t walltime() { return read_clock(sys::CLOCK_REALTIME); }
void record_start_time() { start_time = nanotime(); }
int64_t nanotime_since_start() { return nanotime() - start_time; }

}  // namespace gort
