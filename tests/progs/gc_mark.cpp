// Scenarios for the concurrent mark (runtime/marker.cpp, the cycle in runtime/collector.cpp;
// docs/07-collector.md, "The concurrent mark"). Run by tests/harness/test_gc_mark.cpp.
//
//   racing_mutator [rounds]  goroutines rewire a shared graph through barriered fields
//                            (gc::Ptr) while cycles run back to back (GOGC=1); checksums
//                            at the end; the harness runs it under GODEBUG=gccheckmark=1;
//   moved_pointer barriered|raw|bulk|rawbulk|bulk_copy|bulk_clear|bulk_overwrite|channel
//                            the classic lost object, step by step: with the markers held, a
//                            pointer is moved from memory the mark has not scanned into an
//                            object allocated during the mark (black), and deleted from where
//                            it was. Through gc::Ptr (barriered), the bulk barrier (bulk,
//                            gc::copy_pointers and gc::clear_pointers) or a collected
//                            channel's receive (channel) the deletion is shaded and the
//                            object survives; through raw stores (raw) or memcpy and memset
//                            (rawbulk) it is lost, and gccheckmark names it. bulk_copy,
//                            bulk_clear and bulk_overwrite each leave exactly one of the bulk
//                            barrier's three shades to keep it (see Move below);
//   cycle_shape              a concurrent cycle has two pauses and its mark runs with the
//                            world going: goroutines run between them.
#include <string.h>

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
gc::Ptr<Node> table[slots];  // a global of barriered pointers: a root (copied in the first pause, the copy scanned)

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
//
// Each way of moving the victim (key 4242) follows the same steps: a goroutine of its own
// builds the victim and the one heap reference to it (so no stack of this program holds the
// victim's address when the cycle starts) and prints its address; then, with the markers
// held, main starts a cycle and, in its first pause's wake, moves the victim: out of memory
// reachable only from a global (globals are snapshotted in the first pause and the snapshot
// is scanned by a root job, which no marker runs while they are held: that memory is not
// yet scanned), into an object allocated during the mark (black: never scanned again), and
// deletes it from where it was. Main's stack was scanned in the first pause (black). So
// after the move nothing the mark will still scan points to the victim; only a shade made
// during the move can keep it. The markers are released, the cycle ends, a second cycle
// sweeps what was lost and churn reuses it; then the victim's key is read through the black
// object. The harness runs every way under GODEBUG=gccheckmark=1, so a lost victim is also
// named by the re-mark (exit status 2) before its memory is reused.

enum class Move {
  barriered,       // gc::Ptr stores: the deletion's old-value shade keeps it
  raw,             // raw stores: lost (gccheckmark names it)
  bulk,            // copy_pointers into a black array, clear_pointers of the source: kept
  rawbulk,         // memcpy and memset, the same move unbarriered: lost
  bulk_copy,       // copy_pointers, then a raw memset: only the copy's source shade keeps it
  bulk_clear,      // a raw memcpy, then clear_pointers: only the clear's shade keeps it
  bulk_overwrite,  // loaded onto the (black) stack, then its slot overwritten by
                   // copy_pointers: only the copy's shade of the old destination keeps it
  channel,         // received from a collected channel's buffer: only the receive's shade
                   // of the slot it empties keeps it (buffer_take in runtime/channel.cpp)
  channel_full,    // the same from a full buffer with a sender waiting, whose value refills
                   // the slot: only that receive's shade keeps it (receive_from_sender)
};

bool parse_move(const char* name, Move* move) {
  struct Named {
    const char* name;
    Move move;
  };
  static const Named names[] = {{"barriered", Move::barriered}, {"raw", Move::raw},
                                {"bulk", Move::bulk}, {"rawbulk", Move::rawbulk},
                                {"bulk_copy", Move::bulk_copy}, {"bulk_clear", Move::bulk_clear},
                                {"bulk_overwrite", Move::bulk_overwrite}, {"channel", Move::channel},
                                {"channel_full", Move::channel_full}};
  for (const Named& n : names)
    if (scenario::same_string(name, n.name)) {
      *move = n.move;
      return true;
    }
  return false;
}

gc::Ptr<Node> barriered_holder;  // globals: snapshotted in the first pause
RawNode* raw_holder;
gc::Ptr<Node> barriered_black;
RawNode* raw_black;

// The bulk moves: the victim sits in slot 2 of a collected array of raw pointers (untyped:
// scanned conservatively, word by word), held by a global.
constexpr size_t array_slots = 4, victim_slot = 2;
constexpr size_t array_bytes = array_slots * sizeof(RawNode*);
RawNode** grey_array;
RawNode** black_array;  // allocated during the mark

