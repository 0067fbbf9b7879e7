// Scenarios for goroutines and OS threads: blocking system calls that must not hold other
// goroutines hostage, and LockOSThread. Run by tests/harness/test_threads.cpp.
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;

// A goroutine blocks in read() on an empty pipe. With one processor, the others must keep
// running: main yields a thousand times, then writes the byte the reader waits for.
// Two goroutines ping-pong a byte over two pipes with blocking os::read/os::write. With one
// Processor, a goroutine blocked in read() holds it in Syscall until sysmon retakes it for the
// other goroutine, whose write() then wakes the reader while the writer's own call has the
// Processor in Syscall again. The returning reader must not take that Processor back (it did,
// comparing only the status: "fatal error: release_processor: ..."). Every byte is counted.
TEST_SCENARIO(pipe_ping_pong) {
  long rounds = scenario::argument(argc, argv, 1, 300);
  int there[2], back[2];
  if (gort::os::pipe(there) != 0 || gort::os::pipe(back) != 0) return 1;
  long echoed = 0;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    char c;
    for (long i = 0; i < rounds; i++) {
      if (gort::os::read(there[0], &c, 1) != 1) break;
      gort::os::write(back[1], &c, 1);
      echoed++;
    }
    wg.done();
  });
  long returned = 0;
  for (long i = 0; i < rounds; i++) {
    char c = 'x';
    gort::os::write(there[1], &c, 1);
    if (gort::os::read(back[0], &c, 1) == 1 && c == 'x') returned++;
  }
  wg.wait();
  out::println("echoed", echoed, "returned", returned);
  return 0;
}

TEST_SCENARIO(blocked_read) {
  int fds[2];
  if (gort::os::pipe(fds) != 0) return 1;
  gort::WaitGroup reader_done;
  long got = -1;
  char byte = 0;
  reader_done.add(1);
  gort::go([&] {
    got = gort::os::read(fds[0], &byte, 1);
    reader_done.done();
  });
  gort::gosched();  // the reader runs and blocks in the kernel
  long progress = 0;
  gort::WaitGroup workers;
  workers.add(4);
  for (int w = 0; w < 4; w++)
    gort::go([&] {
      for (int i = 0; i < 250; i++) {
        __atomic_add_fetch(&progress, 1, __ATOMIC_RELAXED);
        gort::gosched();
      }
      workers.done();
    });
  workers.wait();
  out::println("others_progressed", progress);
  gort::os::write(fds[1], "z", 1);
  reader_done.wait();
  out::println("reader_got", got, byte);
  return 0;
}

// sleep_thread hands the processor off at once: with one processor, another goroutine runs
// while the sleeper's thread is in nanosleep.
TEST_SCENARIO(blocking_handoff) {
  static volatile bool sleeper_done = false;
  long ran_during_sleep = 0;
  gort::WaitGroup wg;
  wg.add(1);
  uint64_t retakes_before = gort::syscall_retakes();
  gort::go([&] {
    gort::os::sleep_thread(200 * 1000 * 1000);
    sleeper_done = true;
    wg.done();
  });
  gort::gosched();  // the sleeper enters its system call
  while (!sleeper_done) {
    ran_during_sleep++;
    gort::gosched();
  }
  wg.wait();
  // Handed off at once, the Processor was never left in a system call for sysmon to retake
  // (which would also have let main run, after a sysmon round).
  uint64_t retaken = gort::syscall_retakes() - retakes_before;
  out::println("main_ran_during_sleep", ran_during_sleep > 0, "retaken_by_sysmon", retaken);
  return 0;
}

// A wired goroutine keeps its thread id across yields and parks while other goroutines come
// and go on two processors; after unlocking it is an ordinary goroutine again.
TEST_SCENARIO(lock_os_thread) {
  constexpr int rounds = 2000;
  long tid_changes = 0, others_ran = 0;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    gort::lock_os_thread();
    long tid = gort::sys::gettid();
    for (int i = 0; i < rounds; i++) {
      if (i % 2 == 0) {
        gort::gosched();
      } else {
        gort::WaitGroup hop;  // park until another goroutine readies us
        hop.add(1);
        gort::go([&hop] { hop.done(); });
        hop.wait();
      }
      tid_changes += gort::sys::gettid() != tid;
    }
    gort::unlock_os_thread();
    wg.done();
  });
  gort::WaitGroup busy;
  busy.add(8);
  for (int w = 0; w < 8; w++)
    gort::go([&] {
      for (int i = 0; i < 500; i++) {
        __atomic_add_fetch(&others_ran, 1, __ATOMIC_RELAXED);
        gort::gosched();
      }
      busy.done();
    });
  busy.wait();
  wg.wait();
  out::println("tid_changes", tid_changes, "others_ran", others_ran);
  return 0;
}

