// Torture under GOGC=1 (issue 15: "the scheduler, channel and stack test programs run with
// GOGC=1, a cycle every few allocations, at GOMAXPROCS 1, 2 and 4, with checksums"). The
// existing programs (tests/progs/scheduler.cpp, channels.cpp, stacks.cpp) allocate no
// collected memory, so GOGC=1 alone does nothing to them; these scenarios are their kinds of
// workload with the data carried in collected objects: goroutines spawning and joining (and
// being stolen) with payloads in the closures of goroutines not yet started; ping-pong, fan-in
// and fan-out over buffered, unbuffered and collected channels and select; deep recursion
// across stack segments with a chain of collected nodes held only by the frames, parked at
// the bottom; goroutines spinning without calls (preempted by the signal for every stop) that
// hold a collected object in a register. Each checks every checksum and an exact total, and
// that the collections it ran through are in the hundreds. Run by
// tests/harness/test_gc_torture.cpp with GOGC=1 (GOGC's floor is then ~40 KiB: Go's
// heapMinimum, 4 MiB * GOGC/100) at GOMAXPROCS 1, 2 and 4. Only the public API is used, so
// the scenarios hold for a stop-the-world and a concurrent collector alike.
#include "payload.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;
using gort::Channel;

namespace {

const char* yes(bool b) { return b ? "true" : "false"; }

template <class T>
void atomic_add(T* p, T v) { __atomic_add_fetch(p, v, __ATOMIC_RELAXED); }

bool intact(const Payload* p) { return p != nullptr && p->checksum == sum_of(p); }

// A link of a chain: a value and a check word derived from it and from the next link.
struct Node {
  Node* next;
  uint64_t value;
  uint64_t check;
};
uint64_t node_check(const Node* n) { return n->value * 0xff51afd7ed558ccdULL ^ reinterpret_cast<uintptr_t>(n->next); }
__attribute__((noinline)) Node* new_node(Node* next, uint64_t value) {
  Node* n = gc::make<Node>();
  n->next = next;
  n->value = value;
  n->check = node_check(n);
  return n;
}
// A chain of `length` links holding values base + length - 1 down to base.
__attribute__((noinline)) Node* new_chain(uint64_t base, int length) {
  Node* head = nullptr;
  for (int i = 0; i < length; i++) head = new_node(head, base + uint64_t(i));
  return head;
}
bool chain_intact(const Node* head, uint64_t base, int length) {
  for (int i = length - 1; i >= 0; i--, head = head->next)
    if (head == nullptr || head->value != base + uint64_t(i) || head->check != node_check(head)) return false;
  return head == nullptr;
}

// A boxed channel element (not trivially copyable) carrying a payload.
struct Boxed {
  Payload* payload = nullptr;
  uint64_t tag = 0;
  Boxed() = default;
  Boxed(Payload* p, uint64_t t) : payload(p), tag(t) {}
  Boxed(const Boxed& o) : payload(o.payload), tag(o.tag) {}
  Boxed& operator=(const Boxed& o) = default;
};

// Collections since the scenario began, and the verdict on them.
constexpr uint64_t enough_cycles = 200;
uint64_t cycles_since(uint64_t start) { return gc::stats().collections - start; }
// The verdict printed: hundreds of collections ran (TORTURE_VERBOSE=1 prints the count too).
const char* cycles_verdict(uint64_t start) {
  uint64_t n = cycles_since(start);
  if (gort::getenv("TORTURE_VERBOSE") != nullptr) out::println("cycles", n);
  return yes(n >= enough_cycles);
}

// Runs a scenario's round until enough collections ran since `start`, at most
// max_torture_rounds times: a concurrent cycle overlaps many allocations, so one round may see
// fewer than enough_cycles of them (with the mark stopped one round is plenty).
constexpr int max_torture_rounds = 100;
template <typename Round>
void repeat_until_enough_cycles(uint64_t start, Round round) {
  int rounds = 0;
  do round();
  while (++rounds < max_torture_rounds && cycles_since(start) < enough_cycles);
}

// --- Spawning and joining, payloads in the closures of goroutines not yet started ---

// Spawners each start `children` goroutines, allocating between go() calls (so collections
// run while closures hold the only pointer to their payload); each child checks its payload,
// builds and checks a chain across a gosched, and adds its seeds to the total. At GOMAXPROCS
// above 1 the children are stolen from their spawner's Processor.
void child(Payload* p, uint64_t seed, uint64_t* total, uint32_t* bad, gort::WaitGroup* wg) {
  bool ok = intact(p) && seed_of(p) == seed;
  Node* chain = new_chain(seed, 6);
  new_chain(0, 24);  // garbage
  gort::gosched();
  ok = ok && chain_intact(chain, seed, 6) && intact(p);
  if (!ok) atomic_add(bad, 1u);
  atomic_add(total, seed);
  wg->done();
}

TEST_SCENARIO(spawn_join) {
  constexpr int spawners = 4, children = 1500;
  uint64_t start = gc::stats().collections;
  uint32_t bad = 0;
  bool exact = true;
  repeat_until_enough_cycles(start, [&] {
    uint64_t total = 0;
    gort::WaitGroup wg;
    wg.add(spawners * (children + 1));
    for (int s = 0; s < spawners; s++) {
      gort::go([&, s] {
        for (int c = 0; c < children; c++) {
          uint64_t seed = uint64_t(s) * children + uint64_t(c) + 1;
          gort::go(child, new_payload(seed), seed, &total, &bad, &wg);
          new_chain(0, 2);  // garbage
        }
        wg.done();
      });
    }
    wg.wait();
    uint64_t n = uint64_t(spawners) * children;
    exact = exact && total == n * (n + 1) / 2;
  });
  out::println("bad", bad, "total_exact", yes(exact), "cycles_many", cycles_verdict(start));
  return 0;
}

// --- Ping-pong: a payload hops between two goroutines, each hop a fresh one ---

// Each player holds a chain on its stack, across every park, and checks it at the end; each
// hop also leaves garbage. The second player's last hop goes to `finish`, not back.
void player(Channel<Payload*>* in, Channel<Payload*>* out, Channel<Payload*>* finish, int hops, uint64_t id, uint32_t* bad,
            gort::WaitGroup* wg) {
  Node* mine = new_chain(id * 1000, 40);
  for (int i = 0; i < hops; i++) {
    Payload* p = in->receive();
    if (!intact(p) || seed_of(p) != 2 * uint64_t(i) + id) atomic_add(bad, 1u);
    new_chain(0, 2);
    (i == hops - 1 && finish != nullptr ? finish : out)->send(new_payload(seed_of(p) + 1));
  }
  if (!chain_intact(mine, id * 1000, 40)) atomic_add(bad, 1u);
  wg->done();
}

TEST_SCENARIO(ping_pong) {
  constexpr int hops = 20000;
  uint64_t start = gc::stats().collections;
  uint32_t bad = 0;
  bool exact = true;
  repeat_until_enough_cycles(start, [&] {
    // One pair over explicit unbuffered channels, one over collected ones (held by the
    // players' frames and this one's).
    Channel<Payload*> a(0), b(0), finish_ab(0);
    auto* c = gc::make<Channel<Payload*>>(0);
    auto* d = gc::make<Channel<Payload*>>(0);
    auto* finish_cd = gc::make<Channel<Payload*>>(0);
    gort::WaitGroup wg;
    wg.add(4);
    gort::go(player, &a, &b, nullptr, hops, uint64_t(0), &bad, &wg);
    gort::go(player, &b, &a, &finish_ab, hops, uint64_t(1), &bad, &wg);
    gort::go(player, c, d, nullptr, hops, uint64_t(0), &bad, &wg);
    gort::go(player, d, c, finish_cd, hops, uint64_t(1), &bad, &wg);
    a.send(new_payload(0));
    c->send(new_payload(0));
    Payload* last_ab = finish_ab.receive();  // after 2 * hops hops
    Payload* last_cd = finish_cd->receive();
    wg.wait();
    exact = exact && intact(last_ab) && intact(last_cd) && seed_of(last_ab) == 2 * hops && seed_of(last_cd) == 2 * hops;
  });
  out::println("bad", bad, "hops_exact", yes(exact), "cycles_many", cycles_verdict(start));
  return 0;
}

// --- Fan-out and fan-in: buffered, unbuffered, collected channels and select ---

// Producers send payloads alternately on a buffered and an unbuffered channel; workers select
// over both, check each, and send a new payload (seed * 2) and a boxed copy on collected
// results channels; the collector sums them.
TEST_SCENARIO(fan_in_out) {
  constexpr int producers = 4, workers = 4, items = 6000;
  uint64_t start = gc::stats().collections;
  uint32_t bad = 0;
  bool exact = true;
  repeat_until_enough_cycles(start, [&] {
    Channel<Payload*> buffered(16), unbuffered(0);
    auto* results = gc::make<Channel<Payload*>>(32);
    auto* boxed_results = gc::make<Channel<Boxed>>(8);
    gort::WaitGroup producing, working;
    producing.add(producers);
    working.add(workers);
    for (int p = 0; p < producers; p++)
      gort::go([&, p] {
        for (int i = 0; i < items; i++) {
          uint64_t seed = uint64_t(p) * items + uint64_t(i) + 1;
          (i % 2 == 0 ? buffered : unbuffered).send(new_payload(seed));
        }
        producing.done();
      });
    for (int w = 0; w < workers; w++)
      gort::go([&] {
        bool open_b = true, open_u = true;
        while (open_b || open_u) {
          Payload* p = nullptr;
          bool ok = false;
          int chosen = gort::select({gort::on_receive(open_b ? &buffered : nullptr, &p, &ok),
                                     gort::on_receive(open_u ? &unbuffered : nullptr, &p, &ok)});
          if (!ok) {
            (chosen == 0 ? open_b : open_u) = false;
            continue;
          }
          if (!intact(p)) atomic_add(&bad, 1u);
          new_chain(0, 8);  // garbage
          Payload* doubled = new_payload(seed_of(p) * 2);
          results->send(doubled);
          boxed_results->send(Boxed(p, seed_of(p)));
        }
        working.done();
      });
    gort::go([&] {
      producing.wait();
      buffered.close();
      unbuffered.close();
      working.wait();
      results->close();
      boxed_results->close();
    });
    uint64_t total = 0, boxed_total = 0;
    bool results_open = true, boxed_open = true;
    while (results_open || boxed_open) {
      Payload* p = nullptr;
      Boxed b;
      bool ok = false;
      int chosen = gort::select({gort::on_receive(results_open ? results : nullptr, &p, &ok),
                                 gort::on_receive(boxed_open ? boxed_results : nullptr, &b, &ok)});
      if (!ok) {
        (chosen == 0 ? results_open : boxed_open) = false;
        continue;
      }
      if (chosen == 0) {
        if (!intact(p)) bad++;
        total += seed_of(p);
      } else {
        if (!intact(b.payload) || seed_of(b.payload) != b.tag) bad++;
        boxed_total += b.tag;
      }
    }
    uint64_t n = uint64_t(producers) * items;
    exact = exact && total == n * (n + 1) && boxed_total == n * (n + 1) / 2;
  });
  out::println("bad", bad, "total_exact", yes(exact), "cycles_many", cycles_verdict(start));
  return 0;
}

// --- Deep recursion across stack segments, a chain held only by the frames ---

// Each level makes a node linked to its caller's (the pointer lives in this frame and in the
// next level's argument), pads its frame so the recursion crosses many segments, and at the
// bottom walks the whole chain, parks on `gate`, and walks it again; unwinding, every level
// checks its own node.
__attribute__((noinline)) bool descend(Node* parent, int level, int depth, Channel<int>* gate, bool* bottom_ok) {
  GORT_STACK_CHECK();
  volatile char pad[160];
  pad[0] = char(level);
  Node* mine = new_node(parent, uint64_t(level));
  bool ok;
  if (level + 1 < depth) {
    ok = descend(mine, level + 1, depth, gate, bottom_ok);
  } else {
    bool before = chain_intact(mine, 0, depth);
    gate->receive();  // parked with the whole chain on this stack's segments
    *bottom_ok = before && chain_intact(mine, 0, depth);
    ok = true;
  }
  return ok && mine->value == uint64_t(level) && mine->check == node_check(mine) && mine->next == parent && pad[0] == char(level);
}

TEST_SCENARIO(deep_recursion) {
  constexpr int goroutines = 4, depth = 3000, passes = 3;
  uint64_t start = gc::stats().collections;
  uint32_t bad = 0;
  repeat_until_enough_cycles(start, [&] {
    for (int pass = 0; pass < passes; pass++) {
      Channel<int> gate(goroutines);
      gort::WaitGroup wg;
      bool bottom_ok[goroutines] = {};
      wg.add(goroutines);
      for (int g = 0; g < goroutines; g++)
        gort::go([&, g] {
          if (!descend(nullptr, 0, depth, &gate, &bottom_ok[g])) atomic_add(&bad, 1u);
          wg.done();
        });
      // While they recurse and park: garbage, so collections run over their deep stacks.
      for (int i = 0; i < 20000; i++) new_chain(0, 1);
      for (int g = 0; g < goroutines; g++) gate.send(1);
      wg.wait();
      for (bool b : bottom_ok)
        if (!b) bad++;
    }
  });
  out::println("bad", bad, "cycles_many", cycles_verdict(start));
  return 0;
}

// --- Goroutines preempted while spinning without calls ---

uint32_t stop_spinning;  // atomic: main sets it once enough collections ran

// Holds a payload (in a register or its frame) and spins without a call, summing its words:
// every collection has to stop it by the preemption signal and scan its saved registers.
__attribute__((noinline)) void spinner(uint64_t seed, uint64_t* sum_out, uint64_t* iterations_out, bool* ok_out, gort::WaitGroup* wg) {
  Payload* p = new_payload(seed);
  uint64_t sum = 0, i = 0;
  while (__atomic_load_n(&stop_spinning, __ATOMIC_RELAXED) == 0) {
    sum += p->words[i % 6];
    i++;
  }
  *sum_out = sum;
  *iterations_out = i;
  *ok_out = intact(p) && seed_of(p) == seed;
  wg->done();
}

// The sum the spinner must have reached after `iterations` steps over p's words.
uint64_t expected_sum(uint64_t seed, uint64_t iterations) {
  uint64_t sum = 0;
  for (int k = 0; k < 6; k++) {
    uint64_t word = seed * 31 + uint64_t(k) * 0x0101010101010101ULL;
    uint64_t times = iterations / 6 + (uint64_t(k) < iterations % 6 ? 1 : 0);
    sum += word * times;
  }
  return sum;
}

TEST_SCENARIO(preempted_spinners) {
  constexpr int spinners = 3;
  uint64_t start = gc::stats().collections;
  uint64_t sums[spinners] = {}, iterations[spinners] = {};
  bool ok[spinners] = {};
  gort::WaitGroup wg;
  wg.add(spinners);
  for (int s = 0; s < spinners; s++) gort::go(spinner, uint64_t(s + 7), &sums[s], &iterations[s], &ok[s], &wg);
  gort::gosched();
  Node* kept = new_chain(500, 100);
  // Garbage of the spinners' payload class: a payload wrongly swept is soon another seed's.
  while (cycles_since(start) < enough_cycles + 50) new_payload(999);
  __atomic_store_n(&stop_spinning, 1u, __ATOMIC_RELAXED);
  wg.wait();
  uint32_t bad = chain_intact(kept, 500, 100) ? 0 : 1;
  for (int s = 0; s < spinners; s++)
    if (!ok[s] || sums[s] != expected_sum(uint64_t(s + 7), iterations[s])) bad++;
  out::println("bad", bad, "cycles_many", cycles_verdict(start));
  return 0;
}

}  // namespace
