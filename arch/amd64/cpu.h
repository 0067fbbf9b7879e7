// The machine-specific pieces that portable runtime code reaches through small inline
// functions: reading the current goroutine and Machine from thread-local storage, the cycle
// counter, and the spin-wait hint. (The stack pointer reader is gort::detail::stack_pointer
// in runtime/gort.h, which user code's stack checks use too.) Portable code calls these and never names a register itself.
//
// Thread-local storage: each OS thread's FS base points at its Machine's ThreadLocal block
// (runtime/machine.h), whose first word is the running goroutine. So the current goroutine
// is one load away: `mov rax, fs:[0]` here and in assembly (asm/ uses TLS_CURRENT_G).
// Invariant: FS base is set before any C++ runs on a thread (asm/rt0.asm; clone_thread in asm/context.asm).
#pragma once
#include <stdint.h>

namespace gort {
struct Goroutine;
struct Machine;

namespace cpu {

// The goroutine running on this thread (Go's getg()). One fs-relative load.
inline Goroutine* current_goroutine() {
  Goroutine* g;
  asm volatile("mov %%fs:0, %0" : "=r"(g));
  return g;
}

inline Machine* current_machine() {
  Machine* m;
  asm volatile("mov %%fs:8, %0" : "=r"(m));
  return m;
}

// Adds delta to the 32-bit word `offset` bytes into this thread's ThreadLocal block. One
// fs-relative instruction: a signal handler on the same thread sees it done or not done.
template <unsigned long offset>
inline void thread_local_add(int32_t delta) {
  asm volatile("addl %1, %%fs:%c0" ::"i"(offset), "ri"(delta) : "memory");
}

// Hint to the CPU that this is a spin-wait loop (PAUSE).
inline void relax() { asm volatile("pause" ::: "memory"); }

// True if the CPU has XSAVE and the kernel enabled it (CPUID.1:ECX bits 26 and 27).
inline bool has_xsave() {
  uint32_t a = 1, b, c = 0, d;
  asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
  return (c & (1u << 26)) != 0 && (c & (1u << 27)) != 0;
}

// Bytes XSAVE writes for every state component the kernel enabled in XCR0
// (CPUID.(EAX=0DH,ECX=0):EBX): 2688 with AVX-512, 832 with AVX, 576 with SSE only.
inline uint32_t xsave_area_size() {
  uint32_t a = 0xd, b, c = 0, d;
  asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
  return b;
}

// Cycle counter, for cheap randomness and rough timing only.
inline uint64_t cycle_counter() {
  uint32_t lo, hi;
  asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return (uint64_t(hi) << 32) | lo;
}

}  // namespace cpu
}  // namespace gort
