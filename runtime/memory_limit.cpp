// Reads the cgroup memory limit; see runtime/memory_limit.h. No allocation and no lock (it
// may run in an out-of-memory report): paths are built in stack buffers.
#include "memory_limit.h"

#include "syscall.h"

namespace gort {

namespace {

constexpr size_t path_bytes = 512;
constexpr uint64_t not_read = 0;  // memory_limit() not called yet; no real limit is 0 bytes

uint64_t cached_limit = not_read;  // atomic: the first caller's answer, kept

// Reads a small file whole into buffer (at most cap - 1 bytes); returns its length or -1.
long read_small_file(const char* path, char* buffer, size_t cap) {
  long fd = sys::open_read_only(path);
  if (fd < 0) return -1;
  long total = 0;
  for (;;) {
    long r = sys::read(int(fd), buffer + total, cap - 1 - size_t(total));
    if (r <= 0) break;
    total += r;
    if (size_t(total) == cap - 1) break;
  }
  sys::close(int(fd));
  buffer[total] = 0;
  return total;
}

// Appends `s` at out[*length]; false if it does not fit.
bool append(char* out, size_t* length, const char* s) {
  for (; *s != 0; s++) {
    if (*length + 1 >= path_bytes) return false;
    out[(*length)++] = *s;
  }
  out[*length] = 0;
  return true;
}

}  // namespace

uint64_t read_cgroup_memory_limit(const char* proc_self_cgroup, const char* cgroup_root) {
  char text[2048];
  long n = read_small_file(proc_self_cgroup, text, sizeof text);
  if (n < 0) return no_memory_limit;
  char path[path_bytes];
  cgroup::Version version = cgroup::find_path(text, size_t(n), path, sizeof path);
  if (version == cgroup::Version::None) return no_memory_limit;
  const char* file = version == cgroup::Version::V2 ? "/memory.max" : "/memory.limit_in_bytes";
  // The cgroup and each ancestor below the root (the root has no limit file in v2, and an
  // unlimited one in v1): the smallest limit on the way up is the one that applies.
  uint64_t limit = no_memory_limit;
  size_t depth = 0;
  while (path[depth] != 0) depth++;
  for (;;) {
    while (depth > 0 && path[depth - 1] == '/') depth--;  // drop trailing slashes
    if (depth == 0) break;
    char full[path_bytes];
    size_t length = 0;
    char saved = path[depth];
    path[depth] = 0;
    bool fits = append(full, &length, cgroup_root) &&
                (version == cgroup::Version::V2 || append(full, &length, "/memory")) && append(full, &length, path) &&
                append(full, &length, file);
    path[depth] = saved;
    if (fits) {
      char value[64];
      long got = read_small_file(full, value, sizeof value);
      if (got > 0) {
        uint64_t here = cgroup::parse_limit(value, size_t(got));
        if (here < limit) limit = here;
      }
    }
    while (depth > 0 && path[depth - 1] != '/') depth--;  // up one level
  }
  return limit;
}

uint64_t memory_limit() {
  uint64_t limit = __atomic_load_n(&cached_limit, __ATOMIC_ACQUIRE);
  if (limit != not_read) return limit;
  limit = read_cgroup_memory_limit("/proc/self/cgroup", "/sys/fs/cgroup");
  if (limit == not_read) limit = 1;  // a zero limit: keep "not read" distinct
  __atomic_store_n(&cached_limit, limit, __ATOMIC_RELEASE);  // racing first callers agree
  return limit;
}

}  // namespace gort
