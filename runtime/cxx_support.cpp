// The few C++ ABI hooks that compiled user code expects from a C++ runtime library, for
// programs built with -fno-exceptions -fno-rtti and no libstdc++:
//   - static constructors: run from .init_array before main (start.cpp calls us);
//   - __cxa_atexit: destructors of globals are registered but never run, because a gort
//     program ends with exit_group the moment main returns, as a Go program does;
//   - function-local statics: __cxa_guard_* make their first-use initialisation thread-safe;
//   - __cxa_pure_virtual: a call through a half-built object is a fatal error.
#include <stdint.h>

#include "../arch/amd64/cpu.h"
#include "environment.h"
#include "fatal.h"

extern "C" {
// Provided by the linker for static executables.
extern void (*__preinit_array_start[])(int, char**, char**) __attribute__((weak));
extern void (*__preinit_array_end[])(int, char**, char**) __attribute__((weak));
extern void (*__init_array_start[])(int, char**, char**) __attribute__((weak));
extern void (*__init_array_end[])(int, char**, char**) __attribute__((weak));

void* __dso_handle = &__dso_handle;

int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
int atexit(void (*)()) { return 0; }

void __cxa_pure_virtual() { gort::fatal("pure virtual method called"); }

// Guard word: byte 0 is "initialised" (the ABI's contract with inline checks); we use the
// second 32-bit word as our state: 0 idle, 1 initialisation in progress.
int __cxa_guard_acquire(uint64_t* guard) {
  auto* done = reinterpret_cast<uint8_t*>(guard);
  auto* busy = reinterpret_cast<uint32_t*>(guard) + 1;
  for (;;) {
    if (__atomic_load_n(done, __ATOMIC_ACQUIRE) != 0) return 0;
    uint32_t idle = 0;
    if (__atomic_compare_exchange_n(busy, &idle, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
      if (__atomic_load_n(done, __ATOMIC_ACQUIRE) != 0) {  // finished while we raced
        __atomic_store_n(busy, 0, __ATOMIC_RELEASE);
        return 0;
      }
      return 1;  // caller runs the initialiser, then calls __cxa_guard_release
    }
    gort::cpu::relax();
  }
}

void __cxa_guard_release(uint64_t* guard) {
  __atomic_store_n(reinterpret_cast<uint8_t*>(guard), 1, __ATOMIC_RELEASE);
  __atomic_store_n(reinterpret_cast<uint32_t*>(guard) + 1, 0, __ATOMIC_RELEASE);
}

void __cxa_guard_abort(uint64_t* guard) { __atomic_store_n(reinterpret_cast<uint32_t*>(guard) + 1, 0, __ATOMIC_RELEASE); }
}

namespace gort {

void run_static_constructors() {
  for (auto** f = __preinit_array_start; f != __preinit_array_end; f++) (*f)(process.argc, process.argv, process.envp);
  for (auto** f = __init_array_start; f != __init_array_end; f++) (*f)(process.argc, process.argv, process.envp);
}

}  // namespace gort
