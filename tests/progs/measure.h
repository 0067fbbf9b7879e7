// Memory measurements shared by the test programs (tests/progs) and the benchmarks
// (tests/bench/bench.h): the resident set size and its peak, read from /proc. Public API and
// system calls only, so benchmarks need no white-box header.
#pragma once
#include "gort.h"
#include "syscall.h"

namespace measure {

// Reads a small /proc file whole into `text` (NUL-terminated); fatal if it cannot.
inline void read_proc_file(const char* path, char* text, long capacity) {
  long fd = gort::sys::open_read_only(path);
  if (fd < 0) gort::fatal("measure: cannot open a /proc file");
  long n = gort::sys::read(int(fd), text, size_t(capacity - 1));
  gort::sys::close(int(fd));
  if (n <= 0) gort::fatal("measure: cannot read a /proc file");
  text[n] = 0;
}

// Resident set size in bytes (second field of /proc/self/statm, in pages).
inline long resident_bytes() {
  char text[128];
  read_proc_file("/proc/self/statm", text, sizeof(text));
  const char* p = text;
  while (*p != ' ' && *p != 0) p++;  // skip the first field (size)
  long pages = 0;
  for (p++; *p >= '0' && *p <= '9'; p++) pages = pages * 10 + (*p - '0');
  return pages * 4096;
}

// Peak resident set size in bytes (VmHWM in /proc/self/status).
inline long peak_resident_bytes() {
  static char text[4096];
  read_proc_file("/proc/self/status", text, sizeof(text));
  for (const char* p = text; *p != 0; p++) {
    if (p[0] == 'V' && p[1] == 'm' && p[2] == 'H' && p[3] == 'W' && p[4] == 'M' && p[5] == ':') {
      long kb = 0;
      for (p += 6; *p == ' ' || *p == '\t'; p++) {
      }
      for (; *p >= '0' && *p <= '9'; p++) kb = kb * 10 + (*p - '0');
      return kb * 1024;
    }
  }
  gort::fatal("measure: no VmHWM in /proc/self/status");
}

}  // namespace measure