// Without the lock, the same goroutine does move between threads (so the test above could
// fail): it sleeps in a blocking system call while two busy goroutines keep both processors
// taken, so when it returns there is no processor for its thread; it waits in the global
// queue and another thread runs it.
TEST_SCENARIO(unlocked_moves) {
  static volatile bool stop = false;
  long tid_changes = 0;
  gort::WaitGroup wg, competitors;
  competitors.add(2);
  for (int c = 0; c < 2; c++)
    gort::go([&competitors] {
      while (!stop) {
        int64_t start = gort::nanotime();
        while (gort::nanotime() - start < 200000) {
        }
        gort::gosched();
      }
      competitors.done();
    });
  wg.add(1);
  gort::go([&] {
    long tid = gort::sys::gettid();
    for (int i = 0; i < 200 && tid_changes == 0; i++) {
      gort::os::sleep_thread(1000 * 1000);
      tid_changes += gort::sys::gettid() != tid;
    }
    wg.done();
  });
  wg.wait();
  stop = true;
  competitors.wait();
  out::println("moved", tid_changes > 0);
  return 0;
}

// A thread sleeping in nanosleep is hit by a stream of SIGURG preemption signals (its
// goroutine is in a system call, so the handler declines each one): every signal makes the
// kernel return EINTR, and sys::nanosleep must go back to sleep for the time left.
TEST_SCENARIO(sleep_survives_signals) {
  constexpr int64_t sleep_ns = 200 * 1000 * 1000;
  static gort::Machine* sleeper_machine = nullptr;
  static volatile bool done = false;
  int64_t elapsed = 0;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    sleeper_machine = gort::cpu::current_machine();
    int64_t start = gort::nanotime();
    gort::os::sleep_thread(sleep_ns);
    elapsed = gort::nanotime() - start;
    done = true;
    wg.done();
  });
  long signals = 0;
  while (!done) {
    if (sleeper_machine != nullptr && sleeper_machine->tid != 0) {
      gort::sys::tgkill(gort::sys::getpid(), sleeper_machine->tid, gort::sys::SIGURG);
      signals++;
    }
    gort::gosched();
  }
  wg.wait();
  out::println("signals_sent_many", signals > 100, "slept_full_time", elapsed >= sleep_ns);
  return 0;
}

// Goroutines wired to their threads make every kind of call that takes their thread away
// from its Processor, `rounds` times over: a call known to block (sleep_thread hands the
// Processor off at entry), a channel receive (parked, then readied by a partner on another
// thread), a yield, and then either unlock_os_thread or exit while still wired. Each way
// back to running must reach the goroutine's own thread through one path
// (stop_locked_machine / hand_to_locked_machine): before it, a locked goroutine back from a
// system call without a Processor put its Machine on the idle list, where it was woken twice
// ("Note::wake: double wakeup") or counted wrongly ("check_deadlock: runnable goroutine with
// no running machine").
TEST_SCENARIO(locked_blocking_calls) {
  long rounds = scenario::argument(argc, argv, 1, 1000);
  int workers = int(scenario::argument(argc, argv, 2, 3));
  long completed = 0, tid_changes = 0;
  for (long r = 0; r < rounds; r++) {
    gort::WaitGroup wg;
    wg.add(2 * workers);
    for (int w = 0; w < workers; w++) {
      auto* handoff = new gort::Channel<int>();
      gort::go([&, w, handoff] {
        gort::lock_os_thread();
        long tid = gort::sys::gettid();
        gort::os::sleep_thread(20000);
        tid_changes += gort::sys::gettid() != tid;
        int v = handoff->receive();
        tid_changes += gort::sys::gettid() != tid;
        gort::gosched();
        tid_changes += gort::sys::gettid() != tid;
        __atomic_add_fetch(&completed, v, __ATOMIC_RELAXED);
        delete handoff;
        if ((r + w) % 2 == 0) gort::unlock_os_thread();  // else it exits wired
        wg.done();
      });
      gort::go([&wg, handoff] {
        gort::os::sleep_thread(10000);
        handoff->send(1);
        wg.done();
      });
    }
    wg.wait();
  }
  out::println("completed", completed, "of", rounds * workers, "tid_changes", tid_changes);
  return 0;
}

