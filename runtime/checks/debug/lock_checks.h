// Lock checks, debug build (the Makefile puts this directory on the include path instead of
// runtime/checks/release). Every acquisition is checked against the locks the thread already
// holds: a lock may be taken only after locks of earlier rank (runtime/lock_rank.h), and a
// release must be of a lock the thread holds. A violation ends the program with
// "fatal error: lock ordering problem" (Go's lockrank). The count of held locks is kept as in
// the release build. Implemented in runtime/checks/debug/lock_checks.cpp.
#pragma once
#include "../../lock_rank.h"

namespace gort::lock_checks {

void before_acquire(const void* lock, LockRank rank);  // checks the order, before blocking
void acquired(const void* lock, LockRank rank);        // records it and counts it
void released(const void* lock, LockRank rank);        // forgets it; fatal if not held
// Where a goroutine starts or resumes running: the thread must hold no runtime lock (none
// is held across a switch; the one park() hands over is released before). Fatal if it does.
void expect_none_held(const char* where);

}  // namespace gort::lock_checks