// The channel move: the victim's one reference is in the buffer of a collected channel
// (its core and buffer one collected object, on no list of explicit channels, so not a root:
// docs/07-collector.md, "Stacks and channels under the collector"), held by a global.
gort::Channel<RawNode*>* collected_channel;
gort::Goroutine* blocked_sender;  // channel_full: sends a null into the full buffer (atomic)

void send_into_full_buffer() {
  __atomic_store_n(&blocked_sender, gort::cpu::current_goroutine(), __ATOMIC_RELEASE);
  collected_channel->send(nullptr);
}

// Through volatile pointers: the raw moves are plain memory operations the compiler can
// neither see through nor drop, and no barrier is involved.
void* (*volatile raw_copy)(void*, const void*, size_t) = memcpy;
void* (*volatile raw_set)(void*, int, size_t) = memset;

RawNode* new_victim() {
  RawNode* victim = gc::make<RawNode>();
  victim->key = 4242;
  out::println("victim", reinterpret_cast<void*>(victim));
  return victim;
}

void build(Move move, gort::WaitGroup* wg) {
  switch (move) {
    case Move::barriered: {
      barriered_holder = new_node(1);
      Node* victim = new_node(4242);
      barriered_holder->left = victim;
      out::println("victim", reinterpret_cast<void*>(victim));
      break;
    }
    case Move::raw:
      raw_holder = gc::make<RawNode>();
      raw_holder->key = 1;
      raw_holder->left = new_victim();
      break;
    case Move::channel:
    case Move::channel_full:
      collected_channel = gc::make<gort::Channel<RawNode*>>(4);
      collected_channel->send(new_victim());
      if (move == Move::channel_full) {
        for (int i = 0; i < 3; i++) collected_channel->send(nullptr);
        gort::go(send_into_full_buffer);
      }
      break;
    default:
      grey_array = gc::make_array<RawNode*>(array_slots);
      grey_array[victim_slot] = new_victim();
      break;
  }
  wg->done();
}

// The move, during the mark, with the markers held (see above).
__attribute__((noinline)) void move_victim(Move move) {
  switch (move) {
    case Move::barriered: {
      Node* black = gc::make<Node>();
      black->left = barriered_holder->left;  // barriered: shades old and new
      barriered_holder->left = nullptr;      // barriered: shades the victim
      barriered_black = black;
      break;
    }
    case Move::raw: {
      RawNode* black = gc::make<RawNode>();
      black->left = raw_holder->left;  // a raw store into a black object
      raw_holder->left = nullptr;      // a raw delete: nothing shades the victim
      raw_black = black;
      break;
    }
    case Move::channel:
    case Move::channel_full: {
      RawNode* black = gc::make<RawNode>();
      black->left = collected_channel->receive();  // onto the black stack, then a raw store
      raw_black = black;
      break;
    }
    case Move::bulk_overwrite: {
      // The victim's one heap reference is in the unscanned array; a black stack loads it,
      // and a copy overwrites the slot (the source holds only nulls, so its shade is no help).
      RawNode* held = grey_array[victim_slot];
      RawNode** nulls = gc::make_array<RawNode*>(array_slots);
      gc::copy_pointers(grey_array, nulls, array_bytes);
      RawNode* black = gc::make<RawNode>();
      black->left = held;
      raw_black = black;
      break;
    }
    default: {
      RawNode** black = gc::make_array<RawNode*>(array_slots);
      if (move == Move::bulk || move == Move::bulk_copy) gc::copy_pointers(black, grey_array, array_bytes);
      else raw_copy(black, grey_array, array_bytes);
      if (move == Move::bulk || move == Move::bulk_clear) gc::clear_pointers(grey_array, array_bytes);
      else raw_set(grey_array, 0, array_bytes);
      black_array = black;
      break;
    }
  }
}

// The channel moves run here, on a goroutine started during the mark (its stack is scanned
// before it runs: black, as main's) that ends before the cycle does. On main, receive()
// left the victim's address in a slot of its frame, which the calls that wait for the
// cycle's end reused without writing: a stale word on a live stack, which the next
// collection would scan and so keep a lost victim from being reused. (It also hid the
// victim from gccheckmark's report until the re-mark learnt to clear the checkmark bit of an
// object it met first on a stack: checkmark_clear in runtime/marker.cpp.) A dead
// goroutine's stack is not scanned.
void move_on_goroutine(Move move, gort::WaitGroup* wg) {
  move_victim(move);
  wg->done();
}

