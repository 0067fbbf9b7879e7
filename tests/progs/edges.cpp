// Scenarios at the edges of memory, time and signals: the alignment malloc and new promise,
// out-of-memory reports, zeroing that touches no fresh page, the cgroup memory limit,
// deadlines that saturate, timer misuse, EPIPE, SIGQUIT's dump, each kind of fault, a double
// free on another Processor and WaitGroup misuse. Run by tests/harness/test_edges.cpp.
#include <new>
#include <stdlib.h>

#include "measure.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;

extern "C" size_t malloc_usable_size(void*);

namespace {

// Through volatile pointers, so the compiler cannot fold or drop the calls.
void* (*volatile vmalloc)(size_t) = malloc;
void* (*volatile vcalloc)(size_t, size_t) = calloc;
void* (*volatile vrealloc)(void*, size_t) = realloc;
void (*volatile vfree)(void*) = free;

// What C and C++ promise on x86-64: 16 for any object that may hold a 16-byte type.
bool aligned_for(const void* p, size_t bytes) {
  return reinterpret_cast<uintptr_t>(p) % (bytes > 8 ? 16 : 8) == 0;
}

// Structs that clang zeroes with 16-byte aligned SSE stores (movaps) in `new T{}`.
struct S24 { long a, b, c; };
struct S40 { long a, b, c, d, e; };
struct S56 { long a, b, c, d, e, f, g; };
template <class T>
__attribute__((noinline)) T* make() { return new T{}; }

}  // namespace

// Every size 1..4096 from malloc, calloc, realloc (grown and shrunk), operator new and
// new[], three live objects of each so that different slots are seen.
TEST_SCENARIO(alignment) {
  long misaligned = 0, checked = 0;
  for (size_t n = 1; n <= 4096; n++) {
    void* live[15];
    live[0] = vmalloc(n), live[1] = vmalloc(n), live[2] = vmalloc(n);
    live[3] = vcalloc(1, n), live[4] = vcalloc(n, 1), live[5] = vcalloc(1, n);
    live[6] = vrealloc(vmalloc(1), n), live[7] = vrealloc(vmalloc(n + 100), n), live[8] = vrealloc(nullptr, n);
    live[9] = operator new(n), live[10] = operator new(n), live[11] = operator new(n);
    live[12] = new char[n], live[13] = new char[n], live[14] = new char[n];
    for (void* p : live) {
      if (!aligned_for(p, n)) misaligned++;
      checked++;
    }
    for (int i = 0; i < 9; i++) vfree(live[i]);
    for (int i = 9; i < 12; i++) operator delete(live[i]);
    for (int i = 12; i < 15; i++) delete[] static_cast<char*>(live[i]);
  }
  out::println("checked", checked, "misaligned", misaligned);
  return 0;
}

// new T{} of 24, 40 and 56 bytes, which clang zeroes with aligned SSE stores: a misaligned
// result would fault here.
TEST_SCENARIO(new_structs) {
  long misaligned = 0;
  for (int i = 0; i < 1000; i++) {
    S24* a = make<S24>();
    S40* b = make<S40>();
    S56* c = make<S56>();
    if (!aligned_for(a, sizeof *a) || !aligned_for(b, sizeof *b) || !aligned_for(c, sizeof *c)) misaligned++;
    if (a->c != 0 || b->e != 0 || c->g != 0) misaligned += 1000000;  // zeroed as new T{} promises
  }
  out::println("new S24 S40 S56 misaligned", misaligned);
  return 0;
}

// aligned_alloc, posix_memalign and aligned new honour every power of two up to 16 MiB.
TEST_SCENARIO(aligned_powers) {
  long wrong = 0;
  for (int shift = 0; shift <= 24; shift++) {
    size_t alignment = size_t(1) << shift;
    for (size_t bytes : {size_t(1), size_t(10), alignment, alignment + 1}) {
      void* a = aligned_alloc(alignment, bytes);
      void* b = nullptr;
      if (alignment >= sizeof(void*) && posix_memalign(&b, alignment, bytes) != 0) wrong++;
      void* c = operator new(bytes, std::align_val_t(alignment));
      for (void* p : {a, b, c}) {
        if (p != nullptr && reinterpret_cast<uintptr_t>(p) % alignment != 0) wrong++;
        // The usable size ends inside the same object (realloc copies that much).
        size_t usable = p == nullptr ? 0 : malloc_usable_size(p);
        if (p != nullptr && (usable < bytes || gort::object_base(static_cast<char*>(p) + usable - 1) != gort::object_base(p)))
          wrong++;
      }
      __builtin_memset(a, 1, bytes);
      __builtin_memset(c, 1, bytes);
      free(a);
      free(b);
      operator delete(c, std::align_val_t(alignment));
    }
  }
  out::println("aligned wrong", wrong);
  return 0;
}

