// Scenarios for typed collected objects (precise layouts), destructors and cleanups
// (runtime/finalization.cpp, runtime/collector.h). Run by tests/harness/test_gc_final.cpp at
// GOMAXPROCS 1, 2 and 4.
//
// Hidden pointers: a test that must not keep an object alive by itself keeps only ~address
// (in a global: data is scanned, but ~address is not in the arena). White-box counters
// (runtime/testing.h): finalization_pending() says when the cleanup goroutine has caught up;
// a test waits for it by yielding, never by sleeping.
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;

extern "C" void* malloc(size_t);
extern "C" void free(void*);

namespace {

const char* yes(bool b) { return b ? "true" : "false"; }

// Lets the cleanup goroutine run until nothing is queued (bounded: a hang is a failure).
bool drain() {
  for (long i = 0; i < 10000000; i++) {
    if (gort::finalization_pending() == 0) return true;
    gort::gosched();
  }
  return false;
}

// Collections until the queue stays empty: a destroyed object is freed by the sweep after.
void collect_and_drain(int times) {
  for (int i = 0; i < times; i++) {
    gc::collect();
    drain();
  }
}

uintptr_t hide(const void* p) { return ~reinterpret_cast<uintptr_t>(p); }
const void* unhide(uintptr_t h) { return reinterpret_cast<const void*>(~h); }

// --- Precise layouts ---

struct Target {  // 48 bytes, conservative (no layout), trivially destructible
  uint64_t words[5];
  uint64_t checksum;
};

uint64_t sum_of(const Target* t) {
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  for (uint64_t w : t->words) s = (s ^ w) * 0x100000001b3ULL;
  return s;
}

__attribute__((noinline)) Target* new_target(uint64_t seed) {
  Target* t = gc::make<Target>();
  for (int i = 0; i < 5; i++) t->words[i] = seed * 131 + uint64_t(i);
  t->checksum = sum_of(t);
  return t;
}

bool target_intact(const Target* t) { return gort::collected_object_allocated(t) && t->checksum == sum_of(t); }

// Two words that look like pointers (and are: to otherwise-dead Targets), one real pointer.
struct Precise {
  uintptr_t disguised;
  Target* real;
  uintptr_t disguised_too;
};
struct Loose {  // the same, without a layout: scanned conservatively
  uintptr_t disguised;
  Target* real;
  uintptr_t disguised_too;
};

}  // namespace

GORT_GC_POINTERS(Precise, real);

// A type with a destructor whose layout lists no field: typed (for the destructor), and
// scanned not at all, so its look-alike word retains nothing either.
namespace {
uint64_t opaque_destroyed = 0;  // atomic
struct Opaque {
  uintptr_t disguised;
  ~Opaque() { __atomic_add_fetch(&opaque_destroyed, 1, __ATOMIC_RELAXED); }
};
}  // namespace
GORT_GC_POINTERS(Opaque);

namespace {

static_assert(gc::detail::is_typed_v<Precise> && !gc::detail::is_typed_v<Loose>);
static_assert(gc::detail::bitmap_of<Precise>.bits[0] == 0b010);

constexpr int holders = 500;
Precise* precise_holders[holders];
Loose* loose_holders[holders];
Precise* precise_array;  // make_array<Precise>(holders): the layout applies per element
uintptr_t hidden_disguised[holders * 2];  // ~address of each disguised target

template <typename Holder>
__attribute__((noinline)) Holder* fill(Holder* h, int i) {
  Target* a = new_target(uint64_t(i) * 2);
  Target* b = new_target(uint64_t(i) * 2 + 1);
  h->disguised = reinterpret_cast<uintptr_t>(a) + 8;  // interior: still "points into" it
  h->disguised_too = reinterpret_cast<uintptr_t>(b);
  h->real = new_target(uint64_t(i) + 100000);
  hidden_disguised[i * 2] = hide(a);
  hidden_disguised[i * 2 + 1] = hide(b);
  return h;
}

// Disguised targets no longer allocated after collections (none is allocated meanwhile,
// so a freed slot is not reused).
int reclaimed_disguised() {
  int n = 0;
  for (int i = 0; i < holders * 2; i++) n += !gort::collected_object_allocated(unhide(hidden_disguised[i]));
  return n;
}

template <typename Holder>
bool reals_intact(Holder* const* hs) {
  for (int i = 0; i < holders; i++)
    if (!target_intact(hs[i]->real)) return false;
  return true;
}

// --- Precise objects that must survive: a list of typed nodes with junk words ---

struct Node {
  uint64_t junk;
  Node* next;
  uint64_t id;
  Target* data;
  uint64_t junk_too;
};

}  // namespace

