; signal.asm: the signal return trampoline. The kernel calls a handler installed with
; SA_RESTORER like an ordinary function whose return address is this stub, so returning from
; the handler lands here and rt_sigreturn restores the interrupted context. Declared in
; runtime/signals.cpp.

bits 64
default rel
%include "offsets.inc"

section .text

; extern "C" void signal_return_trampoline();   never called from C++; the kernel uses it
;
; Stack at entry: rsp points at the kernel's rt_sigframe (ucontext, siginfo) exactly as it
; pushed it; nothing may be pushed first. No registers in, never returns.
global signal_return_trampoline
signal_return_trampoline:
        mov     eax, SYS_RT_SIGRETURN
        syscall
        ud2                             ; rt_sigreturn does not return here
