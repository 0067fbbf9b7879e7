// Blocking system calls without blocking the scheduler; see runtime/blocking.cpp.
#pragma once
#include <stdint.h>

extern "C" void save_syscall_context();  // asm/context.asm

namespace gort {

struct Processor;

namespace detail {
void begin_syscall();           // the Processor and goroutine bookkeeping of enter_syscall
void begin_blocking_syscall();  // and of enter_blocking_syscall
}  // namespace detail

// Around a system call that may block (Go's entersyscall / exitsyscall). On a goroutine.
// Both entries first record the caller's registers and stack pointer in its Machine's
// syscall_context (save_syscall_context, asm/context.asm; the record is
// arch::SyscallContext, arch/amd64/registers.h), where a stack scan finds them while the
// goroutine is in the kernel. Inline, so that the registers recorded are those of the code
// making the call (as Go's entersyscall records its caller's pc and sp).
__attribute__((always_inline)) inline void enter_syscall() {
  save_syscall_context();
  detail::begin_syscall();
}
void exit_syscall();
// Before a system call known to block: hands the Processor off at once (entersyscallblock).
__attribute__((always_inline)) inline void enter_blocking_syscall() {
  save_syscall_context();
  detail::begin_blocking_syscall();
}

// Gives p to a Machine if there is work for it, else puts it on the idle list (Go's handoffp).
void hand_off_processor(Processor* p);

// sysmon: retakes Processors from Machines stuck in a system call for a whole round.
bool retake_from_syscalls(uint32_t* observed_tick);
// Processors sysmon has retaken from system calls, ever (white-box tests read it).
uint64_t syscall_retakes();

}  // namespace gort
