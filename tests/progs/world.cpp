// Scenarios for stopping the world (runtime/world.cpp) and for preemption reaching runtime
// code (runtime/preempt.h's preemption points): concurrent GOMAXPROCS changes, stops with
// goroutines spinning, a channel ping-pong pair sharing one Processor, goroutines looping on
// runtime calls, and a spawning loop. Run by tests/harness/test_world.cpp, which sets
// GOMAXPROCS. Nothing here measures milliseconds: lateness is counted in sysmon's time slices
// (sysmon_slices_ended), and a stop that depended on a time slice would never end
// where the slice is made an hour long.
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;

extern "C" {
void* malloc(size_t);
void free(void*);
}

namespace {

template <class T>
T atomic_load(const T* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

volatile long sink;
void* (*volatile opaque_malloc)(size_t) = malloc;  // not inlined: a real call each round
void (*volatile opaque_free)(void*) = free;

// A goroutine that never calls anything: only the preemption signal can stop it.
void spin_forever() {
  for (;;) sink = sink + 1;
}

// Cooperative spinning: a call with a stack check each round, no signal needed.
__attribute__((noinline)) void checked_step() {
  GORT_STACK_CHECK();
  sink = sink + 1;
}

// Slices sysmon has ended (asked a goroutine to yield) so far.
uint64_t slices() { return gort::sysmon_slices_ended(); }

gort::GoroutineStatus status_of(const gort::Goroutine* g) {
  return gort::GoroutineStatus(__atomic_load_n(reinterpret_cast<const uint32_t*>(&g->status), __ATOMIC_ACQUIRE));
}

}  // namespace

// Several goroutines change GOMAXPROCS at once, thousands of times in all, among busy ones:
// the world semaphore makes them take turns (before it, the second died with "already
// stopping").
TEST_SCENARIO(gomaxprocs_concurrent) {
  int changers = int(scenario::argument(argc, argv, 1, 4));
  long rounds = scenario::argument(argc, argv, 2, 1000);
  int32_t initial = gort::gomaxprocs(0);
  uint64_t stops_before = gort::world_stop_count();
  // Meanwhile a channel ping-pong pair and an allocating loop keep every Processor busy with
  // runtime calls, so that stops catch goroutines at their preemption points too.
  static gort::Channel<long> ab(0), ba(0);
  gort::go([] {
    for (;;) ba.send(ab.receive() + 1);
  });
  gort::go([] {
    for (long n = 0;; n++) {
      ab.send(n);
      ba.receive();
    }
  });
  gort::go([] {
    for (;;) opaque_free(opaque_malloc(48));
  });
  gort::WaitGroup wg;
  wg.add(changers);
  for (int c = 0; c < changers; c++)
    gort::go([&wg, rounds](int id) {
      for (long k = 0; k < rounds; k++) gort::gomaxprocs(int32_t((k + id) % 4 + 1));
      wg.done();
    }, c);
  wg.wait();
  gort::gomaxprocs(initial);
  int32_t now = gort::gomaxprocs(0);
  uint64_t stops = gort::world_stop_count() - stops_before;
  // A change to the value already set stops nothing; most changes stop the world.
  out::println("changes", long(changers) * rounds, "restored", now == initial, "stopped_at_least_a_quarter",
               stops * 4 >= uint64_t(changers * rounds));
  return 0;
}

// Goroutines spinning without calls, and sysmon's slice an hour long: each stop can only
// complete by asking every running goroutine to yield at once.
TEST_SCENARIO(stop_with_spinners) {
  int spinners = int(scenario::argument(argc, argv, 1, 2));
  long stops = scenario::argument(argc, argv, 2, 200);
  gort::set_preemption_time_slice(int64_t(3600) * 1000 * 1000 * 1000);
  for (int s = 0; s < spinners; s++) gort::go(spin_forever);
  // main never yields here: with no time slices, a spinner that took its Processor would keep
  // it. The spinners run on the other Processors (stolen from main's queue).
  int32_t initial = gort::gomaxprocs(0);
  for (long k = 0; k < stops; k++) gort::gomaxprocs(k % 2 == 0 ? initial + 1 : initial);
  out::println("stops", stops, "gomaxprocs", gort::gomaxprocs(0) == initial);
  return 0;  // the spinners end with the process
}

// The same with cooperative spinners only, for GODEBUG=asyncpreemptoff=1: the flag and the
// poisoned stack guard alone stop them.
TEST_SCENARIO(stop_with_checked_spinners) {
  int spinners = int(scenario::argument(argc, argv, 1, 2));
  long stops = scenario::argument(argc, argv, 2, 200);
  gort::set_preemption_time_slice(int64_t(3600) * 1000 * 1000 * 1000);
  for (int s = 0; s < spinners; s++)
    gort::go([] {
      for (;;) checked_step();
    });
  int32_t initial = gort::gomaxprocs(0);
  for (long k = 0; k < stops; k++) gort::gomaxprocs(k % 2 == 0 ? initial + 1 : initial);
  out::println("stops", stops, "gomaxprocs", gort::gomaxprocs(0) == initial);
  return 0;
}

// A Machine coming back from a system call while the world is stopped must not take a
// Processor: its goroutine waits (Runnable, queued) until the world starts again.
TEST_SCENARIO(syscall_return_waits_for_world) {
  int fds[2];
  if (gort::os::pipe(fds) != 0) return 1;
  static int returned = 0;
  static gort::Goroutine* reader = nullptr;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    reader = gort::cpu::current_goroutine();
    char c;
    gort::os::read(fds[0], &c, 1);  // its Processor stays attached, marked Syscall
    __atomic_store_n(&returned, 1, __ATOMIC_RELEASE);
    wg.done();
  });
  while (atomic_load(&reader) == nullptr || status_of(reader) != gort::GoroutineStatus::Syscall)
    gort::gosched();
  gort::stop_the_world();
  char c = 'x';
  gort::sys::write(fds[1], &c, 1);  // wakes the reader's thread in the kernel
  // Wait until its thread is back and has queued it, bounded by a count of yields to the kernel.
  long waited = 0;
  while (status_of(reader) == gort::GoroutineStatus::Syscall && waited < 10000000) {
    gort::sys::sched_yield();
    waited++;
  }
  bool queued = status_of(reader) == gort::GoroutineStatus::Runnable;
  bool ran_while_stopped = atomic_load(&returned) != 0;
  gort::start_the_world();
  wg.wait();
  out::println("queued", queued, "ran_while_stopped", ran_while_stopped, "ran_after", atomic_load(&returned) == 1);
  return 0;
}

