// Scenarios for gc::Vector (runtime/gc_vector.h; docs/07-collector.md, "Containers"). Run by
// tests/harness/test_gc_vector.cpp.
//
//   operations               what a vector of ints and one of Ptrs hold after each kind of
//                            change (push, pop, resize, clear, copy, move, swap), with odd
//                            sizes; printed as counts and sums, computed the same way twice;
//   survives                 a collected Holder reachable from a global, and a vector on a
//                            parked goroutine's stack, keep every element's payload through
//                            300 collections while they grow, shrink and move;
//   moved move|construct|swap|pop|grow
//                            the lost-object step by step, as gc_mark's moved_pointer: with
//                            the markers held, a buffer (or an element) leaves a Holder the
//                            mark has not scanned for one allocated during the mark (black);
//                            the barriered stores inside Vector must keep the victim;
//   racing                   goroutines change their vectors (push, pop, move, swap, copy,
//                            clear) while cycles run back to back; the harness runs it under
//                            GOGC=1 and GODEBUG=gccheckmark=1;
//   index                    v[size] panics with Go's message; `back` does so on an empty one.
#include "payload.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;

namespace {

const char* yes(bool b) { return b ? "true" : "false"; }
bool intact(const Payload* p) { return p != nullptr && gort::collected_object_allocated(p) && sum_of(p) == p->checksum; }

struct Holder {
  uint64_t tag;
  gc::Vector<gc::Ptr<Payload>> items;
};

}  // namespace

GORT_GC_POINTERS(Holder, items);

static_assert(gc::detail::is_typed_v<Holder>, "Holder is scanned by its layout: only its vector's buffer word");
static_assert(sizeof(gc::Vector<int>) == 3 * sizeof(void*), "a Vector is its buffer, size and capacity");

namespace {

// --- operations ---

uint64_t sum_ints(const gc::Vector<uint32_t>& v) {
  uint64_t s = 0;
  for (uint32_t x : v) s = s * 31 + x;
  return s;
}
uint64_t sum_seeds(const gc::Vector<gc::Ptr<Payload>>& v) {
  uint64_t s = 0;
  for (const gc::Ptr<Payload>& p : v) s = s * 31 + (p == nullptr ? 0 : seed_of(p) + 1);
  return s;
}
// The same arithmetic on a plain array, to compare with.
uint64_t sum_array(const uint32_t* a, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; i++) s = s * 31 + a[i];
  return s;
}

TEST_SCENARIO(operations) {
  bool ok = true;
  gc::Vector<uint32_t> ints;
  uint32_t model[1000];
  size_t n = 0;
  for (uint32_t i = 0; i < 777; i++) {
    ints.push_back(i * 7 + 1);
    model[n++] = i * 7 + 1;
  }
  ok = ok && ints.size() == 777 && ints.capacity() >= 777 && sum_ints(ints) == sum_array(model, n);
  for (int i = 0; i < 100; i++) {
    ints.pop_back();
    n--;
  }
  ok = ok && ints.size() == 677 && ints.back() == model[676] && sum_ints(ints) == sum_array(model, n);
  ints.resize(900);  // grown slots are zero
  for (size_t i = n; i < 900; i++) model[i] = 0;
  n = 900;
  ok = ok && sum_ints(ints) == sum_array(model, n) && ints[899] == 0;
  ints.resize(13);  // and shrunk ones reset: growing again shows zeros, not the old values
  ints.resize(20);
  for (size_t i = 13; i < 20; i++) model[i] = 0;
  n = 20;
  ok = ok && sum_ints(ints) == sum_array(model, n);
  gc::Vector<uint32_t> copy = ints;
  copy[0] = 99;
  ok = ok && ints[0] == model[0] && copy[0] == 99 && copy.size() == 20;
  gc::Vector<uint32_t> moved = static_cast<gc::Vector<uint32_t>&&>(copy);
  ok = ok && copy.size() == 0 && copy.capacity() == 0 && copy.data() == nullptr && moved.size() == 20 && moved[0] == 99;
  moved.swap(ints);
  ok = ok && moved[0] == model[0] && ints[0] == 99;
  ints = moved;  // copy assignment into a buffer that has room
  ok = ok && sum_ints(ints) == sum_array(model, n);
  ints.clear();
  ok = ok && ints.empty() && ints.capacity() >= 20;
  gc::Vector<uint32_t> listed{5, 6, 7};
  ok = ok && listed.size() == 3 && listed.front() == 5 && listed.back() == 7;

  gc::Vector<gc::Ptr<Payload>> ptrs;
  for (uint64_t i = 0; i < 301; i++) ptrs.push_back(new_payload(i));
  uint64_t expect = 0;
  for (uint64_t i = 0; i < 301; i++) expect = expect * 31 + i + 1;
  ok = ok && sum_seeds(ptrs) == expect;
  ptrs.pop_back();
  ptrs.resize(301);  // the popped slot is null again
  ok = ok && ptrs[300] == nullptr;
  gc::Vector<gc::Ptr<Payload>> other;
  other = static_cast<gc::Vector<gc::Ptr<Payload>>&&>(ptrs);
  ok = ok && ptrs.empty() && other.size() == 301 && intact(other[123]) && seed_of(other[123]) == 123;
  out::println("operations", yes(ok));
  return 0;
}

