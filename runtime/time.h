// Clocks. nanotime() is the monotonic clock (Go's nanotime), used for every interval the
// runtime measures; walltime() is the realtime clock. Both read clock_gettime.
#pragma once
#include <stdint.h>

namespace gort {

int64_t nanotime();  // monotonic nanoseconds since an arbitrary point
int64_t walltime();  // nanoseconds since the Unix epoch

// Nanoseconds since the process started (schedtrace's "SCHED <t>ms" base).
int64_t nanotime_since_start();
void record_start_time();

// Finds clock_gettime in the vDSO (runtime/vdso.cpp). At start-up, before any clock read.
void find_vdso_clock();

}  // namespace gort
