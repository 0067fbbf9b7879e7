// Arguments, environment and auxiliary vector; see runtime/environment.h.
#include "environment.h"

#include "syscall.h"

namespace gort {

ProcessArguments process;

static uintptr_t end_of_string(const char* s) {
  while (*s != 0) s++;
  return reinterpret_cast<uintptr_t>(s) + 1;
}

void read_process_arguments(int argc, char** argv) {
  process.argc = argc;
  process.argv = argv;
  process.envp = process.argv + process.argc + 1;  // past argv's NULL
  char** p = process.envp;
  while (*p != nullptr) p++;
  auto* aux = reinterpret_cast<uintptr_t*>(p + 1);  // past envp's NULL

  AuxiliaryFacts& facts = process.aux;
  facts.page_size = 4096;
  for (; aux[0] != sys::AT_NULL; aux += 2) {
    switch (aux[0]) {
      case sys::AT_PAGESZ: facts.page_size = aux[1]; break;
      case sys::AT_RANDOM: facts.random = reinterpret_cast<const uint8_t*>(aux[1]); break;
      case sys::AT_SYSINFO_EHDR: facts.vdso_base = aux[1]; break;
      case sys::AT_HWCAP: facts.hwcap = aux[1]; break;
    }
  }

  // The strings sit above everything else; the last of them ends near the top of the
  // stack mapping. m0's stack bounds are measured from there (runtime/start.cpp).
  uintptr_t top = reinterpret_cast<uintptr_t>(aux + 2);
  for (int i = 0; i < process.argc; i++) {
    uintptr_t end = end_of_string(process.argv[i]);
    if (end > top) top = end;
  }
  for (char** e = process.envp; *e != nullptr; e++) {
    uintptr_t end = end_of_string(*e);
    if (end > top) top = end;
  }
  facts.stack_top = top;
}

const char* getenv(const char* key) {
  if (key == nullptr || process.envp == nullptr) return nullptr;
  for (char** e = process.envp; *e != nullptr; e++) {
    const char* rest = skip_prefix(*e, key);
    if (rest != nullptr && *rest == '=') return rest + 1;
  }
  return nullptr;
}

const char* skip_prefix(const char* s, const char* prefix) {
  while (*prefix != 0) {
    if (*s != *prefix) return nullptr;
    s++, prefix++;
  }
  return s;
}

}  // namespace gort