// The repro's mix (chaos.cpp): a Mutex counter with yields, timers started, stopped and reset,
// a select over a channel another goroutine closes, blocking calls with and without
// lock_os_thread. Every total is exact.
TEST_SCENARIO(locked_mix) {
  long rounds = scenario::argument(argc, argv, 1, 40);
  gort::Mutex mu;
  long counter = 0, expected = 0, selected = 0, timers = 0, calls = 0;
  for (long r = 0; r < rounds; r++) {
    int workers = 4 + int(r % 9);
    gort::WaitGroup wg;
    wg.add(workers * 4);
    expected += workers * 50;
    for (int w = 0; w < workers; w++) {
      gort::go([&] {
        for (int i = 0; i < 50; i++) {
          mu.lock();
          counter++;
          mu.unlock();
          if (i % 17 == 0) gort::gosched();
        }
        wg.done();
      });
      gort::go([&, w] {
        gort::Timer t(int64_t(10000 + w * 3000));
        if (w % 3 == 0) t.stop();
        else if (w % 3 == 1) t.reset(5000), t.channel().receive();
        else t.channel().receive();
        __atomic_add_fetch(&timers, 1, __ATOMIC_RELAXED);
        wg.done();
      });
      gort::go([&, w] {
        gort::Channel<int> a(1), b;
        gort::WaitGroup inner;
        inner.add(1);
        gort::go([&] {
          if (w & 1) a.send(1);
          else b.close();
          inner.done();
        });
        int v = 0;
        bool ok = false;
        int index = gort::select({gort::on_receive(&a, &v, &ok), gort::on_receive(&b, &v, &ok)});
        __atomic_add_fetch(&selected, index == (w & 1 ? 0 : 1), __ATOMIC_RELAXED);
        inner.wait();
        wg.done();
      });
      gort::go([&, w] {
        if (w % 2 == 0) {
          gort::lock_os_thread();
          gort::os::sleep_thread(50000);
          gort::unlock_os_thread();
        } else {
          gort::os::sleep_thread(30000);
        }
        __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
        wg.done();
      });
    }
    wg.wait();
  }
  long all = expected / 50;
  out::println("counter_ok", counter == expected, "timers", timers == all, "selected", selected == all, "calls",
               calls == all);
  return 0;
}

// A function-local static whose initialiser blocks (sleeps): the other goroutines that need
// it wait for it, parked (at GOMAXPROCS=1 a waiter that spun kept the only Processor and the
// initialiser never woke), and it is built exactly once.
struct SlowConfig {
  static inline long constructions = 0;
  long value;
  SlowConfig() {
    gort::sleep(2 * 1000 * 1000);
    value = 42;
    constructions++;
  }
};
static SlowConfig& slow_config() {
  static SlowConfig config;
  return config;
}

TEST_SCENARIO(static_init_blocks) {
  constexpr int users = 5;
  long sum = 0;
  gort::WaitGroup wg;
  wg.add(users);
  for (int i = 0; i < users; i++)
    gort::go([&] {
      __atomic_add_fetch(&sum, slow_config().value, __ATOMIC_RELAXED);
      wg.done();
    });
  wg.wait();
  out::println("sum", sum, "constructions", SlowConfig::constructions);
  return 0;
}

// An initialiser that uses its own static: a fatal error, not a hang.
struct SelfUser {
  long value;
  SelfUser();
};
static SelfUser& self_user() {
  static SelfUser s;
  return s;
}
SelfUser::SelfUser() { value = self_user().value + 1; }

TEST_SCENARIO(static_init_recursive) {
  out::println("value", self_user().value);
  return 0;
}

// More threads than debug.SetMaxThreads allows: each goroutine sleeping in a blocking call
// holds a thread, so the 9th thread ends the program with Go's message.
TEST_SCENARIO(thread_limit) {
  gort::set_max_threads(8);
  gort::WaitGroup wg;
  wg.add(32);
  for (int i = 0; i < 32; i++)
    gort::go([&wg] {
      gort::os::sleep_thread(1000 * 1000 * 1000);
      wg.done();
    });
  wg.wait();
  out::println("not reached");
  return 0;
}

// Lowering the limit below the threads the program already has ends it at once, as Go's
// SetMaxThreads does.
TEST_SCENARIO(thread_limit_below_current) {
  gort::set_max_threads(1);  // m0 and sysmon already exist
  out::println("not reached");
  return 0;
}

// The count of runtime locks a thread holds (Go's m.locks), which safe-point decisions read
// through holds_runtime_lock(): kept by RuntimeLock and SpinLock in both builds, across a
// nested pair, and back to zero after the last release.
TEST_SCENARIO(runtime_lock_count) {
  static gort::SpinLock<gort::LockRank::Channel> outer;
  static gort::RankedLock<gort::LockRank::Test> inner;
  bool before = gort::holds_runtime_lock();
  outer.lock();
  bool one = gort::holds_runtime_lock();
  inner.lock();
  uint32_t two = gort::cpu::current_machine()->tls.locks_held;
  inner.unlock();
  outer.unlock();
  bool after = gort::holds_runtime_lock();
  out::println("before", before, "held", one, "nested", two, "after", after);
  return 0;
}