// --- survives ---

constexpr int rounds = 300;
Holder* global_holder;

// One round: garbage of the target's class, then a collection (payload.h).
void churn_and_collect() { churn_payloads_and_collect(200); }

// Every element intact, and its seed in order from `first`.
bool all_intact(const gc::Vector<gc::Ptr<Payload>>& v, uint64_t first) {
  for (size_t i = 0; i < v.size(); i++)
    if (!intact(v[i]) || seed_of(v[i]) != first + i) return false;
  return true;
}

__attribute__((noinline)) void stack_holder(gort::Channel<int>* ready, gort::Channel<int>* go_on, gort::Channel<int>* result) {
  gc::Vector<gc::Ptr<Payload>> mine;
  for (uint64_t i = 0; i < 50; i++) mine.push_back(new_payload(5000 + i));
  ready->send(1);
  go_on->receive();
  result->send(all_intact(mine, 5000) && mine.size() == 50 ? 1 : 0);
}

TEST_SCENARIO(survives) {
  gort::Channel<int> ready, go_on, result(1);
  gort::go(stack_holder, &ready, &go_on, &result);
  ready.receive();
  global_holder = gc::make<Holder>();
  bool ok = true;
  uint64_t next_seed = 0, first = 0;
  for (int r = 0; r < rounds; r++) {
    // Grow by 7, drop 3 from the back, and every 50 rounds move the whole vector through a
    // fresh Holder: the buffer changes hands between collected objects.
    for (int i = 0; i < 7; i++) global_holder->items.push_back(new_payload(next_seed++));
    for (int i = 0; i < 3; i++) {
      global_holder->items.pop_back();
      next_seed--;
    }
    if (r % 50 == 49) {
      Holder* fresh = gc::make<Holder>();
      fresh->items = static_cast<gc::Vector<gc::Ptr<Payload>>&&>(global_holder->items);
      global_holder = fresh;
    }
    churn_and_collect();
    if (!all_intact(global_holder->items, first) || global_holder->items.size() != next_seed - first) ok = false;
  }
  go_on.send(1);
  bool stack_ok = result.receive() == 1;
  out::println("intact", yes(ok), "stack_intact", yes(stack_ok), "size", global_holder->items.size(), "reclaimed",
               yes(gc::stats().freed_objects >= uint64_t(rounds - 1) * 200));
  return 0;
}

// --- moved ---

Holder* grey_holder;   // a global: copied in the first pause, the copy scanned only once the markers run
Holder* black_holder;  // set during the mark to an object allocated then (black)

// The victim, made on a goroutine of its own so that no stack here holds its address.
void build(gort::WaitGroup* wg) {
  grey_holder = gc::make<Holder>();
  Payload* victim = new_payload(4242);
  grey_holder->items.push_back(victim);
  out::println("victim", static_cast<void*>(victim));
  wg->done();
}

__attribute__((noinline)) void move_victim(const char* how) {
  Holder* black = gc::make<Holder>();
  black->tag = 1;
  if (scenario::same_string(how, "move")) {  // move assignment: the buffer changes hands
    black->items = static_cast<gc::Vector<gc::Ptr<Payload>>&&>(grey_holder->items);
  } else if (scenario::same_string(how, "construct")) {  // move construction into a new object
    black = gc::make<Holder>(static_cast<Holder&&>(*grey_holder));
  } else if (scenario::same_string(how, "swap")) {  // swap with a buffer of its own
    black->items.push_back(new_payload(7));
    black->items.swap(grey_holder->items);
  } else if (scenario::same_string(how, "pop")) {  // the element itself, popped and re-pushed
    Payload* victim = grey_holder->items.back();
    grey_holder->items.pop_back();
    black->items.push_back(victim);
  } else {  // grow: the grey vector's buffer replaced, then the element moved out of it
    for (uint64_t i = 0; i < 10; i++) grey_holder->items.push_back(new_payload(8));
    black->items.push_back(grey_holder->items[0]);
    grey_holder->items.clear();
  }
  black_holder = black;
}

