; memory.asm: memcpy, memmove, memset, memcmp and bcmp. The C++ compiler emits calls to
; these for struct copies and large zeroing even with -ffreestanding, and gort has no libc
; to supply them. They use the string instructions, which are fast on CPUs with ERMS
; (every x86-64 CPU gort targets). The direction flag is clear on entry (ABI) and on exit.

bits 64
default rel

section .text

; extern "C" void* memcpy(void* dst, const void* src, size_t n);
; In: rdi = dst, rsi = src, rdx = n.  Out: rax = dst.  Clobbered: rcx, rsi, rdi, r8. r8, r9,
; xmm0, xmm1.
; Up to 32 bytes are copied with two possibly overlapping loads and stores of the largest
; width that fits (first and last bytes), which costs a few cycles; `rep movsb` has a start-up
; cost of tens of cycles that dominated small copies (channel elements, small structs).
global memcpy
memcpy:
        mov     rax, rdi                ; return dst
        cmp     rdx, 32
        ja      .copy_large
        cmp     rdx, 16
        jae     .copy_16_to_32
        cmp     rdx, 8
        jae     .copy_8_to_15
        cmp     rdx, 4
        jae     .copy_4_to_7
        test    rdx, rdx
        jz      .copy_done
        movzx   ecx, byte [rsi]         ; 1..3 bytes: first, middle, last
        movzx   r8d, byte [rsi + rdx - 1]
        mov     r9, rdx
        shr     r9, 1
        movzx   r9d, byte [rsi + r9]
        mov     [rdi], cl
        mov     [rdi + rdx - 1], r8b
        mov     rcx, rdx
        shr     rcx, 1
        mov     [rdi + rcx], r9b
        ret
.copy_4_to_7:
        mov     ecx, [rsi]
        mov     r8d, [rsi + rdx - 4]
        mov     [rdi], ecx
        mov     [rdi + rdx - 4], r8d
        ret
.copy_8_to_15:
        mov     rcx, [rsi]
        mov     r8, [rsi + rdx - 8]
        mov     [rdi], rcx
        mov     [rdi + rdx - 8], r8
        ret
.copy_16_to_32:
        movups  xmm0, [rsi]
        movups  xmm1, [rsi + rdx - 16]
        movups  [rdi], xmm0
        movups  [rdi + rdx - 16], xmm1
        ret
.copy_large:
        mov     rcx, rdx                ; count
        rep movsb
.copy_done:
        ret

; extern "C" void* memmove(void* dst, const void* src, size_t n);
; Overlap-safe: copies backward when dst lies inside [src, src+n).
; In: rdi = dst, rsi = src, rdx = n.  Out: rax = dst.  Clobbered: rcx, rsi, rdi, r8.
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
; In: rdi = dst, esi = byte value, rdx = n.  Out: rax = dst.  Clobbered: rcx, rdi, r8, xmm0.
; Up to 32 bytes: the byte is spread over a register and stored with two possibly
; overlapping stores, as in memcpy; longer runs use `rep stosb`.
global memset
memset:
        mov     r8, rdi
        movzx   eax, sil
        mov     rcx, 0x0101010101010101
        imul    rax, rcx                ; the byte in all eight lanes
        cmp     rdx, 32
        ja      .set_large
        cmp     rdx, 16
        jae     .set_16_to_32
        cmp     rdx, 8
        jae     .set_8_to_15
        cmp     rdx, 4
        jae     .set_4_to_7
        test    rdx, rdx
        jz      .set_done
        mov     [rdi], al               ; 1..3 bytes: first, middle, last
        mov     [rdi + rdx - 1], al
        mov     rcx, rdx
        shr     rcx, 1
        mov     [rdi + rcx], al
        jmp     .set_done
.set_4_to_7:
        mov     [rdi], eax
        mov     [rdi + rdx - 4], eax
        jmp     .set_done
.set_8_to_15:
        mov     [rdi], rax
        mov     [rdi + rdx - 8], rax
        jmp     .set_done
.set_16_to_32:
        movq    xmm0, rax
        punpcklqdq xmm0, xmm0
        movups  [rdi], xmm0
        movups  [rdi + rdx - 16], xmm0
        jmp     .set_done
.set_large:
        mov     rcx, rdx
        rep stosb
.set_done:
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
