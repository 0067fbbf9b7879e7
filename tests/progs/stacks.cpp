// Scenarios for goroutine stacks and preemption: deep recursion through growing segments,
// addresses that stay valid across growth, the stack limit, a million parked goroutines,
// the canaries that catch overflows by unchecked code, cooperative preemption, giving
// memory back, and GORT_STACK_RESERVE before the C++ library's recursive algorithms. Run by tests/harness/test_stacks.cpp.
#include "scenario.h"
#include "measure.h"
#include "testing.h"

#include <algorithm>
#include <map>
#include <vector>

namespace out = gort::fmt;

namespace {

// A recursive function with the stack check: its callees move to a new segment whenever
// the current one is nearly full.
long recurse(long n) {
  GORT_STACK_CHECK();
  if (n == 0) return 0;
  return recurse(n - 1) + 1;
}

// Parks two goroutines for the rest of the program, so that a later goroutine's slot lies
// above other slots: one that overflows it writes into them (caught by canaries) rather than
// into a region's guard page (caught as a fault).
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

// Return values crossing segment boundaries: each function below recurses through new
// segments, so at every boundary its return value passes through segment_return_trampoline
// (asm/stack.asm), which must keep each register the ABI returns values in: rax and rdx
// (__int128), xmm0 and xmm1 (a struct of two doubles), x87 st0 (long double), and rax as
// the address of a struct returned in memory.
struct TwoDoubles {
  double a, b;
};
struct InMemory {
  long words[5];
};

__attribute__((noinline)) __int128 sum_int128(long n) {
  GORT_STACK_CHECK();
  if (n == 0) return 0;
  return sum_int128(n - 1) + ((__int128)1 << 64) + 1;
}

__attribute__((noinline)) TwoDoubles sum_doubles(long n) {
  GORT_STACK_CHECK();
  if (n == 0) return {0, 0};
  TwoDoubles r = sum_doubles(n - 1);
  return {r.a + 0.5, r.b + 2.0};
}

__attribute__((noinline)) long double sum_long_double(long n) {
  GORT_STACK_CHECK();
  if (n == 0) return 0;
  return sum_long_double(n - 1) + 0.25L;
}

__attribute__((noinline)) InMemory sum_in_memory(long n) {
  GORT_STACK_CHECK();
  if (n == 0) return {};
  InMemory r = sum_in_memory(n - 1);
  for (long i = 0; i < 5; i++) r.words[i] += i + 1;
  return r;
}

TEST_SCENARIO(return_values_across_segments) {
  long n = 20000;
  __int128 big = 0;
  TwoDoubles two{};
  long double extended = 0;
  InMemory memory{};
  uint64_t taken_before = gort::stack_segments_taken();
  in_goroutine([&] { big = sum_int128(n); });
  in_goroutine([&] { two = sum_doubles(n); });
  in_goroutine([&] { extended = sum_long_double(n); });
  in_goroutine([&] { memory = sum_in_memory(n); });
  bool memory_ok = true;
  for (long i = 0; i < 5; i++) memory_ok &= memory.words[i] == n * (i + 1);
  out::println("int128", big == (((__int128)n << 64) + n), "doubles", two.a == n * 0.5 && two.b == n * 2.0,
               "long_double", extended == n * 0.25L, "in_memory", memory_ok,
               "crossed_segments", gort::stack_segments_taken() - taken_before >= 4);
  return 0;
}

// A frame-pointer walk from deep in a recursion that crossed segments: the frames whose
// return address the stack check replaced hold the trampoline's address, and
// frame_return_address() gives the real one for each (a traceback must never print the
// trampoline). Counts frames, not addresses: every frame below `top` returns into recurse.
__attribute__((noinline)) long walk_frames(long n, long* patched, long* mapped_to_trampoline, long* frames) {
  GORT_STACK_CHECK();
  if (n > 0) return walk_frames(n - 1, patched, mapped_to_trampoline, frames) + 1;
  const gort::Goroutine* g = gort::cpu::current_goroutine();
  auto trampoline = reinterpret_cast<uintptr_t>(&segment_return_trampoline);
  for (auto fp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)); fp != 0;
       fp = reinterpret_cast<const uintptr_t*>(fp)[0]) {
    uintptr_t pc = gort::frame_return_address(g, fp);
    *patched += reinterpret_cast<const uintptr_t*>(fp)[1] == trampoline;
    *mapped_to_trampoline += pc == trampoline;
    *frames += 1;
  }
  return 0;
}

