// Signal stacks and fault handlers; see runtime/signals.h.
//
// A fault report reads like Go's:
//   nil dereference (fault address in the first page):
//     panic: runtime error: invalid memory address or nil pointer dereference
//     [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x401234]
//   other bad addresses:
//     unexpected fault address 0xdead0000
//     fatal error: fault
//     [signal SIGSEGV: segmentation violation code=0x1 addr=0xdead0000 pc=0x401234]
//   integer division by zero:  panic: runtime error: integer divide by zero
//   anything else:             fatal error: unexpected signal
// followed by the goroutine header and frames (runtime/fatal.cpp), and exit status 2.
// The handler runs on the signal stack with the faulting signal blocked.
#include "signals.h"

#include "goroutine.h"

#include "../arch/amd64/signal_frame.h"
#include "../arch/amd64/cpu.h"
#include "environment.h"
#include "fatal.h"
#include "machine.h"
#include "os_memory.h"
#include "print.h"
#include "syscall.h"
#include "tunables.h"

extern "C" void signal_return_trampoline();  // asm/signal.asm

namespace gort {

namespace {

using signal_frame::SignalInfo;
using signal_frame::UserContext;

struct SignalDescription {
  int number;
  const char* name;
  const char* meaning;
};

constexpr SignalDescription fault_signals[] = {
    {sys::SIGSEGV, "SIGSEGV", "segmentation violation"},
    {sys::SIGBUS, "SIGBUS", "bus error"},
    {sys::SIGFPE, "SIGFPE", "floating-point exception"},
    {sys::SIGILL, "SIGILL", "illegal instruction"},
};

constexpr int FPE_INTDIV = 1;  // si_code for integer divide by zero
constexpr int FPE_INTOVF = 2;  // si_code for integer overflow (INT_MIN / -1)
constexpr uintptr_t nil_page_limit = 0x1000;  // Go treats faults below this as nil dereferences

const SignalDescription& describe(int signal) {
  for (const SignalDescription& d : fault_signals)
    if (d.number == signal) return d;
  return fault_signals[0];
}

// Runs on the signal stack. Never returns: a synchronous fault in gort is always fatal.
void fault_handler(int signal, SignalInfo* info, void* context) {
  auto* uc = static_cast<UserContext*>(context);
  Goroutine* g = cpu::current_goroutine();
  begin_crash();
  if ((signal == sys::SIGSEGV || signal == sys::SIGBUS) && is_stack_overflow_fault(g, info->address, signal_frame::sp(uc))) {
    print("runtime: stack overflow in code without a stack check (fault at ", hex(info->address), ")\n");
    print_stack_overflow_tail(g, signal_frame::sp(uc));
  } else if (signal == sys::SIGSEGV && info->address < nil_page_limit) {
    print("panic: runtime error: invalid memory address or nil pointer dereference\n");
  } else if (signal == sys::SIGSEGV || signal == sys::SIGBUS) {
    print("unexpected fault address ", hex(info->address), "\nfatal error: fault\n");
  } else if (signal == sys::SIGFPE && info->code == FPE_INTDIV) {
    print("panic: runtime error: integer divide by zero\n");
  } else if (signal == sys::SIGFPE && info->code == FPE_INTOVF) {
    print("panic: runtime error: integer overflow\n");
  } else {
    print("fatal error: unexpected signal\n");
  }
  const SignalDescription& d = describe(signal);
  print("[signal ", d.name, ": ", d.meaning, " code=", hex(uint32_t(info->code)), " addr=", hex(info->address),
        " pc=", hex(signal_frame::pc(uc)), "]\n");
  finish_crash(g, signal_frame::pc(uc), signal_frame::fp(uc));
}

}  // namespace

void install_signal_stack(Machine* m) {
  // With an inaccessible page below it: a handler that overflows the signal stack faults
  // (the kernel then kills the process with SIGSEGV) instead of writing below it.
  size_t page = process.aux.page_size;
  auto* region = static_cast<uint8_t*>(os_alloc(page + tunables::signal_stack_bytes));
  sys::mprotect(region, page, sys::PROT_NONE);
  void* stack = region + page;
  sys::SignalStack ss{stack, 0, tunables::signal_stack_bytes};
  if (sys::sigaltstack(&ss, nullptr) != 0) fatal("install_signal_stack: sigaltstack failed");
  m->signal_stack_lo = reinterpret_cast<uintptr_t>(stack);
  m->signal_stack_size = tunables::signal_stack_bytes;
}

void install_handler(int number, SignalHandler handler, bool restart) {
  sys::KernelSigaction action{};
  action.handler = reinterpret_cast<void*>(handler);
  action.flags = sys::SA_SIGINFO | sys::SA_ONSTACK | sys::SA_RESTORER | (restart ? sys::SA_RESTART : 0);
  action.restorer = &signal_return_trampoline;
  action.mask = 0;  // the signal itself stays blocked while its handler runs
  if (sys::rt_sigaction(number, &action, nullptr) != 0) fatal("install_handler: rt_sigaction failed");
}

void install_signal_handlers() {
  for (const SignalDescription& d : fault_signals) install_handler(d.number, fault_handler, false);
}

}  // namespace gort
