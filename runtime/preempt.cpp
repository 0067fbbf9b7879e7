// Asynchronous preemption (Go's preemptM, doSigPreempt, asyncPreempt).
//
// A goroutine in a loop without calls never reaches a stack check, so sysmon's request
// (preempt_requested plus a poisoned guard) alone cannot stop it. sysmon therefore also sends
// SIGURG to the goroutine's thread (SIGURG, as Go: ignored by default, so no program relies
// on it). The handler, on the thread's signal stack:
//   1. checks the goroutine is at a safe point: preemption still requested, the pc in the
//      program's code and not in the runtime (runtime code may hold locks; gort.ld brackets
//      it between gort_text_start and gort_text_end), and the sp inside the goroutine's
//      current stack segment;
//   2. chooses where the register save goes: arch::preempt_entry_gap (144) bytes below the
//      interrupted sp (clear of the 128-byte red zone the interrupted code may be using, and
//      of the 8-byte jump slot)
//      if the segment has room for it, else the top of the goroutine's next segment;
//   3. stores the interrupted rip (moved back to the start of a write barrier site if it lies
//      inside one: runtime/barrier.h) and rsp there (an arch::PreemptEntry; every layout of
//      saved registers is in arch/amd64/registers.h) and edits the signal context so that the
//      kernel's sigreturn "returns" into async_preempt_stub (asm/preempt.asm) on that frame.
// The stub saves every register (general, flags, and the whole XSAVE state: x87, SSE, AVX,
// AVX-512, MXCSR), calls async_preempt_yield() to yield, and when resumed restores them all
// and jumps back. The interrupted code cannot tell it was ever stopped.
#include "preempt.h"
#include "signals.h"

#include "../arch/amd64/cpu.h"
#include "../arch/amd64/registers.h"
#include "../arch/amd64/signal_frame.h"
#include "godebug.h"
#include "gort.h"
#include "machine.h"
#include "scheduler.h"
#include "stack.h"
#include "syscall.h"

extern "C" {
uint64_t xsave_area_bytes = 0;  // read by asm/preempt.asm; 0: async preemption unavailable
extern char gort_text_start[];  // tools/gort.ld
extern char gort_text_end[];
extern char __executable_start[];  // the linker's: the program image's start, and its code's end
extern char etext[];
void async_preempt_stub();          // asm/preempt.asm
void async_preempt_yield();
}

namespace gort {

// runtime/barrier.cpp; weak, so that only programs with barrier sites link that file.
uintptr_t rewind_barrier_site(uintptr_t pc) __attribute__((weak));

namespace {

using signal_frame::SignalInfo;
using signal_frame::UserContext;

long process_id = 0;
uint64_t async_preemptions = 0;  // atomic statistic

// The stub's frame besides the XSAVE area: the arch::PreemptFrame, alignment, and the calls
// into the scheduler until the goroutine is off its stack.
constexpr size_t stub_frame_bytes = 1024;

void async_preempt_signal(int, SignalInfo*, void* context) {
  auto* uc = static_cast<UserContext*>(context);
  Goroutine* g = cpu::current_goroutine();
  Machine* m = cpu::current_machine();
  if (g == nullptr || g == m->g0 || g->status != GoroutineStatus::Running) return;
  if (!__atomic_load_n(&g->preempt_requested, __ATOMIC_ACQUIRE)) return;
  uintptr_t pc = uc->registers[signal_frame::RIP];
  uintptr_t sp = uc->registers[signal_frame::RSP];
  if (pc >= reinterpret_cast<uintptr_t>(gort_text_start) && pc < reinterpret_cast<uintptr_t>(gort_text_end)) return;
  // Code outside the program's image (the vDSO's clock_gettime, which the runtime calls from
  // nanotime, heap_free's included, under heap_lock) is the runtime's too; and a thread that
  // holds a runtime lock is never a safe point wherever its pc is (Go's canPreemptM: m.locks).
  if (pc < reinterpret_cast<uintptr_t>(__executable_start) || pc >= reinterpret_cast<uintptr_t>(etext) || holds_runtime_lock())
    return;
  uintptr_t frame = reserve_async_preempt_frame(g, sp, xsave_area_bytes + stub_frame_bytes);
  if (frame == 0) return;  // no room now; the request stays, the next signal tries again
  auto* entry = reinterpret_cast<arch::PreemptEntry*>(frame);  // arch/amd64/registers.h
  // Stopped inside a write barrier's test-and-store (runtime/barrier.h): it resumes at the
  // test, so it does not store on a decision taken before the world stopped.
  if (&rewind_barrier_site != nullptr) pc = rewind_barrier_site(pc);
  entry->rip = pc;
  entry->rsp = sp;
  uc->registers[signal_frame::RSP] = frame;
  uc->registers[signal_frame::RIP] = reinterpret_cast<uintptr_t>(&async_preempt_stub);
  __atomic_add_fetch(&async_preemptions, 1, __ATOMIC_RELAXED);
}

}  // namespace

void init_async_preemption() {
  process_id = sys::getpid();
  if (!cpu::has_xsave()) return;  // pre-2011 CPU: only cooperative preemption
  xsave_area_bytes = cpu::xsave_area_size();
  install_handler(sys::SIGURG, async_preempt_signal, true);  // interrupted calls restart
}

void request_preemption(Goroutine* g, Machine* m) {
  // The flag first, then the guards: whoever resets a guard afterwards sees the flag.
  // If m has moved on to another goroutine, that one takes one spurious trip into
  // preempt_at_stack_check, which finds no request and returns.
  __atomic_store_n(&g->preempt_requested, 1, __ATOMIC_SEQ_CST);
  __atomic_store_n(&g->stack_guard, stack_guard_preempt, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&m->tls.current, __ATOMIC_ACQUIRE) == g)
    __atomic_store_n(&m->tls.stack_guard, stack_guard_preempt, __ATOMIC_SEQ_CST);
  // The allocation cache is poisoned too: a goroutine looping on malloc and free stays on the
  // fast paths (allocator.h), which check nothing; with no cache its next call takes the slow
  // path, which restores the cache and reaches a preemption point. Null is always a safe value
  // to store here, whatever m is doing: it is what a Machine without a Processor has, and the
  // slow path reloads the cache from m->processor (CacheAccess in allocator.cpp).
  __atomic_store_n(&m->tls.cache, static_cast<AllocationCache*>(nullptr), __ATOMIC_RELAXED);
  signal_preemption(m);
}

uint64_t async_preemption_count() { return __atomic_load_n(&async_preemptions, __ATOMIC_RELAXED); }

void signal_preemption(Machine* m) {
  if (debug.asyncpreemptoff != 0 || xsave_area_bytes == 0 || m->tid == 0) return;
  sys::tgkill(process_id, m->tid, sys::SIGURG);
}

}  // namespace gort

// Called by async_preempt_stub on the goroutine's stack, every register already saved.
extern "C" void async_preempt_yield() {
  gort::Goroutine* g = gort::cpu::current_goroutine();
  bool on_new_segment = g->async_preempt_segment;
  g->async_preempt_segment = false;
  gort::preempt_at_stack_check(g);  // clears the request, restores the guard, yields
  if (on_new_segment) gort::leave_stack_segment();
}
