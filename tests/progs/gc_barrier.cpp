// Scenarios for the write barrier (runtime/barrier.h, runtime/barrier.cpp, the rewind in
// runtime/preempt.cpp; docs/07-collector.md, "The write barrier"). Run by
// tests/harness/test_gc_barrier.cpp, at GOMAXPROCS 1, 2 and 4.
//
// Everything counts (slow-path stores, rewinds, rounds), never times. The white-box hooks
// come from runtime/testing.h: set_write_barrier_for_test() and
// set_write_barrier_world_stopped() set the flag as the marker will (world stopped);
// write_barrier_counters(); watch_barrier_slot()/barrier_watch(), what the slow path did to
// one slot; barrier_sites(), the linker's table of inline sites.
#include "payload.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;

namespace {

const char* yes(bool b) { return b ? "true" : "false"; }

struct Cell {
  uint64_t value;
};

// A node of collected memory whose links are barriered fields, scanned by its layout only.
struct Node {
  uint64_t key;
  gc::Ptr<Node> next;
  gc::Ptr<Payload> payload;
  uint64_t key_check;  // ~key
};

}  // namespace

GORT_GC_POINTERS(Node, next, payload);

static_assert(sizeof(gc::Ptr<Node>) == sizeof(void*), "Ptr is one word");
static_assert(std::is_standard_layout_v<gc::Ptr<Node>>, "Ptr has standard layout");
static_assert(gc::is_pointer_field<gc::Ptr<Node>>::value, "Ptr is a pointer field");
static_assert(gc::detail::is_typed_v<Node>, "Node is scanned by its layout");

namespace {

Cell cells[1024];

// Stores of every kind: Ptr from T*, from Ptr, from nullptr; write_pointer; copy_pointers and
// clear_pointers. Returns how many single stores (write_pointer calls) it made in *stores and
// the bulk calls in *bulk; true if every value read back is the one stored.
__attribute__((noinline)) bool store_everything(int rounds, uint64_t* stores, uint64_t* bulk) {
  struct Holder {
    gc::Ptr<Cell> a, b;
    Cell* raw;
  };
  Holder* h = gc::make<Holder>();
  Cell** from = gc::make_array<Cell*>(16);
  Cell** to = gc::make_array<Cell*>(16);
  bool ok = true;
  *stores = 0;
  *bulk = 0;
  for (int i = 0; i < rounds; i++) {
    Cell* c = &cells[i % 1024];
    h->a = c;
    h->b = h->a;
    ok = ok && h->a == c && h->b.get() == c && h->a == h->b && h->a->value == c->value && &*h->b == c;
    h->a = nullptr;
    ok = ok && !h->a && h->a == nullptr && bool(h->b);
    gc::write_pointer(&h->raw, c);
    ok = ok && h->raw == c;
    *stores += 4;
    for (int k = 0; k < 16; k++) from[k] = &cells[(i + k) % 1024];
    gc::copy_pointers(to, from, 16 * sizeof(Cell*));
    for (int k = 0; k < 16; k++) ok = ok && to[k] == &cells[(i + k) % 1024];
    gc::copy_pointers(to + 1, to, 15 * sizeof(Cell*));  // overlapping: memmove's semantics
    ok = ok && to[1] == &cells[i % 1024] && to[15] == &cells[(i + 14) % 1024];
    gc::clear_pointers(to, 16 * sizeof(Cell*));
    for (int k = 0; k < 16; k++) ok = ok && to[k] == nullptr;
    *bulk += 3;
  }
  return ok;
}

}  // namespace

// The flag clear: stores of every kind make no slow-path call and store the right values.
TEST_SCENARIO(disabled_stores) {
  gort::WriteBarrierCounters before = gort::write_barrier_counters();
  uint64_t stores, bulk;
  bool ok = store_everything(100000, &stores, &bulk);
  gort::WriteBarrierCounters after = gort::write_barrier_counters();
  out::println("values", yes(ok), "slow", after.slow_stores - before.slow_stores, "bulk", after.bulk_calls - before.bulk_calls);
  return 0;
}

namespace {

constexpr int list_length = 4000;
gc::Root<Node>* list_root;  // the head only: every other node is reachable only through Ptr fields

__attribute__((noinline)) void build_list(uint64_t* stores) {
  Node* head = gc::make<Node>();
  head->key = 0;
  head->key_check = ~uint64_t(0);
  list_root = new gc::Root<Node>(head);
  Node* tail = head;
  for (int i = 1; i < list_length; i++) {
    Node* n = gc::make<Node>();
    n->key = uint64_t(i);
    n->key_check = ~uint64_t(i);
    n->payload = new_payload(uint64_t(i));  // assignments after construction: barriered
    tail->next = n;
    tail = n;
    *stores += 2;
  }
}

// Reverses the list behind the head, in place, through Ptr assignments only.
__attribute__((noinline)) void reverse_behind_head(uint64_t* stores) {
  Node* head = list_root->get();
  Node* previous = nullptr;
  Node* n = head->next;
  while (n != nullptr) {
    Node* following = n->next;
    n->next = previous;
    previous = n;
    n = following;
    *stores += 1;
  }
  head->next = previous;
  *stores += 1;
}

__attribute__((noinline)) void make_garbage() {
  for (int i = 0; i < 100000; i++) new_payload(uint64_t(i));
}

// Walks the list: keys descending after the head (reversed), every node and payload allocated
// and checksummed.
bool list_intact() {
  Node* head = list_root->get();
  if (head->key != 0 || head->key_check != ~uint64_t(0)) return false;
  uint64_t expect = list_length - 1;
  int count = 1;
  for (Node* n = head->next; n != nullptr; n = n->next, expect--, count++) {
    if (!gort::collected_object_allocated(n) || n->key != expect || n->key_check != ~expect) return false;
    Payload* p = n->payload;
    if (!gort::collected_object_allocated(p) || p->checksum != sum_of(p) || seed_of(p) != expect) return false;
  }
  return count == list_length;
}

}  // namespace

