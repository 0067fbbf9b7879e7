// One record of a stopped goroutine's registers on x86-64: the layouts of everything the
// runtime saves when a goroutine stops running, in the three ways it can stop, and the view
// of them that portable code (a stack scan) uses. The assembly that writes these blocks
// (asm/context.asm, asm/preempt.asm) takes every offset from here: tools/asm_offsets.cpp
// generates them into build/gen/offsets.inc, and %if checks in the .asm files tie the order
// of their pushes to the field order below. Book: docs/02-scheduler.md, "The context switch"
// and "Where a stopped goroutine's registers are".
//
//   1. A context switch (switch_to_scheduler, switch_goroutines): SwitchFrame, pushed on the
//      goroutine's own stack; Goroutine::saved_sp points at it. Holds exactly what the
//      System V ABI makes callee-saved: rbx, rbp, r12-r15, MXCSR and the x87 control word.
//      Everything else is dead across the call that switched.
//   2. Asynchronous preemption: the SIGURG handler (runtime/preempt.cpp) stores a
//      PreemptEntry below the interrupted stack pointer; async_preempt_stub pushes the
//      PreemptFrame below it (every general register and the flags), saves the extended
//      state with XSAVE below that, and then yields through an ordinary switch, so the
//      goroutine also has a SwitchFrame further down, at saved_sp.
//   3. A system call: enter_syscall() and enter_blocking_syscall() first call
//      save_syscall_context(), which copies the caller's callee-saved registers, pc and sp
//      into Machine::syscall_context (a SyscallContext). The goroutine's thread keeps
//      running (in the kernel), so nothing is pushed; every value the goroutine can reach
//      during the call was, at that moment, in those registers or on the stack above sp.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace gort::arch {

// The ABI's default floating-point control words: round to nearest, all exceptions masked.
constexpr uint32_t default_mxcsr = 0x1f80;
constexpr uint16_t default_x87_control = 0x037f;

// 1. At saved_sp of a goroutine that switched away (addresses grow downward in the order
// of the pushes: return_address was pushed first, by the call).
struct SwitchFrame {
  uint32_t mxcsr;        // SSE control/status (rounding, exception masks)
  uint16_t x87_control;  // x87 control word
  uint16_t unused;
  uint64_t r15, r14, r13, r12, rbx, rbp;  // SAVE_CONTEXT pushes rbp first, r15 last
  uint64_t return_address;                // where the goroutine continues
};
static_assert(sizeof(SwitchFrame) == 64);
static_assert(offsetof(SwitchFrame, r15) == 8, "SAVE_CONTEXT: the FP control words fill the first 8 bytes");
// The words of a SwitchFrame that hold general registers (r15 .. rbp), for a stack scan.
constexpr size_t switch_frame_register_words = 6;

// A new goroutine's first SwitchFrame sits this far below the 16-byte aligned top of its
// free stack, so that resuming it "returns" into goroutine_start with rsp = top - 8, as at
// the entry of any function (asm/context.asm re-aligns before calling goroutine_main).
constexpr size_t first_frame_padding = 8;

// 2. Asynchronous preemption. The handler places the entry this far below the interrupted
// rsp (rounded down to 16 bytes): clear of the 128-byte red zone the interrupted code may be
// using and of the jump slot just below it.
constexpr size_t red_zone_bytes = 128;
constexpr size_t preempt_jump_slot_below_sp = red_zone_bytes + 8;  // the stub jumps back through it
constexpr size_t preempt_entry_gap = red_zone_bytes + 16;

struct PreemptEntry {  // written by the signal handler; the stub starts with rsp here
  uint64_t rip;        // the interrupted instruction
  uint64_t rsp;        // the interrupted stack pointer, exactly
};

struct PreemptFrame {  // pushed by async_preempt_stub, lowest address first; its rbp points here
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t rflags;          // pushed first
  PreemptEntry interrupted;  // just above: what the handler stored
};
static_assert(sizeof(PreemptFrame) == 18 * 8);

// The XSAVE area below a PreemptFrame (64-byte aligned, its size from CPUID leaf 0xD): the
// 512-byte legacy region, then the 64-byte header, which must start zeroed because XRSTOR
// faults on reserved bits and the standard form of XSAVE does not write them all.
constexpr size_t xsave_header_offset = 512;
constexpr size_t xsave_header_bytes = 64;
constexpr size_t xsave_alignment = 64;

// 3. Saved by save_syscall_context() for a goroutine in a system call.
struct SyscallContext {
  SwitchFrame registers;  // the same layout as a switch: callee-saved registers and pc
  uint64_t sp;            // the caller's stack pointer after the call returned
};

// What a stack scan needs of a goroutine that is not running, without naming registers:
// scan the stack from `sp` up (through earlier segments too), and `words` conservatively.
struct StoppedRegisters {
  uintptr_t sp;           // the lowest stack address the goroutine's frames use
  uintptr_t pc;           // where it continues
  uintptr_t fp;           // its frame pointer, for a frame-pointer walk (return addresses via
                          // frame_return_address(), runtime/stack.h: some are the segment trampoline's)
  const uint64_t* words;  // the saved general registers that may hold pointers
  size_t word_count;
};

inline StoppedRegisters registers_of(const SwitchFrame* f) {
  return {reinterpret_cast<uintptr_t>(f), f->return_address, f->rbp, &f->r15, switch_frame_register_words};
}

inline StoppedRegisters registers_of(const SyscallContext* c) {
  return {c->sp, c->registers.return_address, c->registers.rbp, &c->registers.r15, switch_frame_register_words};
}

// 4. Not a stop: the frame segment_return_trampoline (asm/stack.asm) builds on the old stack
// segment when a function that moved onto a new segment returns (docs/03-stacks.md, "The
// return trampoline"). It holds the function's return values while the runtime leaves the
// segment, and its rbp/return_address pair is an ordinary frame record, so a frame-pointer
// walk from inside the runtime's call continues into the function's caller. Lowest address
// first; the trampoline's rsp points here, 16-byte aligned, during its call.
struct SegmentReturnFrame {
  uint64_t xmm0[2], xmm1[2];  // SSE return registers (double, float, vectors, SSE-class structs)
  uint64_t rdx, rax;          // integer return registers (rax also: the address of a struct returned in memory)
  uint64_t rbp;               // the caller's frame pointer, as the function's epilogue restored it
  uint64_t return_address;    // the real return address, written by leave_stack_segment_on_return
};
static_assert(sizeof(SegmentReturnFrame) == 64 && sizeof(SegmentReturnFrame) % 16 == 0,
              "segment_return_trampoline: entered with rsp 16-byte aligned, it calls with rsp at this frame");
static_assert(offsetof(SegmentReturnFrame, return_address) == offsetof(SegmentReturnFrame, rbp) + 8,
              "a frame record: [rbp] the caller's rbp, [rbp + 8] a return address");

// A new goroutine's first frame: zero registers, default control words, and `entry` as
// the address the first resume returns to.
inline SwitchFrame first_switch_frame(uintptr_t entry) {
  return SwitchFrame{default_mxcsr, default_x87_control, 0, 0, 0, 0, 0, 0, 0, entry};
}

}  // namespace gort::arch