// aligned_alloc(1 << shift, 10) with an alignment the arena cannot hold: out of memory.
TEST_SCENARIO(aligned_huge) {
  void* p = aligned_alloc(size_t(1) << scenario::argument(argc, argv, 1, 63), 10);
  out::println("aligned_alloc returned", gort::hex(uintptr_t(p)));
  return 0;
}

// malloc of `GiB` gibibytes, more than the machine has: refused at once, not killed later.
// With "goroutine", from a fresh goroutine on its small first stack (the report must not
// run there).
TEST_SCENARIO(malloc_gib) {
  size_t bytes = size_t(scenario::argument(argc, argv, 1, 1)) << 30;
  if (argc > 2 && scenario::same_string(argv[2], "goroutine")) {
    gort::Channel<int> done;
    gort::go([&done, bytes] {
      out::println("malloc returned", gort::hex(uintptr_t(vmalloc(bytes))));
      done.send(1);
    });
    done.receive();
    return 0;
  }
  out::println("malloc returned", gort::hex(uintptr_t(vmalloc(bytes))));
  return 0;
}

// calloc of `MiB` mebibytes and a channel buffer of as much: fresh pages are not touched, so
// the resident set barely grows; memory that was written and freed comes back zeroed.
TEST_SCENARIO(zeroing) {
  size_t bytes = size_t(scenario::argument(argc, argv, 1, 1024)) << 20;
  long before = measure::resident_bytes();
  auto* p = static_cast<unsigned char*>(vcalloc(1, bytes));
  long after_calloc = measure::resident_bytes();
  gort::Channel<long> channel(uint32_t(bytes / sizeof(long)));
  long after_channel = measure::resident_bytes();
  bool zero = true;
  for (size_t i = 0; i < bytes; i += 64 << 20) zero = zero && p[i] == 0 && p[bytes - 1 - i] == 0;
  // Reused memory: write 64 MiB, free it, calloc it again; every byte must read zero.
  size_t reused = size_t(64) << 20;
  auto* q = static_cast<unsigned char*>(vmalloc(reused));
  __builtin_memset(q, 0xa5, reused);
  vfree(q);
  auto* r = static_cast<unsigned char*>(vcalloc(reused, 1));
  long dirty = 0;
  for (size_t i = 0; i < reused; i++) dirty += r[i] != 0;
  out::println("calloc_grew_mib", (after_calloc - before) >> 20, "channel_grew_mib", (after_channel - after_calloc) >> 20,
               "fresh_zero", zero, "reused_same", r == q, "reused_dirty_bytes", dirty);
  return 0;
}

// read_cgroup_memory_limit on a given /proc/self/cgroup file and mount root (a fake tree).
TEST_SCENARIO(cgroup_files) {
  if (argc < 3) return 64;
  uint64_t limit = gort::read_cgroup_memory_limit(argv[1], argv[2]);
  if (limit == gort::no_memory_limit) out::println("limit none");
  else out::println("limit", limit);
  return 0;
}

// This process's own limit (memory_limit(), read from the real files).
TEST_SCENARIO(cgroup_limit) {
  uint64_t limit = gort::memory_limit();
  if (limit == gort::no_memory_limit) out::println("limit none");
  else out::println("limit", limit);
  return 0;
}

// A 2 GiB channel buffer (256 Mi longs), one value through it.
TEST_SCENARIO(channel_2gib) {
  gort::Channel<long> c(1u << 28);
  c.send(7);
  out::println("received", c.receive());
  return 0;
}

// sleep(INT64_MAX) or Timer(INT64_MAX) must not return; a watchdog goroutine ends the
// program once it has slept `watchdog_ms` itself.
TEST_SCENARIO(sleep_forever) {
  bool timer = argc > 1 && scenario::same_string(argv[1], "timer");
  gort::go([] {
    gort::sleep(100 * 1000 * 1000);
    out::println("watchdog: still sleeping");
    gort::exit(0);
  });
  if (timer) {
    gort::Timer t(INT64_MAX);
    t.channel().receive();
  } else {
    gort::sleep(INT64_MAX);
  }
  out::println("returned");
  return 1;
}

// The only goroutine sleeps forever: blocked on a timer, not deadlocked (the harness ends it).
TEST_SCENARIO(sleep_forever_alone) {
  gort::sleep(INT64_MAX);
  out::println("returned");
  return 1;
}