TEST_SCENARIO(moved) {
  const char* how = argc > 1 ? argv[1] : "move";
  gort::WaitGroup wg;
  wg.add(1);
  gort::go(build, &wg);
  wg.wait();
  gort::hold_marking(true);
  if (!gort::start_concurrent_cycle()) {
    out::println("no cycle started");
    return 1;
  }
  move_victim(how);
  gort::hold_marking(false);
  gort::wait_for_cycle_end();
  gc::collect();  // the victim, if lost, is swept and reused by now
  for (int i = 0; i < 3; i++) churn_and_collect();  // and its slot handed out again, refilled
  const gc::Vector<gc::Ptr<Payload>>& items = black_holder->items;
  bool found = false;
  for (const gc::Ptr<Payload>& p : items)
    if (intact(p) && seed_of(p) == 4242) found = true;
  out::println("victim_intact", yes(found));
  return 0;
}

// --- racing ---

constexpr int racers = 4;
constexpr int holders_each = 8;
Holder* racer_holders[racers][holders_each];  // globals: each racer changes only its own row

// Each racer's vectors hold payloads whose seeds are the racer's; checked after every step.
bool row_intact(int racer) {
  for (Holder* h : racer_holders[racer])
    for (const gc::Ptr<Payload>& p : h->items)
      if (!intact(p) || seed_of(p) % racers != uint64_t(racer)) return false;
  return true;
}

void race(int racer, int steps, gort::WaitGroup* wg, uint32_t* bad) {
  uint64_t x = uint64_t(racer) * 7919 + 17;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  Holder** row = racer_holders[racer];
  for (int s = 0; s < steps; s++) {
    Holder* a = row[next() % holders_each];
    Holder* b = row[next() % holders_each];
    switch (next() % 7) {
      case 0:
      case 1: a->items.push_back(new_payload((next() % 1000) * racers + uint64_t(racer))); break;
      case 2: if (!a->items.empty()) a->items.pop_back(); break;
      case 3: if (a != b) a->items = static_cast<gc::Vector<gc::Ptr<Payload>>&&>(b->items); break;
      case 4: a->items.swap(b->items); break;
      case 5: if (a != b && b->items.size() < 64) a->items = b->items; break;
      default: {  // a Holder replaced by a fresh one that takes its vector
        size_t at = next() % holders_each;
        Holder* fresh = gc::make<Holder>(static_cast<Holder&&>(*row[at]));
        __atomic_store_n(&row[at], fresh, __ATOMIC_RELEASE);
        break;
      }
    }
    if (a->items.size() > 200) a->items.resize(20);
    gc::make_array<uint64_t>(16);  // garbage: GOGC=1 keeps a cycle running
    if (s % 64 == 0 && !row_intact(racer)) __atomic_add_fetch(bad, 1u, __ATOMIC_RELAXED);
  }
  wg->done();
}

TEST_SCENARIO(racing) {
  long steps = scenario::argument(argc, argv, 1, 20000);
  for (auto& row : racer_holders)
    for (Holder*& h : row) h = gc::make<Holder>();
  uint64_t start = gc::stats().collections;
  uint32_t bad = 0;
  // Batches until 20 cycles ran during them (as gc_mark's racing_mutator), at most 50.
  for (int batch = 0; batch < 50 && gc::stats().collections - start < 20; batch++) {
    gort::WaitGroup wg;
    wg.add(racers);
    for (int r = 0; r < racers; r++) gort::go(race, r, int(steps), &wg, &bad);
    wg.wait();
  }
  gc::collect();
  uint64_t elements = 0;
  for (int r = 0; r < racers; r++) {
    if (!row_intact(r)) bad++;
    for (Holder* h : racer_holders[r]) elements += h->items.size();
  }
  out::println("bad", bad, "elements_some", yes(elements > 0), "cycles_many", yes(gc::stats().collections - start >= 20));
  return 0;
}

// --- index ---

TEST_SCENARIO(index) {
  gc::Vector<uint32_t> v{1, 2, 3};
  if (argc > 1 && scenario::same_string(argv[1], "back")) {
    v.clear();
    out::println("back", v.back());
  }
  volatile size_t i = v.size();
  out::println("element", v[i]);
  return 0;
}

}  // namespace