// Shrinking GOMAXPROCS moves the retired Processor's queued goroutines to the global queue's
// front, ahead of those already waiting there (Go's procresize). Arranged with the world
// stopped: Processor 1's queue holds a shrinker and 20 "local" goroutines, the global queue 20
// "global" ones; main then spins on Processor 0. The shrinker stops the world (main, preempted,
// goes behind everything) and retires Processor 1; Processor 0 must then run all 20 local
// goroutines before any global one. Needs GOMAXPROCS=2 and the preemption signal. sysmon's
// slice is made an hour: otherwise, when Processor 1's thread is slow to wake (a loaded
// machine), sysmon preempts main after 10 ms, main goes to the global queue, and Processor 0
// takes the global goroutines before the shrink has happened (seen once in CI).
TEST_SCENARIO(shrink_queues_retired_first) {
  constexpr int each = 20;
  static char order[2 * each + 1];
  static int ran = 0;
  static volatile int finished = 0, started = 0;
  if (gort::gomaxprocs(0) != 2) return 64;
  gort::set_preemption_time_slice(int64_t(3600) * 1000 * 1000 * 1000);
  gort::stop_the_world();
  gort::go([] {
    while (!started) sink = sink + 1;  // until start_the_world has returned (and let go of the world)
    gort::gomaxprocs(1);
  });
  for (int i = 0; i < 2 * each; i++)
    gort::go([](char tag) {
      order[__atomic_fetch_add(&ran, 1, __ATOMIC_ACQ_REL)] = tag;
      if (__atomic_load_n(&ran, __ATOMIC_ACQUIRE) == 2 * each) finished = 1;
    }, i < each ? 'L' : 'G');
  // Everything went to main's Processor: take it back, oldest (lowest id) first.
  gort::Processor* here = gort::cpu::current_machine()->processor;
  gort::Processor* other = gort::scheduler.processors[here->id == 0 ? 1 : 0];
  gort::Goroutine* made[2 * each + 1];
  int count = 0;
  bool unused;
  while (gort::Goroutine* g = gort::run_queue_get(here, &unused)) made[count++] = g;
  for (int i = 1; i < count; i++)
    for (int j = i; j > 0 && made[j]->id < made[j - 1]->id; j--) {
      gort::Goroutine* t = made[j];
      made[j] = made[j - 1];
      made[j - 1] = t;
    }
  for (int i = 0; i <= each; i++) gort::run_queue_put(other, made[i], false);  // shrinker, then L
  // Every 61st round looks at the global queue first (global_queue_due): none of the next 59.
  other->schedule_tick = other->schedule_tick / 61 * 61 + 1;
  {
    gort::LockGuard guard(gort::scheduler.lock);
    for (int i = each + 1; i < count; i++) gort::global_queue_put(made[i]);  // G
  }
  gort::start_the_world();
  started = 1;
  while (!finished) sink = sink + 1;  // no calls: only the signal stops main
  order[2 * each] = 0;
  out::println("made", count, "order", order);
  return 0;
}

