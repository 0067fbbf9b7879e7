// Blocking system calls without blocking the scheduler; see runtime/blocking.cpp.
#pragma once
#include <stdint.h>

namespace gort {

struct Processor;

// Around a system call that may block (Go's entersyscall / exitsyscall). On a goroutine.
void enter_syscall();
void exit_syscall();
// Before a system call known to block: hands the Processor off at once (entersyscallblock).
void enter_blocking_syscall();

// Gives p to a Machine if there is work for it, else puts it on the idle list (Go's handoffp).
void hand_off_processor(Processor* p);

// sysmon: retakes Processors from Machines stuck in a system call for a whole round.
bool retake_from_syscalls(uint32_t* observed_tick);
// Processors sysmon has retaken from system calls, ever (white-box tests read it).
uint64_t syscall_retakes();

}  // namespace gort