// The flag set: every store takes the slow path and stores its value; a list whose nodes are
// reachable only through Ptr fields (a layout) is built and reversed with the flag set, and
// survives collections with garbage in between.
TEST_SCENARIO(enabled_stores) {
  gort::set_write_barrier_for_test(true);
  gort::WriteBarrierCounters before = gort::write_barrier_counters();
  uint64_t stores, bulk;
  bool ok = store_everything(20000, &stores, &bulk);
  gort::WriteBarrierCounters after = gort::write_barrier_counters();
  bool every_store_slow = after.slow_stores - before.slow_stores == stores;
  bool every_bulk_checked = after.bulk_calls - before.bulk_calls == bulk;
  uint64_t list_stores = 0;
  before = gort::write_barrier_counters();
  build_list(&list_stores);
  reverse_behind_head(&list_stores);
  after = gort::write_barrier_counters();
  bool list_stores_slow = after.slow_stores - before.slow_stores == list_stores;
  gort::set_write_barrier_for_test(false);
  uint64_t collections = gc::stats().collections;
  for (int i = 0; i < 3; i++) {
    make_garbage();
    gc::collect();
  }
  out::println("values", yes(ok), "every_store_slow", yes(every_store_slow), "every_bulk_checked", yes(every_bulk_checked));
  out::println("list_stores_slow", yes(list_stores_slow), "collected", yes(gc::stats().collections - collections >= 3),
               "list_intact", yes(list_intact()));
  return 0;
}

namespace {

// The store loop's shared state. loop_slot is written by barriered stores only.
Cell* loop_slot;
uint64_t loop_iterations;  // atomic: written by the loop only
uint32_t loop_stop;        // atomic
gort::Goroutine* loop_goroutine;
gort::Machine* loop_machine;  // atomic: the loop's Machine, as of its last iteration

// A loop with no call on its fast path (no stack check, no runtime entry): only the
// preemption signal can stop it, at any instruction, so also between a site's test and its
// store.
__attribute__((noinline)) void store_loop() {
  __atomic_store_n(&loop_goroutine, gort::cpu::current_goroutine(), __ATOMIC_RELEASE);
  uint64_t i = 0;
  while (__atomic_load_n(&loop_stop, __ATOMIC_RELAXED) == 0) {
    i++;
    gc::write_pointer(&loop_slot, &cells[i % 1024]);
    __atomic_store_n(&loop_machine, gort::cpu::current_machine(), __ATOMIC_RELAXED);
    __atomic_store_n(&loop_iterations, i, __ATOMIC_RELAXED);
  }
}

// Waits (yielding) until the loop has made `iterations` more iterations.
void wait_for_loop(uint64_t iterations) {
  uint64_t start = __atomic_load_n(&loop_iterations, __ATOMIC_RELAXED);
  while (__atomic_load_n(&loop_iterations, __ATOMIC_RELAXED) - start < iterations) gort::gosched();
}

}  // namespace

