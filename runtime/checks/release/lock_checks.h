// Lock checks, release build (the Makefile puts this directory on the include path; the
// debug build uses runtime/checks/debug instead). Only the count of runtime locks the thread
// holds is kept (ThreadLocal::locks_held, Go's m.locks, read by holds_runtime_lock()): one
// fs-relative add per acquisition and release. Called by RuntimeLock and SpinLock
// (runtime/lock.cpp, runtime/spin_lock.h); see runtime/lock_rank.h.
#pragma once
#include <stddef.h>

#include "../../../arch/amd64/cpu.h"
#include "../../lock_rank.h"
#include "../../machine.h"

namespace gort::lock_checks {

inline void before_acquire(const void*, LockRank) {}
inline void acquired(const void*, LockRank) { cpu::thread_local_add<offsetof(ThreadLocal, locks_held)>(1); }
inline void released(const void*, LockRank) { cpu::thread_local_add<offsetof(ThreadLocal, locks_held)>(-1); }
inline void expect_none_held(const char*) {}

}  // namespace gort::lock_checks
