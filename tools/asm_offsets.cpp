// Generates the structure offsets and sizes that NASM code needs, from the C++ definitions.
//
// This file is compiled to assembly text only (never linked), with the runtime's own flags.
// Each CONSTANT line plants a marker "->NAME value" in that text; tools/gen_offsets.sh turns
// the markers into `%define NAME value` lines in build/gen/offsets.inc. So assembly can never
// disagree with a struct layout: change a struct, and the next build regenerates the offsets.
#include <stddef.h>

#include "../runtime/machine.h"
#include "../runtime/tunables.h"
#include "../arch/amd64/syscall_numbers.h"

#define CONSTANT(name, value) asm volatile("\n.ascii \"->" #name " %c0\"" ::"i"((long)(value)))
#define OFFSET(name, type, field) CONSTANT(name, offsetof(type, field))

using namespace gort;

void generate_offsets() {
  // Goroutine (runtime/goroutine.h)
  OFFSET(G_STACK_GUARD, Goroutine, stack_guard);
  OFFSET(G_STACK_LO, Goroutine, stack_lo);
  OFFSET(G_STACK_HI, Goroutine, stack_hi);
  OFFSET(G_SAVED_SP, Goroutine, saved_sp);

  // Machine and its thread-local block (runtime/machine.h)
  OFFSET(TLS_CURRENT_G, ThreadLocal, current);
  OFFSET(TLS_MACHINE, ThreadLocal, machine);
  OFFSET(TLS_STACK_GUARD, ThreadLocal, stack_guard);
  OFFSET(M_TLS, Machine, tls);
  OFFSET(M_G0, Machine, g0);
  OFFSET(M_SCHEDULER_SP, Machine, scheduler_sp);

  // Tunables that assembly uses
  CONSTANT(STACK_GUARD_BYTES, tunables::stack_guard_bytes);
  CONSTANT(INITIAL_G0_STACK_BYTES, tunables::initial_g0_stack_bytes);

  // System call numbers and flags used directly from assembly (arch/amd64/syscall_numbers.h)
  CONSTANT(SYS_ARCH_PRCTL, sys::SYS_arch_prctl);
  CONSTANT(SYS_RT_SIGRETURN, sys::SYS_rt_sigreturn);
  CONSTANT(SYS_EXIT_GROUP, sys::SYS_exit_group);
  CONSTANT(SYS_CLONE, sys::SYS_clone);
  CONSTANT(ARCH_SET_FS, sys::ARCH_SET_FS);
}
