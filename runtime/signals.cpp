// Signal stacks and fault handlers; see runtime/signals.h.
//
// A fault report reads like Go's (signal_unix.go: sighandler, sigpanic, fatalsignal). The
// kernel says in si_code why it sent the signal, and si_addr means a fault address only when
// the kernel sent it for a fault:
//   nil dereference (SEGV_MAPERR or SEGV_ACCERR, fault address in the first page):
//     panic: runtime error: invalid memory address or nil pointer dereference
//     [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x401234]
//   other bad addresses, including a non-canonical one (the CPU raises a general protection
//   fault: si_code SI_KERNEL, 0x80, and no address):
//     unexpected fault address 0xdead0000
//     fatal error: fault
//     [signal SIGSEGV: segmentation violation code=0x1 addr=0xdead0000 pc=0x401234]
//   integer division by zero:  panic: runtime error: integer divide by zero
//   a fault signal sent by another process (kill -SEGV: si_code SI_USER, SI_TKILL or
//   SI_QUEUE, all <= 0; si_addr then holds the sender's pid and uid, not an address):
//     SIGSEGV: segmentation violation
//     PC=0x401234 m=0 sigcode=0 addr=0x...
//   anything else:             fatal error: unexpected signal
// followed by the goroutine header and frames (runtime/fatal.cpp), and exit status 2.
// SIGQUIT (kill -QUIT, Ctrl-\) prints "SIGQUIT: quit", the same PC line, and every
// goroutine, then exits with status 2 (Go's dump). SIGPIPE is ignored: a write to a closed
// pipe returns EPIPE, and writes to standard output or error then end the program by SIGPIPE
// as Go's do (die_from_signal, used by runtime/print.cpp and gort::os::write).
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
#include "scheduler.h"
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

constexpr int SEGV_MAPERR = 1;  // si_code: no mapping at the address
constexpr int SEGV_ACCERR = 2;  // si_code: a mapping without the needed permission
constexpr int SI_KERNEL = 0x80;  // si_code: sent by the kernel, no address (a non-canonical one, say)
constexpr int FPE_INTDIV = 1;  // si_code for integer divide by zero
constexpr int FPE_INTOVF = 2;  // si_code for integer overflow (INT_MIN / -1)
constexpr uintptr_t nil_page_limit = 0x1000;  // Go treats faults below this as nil dereferences

const SignalDescription& describe(int signal) {
  for (const SignalDescription& d : fault_signals)
    if (d.number == signal) return d;
  return fault_signals[0];
}

// A signal queued by kill, tgkill or sigqueue rather than raised by the kernel for a fault.
bool sent_by_process(const SignalInfo* info) { return info->code <= 0; }

// Go's fatalsignal: the signal's name, then where this thread was.
void print_signal_line(const char* name_and_meaning, int signal, const SignalInfo* info, const UserContext* uc) {
  print(name_and_meaning, "\nPC=", hex(signal_frame::pc(uc)), " m=", cpu::current_machine()->id, " sigcode=",
        int64_t(info->code));
  if (signal == sys::SIGSEGV || signal == sys::SIGBUS) print(" addr=", hex(info->address));
  print("\n");
}

// Runs on the signal stack. Never returns: a synchronous fault in gort is always fatal.
void fault_handler(int signal, SignalInfo* info, void* context) {
  auto* uc = static_cast<UserContext*>(context);
  Goroutine* g = cpu::current_goroutine();
  begin_crash();
  const SignalDescription& d = describe(signal);
  if (sent_by_process(info)) {  // not a fault of this program: no address to blame
    print(d.name, ": ");
    print_signal_line(d.meaning, signal, info, uc);
    finish_crash(g, signal_frame::pc(uc), signal_frame::fp(uc));
  }
  bool memory_fault = info->code == SEGV_MAPERR || info->code == SEGV_ACCERR;
  if ((signal == sys::SIGSEGV || signal == sys::SIGBUS) && info->code != SI_KERNEL &&
      is_stack_overflow_fault(g, info->address, signal_frame::sp(uc))) {
    print("runtime: stack overflow in code without a stack check (fault at ", hex(info->address), ")\n");
    print_stack_overflow_tail(g, signal_frame::sp(uc));
  } else if (signal == sys::SIGSEGV && memory_fault && info->address < nil_page_limit) {
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
  print("[signal ", d.name, ": ", d.meaning, " code=", hex(uint32_t(info->code)), " addr=", hex(info->address),
        " pc=", hex(signal_frame::pc(uc)), "]\n");
  finish_crash(g, signal_frame::pc(uc), signal_frame::fp(uc));
}

// SIGQUIT: every goroutine, then exit 2 (Go's dump). Runs on the signal stack of whichever
// thread the kernel chose. Other threads keep running meanwhile, so a parked goroutine's
// frames are read while it may start to move: the dump is a best effort, as Go's is for
// goroutines it cannot stop.
void quit_handler(int signal, SignalInfo* info, void* context) {
  auto* uc = static_cast<UserContext*>(context);
  Goroutine* g = cpu::current_goroutine();
  begin_crash();
  print("SIGQUIT: ");
  print_signal_line("quit", signal, info, uc);
  print_traceback(g, signal_frame::pc(uc), signal_frame::fp(uc));
  // The list only grows, and each record's next_in_all is written before it is published:
  // it can be walked without scheduler.all_lock, which the interrupted code may hold.
  for (Goroutine* other = __atomic_load_n(&scheduler.all_goroutines, __ATOMIC_ACQUIRE); other != nullptr;
       other = __atomic_load_n(&other->next_in_all, __ATOMIC_ACQUIRE)) {
    if (other == g || other->is_system) continue;
    GoroutineStatus status = GoroutineStatus(__atomic_load_n(reinterpret_cast<uint32_t*>(&other->status), __ATOMIC_ACQUIRE));
    if (status == GoroutineStatus::Dead || status == GoroutineStatus::Idle) continue;
    print_parked_traceback(other);
  }
  sys::exit_group(2);
}

}  // namespace

[[noreturn]] void die_from_signal(int signal) {
  sys::KernelSigaction action{};  // SIG_DFL
  action.flags = sys::SA_RESTORER;
  action.restorer = &signal_return_trampoline;
  sys::rt_sigaction(signal, &action, nullptr);
  uint64_t set = uint64_t(1) << (signal - 1);
  sys::rt_sigprocmask(sys::SIG_UNBLOCK, &set, nullptr);
  sys::tgkill(sys::getpid(), sys::gettid(), signal);
  sys::exit_group(2);  // not reached: the default action of the signals used here ends the process
}

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
  install_handler(sys::SIGQUIT, quit_handler, false);  // even if the launcher ignored it, as Go does
  // Ignored, so that a write to a closed pipe returns EPIPE (gort::os::write on other
  // descriptors reports it); print.cpp and os::write raise it again for fds 1 and 2.
  sys::KernelSigaction ignore{};
  ignore.handler = reinterpret_cast<void*>(1);  // SIG_IGN
  ignore.flags = sys::SA_RESTORER;
  ignore.restorer = &signal_return_trampoline;
  if (sys::rt_sigaction(sys::SIGPIPE, &ignore, nullptr) != 0) fatal("install_signal_handlers: cannot ignore SIGPIPE");
}

}  // namespace gort
