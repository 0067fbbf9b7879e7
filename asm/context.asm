; context.asm: switching between goroutine stacks and the scheduler stack (Go's gogo, mcall,
; systemstack), and the first instructions of every new goroutine. Declared, with their
; contracts, in runtime/context.h. Book: docs/02-scheduler.md, "The context switch".
;
; A goroutine that is not running has this block, arch::SwitchFrame (arch/amd64/registers.h,
; the one record of saved registers), at its saved_sp (addresses grow upward):
;
;   saved_sp + SWITCH_MXCSR            MXCSR (4 bytes) | x87 control word (2) | unused (2)
;   saved_sp + SWITCH_R15 (8)          r15
;   saved_sp + SWITCH_R14 ... _RBX     r14, r13, r12, rbx
;   saved_sp + SWITCH_RBP (48)         rbp
;   saved_sp + SWITCH_RETURN_ADDRESS   return address: where the goroutine continues
;
; These are exactly the registers the System V ABI makes callee-saved, plus the two FP
; control words it also makes callee-saved. Everything else is dead across the call that
; switched away, so nothing else is saved: a switch is 8 pushes, 2 stores and 8 pops.
; The offsets are generated from the struct; the %if below checks that the order of
; SAVE_CONTEXT's pushes (each 8 bytes below the last) is the order of its fields.

bits 64
default rel
%include "offsets.inc"

extern goroutine_main                   ; extern "C" [[noreturn]] void goroutine_main(), runtime/goroutine.cpp

%if SWITCH_RETURN_ADDRESS != SWITCH_RBP + 8 || SWITCH_RBP != SWITCH_RBX + 8 || SWITCH_RBX != SWITCH_R12 + 8 || SWITCH_R12 != SWITCH_R13 + 8 || SWITCH_R13 != SWITCH_R14 + 8 || SWITCH_R14 != SWITCH_R15 + 8 || SWITCH_FRAME_BYTES != SWITCH_RETURN_ADDRESS + 8
%error "SAVE_CONTEXT pushes registers in an order arch::SwitchFrame does not have"
%endif

; Pushes the saved-context block drawn above (callee-saved registers, then the FP control
; words below them). The caller then stores rsp in the goroutine's saved_sp.
%macro SAVE_CONTEXT 0
        push    rbp
        push    rbx
        push    r12
        push    r13
        push    r14
        push    r15
        sub     rsp, SWITCH_R15                 ; room for the FP control words below r15
        stmxcsr [rsp + SWITCH_MXCSR]            ; SSE control/status (rounding, exception masks)
        fnstcw  [rsp + SWITCH_X87_CONTROL]      ; x87 control word
%endmacro

section .text

