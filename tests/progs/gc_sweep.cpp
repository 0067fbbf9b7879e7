// Scenarios for the concurrent sweep and stack shrinking (runtime/allocator.cpp's "Collected
// objects and their sweep", runtime/collector.cpp's background sweeper, runtime/stack.cpp's
// shrink_stack; docs/07-collector.md). Run by tests/harness/test_gc_sweep.cpp at GOMAXPROCS
// 1, 2 and 4.
//
// Everything here counts (spans swept by each kind of sweeper, stack segments taken and
// given back, checksums), never times. The white-box counters come from runtime/testing.h:
// sweep_counters(), collect_leaving_sweep() (a collection whose sweep is left to run after
// it), hold_background_sweeper() (so allocation's lazy sweep can be seen on its own), and
// stack_segments_taken()/stack_segments_returned().
#include "payload.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;

extern "C" void* malloc(size_t);

namespace {

const char* yes(bool b) { return b ? "true" : "false"; }

constexpr uint64_t payloads_per_span = 8192 / 64;  // Payloads (the 64-byte class) in a one-page span

bool intact(const Payload* p) { return gort::collected_object_allocated(p) && p->checksum == sum_of(p); }

Payload* volatile garbage_sink;

__attribute__((noinline)) void make_garbage(uint64_t objects) {
  for (uint64_t i = 0; i < objects; i++) garbage_sink = new_payload(i);
  garbage_sink = nullptr;
}

uint64_t swept_total(const gort::SweepCounters& c) {
  return c.swept_in_pause + c.swept_by_allocation + c.swept_in_background + c.swept_by_finish;
}

Payload** volatile kept;  // a global: the objects allocated while the sweep ran

}  // namespace

// A large heap of garbage, then a collection whose sweep is left to run: the pause swept no
// span, allocation swept some (the background sweeper held off), the released background
// sweeper swept the rest, and the objects allocated in between are intact. Argument "stw2"
// (run with GODEBUG=gcstoptheworld=2): the pause swept every span instead.
TEST_SCENARIO(sweep_after_pause) {
  bool stopped = argc > 1 && gort::same_string(argv[1], "stw2");
  constexpr uint64_t garbage = 200000;  // about 1,560 spans
  gc::set_percent(-1);                  // only the collections below
  gort::hold_background_sweeper(true);
  gc::collect();
  make_garbage(garbage);
  gort::SweepCounters before = gort::sweep_counters();
  uint64_t freed_before = gc::stats().freed_objects;
  gort::collect_leaving_sweep();
  gort::SweepCounters paused = gort::sweep_counters();
  if (stopped) {
    out::println("pause_swept_all", yes(paused.swept_in_pause - before.swept_in_pause >= garbage / payloads_per_span),
                 "finished_in_pause", yes(paused.finished), "freed", yes(gc::stats().freed_objects - freed_before >= garbage));
    return 0;
  }
  constexpr int keep = 1000;
  kept = gc::make_array<Payload*>(keep);
  for (int i = 0; i < keep; i++) kept[i] = new_payload(uint64_t(i) + 7);
  gort::SweepCounters lazily = gort::sweep_counters();
  gort::hold_background_sweeper(false);
  uint64_t yields = 0;
  while (!gort::sweep_counters().finished && yields < 100000000) {
    gort::gosched();
    yields++;
  }
  gort::SweepCounters done = gort::sweep_counters();
  bool kept_intact = true;
  for (int i = 0; i < keep; i++) kept_intact = kept_intact && intact(kept[i]);
  out::println("pause_swept", paused.swept_in_pause - before.swept_in_pause, "left_after_pause", yes(!paused.finished),
               "lazily", yes(lazily.swept_by_allocation > paused.swept_by_allocation), "left_after_lazy",
               yes(!lazily.finished));
  out::println("background", yes(done.swept_in_background > lazily.swept_in_background), "by_finish",
               done.swept_by_finish - before.swept_by_finish, "all_swept",
               yes(done.finished && swept_total(done) - swept_total(before) >= garbage / payloads_per_span), "freed",
               yes(gc::stats().freed_objects - freed_before >= garbage), "kept_intact", yes(kept_intact));
  return 0;
}

namespace {

// One mutator's live set: `slots` payloads, a few replaced every round, checked every round.
struct LiveSet {
  static constexpr int slots = 512;
  Payload** items;
  uint64_t seed;
};

bool check_and_churn(LiveSet& set, int round) {
  bool ok = true;
  for (int i = 0; i < LiveSet::slots; i++) ok = ok && intact(set.items[i]);
  for (int i = 0; i < 48; i++) {
    set.seed = set.seed * 6364136223846793005ULL + 1442695040888963407ULL;
    set.items[(set.seed >> 33) % LiveSet::slots] = new_payload(set.seed ^ uint64_t(round));
  }
  // Garbage of several classes, a large object now and then.
  for (int i = 0; i < 1500; i++) garbage_sink = new_payload(uint64_t(i));
  for (int i = 0; i < 200; i++) gc::make_array<uint64_t>(size_t(1 + i % 300));
  if (round % 8 == 0) gc::make_array<uint64_t>(6000);
  garbage_sink = nullptr;
  return ok;
}

LiveSet make_live_set(uint64_t seed) {
  LiveSet set{gc::make_array<Payload*>(LiveSet::slots), seed};
  for (int i = 0; i < LiveSet::slots; i++) set.items[i] = new_payload(seed + uint64_t(i));
  return set;
}

}  // namespace

