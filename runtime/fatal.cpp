// Fatal errors and crash reports; see runtime/fatal.h. Runs on whatever stack crashed, or
// on the signal stack: it allocates nothing and takes no lock, only one atomic flag.
#include "fatal.h"

#include "../arch/amd64/cpu.h"
#include "context.h"
#include "goroutine.h"
#include "machine.h"
#include "print.h"
#include "stack.h"
#include "syscall.h"

namespace gort {

static uint32_t crash_in_progress = 0;  // set by the first thread to begin a crash report

void begin_crash() {
  Machine* m = cpu::current_machine();
  if (m->dying++ != 0) sys::exit_group(2);  // crashed inside our own report: stop now
  // acq_rel: the winner's report happens-before nothing else needs ordering; losers only
  // need to observe that a report is under way.
  if (__atomic_fetch_add(&crash_in_progress, 1, __ATOMIC_ACQ_REL) != 0) {
    for (;;) sys::nanosleep(1000000000);  // the first crasher will exit the process
  }
}

bool crash_under_way() { return __atomic_load_n(&crash_in_progress, __ATOMIC_ACQUIRE) != 0; }

// Walks the frame-pointer chain. Every frame gort builds keeps rbp (-fno-omit-frame-pointer),
// so [fp] is the caller's fp and [fp+8] the return address. Stops at the outermost frame
// (fp 0, set by _start and by each goroutine's entry), or at an fp outside the stack.
// Frames may lie on earlier stack segments too (docs/03-stacks.md), so the walk accepts any
// frame pointer that moves toward older frames within the goroutine's known segments.
static bool inside_stack(const Goroutine* g, uintptr_t fp) {
  if (g->segment == nullptr) return fp >= g->stack_lo && fp + 16 <= g->stack_hi;  // scheduler stacks
  for (const StackSegment* s = g->segment; s != nullptr; s = s->previous)
    if (fp >= s->base && fp + 16 <= s->base + s->size) return true;
  return false;
}

static void print_frames(const Goroutine* g, uintptr_t pc, uintptr_t fp) {
  if (pc == 0) return;
  print("\t", hex(pc), "\n");
  for (int depth = 0; depth < 64; depth++) {
    if (!inside_stack(g, fp) || (fp & 7) != 0) return;
    uintptr_t return_address = frame_return_address(g, fp);  // the real one past a segment's trampoline
    if (return_address == 0) return;
    print("\t", hex(return_address), "\n");
    fp = reinterpret_cast<uintptr_t*>(fp)[0];
  }
  print("\t...additional frames elided...\n");
}

void print_traceback(Goroutine* g, uintptr_t pc, uintptr_t fp) {
  Machine* m = cpu::current_machine();
  if (g == m->g0) print("\nruntime stack (m", m->id, "):\n");
  else print("\ngoroutine ", g->id, " [running]:\n");
  print_frames(g, pc, fp);
  if (pc != 0) print("(frames are return addresses; `addr2line -f -e <program> <pc>` names them)\n");
}

void print_parked_traceback(Goroutine* g) {
  GoroutineStatus status = GoroutineStatus(__atomic_load_n(reinterpret_cast<uint32_t*>(&g->status), __ATOMIC_ACQUIRE));
  const char* state = status == GoroutineStatus::Waiting    ? wait_reason_text(g->wait_reason)
                      : status == GoroutineStatus::Runnable ? "runnable"
                      : status == GoroutineStatus::Syscall  ? "syscall"
                                                            : "running";
  print("\ngoroutine ", g->id, " [", state, "]:\n");
  if (status != GoroutineStatus::Waiting && status != GoroutineStatus::Runnable) return;  // no saved context
  // The saved context (asm/context.asm): rbp at saved_sp + 48, the resume address at + 56.
  uintptr_t sp = g->saved_sp;
  if (!inside_stack(g, sp) || !inside_stack(g, sp + 48)) return;
  print_frames(g, reinterpret_cast<uintptr_t*>(sp)[7], reinterpret_cast<uintptr_t*>(sp)[6]);
}

void finish_crash(Goroutine* g, uintptr_t pc, uintptr_t fp) {
  print_traceback(g, pc, fp);
  sys::exit_group(2);
}

namespace {
struct FatalReport {
  const char* prefix;  // "fatal error: " or "panic: "
  const char* message;
  Goroutine* g;
  uintptr_t pc, fp;
};

void report_message(void* arg) {
  auto* r = static_cast<FatalReport*>(arg);
  begin_crash();
  print(r->prefix, r->message, "\n");
  finish_crash(r->g, r->pc, r->fp);
}

// Reports for the caller of fatal/panic, whose pc and saved frame pointer the caller passes,
// on the scheduler stack: a goroutine that fails may be deep in its stack's guard reserve,
// with no room for printing (run_on_scheduler_stack just calls it when already there).
[[noreturn]] void report_for_caller(const char* prefix, const char* message, uintptr_t pc, uintptr_t fp) {
  FatalReport r{prefix, message, cpu::current_goroutine(), pc, fp};
  run_on_scheduler_stack(report_message, &r);
  sys::exit_group(2);  // not reached: report_message exits
}
}  // namespace

void fatal(const char* message) {
  // Start the traceback at our caller: its pc, and its frame pointer saved in our frame.
  auto* frame = static_cast<uintptr_t*>(__builtin_frame_address(0));
  report_for_caller("fatal error: ", message, reinterpret_cast<uintptr_t>(__builtin_return_address(0)), frame[0]);
}

void panic(const char* message) {
  auto* frame = static_cast<uintptr_t*>(__builtin_frame_address(0));
  report_for_caller("panic: ", message, reinterpret_cast<uintptr_t>(__builtin_return_address(0)), frame[0]);
}

}  // namespace gort
