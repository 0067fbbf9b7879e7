// The concurrent mark's state that code every program links reads (execute, exit_syscall,
// channel copies, the allocator): the phase, the cycle number and the hooks into the marker.
// It lives apart from runtime/marker.cpp so that reading it pulls none of the marker (or the
// collector and the barrier it references) into a program that never collects; marker.h
// says what each one means.
#include "barrier.h"
#include "marker.h"

namespace gort::gc::detail {
uint8_t write_barrier_enabled asm("gort_write_barrier_enabled") = 0;  // runtime/barrier.h
}  // namespace gort::gc::detail

namespace gort {

MarkHooks mark_hooks = {};  // set by install_mark_hooks on the collector's first use
uint32_t mark_phase = 0;    // atomic: 1 while a concurrent mark runs (set and cleared with the world stopped)
uint32_t mark_cycle = 0;    // atomic: the current (or last) mark's number, for gc_scan_state claims

// The barrier's flag, with the world stopped (the marker's pauses, the barrier's tests): the
// world's start publishes it to every goroutine before any runs again.
void set_write_barrier(bool on) { __atomic_store_n(&gc::detail::write_barrier_enabled, uint8_t(on), __ATOMIC_RELEASE); }

}  // namespace gort
