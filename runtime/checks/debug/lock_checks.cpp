// The debug build's lock checks; see lock_checks.h beside this file and runtime/lock_rank.h.
// Each Machine keeps the locks it holds, oldest first, in Machine::held_locks. Runs on any
// stack, in signal handlers too (the preemption handler takes stack_pool_lock); it takes no
// lock and allocates nothing. Before FS is set up nothing runs that takes a lock.
#include "lock_checks.h"

#include <stddef.h>

#include "../../../arch/amd64/cpu.h"
#include "../../fatal.h"
#include "../../machine.h"
#include "../../print.h"

namespace gort::lock_checks {

namespace {

constexpr uint32_t capacity = sizeof(Machine::held_locks) / sizeof(Machine::held_locks[0]);

[[noreturn]] void ordering_problem(const Machine* m, LockRank rank, const char* why) {
  print("runtime: lock ordering problem: acquiring ", lock_rank_name(rank), " ", why, "; held:\n");
  for (uint32_t i = 0; i < m->held_lock_count; i++)
    print("\t", i, " : ", lock_rank_name(LockRank(m->held_locks[i].rank)), " ", hex(uintptr_t(m->held_locks[i].lock)), "\n");
  fatal("lock ordering problem");
}

}  // namespace

void before_acquire(const void* lock, LockRank rank) {
  Machine* m = cpu::current_machine();
  if (m->dying != 0) return;  // a crash report may take what it needs
  for (uint32_t i = 0; i < m->held_lock_count; i++) {
    if (m->held_locks[i].lock == lock && m->held_locks[i].more == 0) ordering_problem(m, rank, "that this thread already holds");
    LockRank held = LockRank(m->held_locks[i].rank);
    if (held > rank || (held == rank && !lock_rank_may_repeat(rank))) ordering_problem(m, rank, "after a lock of later rank");
  }
}

void expect_none_held(const char* where) {
  Machine* m = cpu::current_machine();
  if (m->tls.locks_held == 0 || m->dying != 0) return;
  print("runtime: ", where, " with ", m->tls.locks_held, " runtime locks held; oldest: ",
        lock_rank_name(LockRank(m->held_locks[0].rank)), "\n");
  fatal("lock_checks: goroutine switch with a runtime lock held");
}

void acquired(const void* lock, LockRank rank) {
  Machine* m = cpu::current_machine();
  cpu::thread_local_add<offsetof(ThreadLocal, locks_held)>(1);
  if (lock_rank_may_repeat(rank)) {
    for (uint32_t i = 0; i < m->held_lock_count; i++) {
      if (LockRank(m->held_locks[i].rank) != rank) continue;
      m->held_locks[i].more++;
      return;
    }
  }
  if (m->held_lock_count == capacity) fatal("lock_checks: more locks held than held_locks records");
  m->held_locks[m->held_lock_count].lock = lock;
  m->held_locks[m->held_lock_count].rank = uint8_t(rank);
  m->held_locks[m->held_lock_count].more = 0;
  // Published after the entry: a signal handler on this thread sees a complete list.
  __atomic_store_n(&m->held_lock_count, m->held_lock_count + 1, __ATOMIC_RELAXED);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void released(const void* lock, LockRank) {
  Machine* m = cpu::current_machine();
  // By address; else the lock is one of a group of several of a rank that may repeat, which
  // share an entry recorded under the first one's address (the check cannot tell which).
  uint32_t found = m->held_lock_count;
  for (uint32_t i = m->held_lock_count; i-- > 0 && found == m->held_lock_count;)
    if (m->held_locks[i].lock == lock) found = i;
  for (uint32_t i = m->held_lock_count; i-- > 0 && found == m->held_lock_count;)
    if (m->held_locks[i].more > 0) found = i;
  if (found == m->held_lock_count) {
    if (m->dying != 0) return;
    print("runtime: unlock of ", hex(uintptr_t(lock)), ", a lock this thread does not hold\n");
    fatal("lock_checks: unlock of unlocked lock");
  }
  cpu::thread_local_add<offsetof(ThreadLocal, locks_held)>(-1);
  Machine::HeldLock& h = m->held_locks[found];
  if (h.more > 0) {  // one of several of its rank: the entry stays for the others
    h.more--;
    return;
  }
  for (uint32_t j = found; j + 1 < m->held_lock_count; j++) m->held_locks[j] = m->held_locks[j + 1];
  __atomic_store_n(&m->held_lock_count, m->held_lock_count - 1, __ATOMIC_RELAXED);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

}  // namespace gort::lock_checks
