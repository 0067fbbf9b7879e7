// The write barrier (Go's hybrid barrier, writebarrierptr and bulkBarrierPreWrite): what a
// program uses to overwrite a pointer held in a collected object while the collector may be
// marking. Public API in namespace gort::gc, included by collector.h (so by gort.h).
// Implementation: runtime/barrier.cpp; the rewind of an interrupted site: runtime/preempt.cpp.
// Book: docs/07-collector.md, "The write barrier".
//
//   struct Node { uint64_t key; gort::gc::Ptr<Node> left, right; };
//   GORT_GC_POINTERS(Node, left, right);
//   n->left = other;                          // a barriered store
//   gort::gc::write_pointer(&raw_slot, p);    // the same for a raw T* field
//   gort::gc::copy_pointers(dst, src, bytes); // memmove for memory holding pointers
//
// Design.
//   1. detail::write_barrier_enabled is 1 only while a mark runs; the marker changes it with
//      the world stopped, and at no other time.
//   2. A store while it is 0 is one compare of the flag with zero, one branch (not taken,
//      predicted) and the store itself, inlined where the store is, in ONE asm-goto block:
//          site:  cmpb $0, gort_write_barrier_enabled(%rip)   ; 7 bytes
//                 jne  slow                                   ; 6 bytes (rel32, forced)
//                 mov  value, (slot)                          ; 3 or 4 bytes
//          end:
//      The block records [site, end) in the section gort_barrier_ranges (two words a site).
//   3. While it is 1, the branch goes to write_pointer_slow (runtime code, which the
//      preemption signal never stops): shade the old value, shade the new one if the
//      running goroutine's stack is still grey (never, during a mark), store.
//   4. A goroutine stopped by the preemption signal inside [site, end) has tested the flag
//      but not stored: the signal handler resumes it at `site` instead, so it tests again
//      (runtime/preempt.cpp). Without that, a goroutine that tested 0, was stopped, and
//      resumed after the marker set the flag would store without shading.
// Why asm goto and not C++: the compiler may put any instruction, and so a preemption point,
// between a C++ test and a C++ store, and it could move the store away from the test; an
// asm block is emitted exactly as written, so its bounds are the test-and-store.
// The section's layout: each entry's section is SHF_LINK_ORDER to the function's code
// section ("o"), so --gc-sections drops the entries of a dropped function and the linker
// orders the entries as it orders the code (ascending addresses: the handler binary-searches
// them); "?" puts the entry in the function's COMDAT group, so an inline function's entries
// go with the one copy the linker keeps. The Makefile links with -z start-stop-gc, so the
// __start_/__stop_ symbols do not keep every entry (and its function) alive. A program with
// no site has no section: runtime/barrier.cpp declares the two symbols weak.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <type_traits>

#include "collector.h"  // is_pointer_field (collector.h includes this file at its end)

namespace gort::gc {

namespace detail {
// 1 while a mark runs (set by the marker with the world stopped); 0 otherwise. Read by every
// barrier site in its asm under this symbol name. Defined in runtime/barrier.cpp.
extern uint8_t write_barrier_enabled asm("gort_write_barrier_enabled");

// The slow path of a store (runtime code: never preempted between its shades and its store).
[[gnu::cold, gnu::noinline]] void write_pointer_slow(void** slot, void* value);
// The bulk barrier, all of it in runtime code (see copy_pointers below for why).
void copy_pointers_checked(void* dst, const void* src, size_t bytes);
void clear_pointers_checked(void* dst, size_t bytes);

template <typename T>
void** erase_slot(T** slot) {
  return static_cast<void**>(static_cast<void*>(slot));
}
template <typename T>
void* erase_value(T* value) {
  return const_cast<void*>(static_cast<const void*>(value));
}
}  // namespace detail

// *slot = value, with the barrier: while a mark runs, the old *slot and value are shaded
// first. For a pointer field of a collected object that may be overwritten after the object
// is reachable (Ptr<T> below does this on every assignment). Any goroutine; no lock needed.
template <typename T>
[[gnu::always_inline]] inline void write_pointer(T** slot, T* value) {
  // %{disp32%} forces the 6-byte jne, so every site has the same shape whatever the distance
  // to the slow block; "+m" tells the compiler *slot changes; "cc": cmp writes the flags.
  asm goto(
      ".Lgort_barrier_site%=:\n\t"
      "cmpb $0, gort_write_barrier_enabled(%%rip)\n\t"
      "%{disp32%} jne %l[slow]\n\t"
      "movq %[value], (%[slot])\n"
      ".Lgort_barrier_end%=:\n\t"
      ".pushsection gort_barrier_ranges, \"ao?\", @progbits, .Lgort_barrier_site%=\n\t"
      ".balign 8\n\t"
      ".quad .Lgort_barrier_site%=, .Lgort_barrier_end%=\n\t"
      ".popsection"
      : /* no register outputs: asm goto */
      : [slot] "r"(slot), [value] "r"(value), "m"(*slot)
      : "cc", "memory"
      : slow);
  return;
slow:
  detail::write_pointer_slow(detail::erase_slot(slot), detail::erase_value(value));
}

// A barriered pointer field of a collected object: exactly one word, standard layout.
// Constructing one (from T*, nullptr, another Ptr, or default: null) is an initialising store
// and takes no barrier: the object being constructed is not yet reachable by anyone, so the
// marker cannot have scanned it. Every assignment afterwards goes through write_pointer.
// Reading is a plain load. List Ptr fields in GORT_GC_POINTERS like raw pointers.
template <typename T>
class Ptr {
 public:
  Ptr() : pointer_(nullptr) {}
  Ptr(T* pointer) : pointer_(pointer) {}  // NOLINT: implicit, as a raw pointer field is
  Ptr(decltype(nullptr)) : pointer_(nullptr) {}
  Ptr(const Ptr& other) : pointer_(other.pointer_) {}

  Ptr& operator=(T* pointer) {
    write_pointer(&pointer_, pointer);
    return *this;
  }
  Ptr& operator=(const Ptr& other) {
    write_pointer(&pointer_, other.pointer_);
    return *this;
  }
  Ptr& operator=(decltype(nullptr)) {
    write_pointer(&pointer_, static_cast<T*>(nullptr));
    return *this;
  }

  T* get() const { return pointer_; }
  operator T*() const { return pointer_; }
  T* operator->() const { return pointer_; }
  T& operator*() const { return *pointer_; }
  explicit operator bool() const { return pointer_ != nullptr; }
  // Comparisons (==, <, ... with a Ptr, a T* or nullptr) are the built-in pointer ones, through
  // the conversion to T*: operators of its own would be ambiguous with them.

 private:
  T* pointer_;
};

template <typename T>
struct is_pointer_field<Ptr<T>> : std::true_type {};

// memmove(dst, src, bytes) for memory that holds pointers (a collected array grown by copy,
// a container of collected pointers): while a mark runs, every aligned word of the old dst
// and of src is shaded first. Unlike write_pointer, the flag is tested inside the runtime,
// not inline: a test inline would be followed by the argument set-up and the call, where the
// signal may stop the goroutine, and a block of that shape cannot be rewound safely (its call
// would write the red zone of the code around it). The copy is a call anyway.
inline void copy_pointers(void* dst, const void* src, size_t bytes) { detail::copy_pointers_checked(dst, src, bytes); }
// memset(dst, 0, bytes) for memory that holds pointers: the old words are shaded first while
// a mark runs.
inline void clear_pointers(void* dst, size_t bytes) { detail::clear_pointers_checked(dst, bytes); }

}  // namespace gort::gc
