// Generates the structure offsets and sizes that NASM code needs, from the C++ definitions.
//
// This file is compiled to assembly text only (never linked), with the runtime's own flags.
// Each CONSTANT line plants a marker "->NAME value" in that text; tools/gen_offsets.sh turns
// the markers into `%define NAME value` lines in build/gen/offsets.inc. So assembly can never
// disagree with a struct layout: change a struct, and the next build regenerates the offsets.
#include <stddef.h>

#include "../arch/amd64/registers.h"
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

  // The register record (arch/amd64/registers.h): a context switch's frame, the async
  // preemption frame and XSAVE area, and the state saved on entering a system call.
  OFFSET(SWITCH_MXCSR, arch::SwitchFrame, mxcsr);
  OFFSET(SWITCH_X87_CONTROL, arch::SwitchFrame, x87_control);
  OFFSET(SWITCH_R15, arch::SwitchFrame, r15);
  OFFSET(SWITCH_R14, arch::SwitchFrame, r14);
  OFFSET(SWITCH_R13, arch::SwitchFrame, r13);
  OFFSET(SWITCH_R12, arch::SwitchFrame, r12);
  OFFSET(SWITCH_RBX, arch::SwitchFrame, rbx);
  OFFSET(SWITCH_RBP, arch::SwitchFrame, rbp);
  OFFSET(SWITCH_RETURN_ADDRESS, arch::SwitchFrame, return_address);
  CONSTANT(SWITCH_FRAME_BYTES, sizeof(arch::SwitchFrame));
  OFFSET(PREEMPT_R15, arch::PreemptFrame, r15);
  OFFSET(PREEMPT_R14, arch::PreemptFrame, r14);
  OFFSET(PREEMPT_R13, arch::PreemptFrame, r13);
  OFFSET(PREEMPT_R12, arch::PreemptFrame, r12);
  OFFSET(PREEMPT_R11, arch::PreemptFrame, r11);
  OFFSET(PREEMPT_R10, arch::PreemptFrame, r10);
  OFFSET(PREEMPT_R9, arch::PreemptFrame, r9);
  OFFSET(PREEMPT_R8, arch::PreemptFrame, r8);
  OFFSET(PREEMPT_RBP, arch::PreemptFrame, rbp);
  OFFSET(PREEMPT_RDI, arch::PreemptFrame, rdi);
  OFFSET(PREEMPT_RSI, arch::PreemptFrame, rsi);
  OFFSET(PREEMPT_RDX, arch::PreemptFrame, rdx);
  OFFSET(PREEMPT_RCX, arch::PreemptFrame, rcx);
  OFFSET(PREEMPT_RBX, arch::PreemptFrame, rbx);
  OFFSET(PREEMPT_RAX, arch::PreemptFrame, rax);
  OFFSET(PREEMPT_RFLAGS, arch::PreemptFrame, rflags);
  CONSTANT(PREEMPT_INTERRUPTED_RIP, offsetof(arch::PreemptFrame, interrupted) + offsetof(arch::PreemptEntry, rip));
  CONSTANT(PREEMPT_INTERRUPTED_RSP, offsetof(arch::PreemptFrame, interrupted) + offsetof(arch::PreemptEntry, rsp));
  OFFSET(PREEMPT_ENTRY_RSP, arch::PreemptEntry, rsp);
  CONSTANT(PREEMPT_JUMP_SLOT_BELOW_SP, arch::preempt_jump_slot_below_sp);
  CONSTANT(XSAVE_HEADER_OFFSET, arch::xsave_header_offset);
  CONSTANT(XSAVE_HEADER_BYTES, arch::xsave_header_bytes);
  CONSTANT(XSAVE_ALIGNMENT, arch::xsave_alignment);
  OFFSET(SYSCALL_REGISTERS, arch::SyscallContext, registers);
  OFFSET(SYSCALL_SP, arch::SyscallContext, sp);
  OFFSET(RETURN_XMM0, arch::SegmentReturnFrame, xmm0);
  OFFSET(RETURN_XMM1, arch::SegmentReturnFrame, xmm1);
  OFFSET(RETURN_RDX, arch::SegmentReturnFrame, rdx);
  OFFSET(RETURN_RAX, arch::SegmentReturnFrame, rax);
  OFFSET(RETURN_RBP, arch::SegmentReturnFrame, rbp);
  OFFSET(RETURN_ADDRESS, arch::SegmentReturnFrame, return_address);
  CONSTANT(RETURN_FRAME_BYTES, sizeof(arch::SegmentReturnFrame));

  // Machine and its thread-local block (runtime/machine.h)
  OFFSET(TLS_CURRENT_G, ThreadLocal, current);
  OFFSET(TLS_MACHINE, ThreadLocal, machine);
  OFFSET(TLS_STACK_GUARD, ThreadLocal, stack_guard);
  OFFSET(M_TLS, Machine, tls);
  OFFSET(M_G0, Machine, g0);
  OFFSET(M_SYSCALL_CONTEXT, Machine, syscall_context);
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
