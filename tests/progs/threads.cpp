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
