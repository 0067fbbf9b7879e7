// Scenarios for the scheduler: spawning and joining, yielding, parallelism, stealing,
// WaitGroup and Mutex under contention, deadlock detection, schedtrace, GOMAXPROCS changes,
// and a randomized stress. Run by tests/harness/test_scheduler.cpp, which sets GOMAXPROCS.
#include "random.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;

namespace {

template <class T>
T atomic_load(const T* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
template <class T>
void atomic_add(T* p, T v) { __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL); }

int64_t current_machine_id() { return gort::cpu::current_machine()->id; }
int32_t current_processor_id() { return gort::cpu::current_machine()->processor->id; }

// Burns CPU for about `ns` nanoseconds without yielding.
void busy_for(int64_t ns) {
  int64_t start = gort::nanotime();
  while (gort::nanotime() - start < ns) {
  }
}

using testing_random::Random;  // deterministic, for the stress scenario

}  // namespace

// N goroutines, each adding its index; the total must be exact.
TEST_SCENARIO(spawn_join) {
  long n = scenario::argument(argc, argv, 1, 100000);
  gort::WaitGroup wg;
  uint64_t total = 0;
  wg.add(int32_t(n));
  for (long i = 0; i < n; i++)
    gort::go([&wg, &total](uint64_t k) { atomic_add(&total, k); wg.done(); }, uint64_t(i));
  wg.wait();
  out::println("total", total, "expected", uint64_t(n) * uint64_t(n - 1) / 2);
  return 0;
}

// On one Processor, two goroutines that yield after each step must alternate strictly.
TEST_SCENARIO(gosched_alternate) {
  constexpr int steps = 2000;
  static char trace[2 * steps + 1];
  int length = 0;
  gort::WaitGroup wg;
  wg.add(2);
  const char names[] = {'A', 'B'};
  for (char name : names)
    gort::go([&](char me) {
      for (int i = 0; i < steps; i++) {
        trace[length++] = me;
        gort::gosched();
      }
      wg.done();
    }, name);
  wg.wait();
  int switches = 0;
  for (int i = 1; i < length; i++) switches += trace[i] != trace[i - 1];
  out::println("length", length, "switches", switches);
  return 0;
}

// With two Processors, two goroutines that never yield must run at the same time: each waits
// (spinning) for the other's step before taking its own, which only finishes if both run
// truly in parallel (Go's TestGoroutineParallelism). Without parallelism it never finishes:
// the harness's timeout is the check.
TEST_SCENARIO(parallel) {
  constexpr uint32_t rounds = 20000;
  uint32_t turn = 0;
  gort::WaitGroup wg;
  wg.add(2);
  for (uint32_t me = 0; me < 2; me++)
    gort::go([&](uint32_t id) {
      for (uint32_t i = 0; i < rounds; i++) {
        while (atomic_load(&turn) % 2 != id) gort::cpu::relax();
        __atomic_add_fetch(&turn, 1, __ATOMIC_ACQ_REL);
      }
      wg.done();
    }, me);
  wg.wait();
  out::println("turns", turn);
  return 0;
}

// Goroutines spawned from one goroutine land on its Processor's queue; with two Processors
// the second Machine must steal some and run them.
TEST_SCENARIO(steal) {
  constexpr int n = 64;
  int64_t ran_on[n];
  int32_t spawned_on = current_processor_id();
  gort::WaitGroup wg;
  wg.add(n);
  for (int i = 0; i < n; i++)
    gort::go([&](int k) {
      ran_on[k] = current_machine_id();
      busy_for(1000000);
      wg.done();
    }, i);
  wg.wait();
  int64_t first = ran_on[0];
  int others = 0;
  for (int64_t id : ran_on) others += id != first;
  out::println("spawned_on_processor", spawned_on, "ran_on_more_than_one_machine", others > 0);
  return 0;
}

// Mutex and WaitGroup keep exact counts under contention, across several rounds (a
// WaitGroup is reused after each wait returns).
TEST_SCENARIO(mutex_waitgroup) {
  constexpr int workers = 8, increments = 20000, rounds = 5;
  gort::Mutex mu;
  gort::WaitGroup wg;
  long counter = 0;  // deliberately not atomic: only the mutex protects it
  for (int round = 0; round < rounds; round++) {
    wg.add(workers);
    for (int w = 0; w < workers; w++)
      gort::go([&] {
        for (int i = 0; i < increments; i++) {
          mu.lock();
          long v = counter;
          if (i % 64 == 0) gort::gosched();  // hold the lock across a yield now and then
          counter = v + 1;
          mu.unlock();
        }
        wg.done();
      });
    wg.wait();
  }
  out::println("counter", counter, "expected", long(workers) * increments * rounds);
  return 0;
}