// Objects allocated while a sweep runs stay intact over hundreds of cycles: main collects
// every round and leaves the sweep to allocation and the background sweeper, while two
// goroutines allocate, replace and check their own live sets (held on their stacks).
TEST_SCENARIO(sweep_keeps_new_objects) {
  constexpr int rounds = 300, mutators = 2;
  gort::WaitGroup wg;
  bool ok[mutators] = {};
  uint32_t stop = 0;
  for (int m = 0; m < mutators; m++) {
    wg.add(1);
    gort::go([&, m] {
      LiveSet set = make_live_set(uint64_t(m + 1) << 40);
      bool good = true;
      for (int r = 0; __atomic_load_n(&stop, __ATOMIC_ACQUIRE) == 0; r++) {
        good = check_and_churn(set, r) && good;
        gort::gosched();
      }
      ok[m] = good && check_and_churn(set, -1);
      wg.done();
    });
  }
  LiveSet mine = make_live_set(99);
  bool good = true;
  uint64_t cycles = gc::stats().collections;
  for (int r = 0; r < rounds; r++) {
    good = check_and_churn(mine, r) && good;
    gort::collect_leaving_sweep();
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  wg.wait();
  for (bool b : ok) good = good && b;
  out::println("intact", yes(good), "cycles", yes(gc::stats().collections - cycles >= rounds));
  return 0;
}

// gc::collect() returns with the heap swept (as Go's runtime.GC()), and a dropped structure's
// memory is back: heap in use, HeapAlloc and HeapObjects near their baseline.
TEST_SCENARIO(collect_returns_swept) {
  gc::collect();
  gort::MemStats base = gort::read_mem_stats();
  constexpr int count = 200000;
  kept = gc::make_array<Payload*>(count);
  for (int i = 0; i < count; i++) kept[i] = new_payload(uint64_t(i));
  gc::collect();
  gort::MemStats with = gort::read_mem_stats();
  kept = nullptr;
  gc::collect();
  bool swept = gort::sweep_counters().finished && gort::unswept_garbage_bytes() == 0;
  gort::MemStats after = gort::read_mem_stats();
  gc::Stats st = gc::stats();
  out::println("swept", yes(swept), "grew", yes(with.heap_inuse >= base.heap_inuse + uint64_t(count) * 64),
               "inuse_back", yes(after.heap_inuse < base.heap_inuse + (1u << 20)), "alloc_back",
               yes(after.heap_alloc < base.heap_alloc + (256u << 10)), "objects_back",
               yes(after.heap_objects < base.heap_objects + 1000), "heap_is_live", yes(st.heap_bytes == st.live_bytes));
  return 0;
}

namespace {

// malloc'd: the collector does not see it. Volatile, or the compiler turns the one malloc'd
// word into a global of its own (LLVM's GlobalOpt), which the collector does see.
uint64_t** volatile explicit_slot;

__attribute__((noinline)) void plant_in_explicit_memory() {
  Payload* p = gc::make<Payload>();
  for (uint64_t& w : p->words) w = 0x1111111111111111ULL;
  *explicit_slot = p->words;
}
// And a large object (its own span, swept by sweep_large) of `large_words` words.
constexpr size_t large_words = 8192;  // 64 KiB
// (In explicit_slot[1]: a global holding only its own malloc's result may be turned into
// a global by the compiler, which data and bss scanning would then find.)
__attribute__((noinline)) void plant_large_in_explicit_memory() {
  uint64_t* words = gc::make_array<uint64_t>(large_words);
  for (size_t i = 0; i < large_words; i++) words[i] = 0x2222222222222222ULL;
  explicit_slot[1] = words;
}

// Overwrites the stack below the caller's frame, where plant_in_explicit_memory's dead frame
// may have left p in a slot that the collection's own frames then cover without writing
// (a conservative scan would find it there).
__attribute__((noinline)) void clear_stack_below() {
  volatile uint64_t words[512];
  for (int i = 0; i < 512; i++) words[i] = 0;
}

}  // namespace

// GODEBUG=clobberfree=1: a collected object only explicit memory points to is freed, and the
// sweep fills it with 0xdeadbeef words; without the setting its words stay as they were.
TEST_SCENARIO(clobber_freed) {
  explicit_slot = static_cast<uint64_t**>(malloc(2 * sizeof(uint64_t*)));
  plant_in_explicit_memory();
  plant_large_in_explicit_memory();
  clear_stack_below();
  gc::collect();
  const uint64_t* words = *explicit_slot;
  bool clobbered = true, unchanged = true;
  for (int i = 0; i < 6; i++) {
    clobbered = clobbered && words[i] == 0xdeadbeefdeadbeefULL;
    unchanged = unchanged && words[i] == 0x1111111111111111ULL;
  }
  out::println("reclaimed", yes(!gort::collected_object_allocated(words)), "clobbered", yes(clobbered), "unchanged",
               yes(unchanged));
  // The large one: freed whole to the page heap, its memory still mapped (the scavenger
  // returns only pages idle for minutes), clobbered in every word or untouched.
  const uint64_t* large = explicit_slot[1];
  bool large_clobbered = true, large_unchanged = true;
  for (size_t i = 0; i < large_words; i++) {
    large_clobbered = large_clobbered && large[i] == 0xdeadbeefdeadbeefULL;
    large_unchanged = large_unchanged && large[i] == 0x2222222222222222ULL;
  }
  out::println("large_reclaimed", yes(!gort::collected_object_allocated(large)), "clobbered", yes(large_clobbered),
               "unchanged", yes(large_unchanged));
  // A new object in a clobbered slot is zero, as every new object is.
  bool zero = true;
  for (int i = 0; i < 2000; i++) {
    Payload* p = gc::make<Payload>();
    for (uint64_t w : p->words) zero = zero && w == 0;
    garbage_sink = p;
  }
  out::println("new_objects_zero", yes(zero));
  return 0;
}

// --- Stack shrinking ---

namespace {

long count_segments(const gort::Goroutine* g) {
  long n = 0;
  for (const gort::StackSegment* s = &g->first_segment; s != nullptr; s = s->next) n++;
  return n;
}

long segments_held() { return long(gort::stack_segments_taken() - gort::stack_segments_returned()); }

// Recursion through about 600 bytes a frame, each frame checking its own words on the way
// back: a segment given back while still in use, or reused under a frame, breaks them.
__attribute__((noinline)) uint64_t deep(long n, uint64_t seed, bool* ok) {
  GORT_STACK_CHECK();
  volatile uint64_t local[64];
  for (int i = 0; i < 64; i++) local[i] = seed ^ (uint64_t(i) * 0x9e3779b97f4a7c15ULL);
  uint64_t below = n == 0 ? seed : deep(n - 1, seed * 0x100000001b3ULL + uint64_t(n), ok);
  for (int i = 0; i < 64; i++)
    if (local[i] != (seed ^ (uint64_t(i) * 0x9e3779b97f4a7c15ULL))) *ok = false;
  return below ^ local[n % 64];
}

}  // namespace

// A goroutine recursed through megabytes of segments, came back and parked: it keeps them
// through the first collection (used in that cycle), gives them back in the second, and its
// stack still works (the same recursion, the same checksum).
TEST_SCENARIO(shrink_after_deep) {
  constexpr long depth = 8000;  // about 5 MB of frames
  gort::Channel<int> parked(1), go_on, finished(1);
  long segments = 0;
  uint64_t first = 0, second = 0;
  bool ok = true;
  gort::go([&] {
    first = deep(depth, 1, &ok);
    segments = count_segments(gort::cpu::current_goroutine());
    parked.send(1);
    go_on.receive();  // parked here through the collections
    second = deep(depth, 1, &ok);
    finished.send(1);
  });
  parked.receive();
  long held = segments_held();
  gc::collect();
  long after_one = segments_held();
  gc::collect();
  long after_two = segments_held();
  go_on.send(1);
  finished.receive();
  out::println("went_deep", yes(segments >= 8), "kept_one_cycle", yes(after_one == held), "given_back",
               yes(held - after_two >= segments - 1), "recursed_again", yes(ok && first == second));
  return 0;
}

namespace {

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

}  // namespace

// A goroutine that crosses a segment boundary in a loop between collections keeps its hot
// segment: no segment is taken after the first round, however many cycles run.
TEST_SCENARIO(shrink_keeps_hot_segment) {
  long best = -1, segments = 0;
  for (long depth = 0; depth < 60 && best < 0; depth++) {
    gort::Channel<int> done(1);
    gort::go([&] {
      descend_then_loop(depth, 10, &segments);
      done.send(1);
    });
    done.receive();
    if (segments == 2) best = depth;
  }
  // Each round the goroutine crosses the boundary 1,000 times, then parks until the next
  // command; a collection runs between rounds.
  gort::Channel<int> command, reply;
  long sum_ok = 1;
  gort::go([&] {
    while (command.receive() != 0) {
      sum_ok &= descend_then_loop(best, 1000, &segments) == 1000 * 1001 / 2;
      reply.send(1);
    }
  });
  command.send(1);  // the first crossing takes the segment
  reply.receive();
  uint64_t taken = gort::stack_segments_taken();
  for (int round = 0; round < 30; round++) {
    gc::collect();
    command.send(1);
    reply.receive();
  }
  uint64_t taken_after = gort::stack_segments_taken() - taken;
  command.send(0);
  out::println("found_depth", yes(best >= 0), "segments_taken", taken_after, "sums", yes(sum_ok == 1));
  return 0;
}
