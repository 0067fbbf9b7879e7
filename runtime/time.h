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

namespace sys {
struct Timespec;  // runtime/syscall.h
}
// The vDSO's clock_gettime, or null if the vDSO has none (then the system call is used). Set
// once by find_vdso_clock, read-only afterwards.
using VdsoClock = int (*)(long clock, sys::Timespec* ts);
extern VdsoClock vdso_clock_gettime;

}  // namespace gort
