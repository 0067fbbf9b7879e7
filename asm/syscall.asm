; syscall.asm: the raw system call gate. Every system call in the runtime goes through
; raw_syscall6 (declared in runtime/syscall.h); the C++ wrappers there add EINTR handling.

bits 64
default rel

section .text

; extern "C" long raw_syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6);
;
; In (System V):  rdi = number, rsi = a1, rdx = a2, rcx = a3, r8 = a4, r9 = a5, [rsp+8] = a6
; Kernel wants:   rax = number, rdi = a1, rsi = a2, rdx = a3, r10 = a4, r8 = a5, r9 = a6
; Out:            rax = result, or -errno (-4095..-1) on failure
; Clobbered:      rcx, r11 (by `syscall`), rdi, rsi, rdx, r8, r9, r10. Callee-saved kept.
; Stack:          untouched; [rsp] is the return address, [rsp+8] the sixth argument.
global raw_syscall6
raw_syscall6:
        mov     rax, rdi                ; system call number
        mov     rdi, rsi                ; a1
        mov     rsi, rdx                ; a2
        mov     rdx, rcx                ; a3
        mov     r10, r8                 ; a4 (the kernel uses r10, since syscall clobbers rcx)
        mov     r8, r9                  ; a5
        mov     r9, [rsp + 8]           ; a6, passed on the stack by the caller
        syscall
        ret
