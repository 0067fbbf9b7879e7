// Signal handling: each Machine's alternate signal stack, and the handlers for synchronous
// faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL), which report Go-style and exit with status 2;
// SIGQUIT dumps every goroutine and exits with status 2; SIGPIPE is ignored (EPIPE instead).
// Every other signal keeps its default action (SIGINT still kills by SIGINT).
// Handlers run on the signal stack (SA_ONSTACK), so a fault caused by a full goroutine or
// scheduler stack can still be reported. Book: docs/01-startup.md, "Signals".
#pragma once

namespace gort {

struct Machine;

// Allocates m's signal stack (tunables::signal_stack_bytes) and registers it with
// sigaltstack. Runs on m's own thread, before it can take a signal in runtime code.
void install_signal_stack(Machine* m);

// Installs the fault handlers and the SIGQUIT dump process-wide, and ignores SIGPIPE (so a
// write to a closed pipe returns EPIPE). Once, at start, on m0.
void install_signal_handlers();

// Ends the process by `signal` with its default action (Go's dieFromSignal): the exit status
// a shell sees is 128 + signal. Used for EPIPE on standard output and error (SIGPIPE, 141).
[[noreturn]] void die_from_signal(int signal);

// Installs handler for signal `number` as every gort handler runs: with siginfo, on the
// signal stack, returning through signal_return_trampoline; `restart`: interrupted system
// calls restart (SA_RESTART). The signal stays blocked while its handler runs. Fatal if the
// kernel refuses.
namespace signal_frame {
struct SignalInfo;  // arch/amd64/signal_frame.h
}
using SignalHandler = void (*)(int number, signal_frame::SignalInfo* info, void* context);
void install_handler(int number, SignalHandler handler, bool restart);

}  // namespace gort
