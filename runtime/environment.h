// The process's arguments, environment and auxiliary vector, as the kernel laid them out
// on the initial stack (drawn in asm/rt0.asm and docs/01-startup.md). Read once at start,
// before any other thread exists; read-only afterwards, so no locking.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort {

// Facts from the auxiliary vector that later subsystems need.
struct AuxiliaryFacts {
  size_t page_size;        // AT_PAGESZ
  const uint8_t* random;   // AT_RANDOM: 16 random bytes from the kernel, seeds fastrand
  uintptr_t vdso_base;     // AT_SYSINFO_EHDR: the vDSO's ELF header (clock_gettime, later)
  uint64_t hwcap;          // AT_HWCAP
  uintptr_t stack_top;     // highest address used by the strings at the top of the stack
};

struct ProcessArguments {
  int argc;
  char** argv;
  char** envp;
  AuxiliaryFacts aux;
};

extern ProcessArguments process;

// Records argc and argv as _start read them from the initial stack, and finds envp and auxv
// after argv's terminating null.
void read_process_arguments(int argc, char** argv);

// The value of an environment variable, or null. Same lookup as Go's os.Getenv (the first
// "KEY=" match); the returned string lives as long as the process.
const char* getenv(const char* key);

// The rest of s after `prefix` if s starts with it, else null. The one string comparison of
// the runtime: equal strings are skip_prefix(a, b) pointing at a NUL; "KEY=value" matches key
// when it points at '='.
const char* skip_prefix(const char* s, const char* prefix);
// True if a and b hold the same characters.
inline bool same_string(const char* a, const char* b) {
  const char* rest = skip_prefix(a, b);
  return rest != nullptr && *rest == 0;
}

}  // namespace gort