GORT_GC_POINTERS(Node, next, data);

namespace {

Node* list_head;
constexpr int list_length = 2000;

__attribute__((noinline)) void build_list() {
  for (int i = 0; i < list_length; i++) {
    Node* n = gc::make<Node>();
    n->junk = 0xc000000000ULL + uint64_t(i) * 64;  // looks like an arena address
    n->id = uint64_t(i);
    n->data = new_target(uint64_t(i) * 7);
    n->junk_too = ~uint64_t(i);
    n->next = list_head;
    list_head = n;
  }
}

bool list_intact() {
  int count = 0;
  for (Node* n = list_head; n != nullptr; n = n->next, count++) {
    if (!gort::collected_object_allocated(n) || n->id != uint64_t(list_length - 1 - count)) return false;
    if (!target_intact(n->data) || n->data->words[0] != n->id * 7 * 131) return false;
  }
  return count == list_length;
}

Target* volatile sink;
__attribute__((noinline)) void churn() {
  for (int i = 0; i < 300; i++) sink = new_target(0xdead);
  sink = nullptr;
}

// --- Destructors ---

constexpr uint32_t max_ids = 1 << 16;
uint32_t destroyed_times[max_ids];  // atomic: ~Tracked() calls per id
uint64_t destructor_calls = 0;      // atomic
uint64_t corrupt_at_destruction = 0;  // atomic: the object's own memory was not intact

struct Tracked {
  static constexpr uint64_t magic = 0x7a11ab1e5eed0000ULL;
  uint64_t stamp;
  uint32_t id;
  uint32_t pad;
  uint64_t words[4];
  Tracked() : Tracked(0) {}
  explicit Tracked(uint32_t i) : stamp(magic ^ i), id(i), pad(0) {
    for (int w = 0; w < 4; w++) words[w] = uint64_t(i) * 977 + uint64_t(w);
  }
  ~Tracked() {
    bool ok = stamp == (magic ^ id);
    for (int w = 0; w < 4; w++) ok = ok && words[w] == uint64_t(id) * 977 + uint64_t(w);
    if (!ok) __atomic_add_fetch(&corrupt_at_destruction, 1, __ATOMIC_RELAXED);
    // What a destructor may do: allocate and free explicit memory, and allocate.
    auto* scratch = static_cast<uint64_t*>(malloc(200));
    for (int w = 0; w < 25; w++) scratch[w] = id;
    free(scratch);
    if (id < max_ids) __atomic_add_fetch(&destroyed_times[id], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&destructor_calls, 1, __ATOMIC_RELAXED);
    stamp = 0;
  }
};
static_assert(gc::detail::is_typed_v<Tracked>);

uint32_t next_id = 1;  // ids handed out; 0 is array elements' (counted separately)

__attribute__((noinline)) void make_unreachable(int n) {
  for (int i = 0; i < n; i++) {
    Tracked* t = gc::make<Tracked>(next_id++);
    sink = reinterpret_cast<Target*>(t);
  }
  sink = nullptr;
}

constexpr int kept_count = 200;
Tracked* kept[kept_count];
uint32_t kept_first_id;

__attribute__((noinline)) void make_kept() {
  kept_first_id = next_id;
  for (int i = 0; i < kept_count; i++) kept[i] = gc::make<Tracked>(next_id++);
}

// Ids in [lo, hi) destroyed exactly `times` times each.
bool ids_destroyed(uint32_t lo, uint32_t hi, uint32_t times) {
  for (uint32_t i = lo; i < hi; i++)
    if (__atomic_load_n(&destroyed_times[i], __ATOMIC_RELAXED) != times) return false;
  return true;
}

// --- Cleanups ---

constexpr int cleanup_objects = 3000;
uint32_t cleaned_times[cleanup_objects * 2];  // atomic: runs per argument index
uint64_t cleanup_calls = 0;                   // atomic
uint32_t argument_ids[cleanup_objects * 2];   // cleanup arguments point here

void count_cleanup(uint32_t* arg) {
  __atomic_add_fetch(&cleaned_times[*arg], 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&cleanup_calls, 1, __ATOMIC_RELAXED);
}

Target* kept_with_cleanup[100];
gc::Cleanup stopped_handles[cleanup_objects];
uintptr_t hidden_cleaned[cleanup_objects];

// Objects 0..n-1 each get a cleanup with argument i; objects [0, stop) have theirs stopped;
// the first 100 are kept by a global. Two cleanups on every tenth object (argument n + i).
__attribute__((noinline)) void plant_cleanups(int n, int stop) {
  for (int i = 0; i < n; i++) {
    Target* t = new_target(uint64_t(i));
    argument_ids[i] = uint32_t(i);
    gc::Cleanup c = gc::add_cleanup(t, count_cleanup, &argument_ids[i]);
    if (i % 10 == 0) {
      argument_ids[n + i] = uint32_t(n + i);
      gc::add_cleanup(t, count_cleanup, &argument_ids[n + i]);
    }
    if (i < stop) stopped_handles[i] = c;
    if (i >= stop && i < stop + 100) kept_with_cleanup[i - stop] = t;
    hidden_cleaned[i] = hide(t);
  }
}

// A cleanup whose argument is another collected object: the argument must be alive and
// intact when the cleanup runs, however many collections ran in between.
uint64_t argument_checked = 0, argument_lost = 0;  // atomic
void check_argument(Target* arg) {
  if (target_intact(arg)) __atomic_add_fetch(&argument_checked, 1, __ATOMIC_RELAXED);
  else __atomic_add_fetch(&argument_lost, 1, __ATOMIC_RELAXED);
}

__attribute__((noinline)) void plant_argument_cleanups(int n) {
  for (int i = 0; i < n; i++) {
    Target* object = new_target(uint64_t(i) + 5000);
    gc::add_cleanup(object, check_argument, new_target(uint64_t(i) + 9000));  // the only reference
  }
}

// An object with both a destructor and a cleanup.
uint64_t both_cleanups = 0;  // atomic
void count_both(uint64_t* counter) { __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED); }
__attribute__((noinline)) void plant_both(int n) {
  for (int i = 0; i < n; i++) {
    Tracked* t = gc::make<Tracked>(next_id++);
    gc::add_cleanup(t, count_both, &both_cleanups);
  }
}

}  // namespace

