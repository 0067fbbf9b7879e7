// The page layer and persistent allocator; see runtime/os_memory.h.
//
// persistent_alloc carves from 256 KiB chunks (tunables::persistent_chunk_bytes) with a
// bump pointer under a RuntimeLock. Requests larger than a quarter chunk get their own
// mapping, so a large request never wastes the rest of a chunk.
#include "os_memory.h"

#include "../arch/amd64/cpu.h"
#include "context.h"
#include "environment.h"
#include "fatal.h"
#include "godebug.h"
#include "lock.h"
#include "memory_limit.h"
#include "print.h"
#include "syscall.h"
#include "tunables.h"

namespace gort {

namespace {

uint64_t mapped_bytes = 0;      // updated atomically (relaxed: statistics only)
uint64_t persistent_bytes = 0;  // guarded by persistent_lock

RankedLock<LockRank::Persistent> persistent_lock;
uintptr_t persistent_next = 0;  // guarded by persistent_lock
uintptr_t persistent_end = 0;   // guarded by persistent_lock

size_t round_to_pages(size_t bytes) {
  size_t page = process.aux.page_size ? process.aux.page_size : 4096;
  if (bytes > SIZE_MAX - page) out_of_memory(bytes);
  return (bytes + page - 1) & ~(page - 1);
}

}  // namespace

// The limits that can refuse memory, for a report; nothing if none is set.
void print_memory_limits() {
  sys::Rlimit as{};
  if (sys::prlimit(sys::RLIMIT_AS, &as) == 0 && as.current != ~0UL)
    print("runtime: the address space is limited to ", uint64_t(as.current), " bytes (ulimit -v)\n");
  uint64_t cgroup = memory_limit();
  if (cgroup != no_memory_limit) print("runtime: the cgroup's memory limit is ", cgroup, " bytes\n");
}

namespace {
struct OutOfMemoryReport {
  size_t bytes;
  Goroutine* g;
  uintptr_t pc, fp;  // the caller of out_of_memory, where the traceback starts
};

// Runs on the scheduler stack: print's buffer alone is more than a goroutine's reserve.
void report_out_of_memory(void* arg) {
  auto* r = static_cast<OutOfMemoryReport*>(arg);
  begin_crash();
  print("runtime: out of memory: cannot allocate ", r->bytes, "-byte block (", os_memory_stats().mapped_bytes,
        " in use)\n");
  print_memory_limits();
  print("fatal error: out of memory\n");
  finish_crash(r->g, r->pc, r->fp);
}
}  // namespace

void out_of_memory(size_t bytes) {
  // On the scheduler stack, as fatal() reports: the goroutine that asked may have little
  // stack left, and the report reads the cgroup files into buffers of a few KiB.
  auto* frame = static_cast<uintptr_t*>(__builtin_frame_address(0));
  OutOfMemoryReport r{bytes, cpu::current_goroutine(), reinterpret_cast<uintptr_t>(__builtin_return_address(0)),
                      frame[0]};
  run_on_scheduler_stack(report_out_of_memory, &r);
  sys::exit_group(2);  // not reached: the report exits
}

void* os_reserve(size_t bytes) {
  size_t length = round_to_pages(bytes);
  void* p = sys::mmap(nullptr, length, sys::PROT_NONE, sys::MAP_PRIVATE | sys::MAP_ANONYMOUS | sys::MAP_NORESERVE);
  if (p == nullptr) out_of_memory(bytes);
  return p;
}

void os_reserve_at(uintptr_t address, size_t bytes) {
  size_t length = round_to_pages(bytes);
  // MAP_FIXED_NOREPLACE (Linux 4.17) fails rather than replace a mapping; older kernels take
  // the flag as a hint and may answer with another address, which is refused the same way.
  void* want = reinterpret_cast<void*>(address);
  long r = sys::mmap_or_error(want, length, sys::PROT_NONE,
                              sys::MAP_PRIVATE | sys::MAP_ANONYMOUS | sys::MAP_NORESERVE | sys::MAP_FIXED_NOREPLACE);
  if (r == long(address)) return;
  if (r == -sys::ENOMEM) out_of_memory(bytes);  // names ulimit -v when it is set
  if (!sys::failed(r)) sys::munmap(reinterpret_cast<void*>(r), length);  // a kernel that took the flag as a hint
  print("runtime: cannot reserve address space at ", hex(address), " (", uint64_t(length),
        " bytes): something is mapped there\n");
  fatal("os_reserve_at: address space in use");
}

namespace {
struct ArenaInUse {
  uintptr_t address;
  size_t length;
};

// Runs on the scheduler stack.
void report_arena_in_use(void* arg) {
  auto* r = static_cast<ArenaInUse*>(arg);
  print("runtime: cannot map heap memory at ", hex(r->address), " (", uint64_t(r->length),
        " bytes): something is mapped there\n");
  fatal("os_commit_at: heap arena address space in use");
}
}  // namespace

bool os_commit_at(uintptr_t address, size_t bytes) {
  size_t length = round_to_pages(bytes);
  void* want = reinterpret_cast<void*>(address);
  long r = sys::mmap_or_error(want, length, sys::PROT_READ | sys::PROT_WRITE,
                              sys::MAP_PRIVATE | sys::MAP_ANONYMOUS | sys::MAP_FIXED_NOREPLACE);
  if (r == long(address)) {
    __atomic_fetch_add(&mapped_bytes, length, __ATOMIC_RELAXED);
    return true;
  }
  if (r == -sys::ENOMEM) return false;
  if (!sys::failed(r)) sys::munmap(reinterpret_cast<void*>(r), length);
  ArenaInUse report{address, length};
  run_on_scheduler_stack(report_arena_in_use, &report);  // print's buffer is more than a goroutine's reserve
  sys::exit_group(2);  // not reached: the report exits
}

void* os_alloc(size_t bytes) {
  size_t length = round_to_pages(bytes);
  void* p = sys::mmap(nullptr, length, sys::PROT_READ | sys::PROT_WRITE, sys::MAP_PRIVATE | sys::MAP_ANONYMOUS);
  if (p == nullptr) out_of_memory(bytes);
  __atomic_fetch_add(&mapped_bytes, length, __ATOMIC_RELAXED);
  return p;
}

void* os_alloc_aligned(size_t bytes, size_t alignment) {
  size_t length = round_to_pages(bytes);
  if (length > SIZE_MAX - alignment) out_of_memory(bytes);
  auto* p = static_cast<uint8_t*>(sys::mmap(nullptr, length + alignment, sys::PROT_READ | sys::PROT_WRITE,
                                            sys::MAP_PRIVATE | sys::MAP_ANONYMOUS));
  if (p == nullptr) out_of_memory(bytes);
  uintptr_t start = (reinterpret_cast<uintptr_t>(p) + alignment - 1) & ~(uintptr_t(alignment) - 1);
  size_t head = start - reinterpret_cast<uintptr_t>(p);
  if (head > 0) sys::munmap(p, head);
  size_t tail = alignment - head;
  if (tail > 0) sys::munmap(reinterpret_cast<void*>(start + length), tail);
  __atomic_fetch_add(&mapped_bytes, length, __ATOMIC_RELAXED);
  return reinterpret_cast<void*>(start);
}

void os_commit_sparse(void* address, size_t bytes) {
  size_t length = round_to_pages(bytes);
  if (sys::mprotect(address, length, sys::PROT_READ | sys::PROT_WRITE) != 0) out_of_memory(bytes);
}

void os_release(void* address, size_t bytes) {
  // GODEBUG=madvdontneed=0 selects the lazier MADV_FREE, as in Go.
  long advice = debug.madvdontneed == 0 ? sys::MADV_FREE : sys::MADV_DONTNEED;
  sys::madvise(address, round_to_pages(bytes), advice);
}

void os_free(void* address, size_t bytes) {
  size_t length = round_to_pages(bytes);
  if (sys::munmap(address, length) != 0) fatal("os_free: munmap failed");
  __atomic_fetch_sub(&mapped_bytes, length, __ATOMIC_RELAXED);
}

void* persistent_alloc(size_t bytes, size_t align) {
  if (align == 0 || (align & (align - 1)) != 0 || align > 4096) fatal("persistent_alloc: bad alignment");
  if (bytes > tunables::persistent_chunk_bytes / 4) {
    void* p = os_alloc(bytes);
    LockGuard guard(persistent_lock);
    persistent_bytes += bytes;
    return p;
  }
  LockGuard guard(persistent_lock);
  uintptr_t start = (persistent_next + align - 1) & ~(align - 1);
  if (persistent_next == 0 || start + bytes > persistent_end) {
    // Start a new chunk; the tail of the old one is abandoned (at most a quarter chunk).
    persistent_next = reinterpret_cast<uintptr_t>(os_alloc(tunables::persistent_chunk_bytes));
    persistent_end = persistent_next + tunables::persistent_chunk_bytes;
    start = persistent_next;
  }
  persistent_next = start + bytes;
  persistent_bytes += bytes;
  return reinterpret_cast<void*>(start);
}

OsMemoryStats os_memory_stats() {
  return OsMemoryStats{__atomic_load_n(&mapped_bytes, __ATOMIC_RELAXED),
                       __atomic_load_n(&persistent_bytes, __ATOMIC_RELAXED)};
}

}  // namespace gort
