// sysmon: the monitor thread (Go's sysmon). It runs on its own Machine without a Processor,
// so it keeps running whatever goroutines do. Today it prints the scheduler trace
// (GODEBUG=schedtrace=N); the stacks/preemption issue adds retaking Processors from system
// calls and preempting long-running goroutines.
//
// Sleep policy: 20 us while the program is busy, doubling up to 10 ms once it has been idle,
// as Go does, so an idle program costs almost nothing.
#include "../arch/amd64/cpu.h"
#include "godebug.h"
#include "scheduler.h"
#include "syscall.h"
#include "time.h"

namespace gort {

namespace {

constexpr int64_t min_sleep_ns = 20 * 1000;
constexpr int64_t max_sleep_ns = 10 * 1000 * 1000;

[[noreturn]] void sysmon_main() {
  int64_t trace_period = int64_t(debug.schedtrace) * 1000000;
  int64_t next_trace = 0;
  int64_t sleep_ns = min_sleep_ns;
  for (;;) {
    int64_t now = nanotime_since_start();
    if (trace_period > 0 && now >= next_trace) {
      print_schedtrace(debug.scheddetail > 0);
      next_trace = now + trace_period;
    }
    // Busy when every Processor is in use; otherwise back off.
    bool idle = __atomic_load_n(&scheduler.idle_processor_count, __ATOMIC_ACQUIRE) > 0;
    sleep_ns = idle ? (sleep_ns * 2 > max_sleep_ns ? max_sleep_ns : sleep_ns * 2) : min_sleep_ns;
    int64_t until_trace = trace_period > 0 ? next_trace - nanotime_since_start() : sleep_ns;
    sys::nanosleep(until_trace > 0 && until_trace < sleep_ns ? until_trace : sleep_ns);
  }
}

}  // namespace

void start_sysmon() {
  if (debug.schedtrace <= 0) return;  // nothing for it to do yet without schedtrace
  new_machine(sysmon_main, nullptr, false);
}

}  // namespace gort
