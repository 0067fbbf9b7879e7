// The runtime's subsystems, in the order runtime/start.cpp brings them up. Each line names
// the file that implements it and the chapter of docs/ that explains it.
#pragma once

#include "environment.h"  // argv, envp, auxv               runtime/environment.cpp  docs/01-startup.md
#include "godebug.h"      // GODEBUG settings               runtime/godebug.cpp      docs/01-startup.md
#include "os_memory.h"    // page layer, persistent alloc   runtime/os_memory.cpp    docs/01-startup.md
#include "signals.h"      // signal stacks, fault handlers  runtime/signals.cpp      docs/01-startup.md
#include "fatal.h"        // fatal errors, crash reports    runtime/fatal.cpp        docs/01-startup.md
#include "print.h"        // print, println, fmt            runtime/print.cpp        docs/01-startup.md
#include "lock.h"         // RuntimeLock (futex)            runtime/lock.cpp         docs/locking.md
#include "lock_rank.h"    // the lock order, its checks     runtime/checks/          docs/locking.md
#include "spin_lock.h"    // SpinLock (channels)            runtime/lock.cpp         docs/locking.md
#include "note.h"         // one-shot thread sleep/wakeup   runtime/note.cpp         docs/02-scheduler.md
#include "time.h"         // monotonic and wall clocks      runtime/time.cpp         docs/02-scheduler.md
#include "scheduler.h"    // G/M/P, run queues, parking     runtime/scheduler.cpp    docs/02-scheduler.md
#include "semaphore.h"    // runtime semaphore              runtime/semaphore.cpp    docs/02-scheduler.md
#include "stack.h"        // growable stack segments        runtime/stack.cpp        docs/03-stacks.md
#include "preempt.h"      // asynchronous preemption        runtime/preempt.cpp      docs/03-stacks.md
#include "blocking.h"     // blocking system calls          runtime/blocking.cpp     docs/03-stacks.md
#include "heap.h"         // page heap, span map, scavenger runtime/heap.cpp         docs/04-allocator.md
#include "allocator.h"    // caches, centrals, malloc/free  runtime/allocator.cpp    docs/04-allocator.md
#include "channel.h"      // channels and select            runtime/channel.cpp      docs/05-channels.md
#include "timer.h"        // per-Processor timer heaps      runtime/timer.cpp        docs/05-channels.md
#include "world.h"        // stopping the world             runtime/world.cpp        docs/02-scheduler.md