// sysmon starts no round while the world is stopped. Its slice (and so its longest sleep) is
// made 100 us, so that over the 20,000 yields to the kernel below it would otherwise begin
// dozens of rounds; one may already be under way when the stop begins.
TEST_SCENARIO(sysmon_pauses_while_stopped) {
  gort::set_preemption_time_slice(100 * 1000);
  uint64_t started = gort::sysmon_round_count();
  while (gort::sysmon_round_count() < started + 3) gort::gosched();  // it polls fast now
  gort::stop_the_world();
  uint64_t at_stop = gort::sysmon_round_count();
  for (int i = 0; i < 20000; i++) gort::sys::sched_yield();
  uint64_t while_stopped = gort::sysmon_round_count() - at_stop;
  gort::start_the_world();
  uint64_t after = gort::sysmon_round_count();
  while (gort::sysmon_round_count() < after + 3) gort::gosched();  // and it resumes
  out::println("rounds_while_stopped_at_most_one", while_stopped <= 1, "resumed true");
  return 0;
}

// On one Processor, a goroutine queued behind a channel ping-pong pair: the pair hands the
// Processor back and forth through run_next, each inheriting the other's slice; the first
// slice that ends must let the victim run (with or without the preemption signal). A few
// slices are allowed: sysmon counts a slice even while the kernel has the thread descheduled.
TEST_SCENARIO(pingpong_victim) {
  static gort::Channel<long> ab(0), ba(0);
  static gort::Channel<uint64_t> done(0);
  uint64_t before = slices();
  gort::go([] {
    for (;;) ba.send(ab.receive() + 1);
  });
  gort::go([] { done.send(slices()); });
  gort::go([] {
    for (long n = 0;; n++) {
      ab.send(n);
      ba.receive();
    }
  });
  uint64_t at = done.receive();
  out::println("victim_ran_within_slices", at - before <= 5 ? "few" : "many");  // before: 7 to 80
  return 0;
}

// On one Processor, a goroutine loops on one kind of runtime call that never blocks; main
// sleeps 10 ms five times. Each sleep must end within a few slices. Kinds: malloc (free after
// malloc, the allocator's fast paths), try (try_send/try_receive), trylock (Mutex::try_lock and
// unlock), select (select_default on a full channel), go (spawning goroutines that exit).
TEST_SCENARIO(runtime_loop) {
  const char* kind = argc > 1 ? argv[1] : "malloc";
  static gort::Channel<int> full(1);
  full.send(1);
  static gort::Mutex mutex;
  if (gort::same_string(kind, "malloc")) {
    gort::go([] {
      for (;;) opaque_free(opaque_malloc(64));
    });
  } else if (gort::same_string(kind, "try")) {
    gort::go([] {
      gort::Channel<int> c(1);
      for (;;) {
        c.try_send(1);
        int v;
        c.try_receive(v);
      }
    });
  } else if (gort::same_string(kind, "trylock")) {
    gort::go([] {
      for (;;)
        if (mutex.try_lock()) mutex.unlock();
    });
  } else if (gort::same_string(kind, "select")) {
    gort::go([] {
      int v = 2;
      for (;;) gort::select_default({gort::on_send(&full, &v)});
    });
  } else if (gort::same_string(kind, "go")) {
    gort::go([] {
      for (;;) gort::go([] { sink = sink + 1; });
    });
  } else {
    out::println("unknown kind", kind);
    return 64;
  }
  uint64_t worst = 0;
  for (int i = 0; i < 5; i++) {
    uint64_t before = slices();
    gort::sleep(10 * 1000 * 1000);
    uint64_t took = slices() - before;
    if (took > worst) worst = took;
  }
  out::println(kind, "sleeps_ended_within_slices", worst <= 5 ? "few" : "many");  // before: 6 to 177
  return 0;
}

// main spawns n goroutines in a loop and is preempted like any goroutine, so the spawned ones
// run meanwhile: never more than a tenth of them are alive at once (before, nearly all n were).
TEST_SCENARIO(spawn_bounded) {
  long n = scenario::argument(argc, argv, 1, 1000000);
  static long finished = 0;
  gort::WaitGroup wg;
  wg.add(int32_t(n));
  long peak = 0;
  for (long i = 0; i < n; i++) {
    gort::go([&wg] {
      __atomic_add_fetch(&finished, 1, __ATOMIC_RELAXED);
      wg.done();
    });
    long alive = i + 1 - atomic_load(&finished);
    if (alive > peak) peak = alive;
  }
  wg.wait();
  out::println("finished", atomic_load(&finished), "peak_alive_at_most_a_tenth", peak <= n / 10);
  return 0;
}
