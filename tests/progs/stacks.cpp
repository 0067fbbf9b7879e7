// Scenarios for goroutine stacks and preemption: deep recursion through growing segments,
// addresses that stay valid across growth, the stack limit, a million parked goroutines,
// the canaries that catch overflows by unchecked code, cooperative preemption, and giving
// memory back. Run by tests/harness/test_stacks.cpp.
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;

namespace {

// A recursive function with the stack check: its callees move to a new segment whenever
// the current one is nearly full.
long recurse(long n) {
  GORT_STACK_CHECK();
  if (n == 0) return 0;
  return recurse(n - 1) + 1;
}

// Parks two goroutines for the rest of the program. They take the two lowest slots of the
// stack region, so a later goroutine that overflows its slot writes into a neighbour's
// slot (caught by canaries) rather than the region's guard page (caught as a fault).
void occupy_lowest_stack_slots() {
  static gort::WaitGroup hold;
  hold.add(1);
  for (int i = 0; i < 2; i++) gort::go([] { hold.wait(); });
  gort::gosched();
}

// Runs f on a fresh goroutine and waits for it.
template <class F>
void in_goroutine(F f) {
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&wg, &f] {
    f();
    wg.done();
  });
  wg.wait();
}

// Writes through a pointer into a frame far up the stack, from deep below, on every level.
long write_up(long n, long* target) {
  GORT_STACK_CHECK();
  *target += 1;
  if (n == 0) return 0;
  return write_up(n - 1, target) + 1;
}

long count_segments(const gort::Goroutine* g) {
  long n = 0;
  for (const gort::StackSegment* s = &g->first_segment; s != nullptr; s = s->next) n++;
  return n;
}

}  // namespace

TEST_SCENARIO(deep_recursion) {
  long frames = scenario::parse_long(argv[1]);
  long result = -1;
  in_goroutine([&] { result = recurse(frames); });
  out::println("depth", result);
  return 0;
}

// A local whose address is taken before the stack grows is written from deeper frames on
// later segments, then read back: the address never changed.
TEST_SCENARIO(pointer_survives_growth) {
  long ok = 0;
  in_goroutine([&] {
    long local = 0;
    long* p = &local;
    long depth = write_up(200000, p);
    gort::Goroutine* g = gort::cpu::current_goroutine();
    ok = local == depth + 1 && p == &local && count_segments(g) > 3;
  });
  out::println("pointer_valid", ok == 1);
  return 0;
}

// Unbounded recursion: with an optional smaller limit (bytes) set first.
TEST_SCENARIO(unbounded_recursion) {
  if (argc > 1) gort::set_max_stack(size_t(scenario::parse_long(argv[1])));
  in_goroutine([] { recurse(1L << 62); });
  out::println("unreachable");
  return 0;
}

// N goroutines parked at once; all are released and joined.
TEST_SCENARIO(parked_many) {
  long n = scenario::parse_long(argv[1]);
  gort::WaitGroup started, gate, finished;
  gate.add(1);
  started.add(int32_t(n));
  finished.add(int32_t(n));
  for (long i = 0; i < n; i++)
    gort::go([&] {
      started.done();
      gate.wait();
      finished.done();
    });
  started.wait();
  int32_t live = gort::num_goroutine();
  gate.done();
  finished.wait();
  out::println("parked", live - 1);
  return 0;
}

// A function without the check uses far more stack than its goroutine's 2 KiB segment:
// the canary below the segment is overwritten and the goroutine's next switch reports it.
__attribute__((noinline)) void use_much_stack_unchecked() {
  volatile char buffer[2600];
  for (size_t i = 0; i < sizeof(buffer); i++) buffer[i] = char(i);
}

TEST_SCENARIO(unchecked_overflow) {
  occupy_lowest_stack_slots();
  in_goroutine([] {
    use_much_stack_unchecked();
    gort::gosched();  // leaving the processor checks the canaries
  });
  out::println("unreachable");
  return 0;
}

