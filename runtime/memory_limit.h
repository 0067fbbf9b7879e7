// The memory limit of the container the program runs in: its cgroup's memory.max (cgroup v2)
// or memory.limit_in_bytes (cgroup v1), the smaller of its own and its ancestors'. It is the
// collector's GOMEMLIMIT when that is unset (read_gomemlimit in runtime/collector.cpp), and an
// out-of-memory report prints it (runtime/os_memory.cpp).
// Book: docs/04-allocator.md, "Limits".
//
// The parsing below is pure (no system calls) so that the hosted unit tests check it
// (tests/harness/test_allocator_units.cpp); read_cgroup_memory_limit reads the files, and is
// tested against a fake tree by tests/progs/allocator.cpp.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

constexpr uint64_t no_memory_limit = UINT64_MAX;

// The limit in bytes, or no_memory_limit. Read from /proc/self/cgroup and /sys/fs/cgroup on
// the first call (a handful of system calls), then remembered. Any thread, any stack.
uint64_t memory_limit();

// The same from a given /proc/self/cgroup file and cgroup mount root (for tests).
uint64_t read_cgroup_memory_limit(const char* proc_self_cgroup, const char* cgroup_root);

namespace cgroup {

enum class Version { None, V1, V2 };

// Finds this process's memory cgroup in the text of /proc/self/cgroup. A v1 line
// "N:...memory...:/path" wins over the v2 line "0::/path": on a hybrid system the memory
// controller is on v1 and the unified tree has no memory.max. Copies the path (NUL-ended)
// into `path` (capacity `cap`); returns None if neither line is there or the path is too long.
inline Version find_path(const char* text, size_t n, char* path, size_t cap) {
  Version found = Version::None;
  for (size_t line = 0; line < n;) {
    size_t end = line;
    while (end < n && text[end] != '\n') end++;
    size_t colon1 = line;
    while (colon1 < end && text[colon1] != ':') colon1++;
    size_t colon2 = colon1 + 1;
    while (colon2 < end && text[colon2] != ':') colon2++;
    if (colon2 < end) {
      bool v2 = colon2 == colon1 + 1 && colon1 == line + 1 && text[line] == '0';
      bool memory = false;  // "memory" as one of the comma-separated controllers
      for (size_t c = colon1 + 1; c + 6 <= colon2; c++) {
        bool starts = c == colon1 + 1 || text[c - 1] == ',';
        bool ends = c + 6 == colon2 || text[c + 6] == ',';
        if (starts && ends && __builtin_memcmp(text + c, "memory", 6) == 0) memory = true;
      }
      if ((memory || (v2 && found == Version::None)) && end - colon2 - 1 < cap) {
        size_t length = end - colon2 - 1;
        __builtin_memcpy(path, text + colon2 + 1, length);
        path[length] = 0;
        found = memory ? Version::V1 : Version::V2;
        if (memory) return found;
      }
    }
    line = end + 1;
  }
  return found;
}

// A limit file's contents: "max" (v2, no limit) or a decimal byte count. v1 writes "no
// limit" as a huge count (9223372036854771712, the largest page count in bytes): anything
// from 2^62 up is taken as no limit. Unreadable text is no limit too.
inline uint64_t parse_limit(const char* text, size_t n) {
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' ')) n--;
  if (n == 3 && __builtin_memcmp(text, "max", 3) == 0) return no_memory_limit;
  if (n == 0 || n > 19) return no_memory_limit;
  uint64_t value = 0;
  for (size_t i = 0; i < n; i++) {
    if (text[i] < '0' || text[i] > '9') return no_memory_limit;
    value = value * 10 + uint64_t(text[i] - '0');
  }
  return value >= (uint64_t(1) << 62) ? no_memory_limit : value;
}

}  // namespace cgroup
}  // namespace gort