// Precise holders lose their disguised targets; loose holders (conservative) keep them; the
// real pointers keep theirs in both, and in an array of Precise.
TEST_SCENARIO(precise_layout) {
  for (int i = 0; i < holders; i++) precise_holders[i] = fill(gc::make<Precise>(), i);
  collect_and_drain(3);
  int precise_reclaimed = reclaimed_disguised();
  bool precise_ok = reals_intact(precise_holders);

  for (int i = 0; i < holders; i++) loose_holders[i] = fill(gc::make<Loose>(), i);
  collect_and_drain(3);
  int loose_reclaimed = reclaimed_disguised();
  bool loose_ok = reals_intact(loose_holders);

  precise_array = gc::make_array<Precise>(holders);
  for (int i = 0; i < holders; i++) fill(&precise_array[i], i);
  collect_and_drain(3);
  int array_reclaimed = reclaimed_disguised();
  bool array_ok = true;
  for (int i = 0; i < holders; i++) array_ok = array_ok && target_intact(precise_array[i].real);

  // Opaque objects kept by a global, each disguising a pointer to a dead target.
  static Opaque* opaque[holders];
  for (int i = 0; i < holders; i++) {
    opaque[i] = gc::make<Opaque>();
    Target* t = new_target(uint64_t(i));
    opaque[i]->disguised = reinterpret_cast<uintptr_t>(t);
    hidden_disguised[i * 2] = hide(t);
    hidden_disguised[i * 2 + 1] = hide(t);
  }
  collect_and_drain(3);
  int opaque_reclaimed = reclaimed_disguised() / 2;
  bool opaque_alive = __atomic_load_n(&opaque_destroyed, __ATOMIC_RELAXED) == 0;

  out::println("precise_reclaimed", precise_reclaimed, "of", holders * 2, "reals", yes(precise_ok));
  out::println("conservative_reclaimed", loose_reclaimed, "reals", yes(loose_ok));
  out::println("array_reclaimed", array_reclaimed, "reals", yes(array_ok));
  out::println("empty_layout_reclaimed", opaque_reclaimed, "kept_not_destroyed", yes(opaque_alive));
  return 0;
}

