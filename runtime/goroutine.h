// Goroutine: the runtime's record of one goroutine (Go's g), and its stack bounds.
//
// The first fields are read by assembly and by the stack-check prologue; their offsets are
// generated into build/gen/offsets.inc by tools/asm_offsets.cpp, never written by hand.
// Invariant: stack_lo <= stack_guard <= stack_hi for a goroutine that may run; the stack
// grows down from stack_hi. The scheduler stack (Go's g0) of each Machine is a Goroutine
// too, so the same check works on it. Goroutine records are never freed: a finished one
// (Dead) goes to a free list with its stack and is reused by the next `go`.
// See docs/01-startup.md and docs/02-scheduler.md.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../arch/amd64/registers.h"
#include "stack.h"

namespace gort {

struct Machine;

// The states a goroutine moves through, numbered as Go numbers them (scheddetail prints the
// numbers). For each state: who owns the stack, and whether it is on a run queue.
enum class GoroutineStatus : uint32_t {
  Idle = 0,      // just allocated, never run; on no queue
  Runnable = 1,  // on exactly one run queue (or a runnext slot); saved_sp is valid; nobody runs it
  Running = 2,   // running on `machine`, which owns its stack; on no queue
  Syscall = 3,   // in a blocking system call, without a Processor
  Waiting = 4,   // parked; on no run queue; whoever readies it makes it Runnable
  Dead = 6,      // finished; on a free list (or being reused); its stack is kept
};

// Why a goroutine is Waiting; printed by scheddetail, as Go's waitReason strings.
enum class WaitReason : uint8_t {
  None,
  Semacquire,
  WaitGroupWait,
  MutexLock,
  RWMutexRLock,
  RWMutexLock,
  CondWait,
  ChanReceive,
  ChanSend,
  ChanReceiveNil,
  ChanSendNil,
  Select,
  SelectNoCases,
  Sleep,
  Preempted,
  IOWait,
  StaticInit,  // a function-local static's initialiser is running elsewhere (static_init.cpp)
  ForceGCIdle,  // the collector's forced-cycle goroutine, between cycles (collector.cpp)
  CleanupWait,  // the cleanup goroutine, with nothing queued (finalization.cpp)
  GCSweepWait,  // the background sweeper, with nothing to sweep (collector.cpp)
  GCWorkerIdle,  // a mark worker, between cycles or with no mark work (marker.cpp)
  GCCycleWait,   // gc::collect() waiting for a cycle to end (collector.cpp)
  Count
};
const char* wait_reason_text(WaitReason r);

struct Goroutine;

// A list of goroutines linked through next_in_queue, with O(1) push, pop and append
// (Go's gQueue). Used for the free lists of dead goroutines. Not thread-safe: its owner
// (a Processor's holder, or scheduler.lock) guards it.
struct GoroutineList {
  Goroutine* head = nullptr;
  Goroutine* tail = nullptr;
  int32_t count = 0;

  void push(Goroutine* g);
  Goroutine* pop();
  void append(GoroutineList& other);  // moves all of other to the end of this list
  // Keeps the first `keep` goroutines (touching only them) and moves the rest to `rest`.
  void split_after(int32_t keep, GoroutineList& rest);
};

// A goroutine's start: a type-erased callable stored at the top of its own stack.
using GoroutineEntry = void (*)(void* closure);

struct Goroutine {
  // --- Read by assembly and the stack check (offsets generated) ---
  uintptr_t stack_guard;  // sp below this means "enter morestack"
  uintptr_t stack_lo;     // lowest usable address of the stack
  uintptr_t stack_hi;     // one past the highest address; the stack grows down from here
  uintptr_t saved_sp;     // stack pointer saved by the context switch while not running:
                          // an arch::SwitchFrame is there (stopped_registers() below)

  // --- Identity and state. status changes only by the Machine that owns the goroutine
  // (running it, or holding the lock of the queue it waits on); read racily by schedtrace.
  uint64_t id;  // goid; 0 for scheduler stacks
  GoroutineStatus status;
  WaitReason wait_reason;  // kept after the goroutine is readied, as Go does
  bool is_system;          // a runtime goroutine: not counted by num_goroutine or deadlock
  Machine* machine;        // the Machine running it, or null

  // --- Queue links. A goroutine is on at most one queue at a time: a global run queue,
  // a free list, or a semaphore's waiters (which use their own records instead).
  Goroutine* next_in_queue;  // Go's schedlink
  Goroutine* next_in_all;    // the list of every goroutine ever made (never unlinked)

  // --- Start: set by `go`, read once by goroutine_main (scheduler.cpp) on the new stack.
  GoroutineEntry entry;
  void* closure;  // lives at the top of this goroutine's stack
  void (*destroy_closure)(void* closure);



  // --- Stack segments (runtime/stack.h). Changed only by the goroutine itself, or by the
  // scheduler while the goroutine is dead.
  StackSegment first_segment;  // kept for the record's whole life
  StackSegment* segment;       // the segment the stack pointer is in
  size_t stack_in_use;         // bytes of the segments from first_segment to segment

  // Set by another thread (sysmon, stop-the-world) to ask the goroutine to yield at its next
  // stack check; the guard is poisoned at the same time (stack_guard_preempt).
  uint32_t preempt_requested;
  // Set by the preemption signal handler when it put the register save on a new segment;
  // async_preempt_yield() leaves that segment again.
  bool async_preempt_segment;

  // LockOSThread: the Machine this goroutine must run on, and how many locks it holds
  // (Go's lockedm and lockedExt; calls nest). Changed only by the goroutine itself.
  Machine* locked_machine;
  uint32_t thread_lock_count;

  // --- The concurrent mark (runtime/marker.cpp).
  // (cycle << 1) | busy: the last mark cycle whose scan of this stack is done (busy 0) or
  // under way (busy 1). Claimed by compare-and-swap by whoever scans it (a mark worker, the
  // Machine about to run it, the goroutine itself back from a system call); a goroutine
  // never runs user code during a mark with its stack unscanned.
  uint32_t gc_scan_state;
  uint32_t gc_assist_cycle;   // the cycle gc_assist_credit belongs to; written by the goroutine
  int64_t gc_assist_credit;   // allocation bytes already paid for by its mark assists
};

// Where a goroutine that is not running keeps its stack pointer and registers, for a stack
// scan (the collector's; arch/amd64/registers.h draws the records). Fills *out and returns
// true for a goroutine that is Runnable or Waiting (its SwitchFrame at saved_sp; one stopped
// by async preemption also has every register in the PreemptFrame and XSAVE area above it,
// on the stack the scan covers) or in a system call (its SyscallContext). Returns false for
// a Running goroutine (its registers are in its thread), a Dead one, and an Idle one (no
// frame yet). The caller makes sure g stays stopped while it reads (a stopped world).
bool stopped_registers(const Goroutine* g, arch::StoppedRegisters* out);

// A stack guard no stack pointer is above: makes the next stack check enter the runtime.
constexpr uintptr_t stack_guard_preempt = ~uintptr_t(0) - 1313;

// Called by the stack check when preempt_requested is set: yields the processor.
void preempt_at_stack_check(Goroutine* g);

}  // namespace gort
