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

section .text

; async_preempt_stub: no C++ prototype (never called; sigreturn lands here).
;
; Entry: all registers as interrupted, except:
;   rip = async_preempt_stub
;   rsp = the frame below, 16-byte aligned, placed by the handler either 144 bytes below the
;         interrupted rsp (clear of its 128-byte red zone and of the jump slot) or at the top
;         of the goroutine's next stack segment.
;   [rsp + 0]  interrupted rip
;   [rsp + 8]  interrupted rsp (the jump slot is [interrupted rsp - 136])
;
; The frame this stub builds (addresses grow upward):
;
;   xsave area (xsave_area_bytes, 64-byte aligned, header zeroed first)   <- rsp during the call
;   ...alignment...
;   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax             <- rbp (15 words)
;   rflags
;   interrupted rip                                                       (entry rsp + 0)
;   interrupted rsp                                                       (entry rsp + 8)
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
        and     rsp, -64                        ; XSAVE needs 64-byte alignment
        xor     eax, eax
        mov     [rsp + 512], rax                ; the 64-byte XSAVE header must start zeroed:
        mov     [rsp + 520], rax                ; XRSTOR faults on reserved bits, and the
        mov     [rsp + 528], rax                ; standard form does not write them all
        mov     [rsp + 536], rax
        mov     [rsp + 544], rax
        mov     [rsp + 552], rax
        mov     [rsp + 560], rax
        mov     [rsp + 568], rax
        mov     eax, -1
        mov     edx, -1                         ; edx:eax = every state component XCR0 enables
        xsave64 [rsp]                           ; x87, SSE, AVX, AVX-512 ... and MXCSR
        cld
        call    async_preempt_yield             ; yields; returns when we are scheduled again
        mov     eax, -1
        mov     edx, -1
        xrstor64 [rsp]
        ; Put the interrupted rip in the jump slot below its red zone, then restore the rest.
        mov     rax, [rbp + 16*8]               ; interrupted rip
        mov     rcx, [rbp + 17*8]               ; interrupted rsp
        mov     [rcx - 136], rax                ; jump slot
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
        mov     rsp, [rsp + 8]                  ; the interrupted rsp, exactly
        jmp     [rsp - 136]                     ; the interrupted rip
