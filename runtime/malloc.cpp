// The C and C++ allocation entry points, on gort's heap: malloc, free, calloc, realloc,
// aligned_alloc, posix_memalign, malloc_usable_size, and the global operator new/delete.
// They are safe from any goroutine on any Processor. Unlike C's, an impossible request
// (a size that overflows or exceeds the heap) is not answered with a null pointer the
// caller may forget to check: it ends the program with "fatal error: out of memory", as Go.
#include <stddef.h>
#include <stdint.h>

#include <new>

#include "allocator.h"
#include "os_memory.h"

using gort::allocate;
using gort::release;

extern "C" {

void* malloc(size_t size) { return gort::allocate_fast(size); }

void free(void* p) { gort::release_fast(p); }  // null is not in the heap: release() ignores it

void* calloc(size_t count, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(count, size, &bytes)) gort::out_of_memory(SIZE_MAX);
  return gort::allocate_zeroed(bytes, false);  // fresh pages are not touched
}

// A collected object is the collector's, at any size (0 included, which would free it, and
// one that fits, which would hand it back as the program's): "fatal error: realloc of a
// collected object 0x...", found by the span lookup that gives the size to copy.
void* realloc(void* p, size_t size) {
  if (p == nullptr) return allocate(size, false);
  size_t have = gort::reallocation_size(p);
  if (size == 0) {
    release(p);  // a foreign pointer dies here, as free's
    return allocate(0, false);
  }
  if (have == 0) gort::out_of_memory(size);  // not ours: cannot know how much to copy
  if (size <= have && size >= have / 2) return p;  // still fits, and not much too big
  void* q = gort::allocate_for_program(size);
  gort::copy_for_program(q, p, size < have ? size : have);
  release(p);
  return q;
}

void* aligned_alloc(size_t alignment, size_t size) { return gort::allocate_aligned(size, alignment); }

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return 22;  // EINVAL
  *out = gort::allocate_aligned(size, alignment);
  return 0;
}

size_t malloc_usable_size(void* p) { return p == nullptr ? 0 : gort::allocation_size(p); }
}

void* operator new(size_t size) { return gort::allocate_fast(size); }
void* operator new[](size_t size) { return gort::allocate_fast(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return allocate(size, false); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept { return allocate(size, false); }
void* operator new(size_t size, std::align_val_t a) { return gort::allocate_aligned(size, size_t(a)); }
void* operator new[](size_t size, std::align_val_t a) { return gort::allocate_aligned(size, size_t(a)); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { release(p); }
