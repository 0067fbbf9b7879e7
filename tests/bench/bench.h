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

// Memory figures come from the test programs' helpers (one implementation).
using measure::peak_resident_bytes;
using measure::resident_bytes;

}  // namespace bench
