// The world: stopping every Processor but one, and starting them again (Go's stopTheWorld,
// startTheWorld, worldsema). See runtime/world.cpp for the protocol; book:
// docs/02-scheduler.md, "Stopping the world".
//
// Who may stop it: any goroutine that holds a Processor (not the scheduler stack, not a thread
// without a Processor). Stops are serialised by the world semaphore: a second caller parks
// until the first has started the world again.
// What stopped means, between stop_the_world() returning and start_the_world():
//   - every Processor in [0, GOMAXPROCS) is Stopped and runs nothing, except the caller's own,
//     which runs only the caller (which must not block, park or yield meanwhile);
//   - no goroutine but the caller runs user code; Machines returning from system calls wait
//     for a Processor without taking one; sysmon and its scavenger start no round;
//   - the Processor array, GOMAXPROCS, the run queues of the stopped Processors and their
//     allocation caches may be changed by the caller alone.
#pragma once
#include <stdint.h>

namespace gort {

struct Goroutine;

// Stops the world; returns once it is stopped. Parks while another goroutine holds it.
// Called on a goroutine's stack, with no runtime lock held.
void stop_the_world();
// Starts the world the caller stopped.
void start_the_world();

// True while g holds the world stopped (stop_the_world returned, start_the_world not yet
// called): a preemption request is then left pending instead of honoured.
bool world_stopped_by(const Goroutine* g);

// For threads without a Processor (sysmon): if a stop is in progress or complete, sleeps until
// the world has started again. Returns at once otherwise.
void wait_while_world_stopped();

// World stops completed so far (a statistic; tests read it).
uint64_t world_stop_count();

}  // namespace gort
