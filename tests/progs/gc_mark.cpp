// Scenarios for the concurrent mark (runtime/marker.cpp, the cycle in runtime/collector.cpp;
// docs/07-collector.md, "The concurrent mark"). Run by tests/harness/test_gc_mark.cpp.
//
//   racing_mutator [rounds]  goroutines rewire a shared graph through barriered fields
//                            (gc::Ptr) while cycles run back to back (GOGC=1); checksums
//                            at the end; the harness runs it under GODEBUG=gccheckmark=1;
//   moved_pointer barriered|raw
//                            the classic lost object, step by step: with the markers held, a
//                            pointer is moved from an object the mark has not scanned into
//                            one allocated during the mark (black), and deleted from the first.
//                            Through gc::Ptr the deletion is shaded and the object survives;
//                            through raw stores it is lost, and gccheckmark names it;
//   cycle_shape              a concurrent cycle has two pauses and its mark runs with the
//                            world going: goroutines run between them.
#include "payload.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;

namespace {

const char* yes(bool b) { return b ? "true" : "false"; }
template <typename T>
void atomic_add(T* p, T v) { __atomic_add_fetch(p, v, __ATOMIC_RELAXED); }
// Allocated and unchanged: a payload freed and reused would fail one or the other.
bool intact(const Payload* p) { return p != nullptr && gort::collected_object_allocated(p) && sum_of(p) == p->checksum; }

// A node whose links are barriered fields, scanned by its layout.
struct Node {
  uint64_t key;
  gc::Ptr<Node> left, right;
  gc::Ptr<Payload> payload;
  uint64_t check;  // key * 3 + 1
};

// The same shape with raw links: stores into it bypass the barrier.
struct RawNode {
  uint64_t key;
  RawNode* left;
};

}  // namespace

GORT_GC_POINTERS(Node, left, right, payload);
GORT_GC_POINTERS(RawNode, left);

namespace {

Node* new_node(uint64_t key) {
  Node* n = gc::make<Node>();
  n->key = key;
  n->check = key * 3 + 1;
  n->payload = new_payload(key);
  return n;
}

bool node_intact(const Node* n) { return n->check == n->key * 3 + 1 && intact(n->payload) && seed_of(n->payload) == n->key; }

// --- racing_mutator ---

constexpr int slots = 64;
gc::Ptr<Node> table[slots];  // a global of barriered pointers: a root, scanned in the first pause

// One mutator: rewires the table's subtrees for `rounds` steps: swaps children across
// nodes, replaces a child with a fresh subtree, moves a subtree from one slot to another
// and drops what it replaced. Every node reachable from the table must stay intact.
void mutate(uint64_t seed, int rounds, uint64_t* next_key, gort::WaitGroup* wg, uint32_t* bad) {
  uint64_t x = seed;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int r = 0; r < rounds; r++) {
    Node* a = table[next() % slots];
    Node* b = table[next() % slots];
    if (a == nullptr || b == nullptr) continue;
    switch (next() % 4) {
      case 0: {  // swap children (each store deletes a pointer the marker may not have seen)
        Node* t = a->left;
        a->left = b->right;
        b->right = t;
        break;
      }
      case 1: {  // a fresh child, the old one dropped
        Node* n = new_node(__atomic_add_fetch(next_key, 1, __ATOMIC_RELAXED));
        n->left = a->right;  // keeps the old subtree below the new node
        a->right = n;
        break;
      }
      case 2: {  // move a subtree between table slots
        uint64_t from = next() % slots, to = next() % slots;
        Node* moved = table[from];
        table[from] = new_node(__atomic_add_fetch(next_key, 1, __ATOMIC_RELAXED));
        if (moved != nullptr) {
          Node* old = table[to];
          table[to] = moved;
          if (old != nullptr && !node_intact(old)) atomic_add(bad, 1u);
        }
        break;
      }
      default: {  // cut a grandchild out
        Node* c = a->left;
        if (c != nullptr) a->left = c->left;
        break;
      }
    }
    gc::make_array<uint64_t>(16);  // garbage: GOGC=1 keeps a cycle running
    if (!node_intact(a) || !node_intact(b)) atomic_add(bad, 1u);
  }
  wg->done();
}

// Every node reachable from the table, checked (depth-first with an explicit stack in
// collected memory, so the walk itself needs no deep C++ stack).
uint64_t walk_table(uint32_t* bad) {
  uint64_t count = 0;
  Node** stack = gc::make_array<Node*>(1 << 20);
  size_t top = 0;
  for (int s = 0; s < slots; s++)
    if (table[s] != nullptr) stack[top++] = table[s];
  while (top > 0 && top < (1 << 20) - 2) {
    Node* n = stack[--top];
    count++;
    if (!node_intact(n)) (*bad)++;
    // A node can be reached twice (a swap can share a subtree); the walk stops at a depth
    // budget instead of marking visited nodes.
    if (count > 4000000) break;
    if (n->left != nullptr) stack[top++] = n->left;
    if (n->right != nullptr) stack[top++] = n->right;
  }
  return count;
}

