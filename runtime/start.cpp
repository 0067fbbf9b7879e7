// From _start to main: runtime_start is the first C++ that runs. It finishes what the
// assembly began (m0's real stack bounds), brings the subsystems up one by one, and starts
// the scheduler with the program's main as goroutine 1. When main returns, the process
// exits with its result, whatever other goroutines are doing (as in Go).
//
// Runs on m0's scheduler stack (Go's g0), which is the stack the kernel gave the process,
// with FS already pointing at m0 (asm/rt0.asm). Nothing here may run before its
// dependencies: the order below is the dependency order. Book: docs/01-startup.md.
#include "../arch/amd64/cpu.h"
#include "machine.h"
#include "subsystems.h"
#include "syscall.h"
#include "tunables.h"

extern "C" int main(int argc, char** argv);  // the user's program

namespace gort {

void run_static_constructors();  // runtime/cxx_support.cpp
void start_sysmon();             // runtime/sysmon.cpp

// m0 and its scheduler stack. Constant-initialised (no constructor runs), so _start can
// rely on tls.current and tls.machine before any C++ has executed.
extern "C" {
Goroutine runtime_g0 = {.status = GoroutineStatus::Running, .machine = &runtime_m0};
Machine runtime_m0 = {.tls = ThreadLocal{&runtime_g0, &runtime_m0, 0, nullptr, 0}, .g0 = &runtime_g0};
}

// The kernel grows the main thread's stack down to RLIMIT_STACK below the top of its
// mapping. _start assumed only 64 KiB; now that the strings' extent is known, give g0 the
// real range (capped, see tunables::max_g0_stack_bytes), keeping a page of slack.
static void set_m0_stack_bounds() {
  sys::Rlimit limit{};
  size_t bytes = tunables::max_g0_stack_bytes;
  if (sys::prlimit(sys::RLIMIT_STACK, &limit) == 0 && limit.current < bytes) bytes = limit.current;
  uintptr_t top = (process.aux.stack_top + 4095) & ~uintptr_t(4095);
  uintptr_t lo = top - bytes + 4096;
  if (lo < runtime_g0.stack_lo) {  // only ever widen what _start assumed
    runtime_g0.stack_lo = lo;
    refresh_stack_guard(&runtime_g0);  // g0 is current: its thread-local copy too
  }
}

// The body of goroutine 1 (Go's runtime.main).
static void main_goroutine() {
  scheduler.main_started = true;  // from now on `go` wakes idle Processors
  start_sysmon();                 // monitor thread: preemption requests, schedtrace (runtime/sysmon.cpp)
  start_helper_machine();         // with GOMAXPROCS > 1, a second thread, ready before main runs
  run_static_constructors();      // the program's global constructors, which may start goroutines
  int status = main(process.argc, process.argv);
  // Like Go: main returning ends the process at once, unless another goroutine is in the
  // middle of a panic or fatal error, whose report ends it with status 2 (Go's runtime.main
  // waits for a panic in progress the same way).
  if (crash_under_way())
    for (;;) sys::nanosleep(1000000000);
  sys::exit_group(status);
}

extern "C" [[noreturn]] void runtime_start(long argc, char** argv) {
  read_process_arguments(int(argc), argv);  // argc/argv/envp and auxv facts (page size, AT_RANDOM, vDSO)
  set_m0_stack_bounds();                  // m0's scheduler stack: real bounds from RLIMIT_STACK
  runtime_m0.tid = int32_t(sys::gettid());
  find_vdso_clock();                      // clock_gettime without a system call (runtime/vdso.cpp)
  record_start_time();                    // time zero for schedtrace
  read_godebug();                         // GODEBUG=... settings every later subsystem reads
  install_signal_stack(&runtime_m0);      // m0's alternate signal stack (page layer: os_alloc)
  install_signal_handlers();              // SIGSEGV/SIGBUS/SIGFPE/SIGILL -> Go-style report, exit 2
  init_async_preemption();                // SIGURG handler; XSAVE size from CPUID (runtime/preempt.cpp)
  allocator_init();                       // the heap arena and span map (runtime/heap.cpp)
  seed_first_machine();                   // m0's random numbers (work stealing) from AT_RANDOM
  scheduler_init();                       // GOMAXPROCS Processors; m0 takes Processor 0
  scheduler_start(main_goroutine);        // main becomes goroutine 1; m0 starts scheduling
}

}  // namespace gort
