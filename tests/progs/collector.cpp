// Scenarios for the collector (runtime/collector.cpp): an object reachable from only one
// kind of root survives hundreds of collections with its contents intact, garbage is
// reclaimed, free() of a collected object is fatal. Run by tests/harness/test_collector.cpp
// at GOMAXPROCS 1, 2 and 4.
//
// How a lost object shows: a target wrongly swept is no longer allocated in its span
// (collected_object_allocated, white-box), and once its slot is handed out again its
// checksum breaks: every round allocates `churn` objects of the target's size class, fills
// them with a pattern, then collects. The scenario `unrooted` proves the method works: an
// object nobody holds is reclaimed.
//
// Each target is made inside a noinline helper that leaves its pointer only in the root
// under test: the helper's frame is dead once it returns (below the stack pointer, never
// scanned), and caller-saved registers are not scanned.
#include "payload.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;

extern "C" void free(void*);
extern "C" void* malloc(size_t);

namespace {

constexpr int rounds = 300;
constexpr int churn = 300;

// Still allocated (white-box: runtime/testing.h) and unchanged.
bool intact(const Payload* p) { return gort::collected_object_allocated(p) && p->checksum == sum_of(p); }

Payload* volatile garbage_sink;
// One round: garbage of the target's class, then a collection (payload.h).
void churn_and_collect() { churn_payloads_and_collect(churn); }

// Rounds of churn and collection; true if `check` held after every round.
template <typename Check>
bool survive(Check check) {
  bool ok = true;
  for (int r = 0; r < rounds; r++) {
    churn_and_collect();
    if (!check()) ok = false;
  }
  return ok;
}

const char* yes(bool b) { return b ? "true" : "false"; }

// Collections ran and reclaimed the churn, so the survival above meant something.
bool reclaimed_churn() { return gc::stats().freed_objects >= uint64_t(rounds - 1) * churn; }

// --- Globals ---

Payload* global_payload;
__attribute__((noinline)) void plant_global() { global_payload = new_payload(1); }

// --- Interior pointer: a global that points into the middle of the object ---

char* global_interior;
__attribute__((noinline)) void plant_interior() { global_interior = reinterpret_cast<char*>(new_payload(2)) + 20; }
const Payload* from_interior() { return reinterpret_cast<const Payload*>(global_interior - 20); }

// --- A Root held in explicit (malloc'ed) memory ---

gc::Root<Payload>* explicit_root;
__attribute__((noinline)) void plant_root() { explicit_root = new gc::Root<Payload>(new_payload(3)); }

// --- A long chain from a global ---

struct Link {
  Link* next;
  uint64_t value;
};
Link* chain_head;
constexpr uint64_t chain_length = 100000;
__attribute__((noinline)) void plant_chain() {
  Link* head = nullptr;
  for (uint64_t i = 0; i < chain_length; i++) {
    Link* l = gc::make<Link>();
    l->value = chain_length - 1 - i;
    l->next = head;
    head = l;
  }
  chain_head = head;
}
bool chain_intact() {
  uint64_t i = 0;
  for (const Link* l = chain_head; l != nullptr; l = l->next, i++)
    if (l->value != i) return false;
  return i == chain_length;
}

// --- Unrooted: the control ---

uintptr_t hidden_address;  // the address, scrambled so it is not a pointer
__attribute__((noinline)) void plant_hidden() { hidden_address = reinterpret_cast<uintptr_t>(new_payload(4)) ^ 0x5555555555555555ULL; }
const Payload* hidden() { return reinterpret_cast<const Payload*>(hidden_address ^ 0x5555555555555555ULL); }

// --- Goroutines holding the only reference on their stacks ---

// Recurses `depth` frames, each with its own stack check and a 200-byte frame, so the
// goroutine runs across several segments; makes the object at the bottom (bottom) or at the
// top before recursing (top), then waits for `go_on` and checks it.
__attribute__((noinline)) bool deep_wait(int depth, gort::Channel<int>* ready, gort::Channel<int>* go_on, Payload* held,
                                         uint64_t seed) {
  GORT_STACK_CHECK();
  volatile char frame[200];
  frame[0] = char(depth);
  if (depth > 0) return deep_wait(depth - 1, ready, go_on, held, seed) && frame[0] == char(depth);
  Payload* p = held != nullptr ? held : new_payload(seed);
  ready->send(1);
  go_on->receive();
  return intact(p) && (held == nullptr || p == held);
}

__attribute__((noinline)) bool top_then_deep(int depth, gort::Channel<int>* ready, gort::Channel<int>* go_on) {
  GORT_STACK_CHECK();
  Payload* p = new_payload(6);
  bool ok = deep_wait(depth, ready, go_on, nullptr, 7);
  return ok && intact(p);
}

int stack_scenario(int depth, bool top) {
  gort::Channel<int> ready, go_on, result(1);
  gort::go([&, depth, top] {
    bool ok = top ? top_then_deep(depth, &ready, &go_on) : deep_wait(depth, &ready, &go_on, nullptr, 5);
    result.send(ok ? 1 : 0);
  });
  ready.receive();
  survive([] { return true; });
  go_on.send(1);
  out::println("intact", yes(result.receive() == 1), "reclaimed", yes(reclaimed_churn()));
  return 0;
}

// --- Stale words below where a goroutine left an earlier segment retain nothing ---

// bury() recurses in the goroutine's first segment; its deepest frame makes the object and
// the `copies` deepest frames keep its address in a local, then all of them return. The
// goroutine then moves to a new segment from a shallow frame (GORT_STACK_RESERVE, more than
// the first segment has) and parks there, so the copies lie below where it left the first
// segment (StackSegment::left_sp): words of returned frames, which must not keep the object
// alive. The goroutine checks both premises: the copies are there, below left_sp, when it
// parks, and still hold the address when it wakes.
constexpr uintptr_t stale_scramble = 0x3333333333333333ULL;
constexpr int stale_copies = 4;
uintptr_t stale_scrambled;                 // the object's address, scrambled
uintptr_t stale_copy_at[stale_copies];     // where each copy lies

__attribute__((noinline)) uintptr_t bury(int depth) {
  GORT_STACK_CHECK();
  volatile uintptr_t frame[4];
  uintptr_t address;
  if (depth == 0) {
    address = reinterpret_cast<uintptr_t>(new_payload(14));
    stale_scrambled = address ^ stale_scramble;
  } else {
    address = bury(depth - 1);
  }
  if (depth >= stale_copies) {  // the shallow frames keep nothing
    frame[0] = 0;
    return 0;
  }
  frame[0] = address;
  stale_copy_at[depth] = reinterpret_cast<uintptr_t>(&frame[0]);
  return address;
}

__attribute__((noinline)) bool wait_on_new_segment(gort::Channel<int>* ready, gort::Channel<int>* go_on) {
  GORT_STACK_CHECK();
  const gort::StackSegment* left = gort::cpu::current_goroutine()->segment->previous;
  bool below_left = left != nullptr;
  for (uintptr_t at : stale_copy_at) below_left = below_left && at >= left->base && at < left->left_sp;
  ready->send(below_left ? 1 : 0);
  go_on->receive();
  bool kept = true;
  for (uintptr_t at : stale_copy_at) kept = kept && *reinterpret_cast<const volatile uintptr_t*>(at) == (stale_scrambled ^ stale_scramble);
  return kept;
}

__attribute__((noinline)) bool park_on_new_segment(gort::Channel<int>* ready, gort::Channel<int>* go_on) {
  GORT_STACK_RESERVE(32 * 1024);  // more than the 2 KiB first segment: the callees move
  return wait_on_new_segment(ready, go_on);
}

// --- A goroutine blocked in read() with the only reference in a callee-saved register ---

// The control (Scrambled): r12 holds the address scrambled, so if the object survives
// anyway, some other copy keeps it and the test above proves nothing.
constexpr uintptr_t register_scramble = 0x5a5a5a5a5a5a5a5aULL;
template <bool Scrambled>
__attribute__((noinline)) bool read_holding_in_r12(int fd, gort::Channel<int>* ready) {
  constexpr uintptr_t mask = Scrambled ? register_scramble : 0;
  register uintptr_t held asm("r12") = reinterpret_cast<uintptr_t>(new_payload(8)) ^ mask;
  asm volatile("" : "+r"(held));  // in r12 now, and nowhere else
  ready->send(1);
  char byte;
  long n = gort::os::read(fd, &byte, 1);  // blocks in the kernel until main writes
  asm volatile("" : "+r"(held));  // still expected in r12 (callee-saved across the calls)
  return n == 1 && intact(reinterpret_cast<const Payload*>(held ^ mask));
}

// --- A goroutine spinning without calls, the only reference in a vector register ---

uint32_t spin_release;  // set by main: the spinner may stop
uint32_t spinning;      // set by the spinner once the pointer is only in xmm8

// The pointer goes into xmm8, and its general register, the other caller-saved registers
// and the dead stack below sp are cleared, all in one asm block with the loop: no call, no
// stack check, so only the preemption signal stops it, and the pointer is then only in the
// XSAVE area the preemption stub saves on this stack.
// The control (Scrambled): xmm8 holds the address scrambled (as for r12 above).
template <bool Scrambled>
__attribute__((noinline)) bool spin_holding_in_xmm8() {
  constexpr uintptr_t mask = Scrambled ? register_scramble : 0;
  uintptr_t p = reinterpret_cast<uintptr_t>(new_payload(13)) ^ mask;
  asm volatile(
      "movq %[p], %%xmm8\n\t"
      "xor %k[p], %k[p]\n\t"
      "xor %%eax, %%eax\n\t"  // and any copy a call left in a caller-saved register
      "xor %%ecx, %%ecx\n\t"
      "xor %%edx, %%edx\n\t"
      "xor %%esi, %%esi\n\t"
      "xor %%edi, %%edi\n\t"
      "xor %%r8d, %%r8d\n\t"
      "xor %%r9d, %%r9d\n\t"
      "xor %%r10d, %%r10d\n\t"
      "xor %%r11d, %%r11d\n\t"
      "lea -1024(%%rsp), %%rdi\n\t"  // and the dead frames below sp (new_payload's), which
      "mov $128, %%ecx\n\t"          // the preemption frame's gap above it would expose
      "rep stosq\n\t"
      "xor %%edi, %%edi\n\t"
      "movl $1, %[spinning]\n\t"
      "0: cmpl $0, %[release]\n\t"
      "je 0b\n\t"
      "movq %%xmm8, %[p]\n\t"
      : [p] "+r"(p), [spinning] "=m"(spinning)
      : [release] "m"(spin_release)
      : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm8", "memory");
  return intact(reinterpret_cast<const Payload*>(p ^ mask));
}

// --- Not yet started: the only reference is in the goroutine's closure ---

__attribute__((noinline)) void start_holder(bool* ran, gort::Channel<int>* result) {
  Payload* p = new_payload(11);
  gort::go([p, ran, result] {
    *ran = true;
    result->send(intact(p) ? 1 : 0);
  });
}

// --- Channel buffer ---

gort::Channel<Payload*>* buffered;
__attribute__((noinline)) void plant_in_channel() {
  buffered = new gort::Channel<Payload*>(4);
  buffered->send(new_payload(9));
}

// A non-trivially-copyable element travels boxed (a `new` copy in explicit memory).
struct Holder {
  Payload* p = nullptr;
  Holder() = default;
  explicit Holder(Payload* q) : p(q) {}
  Holder(const Holder& o) : p(o.p) {}
  Holder& operator=(const Holder& o) {
    p = o.p;
    return *this;
  }
};
gort::Channel<Holder>* boxed_channel;
__attribute__((noinline)) void plant_in_boxed_channel() {
  boxed_channel = new gort::Channel<Holder>(4);
  boxed_channel->send(Holder(new_payload(10)));
}

}  // namespace

TEST_SCENARIO(global) {
  plant_global();
  bool ok = survive([] { return intact(global_payload); });
  out::println("intact", yes(ok), "reclaimed", yes(reclaimed_churn()));
  return 0;
}

TEST_SCENARIO(interior) {
  plant_interior();
  bool ok = survive([] { return intact(from_interior()); });
  out::println("intact", yes(ok), "reclaimed", yes(reclaimed_churn()));
  return 0;
}

TEST_SCENARIO(root) {
  plant_root();
  bool ok = survive([] { return intact(explicit_root->get()); });
  out::println("intact", yes(ok), "reclaimed", yes(reclaimed_churn()));
  delete explicit_root;  // the object is unreachable now
  return 0;
}

TEST_SCENARIO(chain) {
  plant_chain();
  bool ok = true;
  for (int r = 0; r < 100; r++) {
    churn_and_collect();
    if (!chain_intact()) ok = false;
  }
  out::println("intact", yes(ok), "live_at_least_chain", yes(gc::stats().live_objects >= chain_length));
  return 0;
}

TEST_SCENARIO(unrooted) {
  plant_hidden();
  survive([] { return true; });
  out::println("reclaimed", yes(!intact(hidden())));
  return 0;
}

TEST_SCENARIO(stack_first_segment) { return stack_scenario(0, false); }
TEST_SCENARIO(stack_deep_segment) { return stack_scenario(200, false); }
TEST_SCENARIO(stack_earlier_segment) { return stack_scenario(200, true); }

// --- Which span kind gc::make picks: pointer-free types are found at compile time ---

namespace {
enum class Colour : uint8_t { red, green };
struct Pixel {  // pointer-free, and says so
  uint16_t x, y;
  Colour colour;
};
}  // namespace
template <>
struct gort::gc::is_pointer_free<Pixel> : std::true_type {};
namespace {
struct Pair {  // not declared pointer-free, no layout: scanned conservatively
  uint64_t a, b;
};

template <typename T>
bool noscan(const T* p) {
  const gort::Span* s = gort::heap_span_of(reinterpret_cast<uintptr_t>(p));
  return s != nullptr && s->collected && s->noscan;
}
}  // namespace

TEST_SCENARIO(noscan_kinds) {
  out::println("uint64", yes(noscan(gc::make<uint64_t>())), "double_array", yes(noscan(gc::make_array<double>(100))),
               "char_array", yes(noscan(gc::make_array<char>(3000))), "enum", yes(noscan(gc::make<Colour>())),
               "declared", yes(noscan(gc::make<Pixel>())), "large", yes(noscan(gc::make_array<uint32_t>(100000))));
  out::println("pointer", yes(noscan(gc::make<Link>())), "pair", yes(noscan(gc::make<Pair>())),
               "ptr_array", yes(noscan(gc::make_array<gc::Ptr<Link>>(10))), "raw_array", yes(noscan(gc::make_array<Link*>(10))));
  return 0;
}

TEST_SCENARIO(stale_earlier_segment) {
  gort::Channel<int> ready, go_on, result(1);
  gort::go([&] {
    bury(8);
    result.send(park_on_new_segment(&ready, &go_on) ? 1 : 0);
  });
  bool below_left = ready.receive() == 1;
  survive([] { return true; });
  bool reclaimed = !intact(reinterpret_cast<const Payload*>(stale_scrambled ^ stale_scramble));
  go_on.send(1);
  bool kept = result.receive() == 1;
  out::println("below_left", yes(below_left), "copies_kept", yes(kept), "reclaimed", yes(reclaimed));
  return 0;
}

// `scrambled`: the control, in which the object must be reclaimed ("intact false").
TEST_SCENARIO(syscall_register) {
  bool scrambled = argc > 1 && scenario::same_string(argv[1], "scrambled");
  int fds[2];
  if (gort::os::pipe(fds) != 0) return 1;
  gort::Channel<int> ready, result(1);
  gort::go([&] {
    bool ok = scrambled ? read_holding_in_r12<true>(fds[0], &ready) : read_holding_in_r12<false>(fds[0], &ready);
    result.send(ok ? 1 : 0);
  });
  ready.receive();
  survive([] { return true; });
  char byte = 'x';
  gort::os::write(fds[1], &byte, 1);
  out::println("intact", yes(result.receive() == 1), "reclaimed", yes(reclaimed_churn()));
  return 0;
}

TEST_SCENARIO(vector_register) {
  bool scrambled = argc > 1 && scenario::same_string(argv[1], "scrambled");
  gort::Channel<int> result(1);
  uint64_t before = gort::async_preemption_count();
  gort::go([&] { result.send((scrambled ? spin_holding_in_xmm8<true>() : spin_holding_in_xmm8<false>()) ? 1 : 0); });
  while (__atomic_load_n(&spinning, __ATOMIC_ACQUIRE) == 0) gort::gosched();
  survive([] { return true; });
  bool preempted = gort::async_preemption_count() > before;
  __atomic_store_n(&spin_release, 1, __ATOMIC_RELEASE);
  out::println("intact", yes(result.receive() == 1), "preempted", yes(preempted), "reclaimed", yes(reclaimed_churn()));
  return 0;
}

TEST_SCENARIO(unstarted_closure) {
  // GOMAXPROCS=1 and no preemption signal (the harness sets both): main does not yield
  // while it collects, so the goroutine has not run.
  gort::Channel<int> result(1);
  bool ran_early = false;
  start_holder(&ran_early, &result);
  survive([] { return true; });
  bool early = ran_early;
  out::println("intact", yes(result.receive() == 1), "ran_early", yes(early), "reclaimed", yes(reclaimed_churn()));
  return 0;
}

TEST_SCENARIO(channel_buffer) {
  plant_in_channel();
  plant_in_boxed_channel();
  survive([] { return true; });
  Payload* p = buffered->receive();
  Holder h = boxed_channel->receive();
  out::println("intact", yes(intact(p)), "boxed_intact", yes(intact(h.p)), "reclaimed", yes(reclaimed_churn()));
  return 0;
}

// Allocates far more than memory holds, keeping only a little: the heap stays near its goal.
TEST_SCENARIO(garbage_bounded) {
  uint64_t total = 0, peak_heap = 0;
  Payload* keep = new_payload(12);
  for (int i = 0; total < (uint64_t(8) << 30); i++) {  // 8 GiB in all
    size_t n = i % 16 == 0 ? 100000 : 1000;            // large objects too
    garbage_sink = reinterpret_cast<Payload*>(gc::make_array<uint64_t>(n));
    total += n * 8;
    uint64_t heap = gc::stats().heap_bytes;
    if (heap > peak_heap) peak_heap = heap;
  }
  gort::MemStats m = gort::read_mem_stats();
  out::println("collections_many", yes(gc::stats().collections > 100), "peak_under_16MiB", yes(peak_heap < (16u << 20)),
               "heap_sys_under_64MiB", yes(m.heap_sys < (64u << 20)), "kept", yes(intact(keep)));
  return 0;
}

// A steady state: 16 MiB kept live while 2 GiB of garbage goes by. The collected heap must
// stay at or under the goal GOGC sets, live * (1 + GOGC/100), and each collection must find
// the live set again (not much more: false retention).
uint64_t** live_set;  // 16,384 arrays of 1 KiB
// The pacer's trigger for three heaps, in KiB: a mark that saw much allocated (the lower
// bound, 45/64 of the runway), one that saw little (1.25 times it before the goal), none
// (the upper bound: 61/64 of the runway, or 4 MiB short of the goal when that is later).
TEST_SCENARIO(trigger_bounds) {
  constexpr uint64_t mib = 1 << 20;
  auto kib = [](uint64_t bytes) { return long(bytes >> 10); };
  out::println("heavy", kib(gort::concurrent_trigger(100 * mib, 200 * mib, 90 * mib)),
               "light", kib(gort::concurrent_trigger(100 * mib, 200 * mib, 8 * mib)),
               "none_large", kib(gort::concurrent_trigger(100 * mib, 200 * mib, 0)),
               "none_small", kib(gort::concurrent_trigger(4 * mib, 8 * mib, 0)));
  return 0;
}

TEST_SCENARIO(steady_state) {
  long percent = scenario::argument(argc, argv, 1, 100);
  gc::set_percent(int(percent));
  constexpr int arrays = 16384;
  live_set = gc::make_array<uint64_t*>(arrays);
  for (int i = 0; i < arrays; i++) live_set[i] = gc::make_array<uint64_t>(128);
  gc::collect();
  uint64_t live = gc::stats().live_bytes;
  uint64_t goal = live + live / 100 * uint64_t(percent);
  uint64_t peak = 0, max_live = 0, collections = gc::stats().collections;
  for (uint64_t total = 0; total < (uint64_t(2) << 30); total += 4096) {
    garbage_sink = reinterpret_cast<Payload*>(gc::make_array<uint64_t>(512));
    gc::Stats s = gc::stats();
    if (s.heap_bytes > peak) peak = s.heap_bytes;
    if (s.live_bytes > max_live) max_live = s.live_bytes;
  }
  // The goal moves with what each collection finds live: the live set, plus what was
  // allocated while it marked (black: the pacer starts a cycle at least 45/64 of the way
  // from live to the goal, so the last 19/64 of that runway on an idle machine, more when the
  // marker waits for a CPU), never more than a whole runway: garbage never outlives the
  // cycle after the one it became garbage in. The heap may pass the goal while a mark
  // that started in time waits for a CPU, but not the hard goal (10% over it, as Go's):
  // past that an allocating goroutine does nearly all the mark left, or waits for it
  // (assist_allocation in runtime/mark_workers.cpp), so at most an assist's batches more.
  uint64_t highest_goal = max_live + max_live / 100 * uint64_t(percent);
  if (gort::getenv("STEADY_VERBOSE") != nullptr) out::println("peak", peak, "highest_goal", highest_goal, "goal", goal, "live", live, "max_live", max_live);
  out::println("collections_many", yes(gc::stats().collections - collections > 20), "peak_within_goal", yes(peak <= highest_goal + highest_goal / 10 + (128 << 10)),
               "peak_near_goal", yes(peak >= goal - goal / 10), "live_found_again", yes(max_live <= goal));
  return 0;
}

// A live structure dropped: heap in use returns near its baseline.
Link* volatile big_structure;
__attribute__((noinline)) void build_big() {
  Link* head = nullptr;
  for (int i = 0; i < 500000; i++) {  // 8 MiB of 16-byte links
    Link* l = gc::make<Link>();
    l->next = head;
    head = l;
  }
  big_structure = head;
}
TEST_SCENARIO(heap_returns_to_baseline) {
  gc::collect();
  uint64_t baseline = gc::stats().live_bytes;
  build_big();
  gc::collect();
  uint64_t with = gc::stats().live_bytes;
  big_structure = nullptr;
  gc::collect();
  uint64_t after = gc::stats().live_bytes;
  out::println("grew", yes(with >= baseline + 500000 * 16), "back_near_baseline", yes(after < baseline + 64 * 1024));
  return 0;
}

TEST_SCENARIO(gogc_off) {
  for (int i = 0; i < 100000; i++) garbage_sink = reinterpret_cast<Payload*>(gc::make_array<uint64_t>(128));  // 100 MB
  out::println("collections", gc::stats().collections, "goal", gc::stats().goal_bytes);
  return 0;
}

// Objects of small odd sizes, as a C++ program makes them: each takes the smallest class its
// type's alignment allows (a 24-byte node of alignment 8 takes 24 bytes, as in Go; malloc's
// 16-byte promise does not apply: tools/size_classes.cpp), is aligned for its type, zeroed,
// and keeps its contents through collections with its neighbours written all around it.
struct Node24 {  // binary trees' and GCBench's node
  gc::Ptr<Node24> left, right;
  int32_t i, j;
};
struct alignas(16) Wide32 {  // 24 bytes of fields, 16-aligned: 32, never the 24-byte class
  uint64_t a, b;
  Node24* node;
};
struct Odd40 {
  Node24* node;
  uint64_t words[4];
};
static_assert(sizeof(Node24) == 24 && alignof(Node24) == 8 && sizeof(Wide32) == 32 && sizeof(Odd40) == 40);

template <typename T>
struct SizedObjects {
  static constexpr int count = 3000;
  T* objects[count];  // explicit memory: every object is rooted through `roots` below
};

struct SizedResult {
  bool zeroed = true, aligned = true, slot = true, kept = true;
};

template <typename T, typename Fill, typename Check>
SizedResult check_sized_objects(size_t expected_slot, Fill fill, Check check) {
  auto* set = new SizedObjects<T>;
  auto* roots = new gc::Root<T>[SizedObjects<T>::count];
  SizedResult r;
  for (int i = 0; i < SizedObjects<T>::count; i++) {
    T* p = gc::make<T>();
    const auto* bytes = reinterpret_cast<const unsigned char*>(p);
    for (size_t b = 0; b < sizeof(T); b++) r.zeroed &= bytes[b] == 0;
    r.aligned &= reinterpret_cast<uintptr_t>(p) % alignof(T) == 0;
    r.slot &= gort::allocation_size(p) == expected_slot && gort::object_base(p) == p;
    fill(p, i);
    set->objects[i] = p;
    roots[i] = p;
  }
  for (int round = 0; round < 20; round++) {
    churn_and_collect();
    for (int i = 0; i < SizedObjects<T>::count; i++) r.kept &= check(set->objects[i], i);
  }
  delete[] roots;
  delete set;
  return r;
}

void print_sized(const char* name, const SizedResult& r) {
  out::println(name, "zeroed", yes(r.zeroed), "aligned", yes(r.aligned), "slot", yes(r.slot), "kept", yes(r.kept));
}

TEST_SCENARIO(small_odd_sizes) {
  print_sized("node24", check_sized_objects<Node24>(
                            24, [](Node24* p, int i) { p->i = i, p->j = ~i; },
                            [](Node24* p, int i) { return p->i == i && p->j == ~i && p->left == nullptr; }));
  print_sized("wide32", check_sized_objects<Wide32>(
                            32, [](Wide32* p, int i) { p->a = uint64_t(i) * 77; },
                            [](Wide32* p, int i) { return p->a == uint64_t(i) * 77 && p->node == nullptr; }));
  print_sized("odd40", check_sized_objects<Odd40>(
                           48, [](Odd40* p, int i) { for (uint64_t& w : p->words) w = uint64_t(i) + 5; },
                           [](Odd40* p, int i) {
                             for (uint64_t w : p->words)
                               if (w != uint64_t(i) + 5) return false;
                             return p->node == nullptr;
                           }));
  return 0;
}

TEST_SCENARIO(free_collected) {
  int* p = gc::make<int>(7);
  free(p);
  out::println("survived free");
  return 0;
}

TEST_SCENARIO(delete_collected_large) {
  uint64_t* p = gc::make_array<uint64_t>(100000);
  delete[] p;
  out::println("survived delete");
  return 0;
}

// Collected objects in flight: producers make payloads and send them through buffered
// channels to consumers, which check them; collections start on their own (the GOGC goal)
// while pointers sit in channel buffers, registers of preempted goroutines and parked
// receivers' frames.
TEST_SCENARIO(pipeline) {
  constexpr int pairs = 3;
  constexpr int items = 20000;
  int bad[pairs] = {};
  uint64_t before = gc::stats().collections;
  // Rounds until 5 collections ran during them (a concurrent cycle overlaps allocation, so
  // how many one round sees depends on how fast the marker gets the CPU), at most 20.
  for (int round = 0; round < 20 && gc::stats().collections - before < 5; round++) {
    gort::WaitGroup wg;
    gort::Channel<Payload*>* channels[pairs];
    for (int i = 0; i < pairs; i++) channels[i] = new gort::Channel<Payload*>(16);
    for (int i = 0; i < pairs; i++) {
      wg.add(2);
      gort::go([&, i] {
        for (int k = 0; k < items; k++) {
          channels[i]->send(new_payload(uint64_t(i) * items + uint64_t(k)));
          gc::make_array<uint64_t>(64);  // garbage between sends: the heap reaches its goal
        }
        channels[i]->close();
        wg.done();
      });
      gort::go([&, i] {
        Payload* p;
        while (channels[i]->receive(p))
          if (!intact(p)) bad[i]++;
        wg.done();
      });
    }
    wg.wait();
    for (int i = 0; i < pairs; i++) delete channels[i];
  }
  int total_bad = 0;
  for (int b : bad) total_bad += b;
  out::println("bad", total_bad, "collected", yes(gc::stats().collections - before >= 5));
  return 0;
}

// Goroutines allocating and checking their own structures while others collect.
TEST_SCENARIO(concurrent_mutators) {
  constexpr int workers = 4;
  gort::WaitGroup wg;
  bool ok[workers] = {};
  for (int w = 0; w < workers; w++) {
    wg.add(1);
    gort::go([&, w] {
      bool good = true;
      for (int r = 0; r < 40; r++) {
        Link* head = nullptr;
        for (uint64_t i = 0; i < 2000; i++) {
          Link* l = gc::make<Link>();
          l->value = i;
          l->next = head;
          head = l;
        }
        if (w == 0 && r % 4 == 0) gc::collect();
        uint64_t expect = 2000;
        for (Link* l = head; l != nullptr; l = l->next)
          if (l->value != --expect) good = false;
        if (expect != 0) good = false;
        gort::gosched();
      }
      ok[w] = good;
      wg.done();
    });
  }
  wg.wait();
  bool all = true;
  for (bool b : ok) all = all && b;
  out::println("intact", yes(all), "collected", yes(gc::stats().collections >= 10));
  return 0;
}

// MemStats' collector fields with Go's meanings. Before any collection: NumGC 0, no pauses,
// NextGC the first goal (4 MiB) plus explicit bytes. After 300 collections: NumGC counts
// them, PauseNs wrapped around its 256 entries (every one set, the latest at
// [(NumGC+255)%256]), PauseTotalNs at least the sum of the buffer, HeapObjects counts
// collected objects (kept ones and unreachable ones not yet swept), Mallocs - Frees stays
// HeapObjects, Frees counts what the collections reclaimed.
Link* volatile kept_list;
TEST_SCENARIO(mem_stats) {
  gort::MemStats before = gort::read_mem_stats();
  bool fresh = before.num_gc == 0 && before.pause_total_ns == 0 && before.gc_cpu_fraction == 0 &&
               before.next_gc >= (4u << 20) && before.next_gc - (4u << 20) == before.heap_alloc;
  gort::MemStats start = gort::read_mem_stats();
  Link* head = nullptr;
  for (int i = 0; i < 1000; i++) {
    Link* l = gc::make<Link>();
    l->next = head;
    head = l;
  }
  kept_list = head;
  head = nullptr;
  for (int i = 0; i < 5000; i++) garbage_sink = reinterpret_cast<Payload*>(gc::make<Link>());
  gort::MemStats made = gort::read_mem_stats();
  bool counts_collected = made.heap_objects >= start.heap_objects + 6000 && made.mallocs >= start.mallocs + 6000;
  constexpr uint32_t cycles = 300;
  for (uint32_t i = 0; i < cycles; i++) gc::collect();
  gort::MemStats after = gort::read_mem_stats();
  uint32_t collections = uint32_t(gc::stats().collections);
  bool all_set = true;
  uint64_t sum = 0;
  for (uint64_t p : after.pause_ns) {
    if (p == 0) all_set = false;
    sum += p;
  }
  // The latest pause is the last entry written: collect once more and only that slot moves.
  uint32_t next_slot = (after.num_gc + 256) % 256;
  gc::collect();
  gort::MemStats last = gort::read_mem_stats();
  bool only_next_slot_moved = true;
  for (uint32_t i = 0; i < 256; i++)
    if (i != next_slot && last.pause_ns[i] != after.pause_ns[i]) only_next_slot_moved = false;
  uint64_t live_objects = gc::stats().live_objects;
  bool heap_objects_after = after.heap_objects >= live_objects && after.heap_objects - live_objects <= start.heap_objects + 100 &&
                            after.heap_objects == after.mallocs - after.frees && after.frees >= start.frees + 4999;  // garbage_sink keeps the last
  uint64_t explicit_bytes = after.heap_alloc - gc::stats().heap_bytes;
  uint64_t goal = gc::stats().goal_bytes;
  out::println("fresh", yes(fresh), "counts_collected", yes(counts_collected), "num_gc", yes(after.num_gc == collections),
               "num_gc_counts", yes(collections >= cycles), "pauses_all_set", yes(all_set), "latest_at_num_gc_plus_255",
               yes(only_next_slot_moved && last.pause_ns[(last.num_gc + 255) % 256] != 0), "total_covers_buffer",
               yes(after.pause_total_ns >= sum), "next_gc", yes(after.next_gc == goal + explicit_bytes), "cpu_fraction",
               yes(after.gc_cpu_fraction > 0 && after.gc_cpu_fraction <= 1), "heap_objects", yes(heap_objects_after),
               "kept", yes(kept_list != nullptr));
  return 0;
}

// NextGC with GOGC=off: no goal, UINT64_MAX.
TEST_SCENARIO(mem_stats_gogc_off) {
  garbage_sink = reinterpret_cast<Payload*>(gc::make<Link>());
  out::println("next_gc_max", yes(gort::read_mem_stats().next_gc == UINT64_MAX));
  return 0;
}

// All memory the limit governs: mapped, less the heap's free runs.
uint64_t governed_bytes() {
  uint64_t mapped = gort::os_memory_stats().mapped_bytes, idle = gort::read_mem_stats().heap_idle;
  return mapped > idle ? mapped - idle : 0;
}

// GOMEMLIMIT's heap: 16 MiB kept live while 1 GiB of garbage goes by, under GOGC=400
// (its goal alone: 80 MiB of collected heap). Argument 1 sets a limit 12 MiB above all the
// memory mapped once the live set is built (the reserved stacks and maps included, which the
// limit governs too): the governed total must stay near the limit, and every collection the
// goal starts must find the heap near it (collections start only near the limit, as Go's).
// Argument 0 sets none, so the total must go far beyond where the limit would have been.
// Run with GOGC=off too: then only the limit starts collections.
TEST_SCENARIO(memory_limit_heap) {
  bool limited = scenario::argument(argc, argv, 1, 0) == 1;
  constexpr int arrays = 16384;
  live_set = gc::make_array<uint64_t*>(arrays);
  for (int i = 0; i < arrays; i++) live_set[i] = gc::make_array<uint64_t>(128);
  gc::collect();
  uint64_t room = 12u << 20;
  int64_t limit = int64_t(governed_bytes() + room);
  if (limited) gc::set_memory_limit(limit);
  uint64_t live = gc::stats().live_bytes;
  uint64_t peak_governed = 0, collections = gc::stats().collections, seen = collections;
  // The goal each collection leaves (a cycle starts on the way to it, and its mark ends near
  // it): the lowest must still be near the limit, not far below it.
  uint64_t lowest_goal = UINT64_MAX;
  for (uint64_t total = 0; total < (uint64_t(1) << 30); total += 4096) {
    garbage_sink = reinterpret_cast<Payload*>(gc::make_array<uint64_t>(512));
    gc::Stats st = gc::stats();
    if (st.collections != seen) {
      if (st.goal_bytes != 0 && st.goal_bytes < lowest_goal) lowest_goal = st.goal_bytes;
      seen = st.collections;
    }
    if ((total >> 12) % 64 == 0) {
      uint64_t g = governed_bytes();
      if (g > peak_governed) peak_governed = g;
    }
  }
  uint64_t made = gc::stats().collections - collections;
  if (gort::getenv("LIMIT_VERBOSE") != nullptr)
    out::println("peak_governed", peak_governed, "limit", limit, "lowest_goal", lowest_goal, "live", live);
  if (limited)
    out::println("collections", yes(made > 20), "governed_within_limit", yes(peak_governed <= uint64_t(limit) + (8u << 20)),
                 "goal_near_limit", yes(lowest_goal >= live + room / 2), "reported", yes(gc::set_memory_limit(-1) == limit));
  else
    out::println("beyond_limit", yes(peak_governed > uint64_t(limit) + (32u << 20)));
  return 0;
}

// GOMEMLIMIT counts explicit memory too, and the goal follows it between cycles: 4 MiB kept
// live, a limit 40 MiB above everything mapped then, GOGC=off (only the limit collects), and
// 1 GiB of collected garbage going by. Explicit memory is taken twice, 16 MiB each time,
// malloc'ed, written at once and kept: right after the limit is set (the goal must give up
// that room before a collection ends: refresh_limit_goal), and right after the third
// collection, when the last mark's garbage is still unswept (the malloc must reuse it
// before the heap grows: reclaim_pages). The governed total must stay near the limit.
TEST_SCENARIO(memory_limit_explicit) {
  constexpr int arrays = 4096;
  live_set = gc::make_array<uint64_t*>(arrays);
  for (int i = 0; i < arrays; i++) live_set[i] = gc::make_array<uint64_t>(128);
  gc::collect();
  int64_t limit = int64_t(governed_bytes() + (40u << 20));
  gc::set_memory_limit(limit);
  constexpr size_t explicit_bytes = 16u << 20;
  auto take_explicit = [] {
    char* p = static_cast<char*>(malloc(explicit_bytes));
    for (size_t i = 0; i < explicit_bytes; i += 4096) p[i] = char(i >> 12);
    return p;
  };
  char* first = take_explicit();
  char* second = nullptr;
  uint64_t peak_governed = 0, collections = gc::stats().collections;
  for (uint64_t total = 0; total < (uint64_t(1) << 30); total += 4096) {
    garbage_sink = reinterpret_cast<Payload*>(gc::make_array<uint64_t>(512));
    if (second == nullptr && gc::stats().collections >= collections + 3) second = take_explicit();
    if ((total >> 12) % 64 == 0) {
      uint64_t g = governed_bytes();
      if (g > peak_governed) peak_governed = g;
    }
  }
  bool kept = second != nullptr;
  for (size_t i = 0; kept && i < explicit_bytes; i += 4096) kept = first[i] == char(i >> 12) && second[i] == char(i >> 12);
  if (gort::getenv("LIMIT_VERBOSE") != nullptr) out::println("peak_governed", peak_governed, "limit", limit);
  out::println("collections", yes(gc::stats().collections - collections > 20), "governed_within_limit",
               yes(peak_governed <= uint64_t(limit) + (8u << 20)), "explicit_kept", yes(kept));
  free(first);
  free(second);
  return 0;
}

// A limit the program cannot meet (1 byte) over a live list of 250,000 links (4 MiB, each
// collection marks it all): the goal stays 64 KiB above the live heap, so uncapped a
// collection would start at every other 32 KiB allocation. The CPU cap lets collections run
// back to back only until its bucket is full (100 ms of them), then spaces them out (the next
// no sooner than the last one's length after it): the program finishes with far fewer.
Link* volatile impossible_live;
TEST_SCENARIO(memory_limit_impossible) {
  Link* head = nullptr;
  for (int i = 0; i < 250000; i++) {
    Link* l = gc::make<Link>();
    l->next = head;
    head = l;
  }
  impossible_live = head;
  head = nullptr;
  uint64_t before = gc::stats().collections;
  constexpr uint64_t allocations = 10000;  // 312 MiB
  for (uint64_t i = 0; i < allocations; i++) garbage_sink = reinterpret_cast<Payload*>(gc::make_array<uint64_t>(4096));
  uint64_t made = gc::stats().collections - before;
  out::println("limit", gc::set_memory_limit(-1), "collected", yes(made > 0), "capped", yes(made < allocations / 10));
  return 0;
}

// GOMEMLIMIT as Go parses it, and set_memory_limit's returns.
TEST_SCENARIO(memory_limit_read) {
  int64_t read = gc::set_memory_limit(-1);
  uint64_t cgroup = gort::memory_limit();
  bool is_cgroup_default = read == (cgroup == gort::no_memory_limit ? INT64_MAX : int64_t(cgroup));
  int64_t previous = gc::set_memory_limit(1 << 30);
  out::println("read", read, "cgroup_default", yes(is_cgroup_default), "previous", yes(previous == read), "now",
               gc::set_memory_limit(-1));
  return 0;
}

// The forced cycle, its period shortened to 20 ms: after one collection, a program that
// only sleeps still gets forced cycles (counted, up to 3; the bound on the wait is 40 s).
// The helper is a system goroutine: num_goroutine still says 1.
TEST_SCENARIO(forced_cycle) {
  gort::set_forced_collection_period(20 * 1000 * 1000);
  gc::collect();
  uint64_t before = gc::stats().collections;
  for (int i = 0; i < 8000 && gort::forced_collections() < 3; i++) gort::sleep(5 * 1000 * 1000);
  uint64_t forced = gort::forced_collections();
  out::println("forced_3", yes(forced >= 3), "counted", yes(gc::stats().collections - before >= forced), "goroutines",
               gort::num_goroutine());
  return 0;
}

// With the default period (two minutes) nothing is forced while the program sleeps briefly.
TEST_SCENARIO(forced_cycle_default) {
  gc::collect();
  for (int i = 0; i < 20; i++) gort::sleep(5 * 1000 * 1000);
  out::println("forced", gort::forced_collections(), "period_s", gort::forced_collection_period_ns() / 1000000000);
  return 0;
}

// A program that used the collector and then blocks forever still dies of Go's deadlock
// error: the parked helper is a system goroutine and does not count.
TEST_SCENARIO(forced_cycle_deadlock) {
  gort::set_forced_collection_period(1000 * 1000);
  gc::collect();
  gort::Channel<int> never;
  never.receive();
  out::println("received");
  return 0;
}
