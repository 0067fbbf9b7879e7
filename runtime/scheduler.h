// The scheduler: how goroutines (G) are multiplexed onto OS threads (Machines, M) that hold
// Processors (P). Go's proc.go is the reference; names of Go's functions are given where
// ours differ so readers can cross-reference. Book: docs/02-scheduler.md.
//
// The model in four rules:
//   1. A goroutine runs only on a Machine that holds a Processor.
//   2. Each Processor has a local run queue; there is also one global queue.
//   3. A Machine with nothing to run steals half of another Processor's queue; if it still
//      finds nothing it releases its Processor and sleeps on its Note.
//   4. Readying a goroutine while a Processor is idle and no Machine is spinning (looking
//      for work) wakes a Machine (wake_processor, Go's wakep), so idle Processors do not
//      stay idle while there is work, and at most a few Machines spin at once.
//
// Lock order: runtime/lock_rank.h and docs/locking.md (scheduler.lock comes after the world
// and Cond locks, before every other). RuntimeLocks are never held across a goroutine switch, except that
// park() may hand one to the scheduler stack to release after the goroutine is off its stack.
#pragma once
#include <stdint.h>

#include "goroutine.h"
#include "lock.h"
#include "machine.h"
#include "note.h"
#include "processor.h"

namespace gort {

constexpr int max_processors = 256;

struct GlobalQueueBlock {
  static constexpr uint32_t capacity = 128;
  GlobalQueueBlock* next;
  uint32_t head, tail;  // items[head, tail) are queued
  Goroutine* items[capacity];
};

struct Scheduler {
  RankedLock<LockRank::Scheduler> lock;  // guards everything below marked (L)

  // --- Machines ---
  Machine* idle_machines;  // (L) sleeping on their Note, waiting for a Processor
  int32_t idle_machine_count;  // (L)
  int32_t idle_locked_count;   // (L) Machines sleeping until their locked goroutine is runnable
  Machine* all_machines;   // (L) every Machine, newest first
  int32_t machine_count;   // (L) Machines created (threads)
  int32_t system_machines; // (L) Machines that never run goroutines (sysmon)
  int64_t next_machine_id; // (L)
  uint32_t spinning_machines;  // atomic: Machines looking for work (Go's nmspinning)

  // --- Processors ---
  Processor* processors[max_processors];  // (L to change) index = id; never freed
  int32_t gomaxprocs;                      // atomic read, (L) + stopped world to change
  Processor* idle_processors;              // (L)
  uint32_t idle_processor_count;           // atomic read, (L) to change (Go's npidle)

  // --- Global run queue and free goroutines ---
  // The global queue is a list of blocks of goroutine pointers rather than a list linked
  // through the goroutines: moving a batch in or out then touches no goroutine record, which
  // would be a cache miss per goroutine when another CPU last ran it.
  GlobalQueueBlock* queue_first;  // (L) oldest block; taken from its `head`
  GlobalQueueBlock* queue_last;   // (L) newest block; appended at its `tail`
  GlobalQueueBlock* spare_blocks; // (L) emptied blocks for reuse
  uint32_t queue_size;    // atomic read, (L) to change
  GoroutineList free_goroutines;  // (L) dead goroutines spilled from Processors; count read racily

  // --- Every goroutine ever made ---
  RankedLock<LockRank::AllGoroutines> all_lock;  // guards all_goroutines; taken after scheduler.lock if both
  Goroutine* all_goroutines;  // oldest first, as Go lists them
  Goroutine* all_goroutines_tail;
  uint32_t all_count;         // atomic read
  uint64_t goroutine_id_generator;  // atomic

  // --- Stopping the world ---
  uint32_t stop_requested;  // atomic: Machines must park their Processors (Go's gcwaiting)
  int32_t stop_wait;        // (L) Processors still to stop
  Note stop_note;           // woken when stop_wait reaches 0

