; rt0.asm: the process entry point, _start. Sets up m0 (the first Machine) and its scheduler
; stack (Go's g0) on the stack the kernel gave us, points FS at m0's thread-local block, and
; calls runtime_start in C++ (runtime/start.cpp), which never returns.
; Book: docs/01-startup.md.

bits 64
default rel
%include "offsets.inc"

extern runtime_m0                  ; gort::Machine, runtime/start.cpp
extern runtime_g0                  ; gort::Goroutine, runtime/start.cpp
extern runtime_start               ; [[noreturn]] void runtime_start(long argc, char** argv)

section .text

; _start  (no C++ prototype: the kernel jumps here)
;
; Registers at entry (Linux x86-64 ELF ABI): all zero except rsp; rdx may hold a function
; that a dynamic loader wants run at exit, which a static binary ignores.
;
; The initial stack at entry, rsp 16-byte aligned, addresses growing upward:
;
;   rsp + 0            argc                      (8 bytes)
;   rsp + 8            argv[0] .. argv[argc-1]   (pointers to strings further up)
;   rsp + 8 + 8*argc   NULL
;                      envp[0] .. envp[n-1]      ("KEY=value" pointers)
;                      NULL
;                      auxv: (type, value) pairs, 16 bytes each
;                      AT_NULL, 0
;                      padding, AT_RANDOM's 16 bytes, platform string
;                      argument and environment strings
;   (top of the stack mapping)
;
; Register use: r12 = initial rsp, kept across the syscall (the kernel preserves it);
; rbx = &runtime_g0; rax, rcx, rdi, rsi, rdx, r11 scratch (syscall clobbers rcx, r11).
global _start
_start:
        xor     ebp, ebp                            ; end of the frame-pointer chain for tracebacks
        mov     r12, rsp                            ; r12 = initial sp, address of argc

        ; m0's scheduler stack is the OS stack. Provisional bounds: the top is where argc
        ; sits, and we trust INITIAL_G0_STACK_BYTES below it until C++ reads RLIMIT_STACK
        ; (runtime/start.cpp: set_m0_stack_bounds).
        lea     rbx, [runtime_g0]
        mov     [rbx + G_STACK_HI], r12             ; g0.stack_hi
        lea     rax, [r12 - INITIAL_G0_STACK_BYTES]
        mov     [rbx + G_STACK_LO], rax             ; g0.stack_lo
        add     rax, STACK_GUARD_BYTES
        mov     [rbx + G_STACK_GUARD], rax          ; g0.stack_guard
        lea     rcx, [runtime_m0]
        mov     [rcx + M_TLS + TLS_STACK_GUARD], rax ; and the thread's copy of it

        ; Thread-local storage: FS base = &m0.tls. runtime_m0 is statically initialised with
        ; tls.current = &runtime_g0 and tls.machine = &runtime_m0, so from the next
        ; instruction on "current goroutine" is fs:[TLS_CURRENT_G].
        mov     eax, SYS_ARCH_PRCTL
        mov     edi, ARCH_SET_FS
        lea     rsi, [runtime_m0 + M_TLS]
        syscall
        test    rax, rax
        jnz     .no_tls                             ; cannot run C++ without TLS

        ; runtime_start(argc, argv); envp and auxv follow argv's null. rsp is 16-byte aligned
        ; here (the kernel aligns it), so after `call` pushes the return address the callee
        ; sees the standard rsp % 16 == 8 of a function entry.
        mov     rdi, [r12]                          ; argc
        lea     rsi, [r12 + 8]                      ; argv
        and     rsp, -16
        call    runtime_start
        ud2                                         ; runtime_start never returns

.no_tls:
        mov     eax, SYS_EXIT_GROUP
        mov     edi, 2                              ; Go's fatal status; nothing can print yet
        syscall
        ud2
