// Measurements shared by test programs: the resident set size, read from /proc.
#pragma once
#include "testing.h"

namespace measure {

// Resident set size in bytes (second field of /proc/self/statm, in pages).
inline long resident_bytes() {
  long fd = gort::sys::open_read_only("/proc/self/statm");
  if (fd < 0) gort::fatal("measure: cannot open /proc/self/statm");
  char text[128];
  long n = gort::sys::read(int(fd), text, sizeof(text) - 1);
  gort::sys::close(int(fd));
  text[n > 0 ? n : 0] = 0;
  const char* p = text;
  while (*p != ' ' && *p != 0) p++;
  long pages = 0;
  for (p++; *p >= '0' && *p <= '9'; p++) pages = pages * 10 + (*p - '0');
  return pages * 4096;
}

}  // namespace measure
