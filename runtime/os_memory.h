// The page layer: memory straight from the kernel with mmap, and the persistent allocator
// for runtime structures that live as long as the process (Machines, signal stacks, and
// later Processors and Goroutine records, which Go never frees either).
//
// States a range moves through (Go's mem_linux.go names in brackets):
//   reserved  [sysReserve]  address space only, PROT_NONE, costs no memory
//   committed [sysMap]      readable and writable; pages appear on first touch. Committed
//                           memory is charged to the kernel's overcommit accounting (a
//                           mapping without MAP_NORESERVE), so a request the machine cannot
//                           back is refused at once, with ENOMEM, and reported as
//                           "fatal error: out of memory" instead of the process being
//                           killed later when it touches the pages
//   released  [sysUnused]   committed, but its physical pages handed back (MADV_DONTNEED);
//                           the next touch faults in zeroed pages
// The heap's own maps are the exception: os_commit_sparse makes a MAP_NORESERVE reservation
// writable without charging it (the maps are mostly never touched: one entry per arena page).
// Failure to get memory is fatal ("fatal error: out of memory", status 2): callers never
// see a null they could forget to check. Book: docs/01-startup.md, "Memory from the OS",
// and docs/04-allocator.md, "Committing memory".
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

// Reserves `bytes` of address space (rounded up to pages), inaccessible. Fatal on failure.
void* os_reserve(size_t bytes);
// The same at a fixed address; fatal if anything is mapped there already, or if the
// address-space limit (ulimit -v) refuses it (the report names the limit).
void os_reserve_at(uintptr_t address, size_t bytes);
// Commits `bytes` at a fixed address where nothing is mapped (the heap arena grows this way:
// it is not reserved ahead, so a program starts under a small ulimit -v). Charged to the
// kernel's accounting. Returns false if the kernel refuses for lack of memory or address
// space (the caller reports the size it was asked for); fatal if something else is mapped
// there.
bool os_commit_at(uintptr_t address, size_t bytes);
// Reserves and commits: zeroed, readable and writable memory. Fatal on failure.
void* os_alloc(size_t bytes);
// Like os_alloc, with the start aligned to `alignment` (a power of two, a multiple of the
// page size): huge-page-backed memory given back with MADV_DONTNEED is freed at once only
// where the range covers whole 2 MiB pages.
void* os_alloc_aligned(size_t bytes, size_t alignment);
// Makes part of a reserved range readable and writable, without charging it to the
// kernel's accounting (the range was reserved with MAP_NORESERVE): for sparse maps only.
void os_commit_sparse(void* address, size_t bytes);
// Gives the physical pages back; the range stays mapped. With the default MADV_DONTNEED it
// reads as zero afterwards; with GODEBUG=madvdontneed=0 (MADV_FREE) it may keep old contents
// until the kernel reclaims them. Callers must not rely on either.
void os_release(void* address, size_t bytes);
// Unmaps a range completely.
void os_free(void* address, size_t bytes);

// Memory that is never freed, for runtime structures. Zeroed, aligned to `align` (a power
// of two, at most a page). Thread-safe. Fatal on failure.
void* persistent_alloc(size_t bytes, size_t align);

template <class T>
T* persistent_new() {
  return static_cast<T*>(persistent_alloc(sizeof(T), alignof(T)));
}

// Bytes obtained from the OS so far, by kind (statistics for schedtrace and MemStats).
struct OsMemoryStats {
  uint64_t mapped_bytes;      // committed by os_alloc/os_commit, minus os_free
  uint64_t persistent_bytes;  // handed out by persistent_alloc
};
OsMemoryStats os_memory_stats();

// Fatal error for an allocation that cannot be satisfied; names the size, as Go does, then
// any limit that may be the cause (ulimit -v, the cgroup's memory limit):
//   runtime: out of memory: cannot allocate 32212254720-byte block (4194304 in use)
//   fatal error: out of memory
[[noreturn]] void out_of_memory(size_t bytes);

}  // namespace gort
