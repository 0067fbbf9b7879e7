// The few C++ ABI hooks that compiled user code expects from a C++ runtime library, for
// programs built with -fno-exceptions -fno-rtti and no libstdc++:
//   - static constructors: run from .init_array before main (start.cpp calls us);
//   - __cxa_atexit: destructors of globals are registered but never run, because a gort
//     program ends with exit_group the moment main returns, as a Go program does;
//   - function-local statics: __cxa_guard_* (runtime/static_init.cpp) make their first-use
//     initialisation thread-safe;
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

}

namespace gort {

void run_static_constructors() {
  for (auto** f = __preinit_array_start; f != __preinit_array_end; f++) (*f)(process.argc, process.argv, process.envp);
  for (auto** f = __init_array_start; f != __init_array_end; f++) (*f)(process.argc, process.argv, process.envp);
}

}  // namespace gort