  bool main_started;  // set once main's goroutine runs; before it, `go` does not wake Machines
};

extern Scheduler scheduler;

// --- Start-up (runtime/start.cpp calls these, in order) ---
void scheduler_init();                        // Processors from GOMAXPROCS, m0's seed
[[noreturn]] void scheduler_start(void (*main_function)());  // runs main as goroutine 1 on m0

// --- Goroutines (runtime/goroutine.cpp) ---
Goroutine* new_goroutine(GoroutineEntry entry);
void* allocate_closure(Goroutine* g, size_t bytes, size_t align);  // at the top of g's stack
void start_goroutine(Goroutine* g);  // make it runnable on the current Processor (Go's newproc tail)
void free_goroutine(Processor* p, Goroutine* g);
int32_t count_goroutines();  // user goroutines that are not dead (Go's gcount)
extern int32_t system_goroutine_count;  // atomic: is_system goroutines, which never end

// --- Parking (runtime/scheduler.cpp) ---
// Blocks the current goroutine. On the scheduler stack, after the goroutine is off its
// stack, commit(g, arg) runs (if not null). Used to release a lock only once the goroutine
// can safely be readied by someone else.
void park(WaitReason reason, void (*commit)(Goroutine*, void*), void* arg);
// A commit for park(): releases the RuntimeLock `lock` points to.
void unlock_runtime_lock(Goroutine*, void* lock);
// Makes a parked goroutine runnable on the current Processor, to run next (Go's goready).
void ready(Goroutine* g);
// Yields the Processor; the goroutine goes to the back of the local queue.
void yield_processor();
// Yields the Processor; the goroutine goes to the back of the global queue, behind everything
// runnable anywhere (what a preempted goroutine does, Go's gopreempt_m).
void yield_to_global_queue();

// --- Machines (runtime/machine.cpp) ---
void start_machine(Processor* p, bool spinning);  // wake an idle Machine or create one (Go's startm)
void wake_processor();                            // Go's wakep
void stop_machine();                              // park this Machine until handed a Processor (Go's stopm)
// A new thread (Go's newm): runs start() if given (a system Machine, without a Processor),
// else schedules on p. `spinning`: it was counted in spinning_machines by the caller.
Machine* new_machine(void (*start)(), Processor* p, bool spinning);
void seed_first_machine();
void start_helper_machine();  // GOMAXPROCS > 1: a second thread that has run before main starts

// --- Processors (runtime/processor.cpp) ---
Processor* idle_processor_get();        // caller holds scheduler.lock (Go's pidleget)
bool take_idle_processor(Processor* p);  // caller holds scheduler.lock: p off the idle list, if on it
void idle_processor_put(Processor* p);  // caller holds scheduler.lock (Go's pidleput)
void acquire_processor(Processor* p);   // Go's acquirep
Processor* release_processor();         // Go's releasep
int32_t set_gomaxprocs(int32_t n);      // stops the world (runtime/world.h); returns the old value
// p stops for a pending stop-the-world; the last one wakes the stopper. Caller holds
// scheduler.lock.
void processor_stopped_locked(Processor* p);

// --- Wiring goroutines to threads (runtime/scheduler.cpp; Go's LockOSThread) ---
void lock_os_thread();
void unlock_os_thread();

// --- The scheduling loop (runtime/scheduler.cpp) ---
[[noreturn]] void schedule();
// On the scheduler stack: run g, which is Runnable and on no queue, on this Machine, which
// holds a Processor (Go's execute).
[[noreturn]] void execute(Goroutine* g, bool inherit_time);
// On the scheduler stack of a Machine wired to a goroutine that is not running (Go's
// stoplockedm): hands off the Processor, counts the Machine in idle_locked_count and sleeps
// until a Machine that found the goroutine runnable hands over a Processor (Go's
// startlockedm, in schedule()). Returns holding it; the caller then executes the goroutine.
// The only way a wired Machine sleeps: it is never on the idle list, so nobody else wakes it.
void stop_locked_machine();
void check_deadlock();  // caller holds scheduler.lock (Go's checkdead)

// --- Diagnostics (runtime/schedtrace.cpp) ---
void print_schedtrace(bool detail);

}  // namespace gort