TEST_SCENARIO(traceback_across_segments) {
  long depth = 3000, patched = 0, mapped = 0, frames = 0, segments = 0;
  in_goroutine([&] {
    walk_frames(depth, &patched, &mapped, &frames);
    segments = count_segments(gort::cpu::current_goroutine());
  });
  // One patched frame per segment beyond the first; the walk covers every walk_frames frame.
  out::println("patched_per_segment", patched == segments - 1, "patched_some", patched >= 2,
               "mapped_to_trampoline", mapped, "frames_ok", frames > depth);
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
  // Two million calls cross the boundary and come back: the segment taken at the first
  // crossing stays cached, so no other is taken (a counter, not a timing).
  uint64_t taken_before = gort::stack_segments_taken();
  in_goroutine([&] { sum = descend_then_loop(best, iterations, &segments); });
  uint64_t taken = gort::stack_segments_taken() - taken_before;
  out::println("found_depth", best >= 0, "segments", segments, "sum_ok", sum == iterations * (iterations + 1) / 2,
               "segments_taken", taken);
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

// Code without the check overflows the lowest slot of the stack region: the region's guard
// page turns the overflow into a fault, reported as a stack overflow. The first region hands
// out the upper half of every page first, so the lowest slot is the first of its second pass.
TEST_SCENARIO(unchecked_overflow_guard_page) {
  static gort::WaitGroup hold;
  hold.add(1);
  size_t first_pass = gort::tunables::stack_region_bytes / gort::tunables::initial_stack_bytes / 2;
  gort::WaitGroup parked;
  parked.add(int(first_pass));
  for (size_t i = 0; i < first_pass; i++)
    gort::go([&parked] {
      parked.done();
      hold.wait();
    });
  parked.wait();
  in_goroutine([] { use_much_stack_unchecked(); });
  out::println("unreachable");
  return 0;
}

// The shape of the neighbour-overrun defect: a function without the check has a 2,600-byte
// local of which it writes only the deepest `bytes` bytes: the writes skip its segment's
// bottom canary and land below it. A parked goroutine created just before keeps 32 known
// words on its stack.
static volatile long index_zero = 0;
__attribute__((noinline)) void write_deepest_part_of_big_local(long bytes) {
  volatile char buffer[2600];
  for (long i = 0; i < bytes; i++) buffer[i + index_zero] = char(0xAA);
}

// The overrun lands in the spare slot under the goroutine's segment: its neighbour is
// intact, and the goroutine's next park ends the program.
TEST_SCENARIO(neighbour_overrun) {
  long bytes = scenario::argument(argc, argv, 1, 600);
  static volatile long* victim_data = nullptr;
  gort::Channel<int> wake;
  gort::WaitGroup victim_ready;
  victim_ready.add(1);
  gort::go([&wake, &victim_ready] {
    volatile long data[32];
    for (int i = 0; i < 32; i++) data[i] = 1000 + i;
    victim_data = data;
    victim_ready.done();
    wake.receive();
    out::println("unreachable: victim resumed");
  });
  victim_ready.wait();
  in_goroutine([bytes] {
    write_deepest_part_of_big_local(bytes);
    long intact = 0;
    for (int i = 0; i < 32; i++) intact += victim_data[i] == 1000 + i;
    out::println("neighbour words intact", intact);
    // Park before in_goroutine's wait group lets main go on: the spare slot is checked when
    // a goroutine parks, so the program ends here (its exit, after the wait group's done,
    // raced with main printing "unreachable" on another Processor).
    gort::sleep(1000);
  });
  out::println("unreachable");
  return 0;
}

// Main's stack (8 MiB, no check in main) runs into a local larger than the stack: the
// inaccessible range below main's stack turns the first write into a reported overflow,
// while goroutine stacks with known data are mapped below it.
__attribute__((noinline)) void write_deepest_part_of_alloca(long mib) {
  char* buffer = static_cast<char*>(__builtin_alloca(mib << 20));
  for (long i = 0; i < 65536; i++) reinterpret_cast<volatile char*>(buffer)[i + index_zero] = char(0x5A);
  out::println("unreachable: wrote below main's stack at", gort::hex(uintptr_t(buffer)));
}

TEST_SCENARIO(main_big_local) {
  gort::Channel<int> gate;
  for (int i = 0; i < 1000; i++)
    gort::go([&gate] {
      volatile long data[16];
      for (int j = 0; j < 16; j++) data[j] = 0x1234 + j;
      gate.receive();
    });
  gort::gosched();
  write_deepest_part_of_alloca(scenario::argument(argc, argv, 1, 9));
  return 0;
}

// A function that obeys the rules (the check first, an 800-byte frame) starts 300
// goroutines on one Processor: its run queue (256) fills and spills half to the global
// queue. The spill runs on the scheduler stack, so the parked neighbour below is intact.
template <int Local>
__attribute__((noinline)) void spawn_many_from_big_frame(gort::WaitGroup* wg, long* ran) {
  GORT_STACK_CHECK();
  volatile char local[Local];
  local[index_zero] = 1;
  for (int i = 0; i < 300; i++)
    gort::go([wg, ran] {
      __atomic_add_fetch(ran, 1, __ATOMIC_RELAXED);
      wg->done();
    });
  local[index_zero] = 2;
}

TEST_SCENARIO(run_queue_spill_frame) {
  gort::Channel<int> wake;
  gort::WaitGroup wg;
  long ran = 0, intact = 0;
  wg.add(301);
  gort::go([&] {
    volatile long data[8];
    for (int i = 0; i < 8; i++) data[i] = 99 + i;
    wake.receive();
    for (int i = 0; i < 8; i++) intact += data[i] == 99 + i;
    wg.done();
  });
  gort::gosched();
  in_goroutine([&] { spawn_many_from_big_frame<800>(&wg, &ran); });
  wake.send(1);
  wg.wait();
  out::println("ran", ran, "neighbour words intact", intact);
  return 0;
}

// gomaxprocs(n) from an ordinary goroutine, next to a parked one with data on its stack:
// the change runs on the scheduler stack.
TEST_SCENARIO(gomaxprocs_from_goroutine) {
  gort::Channel<int> wake;
  long intact = 0;
  gort::WaitGroup done;
  done.add(1);
  gort::go([&] {
    volatile long data[24];
    for (int i = 0; i < 24; i++) data[i] = 7000 + i;
    wake.receive();
    for (int i = 0; i < 24; i++) intact += data[i] == 7000 + i;
    done.done();
  });
  gort::gosched();
  int32_t before = 0, during = 0;
  in_goroutine([&] {
    before = gort::gomaxprocs(1);
    during = gort::gomaxprocs(before);
  });
  wake.send(1);
  done.wait();
  out::println("gomaxprocs", before, "->", during, "-> back; neighbour words intact", intact);
  return 0;
}

// An extra segment's guard page: a checked recursion moves onto its second segment, where an
// unchecked function's 17 KiB local reaches below the 16 KiB segment into the page under it.
__attribute__((noinline)) void touch_bottom_of_17k_local() {
  volatile char buffer[17 * 1024];
  buffer[index_zero] = 1;
}

__attribute__((noinline)) long descend_to_second_segment(long n) {
  GORT_STACK_CHECK();
  gort::Goroutine* g = gort::cpu::current_goroutine();
  if (g->segment != &g->first_segment) {
    touch_bottom_of_17k_local();
    return n;
  }
  return descend_to_second_segment(n + 1) + 1;
}

TEST_SCENARIO(extra_segment_guard_page) {
  in_goroutine([] { descend_to_second_segment(0); });
  out::println("unreachable");
  return 0;
}

// A goroutine recurses deeply (hundreds of MB of stack), then exits: its large segments go
// back to the OS, and the resident set falls.

TEST_SCENARIO(deep_stack_memory_returned) {
  long before = measure::resident_bytes();
  long peak = 0;
  in_goroutine([&] {
    recurse(2000000);  // about 100 MB of segments
    peak = measure::resident_bytes();
  });
  // The goroutine signalled before exiting; its segments are released as it exits, before it
  // stops counting as a goroutine. Wait for that (however long a loaded machine takes; the
  // harness's deadline catches a goroutine that never exits).
  while (gort::num_goroutine() != 1) gort::gosched();
  long after = measure::resident_bytes();
  out::println("grew_mb_over_50", (peak - before) >> 20 > 50, "returned", after - before < (peak - before) / 4);
  return 0;
}

// A goroutine with no calls, on one processor: only the preemption signal can stop it.
TEST_SCENARIO(async_preemption) {
  static volatile long counter = 0;
  gort::go([] {
    for (;;) counter = counter + 1;
  });
  gort::gosched();  // the spinner runs; main continues only if the signal preempts it
  out::println("main_ran_again", counter > 0);
  return 0;
}

namespace {

bool has_avx2() {
  uint32_t a = 7, b, c = 0, d;
  asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
  uint32_t a1 = 1, b1, c1 = 0, d1;
  asm volatile("cpuid" : "+a"(a1), "=b"(b1), "+c"(c1), "=d"(d1));
  return (b & (1u << 5)) != 0 && (c1 & (1u << 28)) != 0;
}

alignas(32) uint8_t simd_pattern[16][32];

// Loads 15 vector registers (ymm0-14, or xmm0-14 without AVX2) with distinct patterns and
// a non-default MXCSR (round toward zero), then for `iterations` rounds compares every
// register and MXCSR with what they should hold, with no call anywhere in the loop.
// Returns the number of mismatching rounds.
long check_vector_registers(long iterations, bool avx2) {
  long bad = 0;
  uint32_t mxcsr_default, mxcsr_test = 0x7f80, scratch = 0;  // default masks, rounding toward zero
  asm volatile("stmxcsr %0" : "=m"(mxcsr_default));
#define GORT_LOAD(i) "vmovdqa " #i "*32(%[p]), %%ymm" #i "\n\t"
#define GORT_CHECK(i) "vpcmpeqb " #i "*32(%[p]), %%ymm" #i ", %%ymm15\n\tvpmovmskb %%ymm15, %%eax\n\tcmp $-1, %%eax\n\tjne 2f\n\t"
#define GORT_LOAD_X(i) "movdqa " #i "*32(%[p]), %%xmm" #i "\n\t"
#define GORT_CHECK_X(i) "movdqa %%xmm" #i ", %%xmm15\n\tpcmpeqb " #i "*32(%[p]), %%xmm15\n\tpmovmskb %%xmm15, %%eax\n\tcmp $0xffff, %%eax\n\tjne 2f\n\t"
  if (avx2) {
    asm volatile("ldmxcsr %[m]\n\t"
                 GORT_LOAD(0) GORT_LOAD(1) GORT_LOAD(2) GORT_LOAD(3) GORT_LOAD(4) GORT_LOAD(5) GORT_LOAD(6) GORT_LOAD(7)
                 GORT_LOAD(8) GORT_LOAD(9) GORT_LOAD(10) GORT_LOAD(11) GORT_LOAD(12) GORT_LOAD(13) GORT_LOAD(14)
                 "1:\n\t"
                 GORT_CHECK(0) GORT_CHECK(1) GORT_CHECK(2) GORT_CHECK(3) GORT_CHECK(4) GORT_CHECK(5) GORT_CHECK(6)
                 GORT_CHECK(7) GORT_CHECK(8) GORT_CHECK(9) GORT_CHECK(10) GORT_CHECK(11) GORT_CHECK(12)
                 GORT_CHECK(13) GORT_CHECK(14)
                 "stmxcsr %[s]\n\tcmpl %[mv], %[s]\n\tjne 2f\n\t"
                 "jmp 3f\n\t"
                 "2:\n\tinc %[bad]\n\t"
                 "3:\n\tdec %[n]\n\tjnz 1b\n\t"
                 "vzeroupper\n\tldmxcsr %[d]\n\t"
                 : [bad] "+r"(bad), [n] "+r"(iterations), [s] "+m"(scratch)
                 : [p] "r"(simd_pattern), [m] "m"(mxcsr_test), [mv] "r"(mxcsr_test), [d] "m"(mxcsr_default)
                 : "rax", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  } else {
    asm volatile("ldmxcsr %[m]\n\t"
                 GORT_LOAD_X(0) GORT_LOAD_X(1) GORT_LOAD_X(2) GORT_LOAD_X(3) GORT_LOAD_X(4) GORT_LOAD_X(5)
                 GORT_LOAD_X(6) GORT_LOAD_X(7) GORT_LOAD_X(8) GORT_LOAD_X(9) GORT_LOAD_X(10) GORT_LOAD_X(11)
                 GORT_LOAD_X(12) GORT_LOAD_X(13) GORT_LOAD_X(14)
                 "1:\n\t"
                 GORT_CHECK_X(0) GORT_CHECK_X(1) GORT_CHECK_X(2) GORT_CHECK_X(3) GORT_CHECK_X(4) GORT_CHECK_X(5)
                 GORT_CHECK_X(6) GORT_CHECK_X(7) GORT_CHECK_X(8) GORT_CHECK_X(9) GORT_CHECK_X(10) GORT_CHECK_X(11)
                 GORT_CHECK_X(12) GORT_CHECK_X(13) GORT_CHECK_X(14)
                 "stmxcsr %[s]\n\tcmpl %[mv], %[s]\n\tjne 2f\n\t"
                 "jmp 3f\n\t"
                 "2:\n\tinc %[bad]\n\t"
                 "3:\n\tdec %[n]\n\tjnz 1b\n\t"
                 "ldmxcsr %[d]\n\t"
                 : [bad] "+r"(bad), [n] "+r"(iterations), [s] "+m"(scratch)
                 : [p] "r"(simd_pattern), [m] "m"(mxcsr_test), [mv] "r"(mxcsr_test), [d] "m"(mxcsr_default)
                 : "rax", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  }
  return bad;
}

// Fills every vector register with garbage and sets a different MXCSR, then yields: run
// between the checker's slices, it would expose any register the preemption path dropped.
void clobber_vector_registers() {
  uint32_t mxcsr_other = 0x1f80 | 0x2000;  // round down
  uint32_t saved;
  asm volatile("stmxcsr %0\n\tldmxcsr %1\n\t"
               "pcmpeqb %%xmm0, %%xmm0\n\tpcmpeqb %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\tpcmpeqb %%xmm3, %%xmm3\n\t"
               "pcmpeqb %%xmm4, %%xmm4\n\tpcmpeqb %%xmm5, %%xmm5\n\tpxor %%xmm6, %%xmm6\n\tpcmpeqb %%xmm7, %%xmm7\n\t"
               "pcmpeqb %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\tpcmpeqb %%xmm10, %%xmm10\n\tpcmpeqb %%xmm11, %%xmm11\n\t"
               "pxor %%xmm12, %%xmm12\n\tpcmpeqb %%xmm13, %%xmm13\n\tpcmpeqb %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15\n\t"
               : "=m"(saved)
               : "m"(mxcsr_other)
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                 "xmm12", "xmm13", "xmm14", "xmm15");
  gort::gosched();
  asm volatile("ldmxcsr %0" ::"m"(saved));
}

}  // namespace

// On one processor, a loop with no calls checks 15 vector registers and MXCSR, while sysmon
// preempts it every 100 us; between its slices another goroutine clobbers every vector
// register and MXCSR on the same thread. Every round must see its own values.
TEST_SCENARIO(vector_registers_survive_preemption) {
  gort::set_preemption_time_slice(100 * 1000);
  long preemptions_wanted = scenario::argument(argc, argv, 1, 2000);
  for (int r = 0; r < 16; r++)
    for (int b = 0; b < 32; b++) simd_pattern[r][b] = uint8_t(r * 37 + b * 11 + 1);
  bool avx2 = has_avx2();
  static volatile bool done = false;
  static long bad = 0, rounds = 0;
  gort::WaitGroup wg;
  wg.add(2);
  uint64_t before = gort::async_preemption_count();
  gort::go([&] {
    while (!done) {
      bad += check_vector_registers(20000, avx2);
      rounds++;
    }
    wg.done();
  });
  gort::go([&] {
    while (gort::async_preemption_count() - before < uint64_t(preemptions_wanted)) clobber_vector_registers();
    done = true;
    wg.done();
  });
  wg.wait();  // the clobberer stops only after preemptions_wanted preemptions
  out::println("bad_rounds", bad, "rounds_positive", rounds > 0);
  return 0;
}

// --- GORT_STACK_RESERVE ---

namespace {

// What tools/stack-check computes these calls need (clang 14): 5,960 bytes for std::sort (92
// levels of __introsort_loop, 64 bytes each) and 6,584 for copying and destroying the map (94
// levels of _Rb_tree::_M_copy, 64 bytes each); 8 KiB covers both.
constexpr size_t library_reserve = 8192;

// Room below the stack pointer in the current segment, above the 928-byte reserve.
__attribute__((noinline)) size_t room_above_reserve() {
  gort::Goroutine* g = gort::cpu::current_goroutine();
  uintptr_t sp = gort::detail::stack_pointer();
  return sp - g->stack_lo - gort::tunables::stack_guard_bytes;
}

// Sorts `count` pseudo-random numbers with std::sort; returns 1 if they come out in order
// with the same sum, and sets *room to the room its callees had.
__attribute__((noinline)) long sort_numbers(long count, uint64_t seed, size_t* room) {
  GORT_STACK_RESERVE(library_reserve);
  *room = room_above_reserve();
  std::vector<long> values(static_cast<size_t>(count));
  long sum = 0;
  for (long& v : values) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    v = long(seed % 1000003);
    sum += v;
  }
  std::sort(values.begin(), values.end());
  long after = 0;
  for (long v : values) after += v;
  return std::is_sorted(values.begin(), values.end()) && after == sum;
}

// Builds a std::map of `count` entries and destroys it (recursive _M_erase); returns 1 if it
// held what was put in.
__attribute__((noinline)) long fill_and_destroy_map(long count, size_t* room) {
  GORT_STACK_RESERVE(library_reserve);
  *room = room_above_reserve();
  long ok;
  {
    std::map<long, long> m;
    for (long i = 0; i < count; i++) m[(i * 7919) % count] = i;
    std::map<long, long> copy = m;  // recursive _M_copy
    long sum = 0;
    for (auto& [k, v] : copy) sum += k;
    ok = long(m.size()) == count && sum == count * (count - 1) / 2;
  }  // both trees destroyed here
  return ok;
}

// A reserving function that calls nothing deep: what a loop of calls costs in segments.
__attribute__((noinline)) size_t reserve_and_measure() {
  GORT_STACK_RESERVE(library_reserve);
  return room_above_reserve();
}

}  // namespace

// Four fresh goroutines each sort a million numbers, then destroy (and copy) a map of 200,000
// entries, each after GORT_STACK_RESERVE: on 2 KiB first segments that would not hold the
// library's recursion, the calls move to a segment with the reserved room.
TEST_SCENARIO(reserve_library_recursion) {
  constexpr int workers = 4;
  long sorted[workers] = {}, maps[workers] = {};
  size_t room[workers][2] = {};
  gort::WaitGroup wg;
  wg.add(workers);
  for (int i = 0; i < workers; i++)
    gort::go([&, i] {
      sorted[i] = sort_numbers(1000003 + i, 88172645463325252ull + uint64_t(i), &room[i][0]);
      maps[i] = fill_and_destroy_map(200003 + i, &room[i][1]);
      wg.done();
    });
  wg.wait();
  long ok_sorts = 0, ok_maps = 0, ok_room = 0;
  for (int i = 0; i < workers; i++) {
    ok_sorts += sorted[i];
    ok_maps += maps[i];
    ok_room += room[i][0] >= library_reserve && room[i][1] >= library_reserve;
  }
  out::println("sorted", ok_sorts, "maps", ok_maps, "room", ok_room);
  return 0;
}

// A reserving function called 10,000 times from a fresh goroutine: the first call takes a
// segment with the room, later ones find it cached (a counter, not a timing).
TEST_SCENARIO(reserve_in_loop) {
  long ok_room = 0;
  uint64_t taken_before = gort::stack_segments_taken();
  in_goroutine([&] {
    for (int i = 0; i < 10000; i++) ok_room += reserve_and_measure() >= library_reserve;
  });
  uint64_t taken = gort::stack_segments_taken() - taken_before;
  out::println("room_ok", ok_room, "segments_taken", taken);
  return 0;
}

// Loops for ever calling reserve_and_measure on a segment with room enough that its fast
// path passes: only a preemption request (the poisoned guard) sends it to the slow path.
__attribute__((noinline)) void spin_reserving(long* spins) {
  GORT_STACK_RESERVE(64 * 1024);
  for (;;) *spins += reserve_and_measure() >= library_reserve;
}

// As cooperative_preemption, with a function that reserves room instead of a checked one: its
// fast path fails against the poisoned guard and the slow path yields.
TEST_SCENARIO(reserve_honours_preemption) {
  static long spins = 0;
  gort::go([] { spin_reserving(&spins); });
  gort::gosched();  // let the spinner start; it only gives the processor back when preempted
  out::println("main_ran_again", spins > 0);
  return 0;
}