// A list of precise nodes (junk words that look like arena addresses) survives hundreds of
// collections with its checksums while garbage goes by.
TEST_SCENARIO(precise_survives) {
  build_list();
  bool ok = true;
  uint64_t freed_before = gc::stats().freed_objects;
  for (int r = 0; r < 300; r++) {
    churn();
    gc::collect();
    if (!list_intact()) ok = false;
  }
  bool reclaimed = gc::stats().freed_objects - freed_before >= 299 * 300;
  out::println("intact", yes(ok), "reclaimed", yes(reclaimed));
  return 0;
}

// Every unreachable Tracked is destroyed exactly once, after it became unreachable, with
// its memory intact; kept ones never are while kept; an array's elements each once.
TEST_SCENARIO(destructors) {
  make_kept();
  make_unreachable(5000);
  uint32_t first_batch_end = next_id;
  collect_and_drain(3);
  bool first_batch = ids_destroyed(kept_first_id + kept_count, first_batch_end, 1);
  // Hundreds of cycles with garbage going by: the kept ones are never destroyed, the
  // garbage each once.
  for (int r = 0; r < 300; r++) {
    make_unreachable(20);
    gc::collect();
    if (r % 10 == 0) drain();
  }
  collect_and_drain(3);
  bool kept_never = ids_destroyed(kept_first_id, kept_first_id + kept_count, 0);
  bool garbage_once = ids_destroyed(kept_first_id + kept_count, next_id, 1);
  bool kept_alive = true;
  for (Tracked* t : kept) kept_alive = kept_alive && gort::collected_object_allocated(t) && t->stamp == (Tracked::magic ^ t->id);
  // An array: each element's destructor (id 0).
  uint32_t zero_before = __atomic_load_n(&destroyed_times[0], __ATOMIC_RELAXED);
  sink = reinterpret_cast<Target*>(gc::make_array<Tracked>(7));
  sink = nullptr;
  collect_and_drain(3);
  bool array_each = __atomic_load_n(&destroyed_times[0], __ATOMIC_RELAXED) - zero_before == 7;
  // Dropped now: each kept one once.
  for (Tracked*& t : kept) t = nullptr;
  collect_and_drain(3);
  bool dropped_once = ids_destroyed(kept_first_id, kept_first_id + kept_count, 1);
  uint64_t expected = uint64_t(next_id - 1) + 7;
  out::println("first_batch", yes(first_batch), "kept_never", yes(kept_never), "kept_alive", yes(kept_alive),
               "garbage_once", yes(garbage_once));
  out::println("array_each", yes(array_each), "dropped_once", yes(dropped_once),
               "calls_exact", yes(__atomic_load_n(&destructor_calls, __ATOMIC_RELAXED) == expected),
               "corrupt", __atomic_load_n(&corrupt_at_destruction, __ATOMIC_RELAXED));
  // Destroyed objects are freed by a later sweep: the heap holds none of them now.
  out::println("freed_after", yes(gc::stats().live_objects < 64));
  return 0;
}