// main waits for a WaitGroup that nothing will ever finish.
TEST_SCENARIO(deadlock_main) {
  gort::WaitGroup wg;
  wg.add(1);
  wg.wait();
  return 0;
}

// Several goroutines, all blocked on each other; main blocked too.
TEST_SCENARIO(deadlock_many) {
  static gort::Mutex a;
  static gort::WaitGroup never;
  never.add(1);
  a.lock();
  for (int i = 0; i < 3; i++) gort::go([] { a.lock(); });
  gort::go([] { never.wait(); });
  never.wait();
  return 0;
}

// Busy for a while on every Processor so that sysmon prints several trace lines.
TEST_SCENARIO(busy) {
  int64_t ms = scenario::argument(argc, argv, 1, 60);
  gort::WaitGroup wg;
  int n = 2 * gort::gomaxprocs(0) + 1;
  wg.add(n);
  for (int i = 0; i < n; i++)
    gort::go([&] {
      int64_t start = gort::nanotime();
      while (gort::nanotime() - start < ms * 1000000) {
        busy_for(100000);
        gort::gosched();
      }
      wg.done();
    });
  wg.wait();
  return 0;
}

// Records which Processors run a batch of busy goroutines.
static int processors_used(int goroutines) {
  bool used[gort::max_processors] = {};
  gort::WaitGroup wg;
  wg.add(goroutines);
  for (int i = 0; i < goroutines; i++)
    gort::go([&] {
      busy_for(2000000);
      used[current_processor_id()] = true;
      wg.done();
    });
  wg.wait();
  int count = 0;
  for (bool u : used) count += u;
  return count;
}

TEST_SCENARIO(gomaxprocs_change) {
  out::println("start", gort::gomaxprocs(0), "used", processors_used(8));
  out::println("set2_returns", gort::gomaxprocs(2), "now", gort::gomaxprocs(0), "used", processors_used(16));
  out::println("set1_returns", gort::gomaxprocs(1), "now", gort::gomaxprocs(0), "used", processors_used(8));
  out::println("set3_returns", gort::gomaxprocs(3), "now", gort::gomaxprocs(0), "used", processors_used(24) >= 2);
  out::println("query_returns", gort::gomaxprocs(-1), "now", gort::gomaxprocs(0));
  return 0;
}

// num_goroutine counts live goroutines: 10 blocked ones plus main, then only main.
TEST_SCENARIO(num_goroutine) {
  gort::WaitGroup gate, finished;
  gate.add(1);
  finished.add(10);
  for (int i = 0; i < 10; i++)
    gort::go([&] {
      gate.wait();
      finished.done();
    });
  int32_t while_blocked = gort::num_goroutine();
  gate.done();
  finished.wait();
  // The goroutines have called done() but may not have exited yet: yield until they have,
  // a bounded number of times.
  int32_t after = 0;
  for (int i = 0; i < 100000 && (after = gort::num_goroutine()) != 1; i++) gort::gosched();
  out::println("while_blocked", while_blocked, "after", after);
  return 0;
}

// main returning ends the process at once, even with goroutines blocked or running.
TEST_SCENARIO(main_returns_early) {
  static gort::WaitGroup never;
  never.add(1);
  gort::go([] { never.wait(); });
  gort::go([] {
    for (;;) gort::gosched();
  });
  gort::gosched();
  return 3;
}

// Randomized stress on every scheduler path at once: spawning, yielding, parking and
// readying (through the runtime semaphore), and a Mutex. Each worker performs a
// deterministic sequence of operations; the totals must come out exact.
TEST_SCENARIO(stress) {
  constexpr int workers = 16;
  long operations = scenario::argument(argc, argv, 1, 20000);
  static uint32_t tokens = 0;  // a runtime semaphore passed around as a token pool
  static gort::Mutex mu;
  static long locked_sum = 0;
  static uint64_t spawned_sum = 0;
  static uint64_t expected_spawned = 0, expected_locked = 0;
  gort::WaitGroup wg, children;
  wg.add(workers);
  for (int w = 0; w < workers; w++)
    gort::go([&, operations](uint64_t seed) {
      Random r{seed * 0x9e3779b97f4a7c15ULL + 1};
      for (long i = 0; i < operations / workers; i++) {
        uint64_t x = r.next();
        switch (x % 5) {
          case 0:  // spawn a child that adds to a shared total
            children.add(1);
            atomic_add(&expected_spawned, x % 1000);
            gort::go([&children](uint64_t v) { atomic_add(&spawned_sum, v); children.done(); }, x % 1000);
            break;
          case 1: gort::gosched(); break;
          case 2:  // park until another goroutine releases a token
            gort::semaphore_release(&tokens);
            gort::semaphore_acquire(&tokens, gort::WaitReason::Semacquire);
            break;
          case 3:
            mu.lock();
            locked_sum += long(x % 100);
            mu.unlock();
            atomic_add(&expected_locked, x % 100);
            break;
          case 4: gort::cpu::relax(); break;
        }
      }
      wg.done();
    }, uint64_t(w));
  wg.wait();
  children.wait();
  out::println("spawned_ok", spawned_sum == expected_spawned, "locked_ok", uint64_t(locked_sum) == expected_locked,
               "tokens", tokens);
  return 0;
}

