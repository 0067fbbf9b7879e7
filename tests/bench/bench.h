// Shared helpers for the gort side of the benchmarks in tests/bench. Every benchmark prints
// exactly one line in the agreed format, which tools/bench.py parses and the harness's
// smoke test checks:
//   BENCH <name> <value> <unit>
// The Go twin of each benchmark (same file name, .go) prints the same line.
#pragma once
#include "gort.h"
#include "syscall.h"
#include "../progs/measure.h"

namespace bench {

// argv[index] as a number, or `fallback` when absent.
inline long argument(int argc, char** argv, int index, long fallback) {
  if (index >= argc) return fallback;
  long v = 0;
  for (const char* c = argv[index]; *c >= '0' && *c <= '9'; c++) v = v * 10 + (*c - '0');
  return v;
}

inline void report(const char* name, double value, const char* unit) {
  gort::fmt::println("BENCH", name, gort::fixed(value, 3), unit);
}

// A pointer field inside a collected object, in the collector's benchmarks: barriered
// (gort::gc::Ptr<T>, runtime/barrier.h), as every store of a pointer that a concurrent mark
// may race must be; it reads and converts as a T* does. The benchmarks pay the barrier's
// disabled test on each store, and its shading while a mark runs, as Go's programs do.
template <typename T>
using CollectedField = gort::gc::Ptr<T>;

// The collector's benchmarks (binary_trees, gcbench, gc_pauses) print a second line after
// their BENCH line, every stop-the-world pause since start-up summarized:
//   PAUSES <pauses> <p50> <p99> <max>   (microseconds)
// from gc::read_pauses (quantiles are the upper end of a 6.25%-wide bucket; max is exact).
// Their Go twins print the same from runtime/metrics' /gc/pauses:seconds.
inline void report_pauses() {
  static gort::gc::PauseHistogram pauses;  // 5 KB: off the goroutine's stack
  gort::gc::read_pauses(&pauses);
  gort::fmt::println("PAUSES", pauses.pauses, gort::fixed(double(pauses.quantile(0.5)) / 1000.0, 3),
                     gort::fixed(double(pauses.quantile(0.99)) / 1000.0, 3), gort::fixed(double(pauses.max_ns) / 1000.0, 3));
}

// Memory figures come from the test programs' helpers (one implementation).
using measure::peak_resident_bytes;
using measure::resident_bytes;

}  // namespace bench
