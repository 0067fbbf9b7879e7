// The runtime semaphore (Go's sema.go): a counter at any 32-bit address, on which
// goroutines block until it is positive. It is what WaitGroup, Mutex and the rest of the
// sync primitives sleep on. Waiters are kept in a table of 251 buckets keyed by address
// (Go's semtable), so any word can be a semaphore without extra state.
#pragma once
#include <stdint.h>

#include "goroutine.h"

namespace gort {

// Waits until *address > 0, then decrements it. `lifo`: queue at the front (a waiter that
// was woken but lost the race goes back first, as in Go's sync.Mutex).
void semaphore_acquire(uint32_t* address, WaitReason reason, bool lifo = false);
// Increments *address and wakes one waiter on it, if any. With `handoff`, the woken waiter
// receives the unit directly, so a goroutine arriving meanwhile cannot take it first.
void semaphore_release(uint32_t* address, bool handoff = false);

}  // namespace gort
