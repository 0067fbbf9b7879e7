// Fatal errors and crash reports; see runtime/fatal.h. Runs on whatever stack crashed, or
// on the signal stack: it allocates nothing and takes no lock, only one atomic flag.
#include "fatal.h"

#include "../arch/amd64/cpu.h"
#include "machine.h"
#include "print.h"
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

// Walks the frame-pointer chain. Every frame gort builds keeps rbp (-fno-omit-frame-pointer),
// so [fp] is the caller's fp and [fp+8] the return address. Stops at the outermost frame
// (fp 0, set by _start and by each goroutine's entry), or at an fp outside the stack.
static void print_frames(uintptr_t pc, uintptr_t fp, uintptr_t lo, uintptr_t hi) {
  print("\t", hex(pc), "\n");
  for (int depth = 0; depth < 64; depth++) {
    if (fp < lo || fp + 16 > hi || (fp & 7) != 0) return;
    uintptr_t return_address = reinterpret_cast<uintptr_t*>(fp)[1];
    if (return_address == 0) return;
    print("\t", hex(return_address), "\n");
    fp = reinterpret_cast<uintptr_t*>(fp)[0];
  }
  print("\t...additional frames elided...\n");
}

void finish_crash(uintptr_t pc, uintptr_t fp) {
  Goroutine* g = cpu::current_goroutine();
  Machine* m = cpu::current_machine();
  if (g == m->g0) print("\nruntime stack (m", m->id, "):\n");
  else print("\ngoroutine ", g->id, " [running]:\n");
  print_frames(pc, fp, g->stack_lo, g->stack_hi);
  print("(frames are return addresses; `addr2line -f -e <program> <pc>` names them)\n");
  sys::exit_group(2);
}

void fatal(const char* message) {
  begin_crash();
  print("fatal error: ", message, "\n");
  // Start the traceback at our caller: its pc, and its frame pointer saved in our frame.
  auto* frame = static_cast<uintptr_t*>(__builtin_frame_address(0));
  finish_crash(reinterpret_cast<uintptr_t>(__builtin_return_address(0)), frame[0]);
}

}  // namespace gort