// The rewind. One goroutine stores through a barrier site in a loop without calls, another
// floods it with preemption requests, and main turns the flag on and off, `rounds` times,
// each time with the world stopped. With the world stopped after each enabled interval, the
// slow path's record of the loop's slot must show that the first store it made found, as the
// old value, what the slot held when the flag was set: a store that ran the fast path on a
// test made before the flag was set (a goroutine stopped between the test and the store and
// not rewound) would have changed the slot in between. Argument "norewind" turns the rewind
// off, to show this check catches the missing rewind.
TEST_SCENARIO(rewind) {
  long rounds = scenario::argument(argc, argv, 1, 2000);
  bool rewind = !(argc > 2 && gort::same_string(argv[2], "norewind"));
  gort::set_barrier_rewind_for_test(rewind);
  gort::set_preemption_time_slice(50 * 1000);  // on one Processor, sysmon's signal stops the loop
  gort::WaitGroup wg;
  wg.add(2);
  gort::go([&] {
    store_loop();
    wg.done();
  });
  gort::go([&] {
    while (__atomic_load_n(&loop_stop, __ATOMIC_RELAXED) == 0) {
      gort::Goroutine* g = __atomic_load_n(&loop_goroutine, __ATOMIC_ACQUIRE);
      gort::Machine* m = __atomic_load_n(&loop_machine, __ATOMIC_RELAXED);
      if (g != nullptr && m != nullptr) gort::request_preemption(g, m);
      gort::gosched();
    }
    wg.done();
  });
  wait_for_loop(1000);
  gort::WriteBarrierCounters before = gort::write_barrier_counters();
  uintptr_t slot_when_set = 0;
  long stale = 0, tail_mismatch = 0, checked = 0, enabled_rounds = 0;
  for (long r = 0; r < rounds; r++) {
    bool enable = r % 2 == 0;
    gort::stop_the_world();
    if (!enable) {  // the end of an enabled interval
      gort::BarrierWatch w = gort::barrier_watch();
      if (w.stores > 0) {
        checked++;
        if (w.first_old != slot_when_set) stale++;
        if (w.last_value != reinterpret_cast<uintptr_t>(loop_slot)) tail_mismatch++;
      }
    }
    gort::set_write_barrier_world_stopped(enable);
    if (enable) {
      enabled_rounds++;
      slot_when_set = reinterpret_cast<uintptr_t>(loop_slot);
      gort::watch_barrier_slot(reinterpret_cast<void**>(&loop_slot));
    }
    gort::start_the_world();
    wait_for_loop(64);
  }
  gort::stop_the_world();
  gort::set_write_barrier_world_stopped(false);
  gort::start_the_world();
  __atomic_store_n(&loop_stop, 1, __ATOMIC_RELAXED);
  wg.wait();
  gort::WriteBarrierCounters after = gort::write_barrier_counters();
  gort::set_barrier_rewind_for_test(true);
  if (!rewind) {
    out::println("stale_found", yes(stale > 0));
    gort::println("rounds", rounds, "stale", stale, "checked", checked);
    return 0;
  }
  out::println("rewound", yes(after.rewinds > before.rewinds), "stale", stale, "tail_mismatch", tail_mismatch,
               "all_checked", yes(checked == enabled_rounds));
  gort::println("rounds", rounds, "rewinds", after.rewinds - before.rewinds, "slow_stores",
                 after.slow_stores - before.slow_stores, "preemptions", gort::async_preemption_count());
  return 0;
}

namespace {

// Whether the `length` bytes at `site` are exactly: cmpb $0, gort_write_barrier_enabled(%rip);
// jne rel32 (to outside the site); movq %reg, (%reg) (no displacement, or the disp8 0 that
// %rbp/%r13 need, or the SIB byte that %rsp/%r12 need).
bool is_test_branch_store(const uint8_t* site, size_t length) {
  if (length < 16 || length > 17) return false;
  if (site[0] != 0x80 || site[1] != 0x3d || site[6] != 0x00) return false;  // cmpb $imm8, disp32(%rip)
  int32_t flag_offset;
  __builtin_memcpy(&flag_offset, site + 2, 4);
  if (reinterpret_cast<uintptr_t>(site) + 7 + intptr_t(flag_offset) != reinterpret_cast<uintptr_t>(&gc::detail::write_barrier_enabled))
    return false;
  if (site[7] != 0x0f || site[8] != 0x85) return false;  // jne rel32
  int32_t branch;
  __builtin_memcpy(&branch, site + 9, 4);
  uintptr_t target = reinterpret_cast<uintptr_t>(site) + 13 + intptr_t(branch);
  if (target >= reinterpret_cast<uintptr_t>(site) && target < reinterpret_cast<uintptr_t>(site) + length) return false;
  const uint8_t* mov = site + 13;
  if ((mov[0] & 0xf8) != 0x48 || mov[1] != 0x89) return false;  // REX.W, mov r/m64, r64
  uint8_t mod = mov[2] >> 6, rm = mov[2] & 7;
  if (length == 16) return mod == 0 && rm != 4 && rm != 5;
  return (mod == 0 && rm == 4) || (mod == 1 && rm == 5);  // 17: SIB, or disp8 (0x00 follows)
}

}  // namespace

// The linker's table of inline sites: present (this program has sites), in ascending order
// without overlap (the signal handler binary-searches it), and every site exactly a compare,
// a jne and a store.
TEST_SCENARIO(sites) {
  gort::BarrierSites sites = gort::barrier_sites();
  bool sorted = true, shape = true;
  size_t short_sites = 0, long_sites = 0;
  for (size_t i = 0; i < sites.count; i++) {
    uintptr_t site = sites.words[2 * i], end = sites.words[2 * i + 1];
    if (i > 0 && site < sites.words[2 * i - 1]) sorted = false;
    shape = shape && is_test_branch_store(reinterpret_cast<const uint8_t*>(site), end - site);
    (end - site == 16 ? short_sites : long_sites)++;
  }
  out::println("sites_found", yes(sites.count >= 8), "sorted", yes(sorted), "cmp_jne_mov", yes(shape));
  gort::println("sites", sites.count, "of_16_bytes", short_sites, "of_17_bytes", long_sites);
  return 0;
}