// Each cleanup runs once after its object died; stopped ones and those of kept objects never.
TEST_SCENARIO(cleanups) {
  constexpr int n = cleanup_objects, stopped = 500;
  plant_cleanups(n, stopped);
  int stopped_ok = 0;
  for (int i = 0; i < stopped; i++) stopped_ok += stopped_handles[i].stop();
  bool second_stop_noop = !stopped_handles[0].stop();
  collect_and_drain(3);
  // Checked before the churn below can reuse their slots.
  bool objects_freed = true;
  for (int i = stopped + 100; i < n; i++) objects_freed = objects_freed && !gort::collected_object_allocated(unhide(hidden_cleaned[i]));
  for (int r = 0; r < 200; r++) {
    churn();
    gc::collect();
  }
  collect_and_drain(2);
  bool ran_once = true, never_stopped = true, never_kept = true;
  for (int i = 0; i < n; i++) {
    uint32_t times = __atomic_load_n(&cleaned_times[i], __ATOMIC_RELAXED);
    uint32_t second = i % 10 == 0 ? __atomic_load_n(&cleaned_times[n + i], __ATOMIC_RELAXED) : 1;
    if (i < stopped) never_stopped = never_stopped && times == 0 && (i % 10 != 0 || second == 1);
    else if (i < stopped + 100) never_kept = never_kept && times == 0 && (i % 10 != 0 || second == 0);
    else ran_once = ran_once && times == 1 && second == 1;
  }
  bool kept_intact = true;
  for (Target* t : kept_with_cleanup) kept_intact = kept_intact && target_intact(t);
  out::println("stopped", stopped_ok, "second_stop_noop", yes(second_stop_noop), "ran_once", yes(ran_once),
               "never_stopped", yes(never_stopped), "never_kept", yes(never_kept));
  out::println("kept_intact", yes(kept_intact), "objects_freed", yes(objects_freed));
  // Dropped: the kept ones' cleanups run now, once.
  for (Target*& t : kept_with_cleanup) t = nullptr;
  collect_and_drain(2);
  bool dropped = true;
  for (int i = stopped; i < stopped + 100; i++) dropped = dropped && __atomic_load_n(&cleaned_times[i], __ATOMIC_RELAXED) == 1;
  out::println("dropped_ran_once", yes(dropped));
  return 0;
}

// A cleanup's argument (a collected object nothing else holds) stays alive and intact until
// the cleanup ran, across collections that run before the cleanup goroutine does.
TEST_SCENARIO(cleanup_argument_alive) {
  constexpr int n = 400;
  plant_argument_cleanups(n);
  for (int r = 0; r < 50; r++) {  // no yield: at GOMAXPROCS=1 the cleanups wait for us
    churn();
    gc::collect();
  }
  collect_and_drain(3);
  out::println("checked", __atomic_load_n(&argument_checked, __ATOMIC_RELAXED), "lost",
               __atomic_load_n(&argument_lost, __ATOMIC_RELAXED));
  return 0;
}

// An object with a destructor and a cleanup gets both, once each.
TEST_SCENARIO(cleanup_and_destructor) {
  uint32_t first = next_id;
  plant_both(300);
  collect_and_drain(4);
  out::println("cleanups", __atomic_load_n(&both_cleanups, __ATOMIC_RELAXED), "destroyed_once",
               yes(ids_destroyed(first, next_id, 1)));
  return 0;
}

void never_called(uint64_t*) {}
uint64_t plain_counter;

// Go's panic: the argument is the object itself (here, a pointer into it).
TEST_SCENARIO(cleanup_arg_is_object) {
  Target* t = new_target(1);
  gc::add_cleanup(t, never_called, reinterpret_cast<uint64_t*>(&t->words[2]));
  return 0;
}

