// sysmon: the monitor thread (Go's sysmon). It runs on its own Machine without a Processor,
// so it keeps running whatever goroutines do. Each round it:
//   1. prints the scheduler trace when GODEBUG=schedtrace=N asks for it;
//   2. once the collector is in use, lets it start a forced cycle when none ran for two
//      minutes (forced_collection_check, runtime/collector.cpp);
//   3. asks goroutines that have run for more than 10 ms without yielding to yield
//      (Go's retake/preemptone): it sets the goroutine's preempt_requested flag and poisons
//      its stack guard, so the next GORT_STACK_CHECK enters the runtime and yields.
// Sleep policy: 20 us after a round that retook a Processor from a system call, doubling up to
// 10 ms once 50 rounds in a row found none to retake (Go also counts preemptions as activity),
// and never longer than the time slice (tests shorten it to get many preemptions quickly).
// While the world is stopped (runtime/world.h) sysmon starts no round: it neither preempts nor
// retakes nor scavenges until the world starts again.
#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "blocking.h"
#include "godebug.h"
#include "preempt.h"
#include "scheduler.h"
#include "syscall.h"
#include "time.h"
#include "timer.h"
#include "world.h"

namespace gort {

namespace {

constexpr int64_t min_sleep_ns = 20 * 1000;
constexpr int64_t max_sleep_ns = 10 * 1000 * 1000;
int64_t time_slice_ns = 10 * 1000 * 1000;  // Go's forcePreemptNS; tests may shorten it
constexpr int idle_rounds_before_backoff = 50;        // Go's: 1 ms of 20 us sleeps

// What sysmon saw of each Processor last time (Go's sysmontick). Only sysmon touches it.
struct Observation {
  uint32_t schedule_tick;
  int64_t since;
  bool asked;  // a preemption was requested since schedule_tick last moved
};
Observation observed[max_processors];
uint32_t observed_syscall_tick[max_processors];
uint64_t slices_ended = 0;  // atomic statistic: see sysmon_slices_ended()
uint64_t rounds = 0;             // atomic statistic: see sysmon_round_count()
int64_t forced_period_ns = int64_t(120) * 1000 * 1000 * 1000;  // Go's forcegcperiod; tests may shorten it

// Asks the goroutine running on p to yield: at its next stack check, or at once through the
// preemption signal if it runs code without checks.
void preempt_processor(Processor* p) {
  Machine* m = __atomic_load_n(&p->machine, __ATOMIC_ACQUIRE);
  if (m == nullptr) return;
  Goroutine* g = __atomic_load_n(&m->current_goroutine, __ATOMIC_ACQUIRE);
  if (g == nullptr) return;
  request_preemption(g, m);
}

// Asks every goroutine that has been running for a whole time slice to yield.
void preempt_long_running(int64_t now) {
  int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  for (int32_t i = 0; i < count; i++) {
    Processor* p = scheduler.processors[i];
    Observation& seen = observed[i];
    uint32_t tick = __atomic_load_n(&p->schedule_tick, __ATOMIC_RELAXED);
    if (p->status != ProcessorStatus::Running || tick != seen.schedule_tick) {
      seen.schedule_tick = tick;
      seen.since = now;
      seen.asked = false;
      continue;
    }
    if (now - seen.since >= __atomic_load_n(&time_slice_ns, __ATOMIC_RELAXED)) {
      preempt_processor(p);
      // A slice ends once, however often it is asked again: a thread the kernel has not run
      // since the first request cannot have yielded, and must not make a slice look longer.
      if (!seen.asked) __atomic_add_fetch(&slices_ended, 1, __ATOMIC_RELAXED);
      seen.asked = true;
      seen.since = now;  // ask again after another slice if it has not yielded
    }
  }
}

// sysmon sleeps on this futex word; add_timer kicks it when a new timer is due before the
// time sysmon planned to wake.
uint32_t sysmon_kick = 0;
int64_t sysmon_wake_at = 0;  // atomic: nanotime sysmon plans to wake at

// Idle Processors whose timers are due go to a Machine, which runs them (run_timers) the
// moment it enters the scheduler.
void wake_processors_with_due_timers(int64_t now) {
  int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  for (int32_t i = 0; i < count; i++) {
    Processor* p = scheduler.processors[i];
    if (__atomic_load_n(&p->next_timer, __ATOMIC_ACQUIRE) > now) continue;
    bool taken;
    {
      LockGuard guard(scheduler.lock);
      taken = !__atomic_load_n(&scheduler.stop_requested, __ATOMIC_ACQUIRE) && take_idle_processor(p);
    }
    if (taken) start_machine(p, false);
  }
}

[[noreturn]] void sysmon_main() {
  int64_t trace_period = int64_t(debug.schedtrace) * 1000000;
  int64_t next_trace = trace_period;  // start_sysmon printed the line for 0 ms
  int64_t sleep_ns = min_sleep_ns;
  int idle_rounds = 0;
  int64_t next_scavenge = 1000 * 1000 * 1000;
  for (;;) {
    wait_while_world_stopped();
    __atomic_add_fetch(&rounds, 1, __ATOMIC_RELAXED);
    int64_t now = nanotime_since_start();
    if (trace_period > 0 && now >= next_trace) {
      print_schedtrace(debug.scheddetail > 0);
      next_trace = now + trace_period;
    }
    // As in Go, "idle" means sysmon found nothing to do this round, however busy the
    // program is: a program whose goroutines yield on their own costs sysmon 100 wakeups
    // a second, not 50,000.
    if (now >= next_scavenge) {  // about once a second: give unused heap memory back
      scavenge_in_background();
      next_scavenge = now + 1000 * 1000 * 1000;
    }
    // Only retaking Processors from system calls resets sysmon to its fastest polling (that
    // is where latency matters: a Processor idles until retaken). Preempting a long-running
    // goroutine does not: it recurs every time slice in a CPU-bound program, and polling
    // every 20 us after each one took a measurable share of a 2-CPU machine.
    if (void (*check)() = __atomic_load_n(&forced_collection_check, __ATOMIC_ACQUIRE)) check();
    preempt_long_running(now);
    bool acted = retake_from_syscalls(observed_syscall_tick);
    idle_rounds = acted ? 0 : idle_rounds + 1;
    if (idle_rounds > idle_rounds_before_backoff) sleep_ns = sleep_ns * 2 > max_sleep_ns ? max_sleep_ns : sleep_ns * 2;
    else sleep_ns = min_sleep_ns;
    int64_t slice = __atomic_load_n(&time_slice_ns, __ATOMIC_RELAXED);
    if (sleep_ns > slice) sleep_ns = slice > min_sleep_ns ? slice : min_sleep_ns;
    int64_t clock = nanotime();
    wake_processors_with_due_timers(clock);
    int64_t sleep_for = sleep_ns;
    int64_t until_trace = trace_period > 0 ? next_trace - nanotime_since_start() : sleep_ns;
    if (until_trace > 0 && until_trace < sleep_for) sleep_for = until_trace;
    int64_t until_timer = earliest_timer() - clock;
    if (until_timer < sleep_for) sleep_for = until_timer > 0 ? until_timer : 0;
    uint32_t kick = __atomic_load_n(&sysmon_kick, __ATOMIC_ACQUIRE);
    __atomic_store_n(&sysmon_wake_at, clock + sleep_for, __ATOMIC_RELEASE);
    if (sleep_for > 0) sys::futex_wait(&sysmon_kick, kick, sleep_for);
  }
}

}  // namespace

void timer_added_wake_sysmon(int64_t when) {
  if (when >= __atomic_load_n(&sysmon_wake_at, __ATOMIC_ACQUIRE)) return;
  __atomic_add_fetch(&sysmon_kick, 1, __ATOMIC_RELEASE);
  sys::futex_wake(&sysmon_kick, 1);
}

void (*forced_collection_check)() = nullptr;

int64_t forced_collection_period_ns() { return __atomic_load_n(&forced_period_ns, __ATOMIC_RELAXED); }

void set_forced_collection_period(int64_t nanoseconds) { __atomic_store_n(&forced_period_ns, nanoseconds, __ATOMIC_RELAXED); }

uint64_t sysmon_round_count() { return __atomic_load_n(&rounds, __ATOMIC_RELAXED); }

uint64_t sysmon_slices_ended() { return __atomic_load_n(&slices_ended, __ATOMIC_RELAXED); }

void set_preemption_time_slice(int64_t nanoseconds) { __atomic_store_n(&time_slice_ns, nanoseconds, __ATOMIC_RELAXED); }

void start_sysmon() {
  // The first trace line ("SCHED 0ms") is printed here, by the goroutine starting sysmon:
  // a new thread may wait several milliseconds for its first turn on a CPU.
  if (debug.schedtrace > 0) print_schedtrace(debug.scheddetail > 0);
  new_machine(sysmon_main, nullptr, false);
}

}  // namespace gort