// A planted lock-order inversion: scheduler.all_lock is taken after scheduler.lock
// everywhere else (check_deadlock, schedtrace); taking them the other way round can
// deadlock against those. The debug build stops at the second acquisition.
TEST_SCENARIO(lock_order_inversion) {
  gort::LockGuard all(gort::scheduler.all_lock);
  gort::LockGuard sched(gort::scheduler.lock);
  out::println("inversion not caught");
  return 0;
}

// Follows the frame-pointer chain from fp within [lo, hi): how many frames it has, and
// whether it ends at the outermost frame (fp 0, set by goroutine_start).
static int frame_chain(uintptr_t fp, uintptr_t lo, uintptr_t hi, bool* ends_at_outermost) {
  int frames = 0;
  while (fp >= lo && fp + 16 <= hi && (fp & 7) == 0 && frames < 1000) {
    frames++;
    fp = reinterpret_cast<uintptr_t*>(fp)[0];
  }
  *ends_at_outermost = fp == 0;
  return frames;
}

static bool pc_in(uintptr_t pc, const void* function, uintptr_t bytes) {
  auto start = reinterpret_cast<uintptr_t>(function);
  return pc > start && pc < start + bytes;
}

extern "C" void goroutine_start();

// stopped_registers(), the accessor a stack scan will use: for a goroutine never run, one
// parked, one in a blocking system call, one running and one dead, where its stack pointer,
// pc and frame pointer are. The sp must lie in the goroutine's stack, the pc where it will
// continue (goroutine_start; inside channel_receive, whose park() tail-calls the switch;
// inside os::sleep_thread, which inlines
// enter_blocking_syscall), and the frame pointer must start a chain that ends at the
// goroutine's outermost frame.
TEST_SCENARIO(stopped_registers) {
  using gort::Goroutine;
  static Goroutine* parked = nullptr;
  static Goroutine* sleeper = nullptr;
  static volatile bool sleeping = false;
  gort::arch::StoppedRegisters r;
  gort::Channel<int> wake;
  gort::WaitGroup wg;
  wg.add(2);
  gort::go([&] {
    parked = gort::cpu::current_goroutine();
    wake.receive();
    wg.done();
  });
  gort::go([&] {
    sleeper = gort::cpu::current_goroutine();
    sleeping = true;
    gort::os::sleep_thread(300 * 1000 * 1000);
    wg.done();
  });
  while (parked == nullptr || parked->status != gort::GoroutineStatus::Waiting || !sleeping ||
         sleeper->status != gort::GoroutineStatus::Syscall)
    gort::gosched();

  bool ok = gort::stopped_registers(parked, &r);
  bool ends = false;
  int frames = frame_chain(r.fp, r.sp, parked->stack_hi, &ends);
  out::println("parked", ok, "sp_in_stack", r.sp == parked->saved_sp && r.sp >= parked->stack_lo && r.sp < parked->stack_hi,
               "pc_in_channel_receive", pc_in(r.pc, reinterpret_cast<const void*>(&gort::channel_receive), 1024),
               "words", r.word_count,
               "frames", frames >= 3, "outermost", ends);

  ok = gort::stopped_registers(sleeper, &r);
  frames = frame_chain(r.fp, r.sp, sleeper->stack_hi, &ends);
  out::println("in_syscall", ok, "sp_in_stack", r.sp >= sleeper->stack_lo && r.sp < sleeper->stack_hi, "pc_in_sleep_thread",
               pc_in(r.pc, reinterpret_cast<const void*>(&gort::os::sleep_thread), 256), "frames", frames >= 2,
               "outermost", ends);

  out::println("running", gort::stopped_registers(gort::cpu::current_goroutine(), &r));
  wake.send(1);
  wg.wait();

  // A goroutine made but not yet run: its first frame returns into goroutine_start.
  Goroutine* started = nullptr;
  gort::WaitGroup last;
  last.add(1);
  gort::go([&] { last.done(); });
  // At GOMAXPROCS=1 it waits in run_next until main yields: the newest Runnable goroutine.
  uint64_t newest = 0;
  for (Goroutine* g = gort::scheduler.all_goroutines; g != nullptr; g = g->next_in_all)
    if (g->status == gort::GoroutineStatus::Runnable && g->id > newest) newest = g->id, started = g;
  ok = started != nullptr && gort::stopped_registers(started, &r);
  out::println("fresh", ok, "pc_is_goroutine_start", ok && r.pc == reinterpret_cast<uintptr_t>(&goroutine_start),
               "fp", ok ? long(r.fp) : -1);
  last.wait();
  out::println("dead", started != nullptr && gort::stopped_registers(started, &r));
  return 0;
}