; extern "C" void switch_to_scheduler(void (*fn)(gort::Goroutine* g));     (Go's mcall)
;
; Called on a goroutine's stack. Saves the goroutine's context (block above) and calls
; fn(g) on this Machine's scheduler stack, starting at Machine.scheduler_sp. fn never
; returns; the goroutine continues after this call only when someone resumes it with
; resume_goroutine. In: rdi = fn.  Clobbers: everything (the call does not return normally;
; when resumed, callee-saved registers are restored and rax, rcx, rdx, rsi, rdi, r8-r11 are
; garbage, as after any call).
; Stack at entry: [rsp] = return address into the goroutine. At the call of fn: rsp =
; scheduler_sp (16-byte aligned), rbp = 0 so tracebacks of the scheduler stack end there.
global switch_to_scheduler
switch_to_scheduler:
        SAVE_CONTEXT
        mov     rsi, rdi                        ; rsi = fn
        mov     rdi, [fs:TLS_CURRENT_G]         ; rdi = g, fn's argument
        mov     [rdi + G_SAVED_SP], rsp         ; g.saved_sp: the block above
        mov     rax, [fs:TLS_MACHINE]           ; rax = m
        mov     rcx, [rax + M_G0]
        mov     [fs:TLS_CURRENT_G], rcx         ; from here on we are the scheduler stack
        mov     rdx, [rcx + G_STACK_GUARD]
        mov     [fs:TLS_STACK_GUARD], rdx       ; the thread's guard copy follows the switch
        mov     rsp, [rax + M_SCHEDULER_SP]     ; fresh scheduler stack: its old frames are dead
        xor     ebp, ebp                        ; end of the frame chain
        call    rsi                             ; fn(g); must not return
        ud2

; extern "C" [[noreturn]] void resume_goroutine(gort::Goroutine* g);      (Go's gogo)
;
; Called on the scheduler stack. Makes g current and continues it from its saved block,
; returning from the switch_to_scheduler call that saved it (or, for a new goroutine, into
; goroutine_start). In: rdi = g. Never returns to its caller.
global resume_goroutine
resume_goroutine:
        mov     [fs:TLS_CURRENT_G], rdi         ; g is now the current goroutine
        mov     rax, [rdi + G_STACK_GUARD]
        mov     [fs:TLS_STACK_GUARD], rax       ; its guard, for GORT_STACK_CHECK
        mov     rsp, [rdi + G_SAVED_SP]         ; its saved block (arch::SwitchFrame)
        ldmxcsr [rsp + SWITCH_MXCSR]
        fldcw   [rsp + SWITCH_X87_CONTROL]
        add     rsp, SWITCH_R15
        pop     r15
        pop     r14
        pop     r13
        pop     r12
        pop     rbx
        pop     rbp
        ret                                     ; into the goroutine

; extern "C" void run_on_scheduler_stack(void (*fn)(void*), void* arg);   (Go's systemstack)
;
; Runs fn(arg) on this Machine's scheduler stack and comes back, for runtime work that needs
; more stack than a goroutine may have. The goroutine stays current in every sense but the
; stack it runs on: it is not rescheduled meanwhile. Called on the scheduler stack already,
; it just calls fn. In: rdi = fn, rsi = arg. Clobbers the caller-saved registers.
; Stack: rbp frames this routine; rbx holds the goroutine across the call.
global run_on_scheduler_stack
run_on_scheduler_stack:
        mov     rax, [fs:TLS_MACHINE]
        mov     rcx, [rax + M_G0]
        cmp     rcx, [fs:TLS_CURRENT_G]
        je      .already_there
        push    rbp
        mov     rbp, rsp                        ; rbp: where to come back to
        push    rbx                             ; rsp is now 16-byte aligned
        push    r12
        mov     rbx, [fs:TLS_CURRENT_G]         ; the goroutine, restored afterwards
        mov     [fs:TLS_CURRENT_G], rcx
        mov     rdx, [rcx + G_STACK_GUARD]
        mov     [fs:TLS_STACK_GUARD], rdx       ; the scheduler stack's guard meanwhile
        mov     rsp, [rax + M_SCHEDULER_SP]
        mov     r12, rdi
        mov     rdi, rsi
        call    r12                             ; fn(arg) on the scheduler stack
        mov     [fs:TLS_CURRENT_G], rbx
        mov     rdx, [rbx + G_STACK_GUARD]      ; reread: it may have been poisoned meanwhile
        mov     [fs:TLS_STACK_GUARD], rdx
        lea     rsp, [rbp - 16]
        pop     r12
        pop     rbx
        pop     rbp
        ret
.already_there:
        mov     rax, rdi
        mov     rdi, rsi
        jmp     rax                             ; tail call fn(arg)

; goroutine_start: no C++ prototype; start_goroutine (runtime/goroutine.cpp) places its
; address as the return address of a new goroutine's first saved block, so the first
; resume_goroutine "returns" here on the new stack with rsp just above that slot.
; Calls goroutine_main(), which runs the goroutine's function and never returns.
global goroutine_start
goroutine_start:
        xor     ebp, ebp                        ; outermost frame of this goroutine
        and     rsp, -16                        ; ABI alignment at the call
        call    goroutine_main
        ud2

; extern "C" void save_syscall_context();
;
; Copies its caller's callee-saved registers, FP control words, return address and stack
; pointer (as they will be after the return) into the current Machine's syscall_context, an
; arch::SyscallContext whose `registers` has the SwitchFrame layout. Called first thing by
; enter_syscall() and enter_blocking_syscall() (runtime/blocking.h, inline there so that
; these are the registers of the code making the system call). In: nothing.
; Clobbers rax, rcx. Stack: reads the return address at [rsp]; pushes nothing.
global save_syscall_context
save_syscall_context:
        mov     rax, [fs:TLS_MACHINE]
        lea     rax, [rax + M_SYSCALL_CONTEXT + SYSCALL_REGISTERS]   ; rax = the SwitchFrame part
        mov     [rax + SWITCH_R15], r15
        mov     [rax + SWITCH_R14], r14
        mov     [rax + SWITCH_R13], r13
        mov     [rax + SWITCH_R12], r12
        mov     [rax + SWITCH_RBX], rbx
        mov     [rax + SWITCH_RBP], rbp
        stmxcsr [rax + SWITCH_MXCSR]
        fnstcw  [rax + SWITCH_X87_CONTROL]
        mov     rcx, [rsp]
        mov     [rax + SWITCH_RETURN_ADDRESS], rcx      ; pc: where the caller continues
        lea     rcx, [rsp + 8]
        mov     [rax - SYSCALL_REGISTERS + SYSCALL_SP], rcx  ; the caller's sp after the return
        ret

; extern "C" long clone_thread(unsigned long flags, void* stack_top, void* tls);
;
; Creates a thread with clone(2). In the parent, returns the new thread's id or -errno.
; The child starts with rsp = stack_top (16-byte aligned, the top of its scheduler
; stack), FS = tls (CLONE_SETTLS), and calls machine_main(), which never returns.
; In: rdi = flags, rsi = stack_top, rdx = tls. Kernel: rdi flags, rsi stack, rdx parent_tid,
; r10 child_tid, r8 tls. Clobbers rcx, r11 (syscall), r8, r10, rdx.
extern machine_main
global clone_thread
clone_thread:
        mov     r8, rdx                         ; tls
        xor     edx, edx                        ; no parent_tid
        xor     r10d, r10d                      ; no child_tid
        mov     eax, SYS_CLONE
        syscall
        test    rax, rax
        jnz     .parent                         ; parent: tid, or -errno
        xor     ebp, ebp                        ; child: outermost frame of the new thread
        call    machine_main                    ; rsp was 16-byte aligned: standard entry
        ud2
.parent:
        ret

; extern "C" void switch_goroutines(gort::Goroutine* from, gort::Goroutine* to,
;                                   void (*publish)(gort::Goroutine* from));
;
; A direct switch from one goroutine to another without running the scheduler (used by
; gosched when the local queue has a goroutine ready). Saves `from`'s context (the block
; drawn at the top of this file), then calls publish(from) on this Machine's scheduler
; stack, and only then resumes `to`. publish makes `from` runnable again (puts it on a run
; queue); it must run after the save, and on a stack that is neither `from`'s (another
; Machine may resume `from` as soon as it is published) nor `to`'s (which may have little
; room left).
; In: rdi = from, rsi = to, rdx = publish. Clobbers: everything, as switch_to_scheduler.
global switch_goroutines
switch_goroutines:
        SAVE_CONTEXT
        mov     [rdi + G_SAVED_SP], rsp         ; from.saved_sp: its context is complete
        mov     rax, [fs:TLS_MACHINE]
        mov     rcx, [rax + M_G0]
        mov     [fs:TLS_CURRENT_G], rcx         ; the scheduler stack is current meanwhile
        mov     r8, [rcx + G_STACK_GUARD]
        mov     [fs:TLS_STACK_GUARD], r8
        mov     rsp, [rax + M_SCHEDULER_SP]
        xor     ebp, ebp
        mov     r12, rsi                        ; to, kept across the call
        call    rdx                             ; publish(from); rdi is still from
        mov     rdi, r12
        jmp     resume_goroutine                ; never returns here
