// Shared helpers for the gort side of the benchmarks in tests/bench. Every benchmark prints
// exactly one line in the agreed format, which tools/bench.py parses and the harness's
// smoke test checks:
//   BENCH <name> <value> <unit>
// The Go twin of each benchmark (same file name, .go) prints the same line.
#pragma once
#include "gort.h"
#include "syscall.h"

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

// Resident set size in bytes, from /proc/self/statm (second field, in pages).
inline long resident_bytes() {
  long fd = gort::sys::open_read_only("/proc/self/statm");
  if (fd < 0) gort::fatal("bench: cannot open /proc/self/statm");
  char text[128];
  long n = gort::sys::read(int(fd), text, sizeof(text) - 1);
  gort::sys::close(int(fd));
  if (n <= 0) gort::fatal("bench: cannot read /proc/self/statm");
  text[n] = 0;
  const char* p = text;
  while (*p != ' ' && *p != 0) p++;  // skip the first field (size)
  long pages = 0;
  for (p++; *p >= '0' && *p <= '9'; p++) pages = pages * 10 + (*p - '0');
  return pages * 4096;
}

// Peak resident set size in bytes (VmHWM in /proc/self/status).
inline long peak_resident_bytes() {
  long fd = gort::sys::open_read_only("/proc/self/status");
  if (fd < 0) gort::fatal("bench: cannot open /proc/self/status");
  static char text[4096];
  long n = gort::sys::read(int(fd), text, sizeof(text) - 1);
  gort::sys::close(int(fd));
  text[n > 0 ? n : 0] = 0;
  for (const char* p = text; *p != 0; p++) {
    if (p[0] == 'V' && p[1] == 'm' && p[2] == 'H' && p[3] == 'W' && p[4] == 'M' && p[5] == ':') {
      long kb = 0;
      for (p += 6; *p == ' ' || *p == '\t'; p++) {
      }
      for (; *p >= '0' && *p <= '9'; p++) kb = kb * 10 + (*p - '0');
      return kb * 1024;
    }
  }
  gort::fatal("bench: no VmHWM in /proc/self/status");
}

}  // namespace bench