TEST_SCENARIO(racing_mutator) {
  long rounds = scenario::argument(argc, argv, 1, 20000);
  constexpr int mutators = 4;
  uint64_t next_key = 0;
  for (int s = 0; s < slots; s++) table[s] = new_node(++next_key);
  uint64_t start = gc::stats().collections;
  uint32_t bad = 0;
  // Batches of rounds until 20 cycles ran during them (how many one batch sees depends on
  // how fast the marker gets a CPU), at most 50.
  for (int batch = 0; batch < 50 && gc::stats().collections - start < 20; batch++) {
    gort::WaitGroup wg;
    wg.add(mutators);
    for (int m = 0; m < mutators; m++)
      gort::go(mutate, uint64_t(batch * mutators + m) * 7919 + 17, int(rounds), &next_key, &wg, &bad);
    wg.wait();
  }
  gc::collect();
  uint64_t reached = walk_table(&bad);
  out::println("bad", bad, "reached_some", yes(reached >= slots), "cycles_many", yes(gc::stats().collections - start >= 20));
  return 0;
}

// --- moved_pointer ---

gc::Ptr<Node> barriered_holder;  // globals: scanned in the first pause
RawNode* raw_holder;
gc::Ptr<Node> barriered_black;
RawNode* raw_black;

// Builds holder -> victim on a goroutine of its own (so no stack of this program holds the
// victim's address when the cycle starts) and prints the victim's address.
void build(bool raw, gort::WaitGroup* wg) {
  if (raw) {
    raw_holder = gc::make<RawNode>();
    raw_holder->key = 1;
    RawNode* victim = gc::make<RawNode>();
    victim->key = 4242;
    raw_holder->left = victim;
    out::println("victim", reinterpret_cast<void*>(victim));
  } else {
    barriered_holder = new_node(1);
    Node* victim = new_node(4242);
    barriered_holder->left = victim;
    out::println("victim", reinterpret_cast<void*>(victim));
  }
  wg->done();
}

// The move, during the mark, with the markers held: the holder is grey (marked in the first
// pause, not yet scanned); the new object is black (allocated during the mark).
__attribute__((noinline)) void move_victim(bool raw) {
  if (raw) {
    RawNode* black = gc::make<RawNode>();
    black->left = raw_holder->left;  // a raw store into a black object
    raw_holder->left = nullptr;      // a raw delete: nothing shades the victim
    raw_black = black;
  } else {
    Node* black = gc::make<Node>();
    black->left = barriered_holder->left;  // barriered: shades old and new
    barriered_holder->left = nullptr;      // barriered: shades the victim
    barriered_black = black;
  }
}

TEST_SCENARIO(moved_pointer) {
  bool raw = argc > 1 && scenario::same_string(argv[1], "raw");
  gort::WaitGroup wg;
  wg.add(1);
  gort::go(build, raw, &wg);
  wg.wait();
  gort::hold_marking(true);
  if (!gort::start_concurrent_cycle()) {
    out::println("no cycle started");
    return 1;
  }
  move_victim(raw);
  gort::hold_marking(false);
  gort::wait_for_cycle_end();
  gc::collect();  // the victim, if lost, is swept and reused by now
  for (int i = 0; i < 1000; i++) gc::make<RawNode>()->key = 7;
  uint64_t key = raw ? raw_black->left->key : barriered_black->left->key;
  out::println("victim_key", key);
  return 0;
}

// --- cycle_shape ---

uint32_t spins_during_mark = 0;  // atomic

TEST_SCENARIO(cycle_shape) {
  gort::hold_marking(true);
  gc::PauseHistogram before{};
  gc::read_pauses(&before);
  if (!gort::start_concurrent_cycle()) return 1;
  // The mark is held: the world runs; a goroutine can start, run and finish in it.
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    for (int i = 0; i < 100; i++) {
      __atomic_add_fetch(&spins_during_mark, 1u, __ATOMIC_RELAXED);
      gort::gosched();
    }
    wg.done();
  });
  wg.wait();
  uint64_t collections_while_marking = gc::stats().collections;
  gort::hold_marking(false);
  gort::wait_for_cycle_end();
  gc::PauseHistogram after{};
  gc::read_pauses(&after);
  out::println("ran_during_mark", yes(__atomic_load_n(&spins_during_mark, __ATOMIC_RELAXED) == 100),
               "ended_after", yes(gc::stats().collections == collections_while_marking + 1),
               "pauses", after.pauses - before.pauses);
  return 0;
}

}  // namespace