// RWMutex under contention: writers increment two counters together; readers check they are
// always equal (a reader inside a write would see them differ).
TEST_SCENARIO(rwmutex) {
  static gort::RWMutex rw;
  static long a = 0, b = 0, torn = 0, reads = 0;
  gort::WaitGroup wg;
  constexpr int writers = 4, readers = 8, rounds = 5000;
  wg.add(writers + readers);
  for (int w = 0; w < writers; w++)
    gort::go([&wg] {
      for (int i = 0; i < rounds; i++) {
        rw.lock();
        a++;
        if (i % 16 == 0) gort::gosched();
        b++;
        rw.unlock();
      }
      wg.done();
    });
  for (int r = 0; r < readers; r++)
    gort::go([&wg] {
      for (int i = 0; i < rounds; i++) {
        rw.read_lock();
        if (a != b) __atomic_add_fetch(&torn, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&reads, 1, __ATOMIC_RELAXED);
        rw.read_unlock();
      }
      wg.done();
    });
  wg.wait();
  out::println("a", a, "b", b, "torn", torn, "reads", reads);
  return 0;
}

// Once runs its function exactly once, and every caller returns after it has finished.
TEST_SCENARIO(once) {
  static gort::Once once;
  static long calls = 0, saw_done = 0;
  static volatile bool finished = false;
  gort::WaitGroup wg;
  wg.add(50);
  for (int i = 0; i < 50; i++)
    gort::go([&wg] {
      once.call([] {
        calls++;
        for (int k = 0; k < 100; k++) gort::gosched();  // others arrive meanwhile
        finished = true;
      });
      if (finished) __atomic_add_fetch(&saw_done, 1, __ATOMIC_RELAXED);
      wg.done();
    });
  wg.wait();
  out::println("calls", calls, "saw_done", saw_done);
  return 0;
}

// Cond: a producer/consumer queue of bounded size with signal and broadcast.
TEST_SCENARIO(cond) {
  static gort::Mutex mu;
  static gort::Cond not_empty(&mu), not_full(&mu);
  static long queue = 0, consumed = 0, produced_total = 0;
  constexpr long per_producer = 10000;
  constexpr int producers = 4, consumers = 4;
  gort::WaitGroup wg;
  wg.add(producers + consumers);
  for (int p = 0; p < producers; p++)
    gort::go([&wg] {
      for (long i = 0; i < per_producer; i++) {
        mu.lock();
        while (queue >= 8) not_full.wait();
        queue++;
        produced_total++;
        not_empty.signal();
        mu.unlock();
      }
      wg.done();
    });
  for (int c = 0; c < consumers; c++)
    gort::go([&wg] {
      for (;;) {
        mu.lock();
        while (queue == 0 && consumed < producers * per_producer) not_empty.wait();
        if (consumed == producers * per_producer) {
          mu.unlock();
          break;
        }
        queue--;
        consumed++;
        if (consumed == producers * per_producer) not_empty.broadcast();  // release the others
        not_full.signal();
        mu.unlock();
      }
      wg.done();
    });
  wg.wait();
  out::println("produced", produced_total, "consumed", consumed, "queue", queue);
  return 0;
}

// A goroutine keeps taking the mutex back at once; a second one waiting for it must still get
// it long before the first is done (starvation mode hands it over after 1 ms of waiting).
TEST_SCENARIO(mutex_no_starvation) {
  static gort::Mutex mu;
  static volatile bool waiter_got_it = false;
  static long hammer_rounds_before = -1;
  gort::WaitGroup wg;
  wg.add(2);
  static volatile bool hammer_started = false;
  gort::go([&wg] {
    for (long i = 0; i < 200000; i++) {
      hammer_started = true;
      mu.lock();
      for (int k = 0; k < 200; k++) __builtin_ia32_pause();
      mu.unlock();
      if (waiter_got_it && hammer_rounds_before < 0) hammer_rounds_before = i;
    }
    wg.done();
  });
  gort::go([&wg] {
    while (!hammer_started) gort::gosched();  // let the hammer start
    mu.lock();
    waiter_got_it = true;
    mu.unlock();
    wg.done();
  });
  wg.wait();
  out::println("waiter_got_it_early", hammer_rounds_before >= 0 && hammer_rounds_before < 150000);
  return 0;
}