// Only collected objects take cleanups.
TEST_SCENARIO(cleanup_not_collected) {
  auto* p = static_cast<uint64_t*>(malloc(64));
  gc::add_cleanup(p, never_called, &plain_counter);
  return 0;
}

namespace {

// A list node with a destructor and a layout: typed both ways.
struct Counted {
  Counted* next;
  uint32_t id;
  uint32_t check;
  ~Counted() {
    if (check != id * 2654435761u) __atomic_add_fetch(&corrupt_at_destruction, 1, __ATOMIC_RELAXED);
    if (id < max_ids) __atomic_add_fetch(&destroyed_times[id], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&destructor_calls, 1, __ATOMIC_RELAXED);
  }
};

}  // namespace

GORT_GC_POINTERS(Counted, next);

namespace {
uint32_t counted_next_id = 1;       // atomic
uint64_t concurrent_cleanups = 0;   // atomic
}  // namespace

// Four goroutines build lists of typed, destructible nodes, with a cleanup on some, while
// the goal (GOGC=10) starts collections from any of them: every node of a list is intact
// and never destroyed while its list is held, and in the end every node is destroyed once.
TEST_SCENARIO(destructors_concurrent) {
  gc::set_percent(10);
  constexpr int workers = 4, rounds = 30, length = 400;
  gort::WaitGroup wg;
  bool ok[workers] = {};
  for (int w = 0; w < workers; w++) {
    wg.add(1);
    gort::go([&, w] {
      bool good = true;
      for (int r = 0; r < rounds; r++) {
        Counted* head = nullptr;
        for (int i = 0; i < length; i++) {
          Counted* c = gc::make<Counted>();
          c->id = __atomic_fetch_add(&counted_next_id, 1, __ATOMIC_RELAXED);
          c->check = c->id * 2654435761u;
          c->next = head;
          head = c;
          if (i % 50 == 0) gc::add_cleanup(c, count_both, &concurrent_cleanups);
        }
        if (w == 0 && r % 5 == 0) gc::collect();
        int n = 0;
        for (Counted* c = head; c != nullptr; c = c->next, n++) {
          if (c->check != c->id * 2654435761u || __atomic_load_n(&destroyed_times[c->id], __ATOMIC_RELAXED) != 0) good = false;
        }
        if (n != length) good = false;
        gort::gosched();
      }
      ok[w] = good;
      wg.done();
    });
  }
  wg.wait();
  collect_and_drain(4);
  bool all = true;
  for (bool b : ok) all = all && b;
  uint32_t made = __atomic_load_n(&counted_next_id, __ATOMIC_RELAXED) - 1;
  // Stale words on stacks may keep a node or two of the last lists: none destroyed twice,
  // and all but a few once.
  uint32_t once = 0, twice = 0;
  for (uint32_t i = 1; i <= made; i++) {
    uint32_t t = __atomic_load_n(&destroyed_times[i], __ATOMIC_RELAXED);
    once += t == 1;
    twice += t > 1;
  }
  uint64_t cleanups = __atomic_load_n(&concurrent_cleanups, __ATOMIC_RELAXED);
  out::println("intact", yes(all), "made", made, "twice", twice, "corrupt", __atomic_load_n(&corrupt_at_destruction, __ATOMIC_RELAXED));
  out::println("nearly_all_once", yes(once + 2 * length >= made), "cleanups_nearly_all",
               yes(cleanups + 2 * length / 50 >= made / 50 && cleanups <= made / 50), "collected", yes(gc::stats().collections >= 10));
  return 0;
}

namespace {
uint64_t wide_destroyed = 0;  // atomic
struct alignas(64) Wide {
  uint64_t junk;
  Target* target;
  ~Wide() { __atomic_add_fetch(&wide_destroyed, 1, __ATOMIC_RELAXED); }
};
}  // namespace