// A checked function whose own frame is larger than the guard reserve, reached with the
// stack nearly full: its frame already crosses the segment's bottom when the check runs.
__attribute__((noinline)) long big_frame(long n) {
  GORT_STACK_CHECK();
  volatile char buffer[3000];
  for (size_t i = 0; i < sizeof(buffer); i += 64) buffer[i] = char(n + i);
  if (n == 0) return buffer[0];
  return big_frame(n - 1) + buffer[64];
}

TEST_SCENARIO(frame_too_large) {
  occupy_lowest_stack_slots();
  in_goroutine([] { big_frame(10); });
  out::println("unreachable");
  return 0;
}

// The same checked call crossing a segment boundary in a tight loop (the "hot split"):
// the left segment is cached and reused, so this stays fast and uses one extra segment.
__attribute__((noinline)) long leaf_with_check(long x) {
  GORT_STACK_CHECK();
  return x + 1;
}

__attribute__((noinline)) long descend_then_loop(long n, long iterations, long* segments) {
  GORT_STACK_CHECK();
  if (n > 0) return descend_then_loop(n - 1, iterations, segments);
  long sum = 0;
  for (long i = 0; i < iterations; i++) sum += leaf_with_check(i);
  *segments = count_segments(gort::cpu::current_goroutine());
  return sum;
}

TEST_SCENARIO(hot_split) {
  long iterations = 2000000;
  // Find a depth at which the loop's calls cross into a new segment: try depths until the
  // goroutine ends up with exactly two segments.
  long best = -1, segments = 0, sum = 0;
  for (long depth = 0; depth < 60 && best < 0; depth++) {
    in_goroutine([&] { sum = descend_then_loop(depth, 10, &segments); });
    if (segments == 2) best = depth;
  }
  int64_t start = gort::nanotime();
  in_goroutine([&] { sum = descend_then_loop(best, iterations, &segments); });
  int64_t ns = gort::nanotime() - start;
  out::println("found_depth", best >= 0, "segments", segments, "sum_ok", sum == iterations * (iterations + 1) / 2,
               "under_100ns_per_call", ns / iterations < 100);
  return 0;
}

// With GOMAXPROCS=1, a goroutine loops forever calling a checked function and never
// yields by itself. sysmon's preemption request makes the check yield, so main runs on.
TEST_SCENARIO(cooperative_preemption) {
  static long spins = 0;
  gort::go([] {
    for (;;) spins += leaf_with_check(1);
  });
  gort::gosched();  // let the spinner start; it only gives the processor back when preempted
  out::println("main_ran_again", spins > 0);
  return 0;
}

// A goroutine recurses deeply (hundreds of MB of stack), then exits: its large segments go
// back to the OS, and the resident set falls.
// Code without the check overflows the lowest slot of the stack region: the region's guard
// page turns the overflow into a fault, reported as a stack overflow.
TEST_SCENARIO(unchecked_overflow_guard_page) {
  in_goroutine([] { use_much_stack_unchecked(); });
  out::println("unreachable");
  return 0;
}

TEST_SCENARIO(deep_stack_memory_returned) {
  auto resident = [] {
    long fd = gort::sys::open_read_only("/proc/self/statm");
    char text[128];
    long n = gort::sys::read(int(fd), text, sizeof(text) - 1);
    gort::sys::close(int(fd));
    text[n > 0 ? n : 0] = 0;
    const char* p = text;
    while (*p != ' ' && *p != 0) p++;
    long pages = 0;
    for (p++; *p >= '0' && *p <= '9'; p++) pages = pages * 10 + (*p - '0');
    return pages * 4096;
  };
  long before = resident();
  long peak = 0;
  in_goroutine([&] {
    recurse(2000000);  // about 100 MB of segments
    peak = resident();
  });
  // The goroutine signalled before exiting; its segments are released as it exits.
  for (int i = 0; i < 100000 && gort::num_goroutine() != 1; i++) gort::gosched();
  long after = resident();
  out::println("grew_mb_over_50", (peak - before) >> 20 > 50, "returned", after - before < (peak - before) / 4);
  return 0;
}