uint64_t victim_key(Move move) {
  switch (move) {
    case Move::barriered: return barriered_black->left->key;
    case Move::raw:
    case Move::channel:
    case Move::channel_full:
    case Move::bulk_overwrite: return raw_black->left->key;
    default: return black_array[victim_slot]->key;
  }
}

TEST_SCENARIO(moved_pointer) {
  Move move;
  if (argc < 2 || !parse_move(argv[1], &move)) {
    out::println("moved_pointer: barriered|raw|bulk|rawbulk|bulk_copy|bulk_clear|bulk_overwrite|channel|channel_full");
    return 64;
  }
  gort::WaitGroup wg;
  wg.add(1);
  gort::go(build, move, &wg);
  wg.wait();
  if (move == Move::channel_full) {  // the sender parked on the full buffer before the cycle
    gort::Goroutine* g;
    while ((g = __atomic_load_n(&blocked_sender, __ATOMIC_ACQUIRE)) == nullptr ||
           __atomic_load_n(reinterpret_cast<uint32_t*>(&g->status), __ATOMIC_ACQUIRE) != uint32_t(gort::GoroutineStatus::Waiting))
      gort::gosched();
  }
  gort::hold_marking(true);
  if (!gort::start_concurrent_cycle()) {
    out::println("no cycle started");
    return 1;
  }
  if (move == Move::channel || move == Move::channel_full) {
    wg.add(1);
    gort::go(move_on_goroutine, move, &wg);
    wg.wait();
  } else {
    move_victim(move);
  }
  gort::hold_marking(false);
  gort::wait_for_cycle_end();
  gc::collect();  // the victim, if lost, is swept and reused by now
  for (int i = 0; i < 1000; i++) gc::make<RawNode>()->key = 7;
  out::println("victim_key", victim_key(move));
  return 0;
}

// --- worker_plan, stacks_once, workers_and_assists ---

// Go's plan (startCycle) for 1 to 8 and 16 Processors: dedicated workers / fractional share
// in thousandths.
TEST_SCENARIO(worker_plan) {
  for (int32_t procs : {1, 2, 3, 4, 5, 6, 7, 8, 16}) {
    gort::MarkWorkerPlan plan = gort::mark_worker_plan(procs);
    out::print(procs, ":", plan.dedicated, "/", int64_t(plan.fractional * 1000 + 0.5), " ");
  }
  out::println();
  return 0;
}

// 1,000 goroutines parked, then collections with nothing made or ended meanwhile: each
// concurrent mark scanned as many stacks as there are goroutines with one, so none twice.
TEST_SCENARIO(stacks_once) {
  gort::Channel<int> release;
  gort::WaitGroup wg;
  constexpr int parked = 1000;
  wg.add(parked);
  for (int i = 0; i < parked; i++)
    gort::go([&] {
      release.receive();
      wg.done();
    });
  gc::collect();  // the collector's own goroutines exist from here on
  bool once = true;
  uint64_t scans = 0, with_stacks = 0;
  for (int i = 0; i < 5; i++) {
    gc::collect();
    scans = gort::last_mark_stack_scans();
    with_stacks = gort::goroutines_with_stacks();
    if (scans != with_stacks) once = false;
  }
  out::println("scanned_once", yes(once), "at_least_parked", yes(with_stacks > parked));
  if (!once) out::println("scans", scans, "goroutines", with_stacks);
  for (int i = 0; i < parked; i++) release.send(1);
  wg.wait();
  return 0;
}

// A live list of 300,000 links (each mark takes a while) and one goroutine allocating
// garbage until 20 cycles ran: the mark's CPU comes from mark workers, from idle Processors'
// workers and from assists; which of them ran is counted (their CPU time, ever).
Node* assist_live;
TEST_SCENARIO(workers_and_assists) {
  Node* head = nullptr;
  for (uint64_t i = 0; i < 300000; i++) {
    Node* n = gc::make<Node>();
    n->key = i;
    n->check = i * 3 + 1;
    n->left = head;
    head = n;
  }
  assist_live = head;
  uint64_t start = gc::stats().collections;
  uint64_t worker = gort::mark_worker_cpu_ns(), idle = gort::idle_mark_worker_cpu_ns(), assist = gort::mark_assist_cpu_ns();
  while (gc::stats().collections - start < 20) gc::make_array<uint64_t>(16);
  out::println("worker", yes(gort::mark_worker_cpu_ns() > worker), "idle", yes(gort::idle_mark_worker_cpu_ns() > idle),
               "assist", yes(gort::mark_assist_cpu_ns() > assist));
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