GORT_GC_POINTERS(Wide, target);

namespace {
Wide* wide_single;
Wide* wide_array;

__attribute__((noinline)) bool plant_wide() {
  wide_single = gc::make<Wide>();
  wide_single->target = new_target(1);
  wide_array = gc::make_array<Wide>(5);
  for (int i = 0; i < 5; i++) wide_array[i].target = new_target(uint64_t(i) + 2);
  return reinterpret_cast<uintptr_t>(wide_single) % 64 == 0 && reinterpret_cast<uintptr_t>(wide_array) % 64 == 0;
}

__attribute__((noinline)) bool wide_intact() {
  bool intact = target_intact(wide_single->target) && wide_single->target->words[0] == 131;
  for (int i = 0; i < 5; i++) intact = intact && target_intact(wide_array[i].target);
  return intact;
}
}  // namespace

// A type aligned above the header's 16 bytes: its elements start at the alignment (the
// header still at the slot's start), and layout, interior pointers and destructors work.
// (The pointers live only in globals, touched by noinline helpers: this frame holds none.)
TEST_SCENARIO(aligned_typed) {
  bool aligned = plant_wide();
  for (int r = 0; r < 100; r++) {
    churn();
    gc::collect();
  }
  drain();
  bool intact = wide_intact();
  bool none_destroyed = __atomic_load_n(&wide_destroyed, __ATOMIC_RELAXED) == 0;
  wide_single = nullptr;
  wide_array = nullptr;
  collect_and_drain(3);
  out::println("aligned", yes(aligned), "intact", yes(intact), "none_destroyed", yes(none_destroyed), "destroyed",
               __atomic_load_n(&wide_destroyed, __ATOMIC_RELAXED));
  return 0;
}

namespace {
// A capture whose copies count their destructions: the box is destroyed exactly once
// whether its cleanup ran or was stopped (moved-from copies do not count).
uint64_t token_destroyed = 0;  // atomic
struct Token {
  bool live = true;
  Token() = default;
  Token(Token&& other) noexcept : live(other.live) { other.live = false; }
  Token(const Token&) = delete;
  ~Token() {
    if (live) __atomic_add_fetch(&token_destroyed, 1, __ATOMIC_RELAXED);
  }
};
uint64_t callable_runs = 0, callable_lost = 0;  // atomic
constexpr int callables = 300, callables_stopped = 100;
gc::Cleanup callable_handles[callables];

__attribute__((noinline)) void plant_callables() {
  for (int i = 0; i < callables; i++) {
    Target* object = new_target(uint64_t(i));
    Target* argument = new_target(uint64_t(i) + 777);  // held only by the capture
    callable_handles[i] = gc::add_cleanup(object, [argument, i, token = Token()] {
      bool ok = target_intact(argument) && argument->words[0] == (uint64_t(i) + 777) * 131 && token.live;
      __atomic_add_fetch(ok ? &callable_runs : &callable_lost, 1, __ATOMIC_RELAXED);
    });
  }
}
}  // namespace

// The callable form: captures are roots until the cleanup ran, the box is destroyed once
// whether it ran or was stopped.
TEST_SCENARIO(cleanup_callable) {
  plant_callables();
  int stopped = 0;
  for (int i = 0; i < callables_stopped; i++) stopped += callable_handles[i].stop();
  for (int r = 0; r < 30; r++) {
    churn();
    gc::collect();
  }
  collect_and_drain(3);
  out::println("stopped", stopped, "ran", __atomic_load_n(&callable_runs, __ATOMIC_RELAXED), "lost",
               __atomic_load_n(&callable_lost, __ATOMIC_RELAXED), "boxes_destroyed",
               __atomic_load_n(&token_destroyed, __ATOMIC_RELAXED));
  return 0;
}

// A callable that captures its own object could never run: a panic.
TEST_SCENARIO(cleanup_captures_object) {
  Target* t = new_target(1);
  gc::add_cleanup(t, [t] { sink = t; });
  return 0;
}
