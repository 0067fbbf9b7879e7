; stack.asm: the return trampoline of segmented stacks (Go's lessstack, up to Go 1.2).
; Declared, with its contract, in runtime/stack.h. Book: docs/03-stacks.md, "The return
; trampoline".
;
; When GORT_STACK_CHECK() (runtime/gort.h) moves a function onto a new stack segment,
; enter_stack_segment (runtime/stack.cpp) saves the function's return address, [rbp + 8],
; in the new segment's record and writes this routine's address there instead. The
; function runs to its end unchanged: its epilogue puts rsp back on the old segment (from
; rbp, which never left it) and its `ret` lands here. So a checked function that stays on
; its segment, the common case, pays only the compare and the branch of its check.
;
; The frame it builds, arch::SegmentReturnFrame (arch/amd64/registers.h), just below the
; stack pointer the function's `ret` left (S; addresses grow upward):
;
;   S                          the caller's frame (the function has returned)
;   S - 8   RETURN_ADDRESS     the real return address (written by the C++ call)  \ a frame
;   S - 16  RETURN_RBP         the caller's rbp                      <- rbp        / record
;   S - 24  RETURN_RAX         rax
;   S - 32  RETURN_RDX         rdx
;   S - 48  RETURN_XMM1        xmm1 (low 128 bits)
;   S - 64  RETURN_XMM0        xmm0 (low 128 bits)                   <- rsp at the call
;
; Why saving rax, rdx, xmm0 and xmm1 keeps every System V return value:
;   - integers, pointers, __int128 and INTEGER-class structs come back in rax and rdx;
;   - float, double, 128-bit vectors and SSE-class structs in xmm0 and xmm1; wider vectors
;     in ymm0/zmm0, whose upper halves survive: the runtime is compiled without AVX, so its
;     code never writes them, and the legacy-SSE movaps below leaves them alone;
;   - long double in x87 st0 (complex long double: st0 and st1): the code this routine calls
;     (leave_stack_segment_on_return and what it inlines) has no x87 instructions, so the
;     x87 register stack passes through untouched;
;   - a struct returned in memory lives in the caller's frame, above S, which nothing here
;     writes; its address is in rax;
;   - nothing else is live at a return: rcx, rsi, rdi, r8-r11 and the flags are dead by the
;     ABI, the callee-saved registers (rbx, rbp, r12-r15, MXCSR, x87 control word) are kept
;     by the C++ callee as by any callee, and the direction flag stays clear.

bits 64
default rel
%include "offsets.inc"

extern leave_stack_segment_on_return    ; extern "C" void leave_stack_segment_on_return(uintptr_t* return_slot), runtime/stack.cpp

%if RETURN_ADDRESS != RETURN_RBP + 8 || RETURN_FRAME_BYTES != RETURN_ADDRESS + 8 || RETURN_FRAME_BYTES % 16 != 0 || RETURN_XMM0 % 16 != 0 || RETURN_XMM1 % 16 != 0
%error "segment_return_trampoline: arch::SegmentReturnFrame is not the frame drawn above"
%endif

section .text

; extern "C" void segment_return_trampoline();   (never called: entered by a `ret`)
;
; Entered by the `ret` of a function whose return address enter_stack_segment replaced.
; In: rax, rdx, xmm0, xmm1, st0, st1: the function's return values; rbp, rbx, r12-r15: the
; caller's, as the function's epilogue restored them. Out: the same, unchanged. Clobbers:
; rcx, rsi, rdi, r8-r11, flags (dead at a return).
; Stack at entry: rsp = S, the caller's stack pointer after the return, on the old segment
; (16-byte aligned, as at the caller's `call`); the goroutine's current segment is still the
; one the function moved to. At the call: rsp = S - RETURN_FRAME_BYTES, 16-byte aligned. At
; exit: rsp = S, the segment left, and execution continues at the real return address.
; Runs on the old segment at S, above where the function ran its check, so it has at least
; the room the check's own slow path had (tools/stack-check counts both).
global segment_return_trampoline
segment_return_trampoline:
        sub     rsp, RETURN_FRAME_BYTES
        mov     [rsp + RETURN_RBP], rbp         ; frame record: the caller's rbp ...
        lea     rbp, [rsp + RETURN_RBP]         ; ... and rbp on it, for frame-pointer walks
        mov     [rsp + RETURN_RAX], rax
        mov     [rsp + RETURN_RDX], rdx
        movaps  [rsp + RETURN_XMM0], xmm0
        movaps  [rsp + RETURN_XMM1], xmm1
        lea     rdi, [rsp + RETURN_ADDRESS]     ; return_slot: the C++ side writes the real address first
        call    leave_stack_segment_on_return   ; back to the previous segment (canaries checked)
        movaps  xmm1, [rsp + RETURN_XMM1]
        movaps  xmm0, [rsp + RETURN_XMM0]
        mov     rdx, [rsp + RETURN_RDX]
        mov     rax, [rsp + RETURN_RAX]
        mov     rbp, [rsp + RETURN_RBP]         ; the caller's rbp again
        add     rsp, RETURN_ADDRESS             ; rsp = S - 8, at the real return address
        ret                                     ; to the caller, rsp = S
