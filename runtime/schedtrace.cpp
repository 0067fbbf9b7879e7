// The scheduler trace (GODEBUG=schedtrace=N, scheddetail=1), in Go's exact line format so
// that course material and tools that read Go's output read ours. Printed by sysmon on its
// own stack under scheduler.lock; counters that other threads change are read racily, as
// Go reads them. Format: Go's schedtrace() in runtime/proc.go (needspinning is Go 1.21's).
//
//   SCHED 10ms: gomaxprocs=2 idleprocs=0 threads=4 spinningthreads=0 needspinning=0 idlethreads=1 runqueue=0 [3 4]
//
// With scheddetail=1 the bracket list is replaced by
//   " gcwaiting=0 nmidlelocked=0 stopwait=0 sysmonwait=0" and P, M and G lines follow.
#include "print.h"
#include "scheduler.h"
#include "time.h"

namespace gort {

namespace {

int64_t machine_id(const Machine* m) { return m != nullptr ? m->id : -1; }
int64_t processor_id(const Processor* p) { return p != nullptr ? p->id : -1; }
int64_t goroutine_id(const Goroutine* g) { return g != nullptr ? int64_t(g->id) : -1; }

}  // namespace

void print_schedtrace(bool detail) {
  LockGuard guard(scheduler.lock);
  int32_t procs = scheduler.gomaxprocs;
  Writer w(stderr_fd, Writer::FloatStyle::GoBuiltin);
  w.all("SCHED ", nanotime_since_start() / 1000000, "ms: gomaxprocs=", procs,
        " idleprocs=", scheduler.idle_processor_count, " threads=", scheduler.machine_count,
        " spinningthreads=", __atomic_load_n(&scheduler.spinning_machines, __ATOMIC_RELAXED),
        " needspinning=0",  // Go's field; gort's spinners are capped, never requested
        " idlethreads=", scheduler.idle_machine_count, " runqueue=", scheduler.queue_size);
  if (!detail) {
    for (int32_t i = 0; i < procs; i++) w.all(i == 0 ? " [" : " ", run_queue_length(scheduler.processors[i]));
    w.all("]\n");
    return;
  }
  w.all(" gcwaiting=", __atomic_load_n(&scheduler.stop_requested, __ATOMIC_RELAXED), " nmidlelocked=", scheduler.idle_locked_count, " stopwait=",
        scheduler.stop_wait, " sysmonwait=0\n");
  for (int32_t i = 0; i < procs; i++) {
    Processor* p = scheduler.processors[i];
    w.all("  P", i, ": status=", uint32_t(p->status), " schedtick=", p->schedule_tick,
          " syscalltick=", p->syscall_tick, " m=", machine_id(p->machine), " runqsize=", run_queue_length(p),
          " gfreecnt=", p->free_goroutines.count, " timerslen=", __atomic_load_n(&p->timer_count, __ATOMIC_RELAXED), "\n");
  }
  for (Machine* m = scheduler.all_machines; m != nullptr; m = m->next_all) {
    w.all("  M", m->id, ": p=", processor_id(m->processor), " curg=", goroutine_id(m->current_goroutine),
          " mallocing=0 throwing=", m->dying, " preemptoff= locks=0 dying=", m->dying,
          " spinning=", m->spinning, " blocked=", m->idle, " lockedg=", goroutine_id(m->locked_goroutine), "\n");
  }
  LockGuard all(scheduler.all_lock);
  for (Goroutine* g = scheduler.all_goroutines; g != nullptr; g = g->next_in_all) {
    w.all("  G", g->id, ": status=", uint32_t(g->status), "(", wait_reason_text(g->wait_reason),
          ") m=", machine_id(g->machine), " lockedm=", machine_id(g->locked_machine), "\n");
  }
}

}  // namespace gort
