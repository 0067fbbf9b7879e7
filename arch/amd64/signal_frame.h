// The kernel's layout of the data a SA_SIGINFO handler receives on x86-64: siginfo_t and
// ucontext_t with its mcontext register array (uapi asm/sigcontext.h, asm-generic/siginfo.h).
// Portable code reads the faulting pc, sp and address only through these accessors.
#pragma once
#include <stdint.h>

namespace gort::signal_frame {

struct SignalInfo {
  int32_t signo;
  int32_t error_number;
  int32_t code;
  int32_t padding;
  uintptr_t address;  // si_addr for SIGSEGV/SIGBUS/SIGFPE/SIGILL
  uint8_t rest[128 - 24];
};
static_assert(sizeof(SignalInfo) == 128);

// mcontext general registers, in the kernel's order (REG_R8 = 0 ... REG_CR2 = 22).
enum Register { R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, EFLAGS,
                CSGSFS, ERR, TRAPNO, OLDMASK, CR2, REGISTER_COUNT };

struct UserContext {
  uint64_t flags;
  UserContext* link;
  void* stack_base;  // uc_stack (stack_t)
  int32_t stack_flags;
  uint64_t stack_size;
  uint64_t registers[REGISTER_COUNT];  // uc_mcontext.gregs
  void* fpstate;                       // uc_mcontext.fpregs: the XSAVE area, on the signal stack
  uint64_t reserved[8];
  uint64_t signal_mask;  // uc_sigmask
};

inline uintptr_t pc(const UserContext* uc) { return uc->registers[RIP]; }
inline uintptr_t sp(const UserContext* uc) { return uc->registers[RSP]; }
inline uintptr_t fp(const UserContext* uc) { return uc->registers[RBP]; }

}  // namespace gort::signal_frame
