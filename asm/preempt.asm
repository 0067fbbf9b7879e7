; preempt.asm: the landing point of asynchronous preemption (Go's asyncPreempt).
; The SIGURG handler (runtime/preempt.cpp: async_preempt_signal) found the goroutine at a
; safe point and made the kernel's sigreturn continue *here* instead of at the interrupted
; instruction, with every register exactly as it was except rip and rsp. This stub saves
; all of them on the goroutine's stack, yields the processor, and when the goroutine is
; resumed restores them all and jumps back to the interrupted instruction.
;
; Declared in runtime/preempt.h. Book: docs/03-stacks.md, "Asynchronous preemption".

bits 64
default rel
%include "offsets.inc"

extern async_preempt_yield              ; extern "C" void async_preempt_yield(), runtime/preempt.cpp
extern xsave_area_bytes                 ; uint64_t, runtime/preempt.cpp: CPUID leaf 0xD size

%if PREEMPT_R15 != 0 || PREEMPT_R14 != PREEMPT_R15 + 8 || PREEMPT_R13 != PREEMPT_R14 + 8 || PREEMPT_R12 != PREEMPT_R13 + 8 || PREEMPT_R11 != PREEMPT_R12 + 8 || PREEMPT_R10 != PREEMPT_R11 + 8 || PREEMPT_R9 != PREEMPT_R10 + 8 || PREEMPT_R8 != PREEMPT_R9 + 8
%error "async_preempt_stub pushes registers in an order arch::PreemptFrame does not have"
%endif
%if PREEMPT_RBP != PREEMPT_R8 + 8 || PREEMPT_RDI != PREEMPT_RBP + 8 || PREEMPT_RSI != PREEMPT_RDI + 8 || PREEMPT_RDX != PREEMPT_RSI + 8 || PREEMPT_RCX != PREEMPT_RDX + 8 || PREEMPT_RBX != PREEMPT_RCX + 8 || PREEMPT_RAX != PREEMPT_RBX + 8
%error "async_preempt_stub pushes registers in an order arch::PreemptFrame does not have"
%endif
%if PREEMPT_RFLAGS != PREEMPT_RAX + 8 || PREEMPT_INTERRUPTED_RIP != PREEMPT_RFLAGS + 8 || PREEMPT_INTERRUPTED_RSP != PREEMPT_INTERRUPTED_RIP + PREEMPT_ENTRY_RSP
%error "arch::PreemptFrame: the handler's entry must sit just above the pushed flags"
%endif

section .text

; async_preempt_stub: no C++ prototype (never called; sigreturn lands here).
;
; Entry: all registers as interrupted, except:
;   rip = async_preempt_stub
;   rsp = an arch::PreemptEntry (arch/amd64/registers.h), 16-byte aligned, placed by the
;         handler either arch::preempt_entry_gap (144) bytes below the interrupted rsp (clear
;         of its 128-byte red zone and of the jump slot) or at the top of the goroutine's
;         next stack segment.
;   [rsp + 0]                  interrupted rip
;   [rsp + PREEMPT_ENTRY_RSP]  interrupted rsp (the jump slot is
;                              [interrupted rsp - PREEMPT_JUMP_SLOT_BELOW_SP])
;
; The frame this stub builds (addresses grow upward), arch::PreemptFrame and the XSAVE area;
; the offsets are generated from the struct, and the %if below checks that the order of the
; pushes (each 8 bytes below the last) is the order of its fields:
;
;   xsave area (xsave_area_bytes, XSAVE_ALIGNMENT, header zeroed first)   <- rsp during the call
;   ...alignment...
;   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax             <- rbp (PREEMPT_R15 = 0)
;   rflags                                                                PREEMPT_RFLAGS
;   interrupted rip                                                       PREEMPT_INTERRUPTED_RIP
;   interrupted rsp                                                       PREEMPT_INTERRUPTED_RSP
;
; Register use after the pushes: rbp = address of the saved r15 (the GPR block); every other
; register is free until the restore. Direction flag: cleared for the call (ABI), restored
; with rflags.
global async_preempt_stub
async_preempt_stub:
        pushfq
        push    rax
        push    rbx
        push    rcx
        push    rdx
        push    rsi
        push    rdi
        push    rbp
        push    r8
        push    r9
        push    r10
        push    r11
        push    r12
        push    r13
        push    r14
        push    r15
        mov     rbp, rsp                        ; rbp = GPR block
        sub     rsp, [xsave_area_bytes]
        and     rsp, -XSAVE_ALIGNMENT           ; XSAVE needs 64-byte alignment
        xor     eax, eax
%assign header_word 0                           ; the XSAVE header must start zeroed: XRSTOR
%rep XSAVE_HEADER_BYTES / 8                     ; faults on reserved bits, and the standard
        mov     [rsp + XSAVE_HEADER_OFFSET + header_word], rax  ; form does not write them all
%assign header_word header_word + 8
%endrep
        mov     eax, -1
        mov     edx, -1                         ; edx:eax = every state component XCR0 enables
        xsave64 [rsp]                           ; x87, SSE, AVX, AVX-512 ... and MXCSR
        cld
        call    async_preempt_yield             ; yields; returns when we are scheduled again
        mov     eax, -1
        mov     edx, -1
        xrstor64 [rsp]
        ; Put the interrupted rip in the jump slot below its red zone, then restore the rest.
        mov     rax, [rbp + PREEMPT_INTERRUPTED_RIP]
        mov     rcx, [rbp + PREEMPT_INTERRUPTED_RSP]
        mov     [rcx - PREEMPT_JUMP_SLOT_BELOW_SP], rax  ; jump slot
        mov     rsp, rbp
        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     r11
        pop     r10
        pop     r9
        pop     r8
        pop     rbp
        pop     rdi
        pop     rsi
        pop     rdx
        pop     rcx
        pop     rbx
        pop     rax
        popfq                                   ; flags last: nothing below changes them
        mov     rsp, [rsp + PREEMPT_ENTRY_RSP]  ; the interrupted rsp, exactly
        jmp     [rsp - PREEMPT_JUMP_SLOT_BELOW_SP]  ; the interrupted rip