// Zero and negative durations fire at once; huge ones saturate rather than wrap.
TEST_SCENARIO(durations) {
  gort::sleep(0);
  gort::sleep(-1);
  gort::sleep(INT64_MIN);
  gort::Timer negative(-5);
  negative.channel().receive();
  gort::Timer most_negative(INT64_MIN);
  most_negative.channel().receive();
  gort::Timer huge(INT64_MAX - 1);
  int64_t v;
  bool fired = huge.channel().try_receive(v);
  bool stopped = huge.stop();
  out::println("negative fired; huge fired", fired, "huge stopped", stopped, "deadline saturates",
               gort::deadline_after(INT64_MAX) == INT64_MAX);
  return 0;
}

// A Ticker with a period of zero or less: Go's panic.
TEST_SCENARIO(ticker_nonpositive) {
  gort::Ticker t(scenario::argument(argc, argv, 1, 0));
  out::println("made a ticker");
  return 0;
}

// timer_start twice on one record: fatal, not a corrupted heap.
TEST_SCENARIO(timer_start_twice) {
  static gort::TimerRecord t{gort::nanotime() + 1000000, 0, [](gort::TimerRecord*, int64_t) {}, nullptr, nullptr, -1};
  gort::timer_start(&t);
  gort::timer_start(&t);
  out::println("started twice");
  return 0;
}

// Prints to standard output (or error) until the reader goes away.
TEST_SCENARIO(print_forever) {
  bool to_stderr = argc > 1 && scenario::same_string(argv[1], "stderr");
  for (long i = 0;; i++) {
    if (to_stderr) gort::println("line", i);
    else out::println("line", i);
  }
}

// os::write to a pipe with no reader, on a descriptor other than 1 and 2: -EPIPE, no signal.
TEST_SCENARIO(write_closed_pipe) {
  int fds[2];
  if (gort::os::pipe(fds) != 0) return 3;
  gort::os::close(fds[0]);
  long r = gort::os::write(fds[1], "x", 1);
  out::println("write returned", r);
  return 0;
}

// SIGQUIT from kill(): every goroutine is printed, then exit 2.
TEST_SCENARIO(sigquit) {
  static gort::Channel<int> never;
  gort::WaitGroup started;
  started.add(2);
  for (int i = 0; i < 2; i++)
    gort::go([&started] {
      started.done();
      never.receive();
    });
  started.wait();
  gort::sys::kill(gort::sys::getpid(), gort::sys::SIGQUIT);
  for (;;) gort::sleep(1000 * 1000);
}

// The kinds of fault: a pointer that is not canonical (the CPU's general protection fault),
// and SIGSEGV sent by kill() (from a process, not a fault).
TEST_SCENARIO(fault) {
  if (argc > 1 && scenario::same_string(argv[1], "noncanonical")) {
    volatile long* p = reinterpret_cast<volatile long*>(0x8000000000000000ULL);
    asm volatile("" : "+r"(p));
    *p = 1;
  } else if (argc > 1 && scenario::same_string(argv[1], "kill")) {
    gort::sys::kill(gort::sys::getpid(), gort::sys::SIGSEGV);
    for (;;) gort::sleep(1000 * 1000);
  }
  return 64;
}

// One 64-byte block freed on two Processors at once running (GOMAXPROCS >= 2). If the two
// goroutines happen to share a Processor, it says so and exits 3 without the second free.
TEST_SCENARIO(double_free_other_processor) {
  static void* block;
  static int phase = 0;
  static void* first_processor;
  block = vmalloc(64);
  gort::WaitGroup wg;
  wg.add(2);
  for (int id = 0; id < 2; id++)
    gort::go([&wg](int me) {
      // Both goroutines spin at once, so each holds its own Processor.
      __atomic_add_fetch(&phase, 1, __ATOMIC_SEQ_CST);
      while (__atomic_load_n(&phase, __ATOMIC_SEQ_CST) < 2) asm volatile("pause");
      if (me == 0) {
        first_processor = gort::cpu::current_machine()->processor;
        vfree(block);
        __atomic_store_n(&phase, 3, __ATOMIC_SEQ_CST);
      } else {
        while (__atomic_load_n(&phase, __ATOMIC_SEQ_CST) < 3) asm volatile("pause");
        if (gort::cpu::current_machine()->processor == first_processor) {
          out::println("same processor");
          gort::exit(3);
        }
        vfree(block);
      }
      wg.done();
    }, id);
  wg.wait();
  out::println("second free not detected");
  return 0;
}

// WaitGroup below zero: Go panics.
TEST_SCENARIO(negative_waitgroup) {
  gort::WaitGroup wg;
  wg.add(1);
  wg.done();
  wg.done();
  out::println("not caught");
  return 0;
}
