; memory.asm: memcpy, memmove, memset, memcmp and bcmp. The C++ compiler emits calls to
; these for struct copies and large zeroing even with -ffreestanding, and gort has no libc
; to supply them. They use the string instructions, which are fast on CPUs with ERMS
; (every x86-64 CPU gort targets). The direction flag is clear on entry (ABI) and on exit.

bits 64
default rel

section .text

; extern "C" void* memcpy(void* dst, const void* src, size_t n);
; In: rdi = dst, rsi = src, rdx = n.  Out: rax = dst.  Clobbered: rcx, rsi, rdi.
global memcpy
memcpy:
        mov     rax, rdi                ; return dst
        mov     rcx, rdx                ; count
        rep movsb
        ret

; extern "C" void* memmove(void* dst, const void* src, size_t n);
; Overlap-safe: copies backward when dst lies inside [src, src+n).
; In: rdi = dst, rsi = src, rdx = n.  Out: rax = dst.  Clobbered: rcx, rsi, rdi.
global memmove
memmove:
        mov     rax, rdi
        mov     rcx, rdx
        mov     r8, rdi
        sub     r8, rsi                 ; dst - src (unsigned)
        cmp     r8, rdx
        jb      .backward               ; 0 < dst - src < n: forward copy would clobber src
        rep movsb
        ret
.backward:
        lea     rsi, [rsi + rdx - 1]    ; last byte of src
        lea     rdi, [rdi + rdx - 1]    ; last byte of dst
        std                             ; copy high to low
        rep movsb
        cld                             ; ABI: direction flag clear on return
        ret

; extern "C" void* memset(void* dst, int c, size_t n);
; In: rdi = dst, esi = byte value, rdx = n.  Out: rax = dst.  Clobbered: rcx, rdi, r8.
global memset
memset:
        mov     r8, rdi
        mov     eax, esi                ; al = fill byte
        mov     rcx, rdx
        rep stosb
        mov     rax, r8
        ret

; extern "C" int memcmp(const void* a, const void* b, size_t n);
; extern "C" int bcmp(const void* a, const void* b, size_t n);   (zero iff equal)
; In: rdi = a, rsi = b, rdx = n.  Out: eax < 0, 0, > 0 as the first differing byte of a is
; smaller, equal, or larger (unsigned).  Clobbered: rcx, rsi, rdi, r8.
global memcmp
global bcmp
memcmp:
bcmp:
        xor     eax, eax
        mov     rcx, rdx
        test    rcx, rcx
        jz      .done                   ; n == 0: equal (repe cmpsb would leave flags stale)
        repe cmpsb
        je      .done                   ; ran out of bytes with all equal
        movzx   eax, byte [rdi - 1]     ; the differing byte of a
        movzx   r8d, byte [rsi - 1]     ; the differing byte of b
        sub     eax, r8d
.done:
        ret
