// Scenarios for collected channels and after() (runtime/channel.h, runtime/timer.cpp,
// docs/07-collector.md, "Stacks and channels under the collector"): a Channel made with
// gc::make is reclaimed with its buffer and boxes once unreachable; what a reachable one
// buffers survives hundreds of collections; a goroutine blocked on one keeps it; a loop of
// select on after() runs in a bounded heap. Run by tests/harness/test_gc_channels.cpp at
// GOMAXPROCS 1, 2 and 4.
//
// As in tests/progs/collector.cpp, a lost object shows two ways: it is no longer allocated in
// its span (collected_object_allocated, white-box), and once its slot is handed out again to
// the churn of its size class (filled with a pattern) its checksum breaks. Targets are made in
// noinline helpers whose frames are dead once they return.
#include "payload.h"
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;
namespace gc = gort::gc;
using gort::Channel;

namespace {

constexpr int rounds = 300;
constexpr int churn = 200;

bool intact(const Payload* p) { return p != nullptr && gort::collected_object_allocated(p) && p->checksum == sum_of(p); }

// A value that is not trivially copyable, so a channel of it boxes each value: 24 bytes,
// the size of its box.
struct Boxed {
  Payload* payload = nullptr;
  uint64_t tag = 0;
  uint64_t check = 0;
  Boxed() = default;
  Boxed(Payload* p, uint64_t t) : payload(p), tag(t), check(t * 0x9e3779b97f4a7c15ULL ^ reinterpret_cast<uintptr_t>(p)) {}
  Boxed(const Boxed& o) : payload(o.payload), tag(o.tag), check(o.check) {}
  Boxed& operator=(const Boxed& o) = default;
  bool ok() const { return check == (tag * 0x9e3779b97f4a7c15ULL ^ reinterpret_cast<uintptr_t>(payload)) && intact(payload); }
};
static_assert(!std::is_trivially_copyable_v<Boxed>);

void* volatile garbage_sink;
// One round: garbage of the targets' classes (payloads, boxes, channel objects), filled with
// a pattern, then a collection.
__attribute__((noinline)) void churn_and_collect() {
  for (int i = 0; i < churn; i++) {
    Payload* g = gc::make<Payload>();
    for (uint64_t& w : g->words) w = 0xdeadbeefdeadbeefULL;
    g->checksum = 1;
    garbage_sink = g;
    auto* b = gc::make<Boxed>();  // a box's class (scanned, 24 bytes)
    b->tag = b->check = 0xdeadbeefdeadbeefULL;
    garbage_sink = b;
  }
  garbage_sink = nullptr;
  gc::collect();
}

const char* yes(bool b) { return b ? "true" : "false"; }

// Heap in use, explicit and collected (a leak of either kind shows here).
uint64_t heap_alloc() { return gort::read_mem_stats().heap_alloc; }

// --- Making and dropping collected channels ---

constexpr int capacity = 8;

// One channel's life: made collected, filled with payloads (or boxed values holding them),
// half drained and checked, then dropped full of pointers. Returns false if a value came back
// wrong.
__attribute__((noinline)) bool one_channel(uint64_t seed, bool boxed) {
  GORT_STACK_CHECK();
  bool ok = true;
  if (boxed) {
    auto* ch = gc::make<Channel<Boxed>>(capacity);
    for (int i = 0; i < capacity; i++) ch->send(Boxed(new_payload(seed + uint64_t(i)), seed + uint64_t(i)));
    for (int i = 0; i < capacity / 2; i++) {
      Boxed b = ch->receive();
      ok = ok && b.ok() && b.tag == seed + uint64_t(i);
    }
  } else {
    auto* ch = gc::make<Channel<Payload*>>(capacity);
    for (int i = 0; i < capacity; i++) ch->send(new_payload(seed + uint64_t(i)));
    for (int i = 0; i < capacity / 2; i++) {
      Payload* p = ch->receive();
      ok = ok && intact(p) && seed_of(p) == seed + uint64_t(i);
    }
  }
  return ok;
}

// Workers make and drop `per_worker` channels each (a quarter of them boxed): 4 * 20,000
// channels of 8 pointers, about 60 MB made in all. Unreclaimed (an explicit core, a buffer
// kept as a root) they would hold about half of that; the heap must stay near its 4 MiB goal.
TEST_SCENARIO(dropped_channels) {
  constexpr int workers = 4, per_worker = 20000;
  gc::collect();
  uint64_t baseline = heap_alloc();
  gc::Stats before = gc::stats();
  gort::WaitGroup wg;
  bool ok[workers] = {};
  uint64_t peak[workers] = {};
  for (int w = 0; w < workers; w++) {
    wg.add(1);
    gort::go([&, w] {
      bool good = true;
      for (int i = 0; i < per_worker; i++) {
        good = one_channel(uint64_t(w) << 32 | uint64_t(i) * capacity, i % 4 == 0) && good;
        if (i % 256 == 0) {  // (MemStats is too large for a goroutine's first segment)
          uint64_t h = gc::stats().heap_bytes;
          if (h > peak[w]) peak[w] = h;
        }
      }
      ok[w] = good;
      wg.done();
    });
  }
  wg.wait();
  gc::collect();
  gc::collect();
  gc::Stats after = gc::stats();
  bool all_ok = true;
  uint64_t highest = 0;
  for (int w = 0; w < workers; w++) {
    all_ok = all_ok && ok[w];
    if (peak[w] > highest) highest = peak[w];
  }
  // Each channel: its Channel, its core with buffer, 8 payloads, and (boxed) 8 boxes.
  uint64_t made = uint64_t(workers) * per_worker * (2 + capacity);
  uint64_t end = heap_alloc();
  out::println("values_ok", yes(all_ok), "collections", yes(after.collections - before.collections >= 5), "reclaimed",
               yes(after.freed_objects - before.freed_objects >= made * 9 / 10), "peak_under_16MiB",
               yes(highest < (16u << 20)), "back_near_baseline", yes(end < baseline + (256u << 10)));
  return 0;
}

// --- What a reachable collected channel buffers survives ---

Channel<Payload*>* kept_pointers;  // globals: data is scanned, the channels are reachable
Channel<Boxed>* kept_boxed;
constexpr int kept = 32;

__attribute__((noinline)) void plant_kept() {
  kept_pointers = gc::make<Channel<Payload*>>(kept);
  kept_boxed = gc::make<Channel<Boxed>>(kept);
  for (int i = 0; i < kept; i++) {
    kept_pointers->send(new_payload(1000 + uint64_t(i)));
    kept_boxed->send(Boxed(new_payload(2000 + uint64_t(i)), uint64_t(i)));
  }
}

// Takes every value out, checks it, and puts it back; then, if `turn`, moves the oldest to
// the back once more, so the ring's start moves and `offset` (the seed of the oldest) with it.
__attribute__((noinline)) bool check_and_turn(int offset, bool turn) {
  bool ok = kept_pointers->length() == kept && kept_boxed->length() == kept;
  for (int i = 0; i < kept; i++) {
    int k = (i + offset) % kept;
    Payload* p = kept_pointers->receive();
    ok = ok && intact(p) && seed_of(p) == 1000 + uint64_t(k);
    kept_pointers->send(p);
    Boxed b = kept_boxed->receive();
    ok = ok && b.ok() && b.tag == uint64_t(k) && seed_of(b.payload) == 2000 + uint64_t(k);
    kept_boxed->send(b);
  }
  if (turn) {
    kept_pointers->send(kept_pointers->receive());
    kept_boxed->send(kept_boxed->receive());
  }
  return ok;
}

TEST_SCENARIO(reachable_buffer) {
  plant_kept();
  uint64_t before = gc::stats().freed_objects;
  bool ok = true;
  int offset = 0;
  for (int r = 0; r < rounds; r++) {
    churn_and_collect();
    bool turn = r % 3 == 0;
    ok = check_and_turn(offset, turn) && ok;
    if (turn) offset = (offset + 1) % kept;
  }
  bool allocated = gort::collected_object_allocated(kept_pointers) && gort::collected_object_allocated(kept_pointers->core()) &&
                   gort::collected_object_allocated(kept_boxed->core());
  out::println("intact", yes(ok), "channels_allocated", yes(allocated), "reclaimed",
               yes(gc::stats().freed_objects - before >= uint64_t(rounds - 1) * churn * 2));
  return 0;
}

// --- A channel referenced only by goroutines blocked on it ---

uintptr_t hidden_buffered, hidden_unbuffered;  // addresses scrambled: not pointers
constexpr uintptr_t scramble = 0x5555555555555555ULL;
uint32_t blocked_ready;  // atomic: goroutines that have published their channel

// Fills a collected channel, publishes its address scrambled, and blocks sending one more.
__attribute__((noinline)) void blocked_sender(gort::WaitGroup* wg) {
  auto* ch = gc::make<Channel<Payload*>>(4);
  for (int i = 0; i < 4; i++) ch->send(new_payload(3000 + uint64_t(i)));
  __atomic_store_n(&hidden_buffered, reinterpret_cast<uintptr_t>(ch) ^ scramble, __ATOMIC_RELAXED);
  __atomic_add_fetch(&blocked_ready, 1, __ATOMIC_RELEASE);
  ch->send(new_payload(3004));  // blocks until main receives
  wg->done();
}

// Publishes an unbuffered collected channel of boxed values and blocks receiving from it.
__attribute__((noinline)) void blocked_receiver(gort::WaitGroup* wg, bool* ok) {
  auto* ch = gc::make<Channel<Boxed>>(0);
  __atomic_store_n(&hidden_unbuffered, reinterpret_cast<uintptr_t>(ch) ^ scramble, __ATOMIC_RELAXED);
  __atomic_add_fetch(&blocked_ready, 1, __ATOMIC_RELEASE);
  Boxed b = ch->receive();  // blocks until main sends
  *ok = b.ok() && b.tag == 77 && seed_of(b.payload) == 4000;
  wg->done();
}

__attribute__((noinline)) void send_boxed(Channel<Boxed>* ch) { ch->send(Boxed(new_payload(4000), 77)); }

TEST_SCENARIO(blocked_goroutine_keeps_channel) {
  gort::WaitGroup wg;
  bool received_ok = false;
  wg.add(2);
  gort::go(blocked_sender, &wg);
  gort::go(blocked_receiver, &wg, &received_ok);
  while (__atomic_load_n(&blocked_ready, __ATOMIC_ACQUIRE) != 2) gort::gosched();
  for (int i = 0; i < 10; i++) gort::gosched();  // let both reach their park
  uint64_t before = gc::stats().freed_objects;
  for (int r = 0; r < rounds; r++) churn_and_collect();
  auto* buffered = reinterpret_cast<Channel<Payload*>*>(__atomic_load_n(&hidden_buffered, __ATOMIC_RELAXED) ^ scramble);
  auto* unbuffered = reinterpret_cast<Channel<Boxed>*>(__atomic_load_n(&hidden_unbuffered, __ATOMIC_RELAXED) ^ scramble);
  bool allocated = gort::collected_object_allocated(buffered->core()) && gort::collected_object_allocated(unbuffered->core());
  bool ok = buffered->length() == 4;
  for (int i = 0; i < 5; i++) {
    Payload* p = buffered->receive();
    ok = ok && intact(p) && seed_of(p) == 3000 + uint64_t(i);
  }
  send_boxed(unbuffered);
  wg.wait();
  out::println("allocated", yes(allocated), "intact", yes(ok && received_ok), "reclaimed",
               yes(gc::stats().freed_objects - before >= uint64_t(rounds - 1) * churn * 2));
  return 0;
}

// --- Boxes held only by a large select's records ---

// Six collected unbuffered channels of boxed values; a goroutine selects to send on all six
// (more than four cases: its records, the boxes among them, are in a block of their own)
// while main collects with churn of the boxes' class, then receives one.
TEST_SCENARIO(select_many_boxed) {
  constexpr int cases = 6;
  Channel<Boxed>* channels[cases];
  for (auto& c : channels) c = gc::make<Channel<Boxed>>(0);
  gort::WaitGroup wg;
  int chosen = -1;
  wg.add(1);
  gort::go([&] {
    Boxed values[cases];
    for (int i = 0; i < cases; i++) values[i] = Boxed(new_payload(5000 + uint64_t(i)), uint64_t(i));
    chosen = gort::select({gort::on_send(channels[0], &values[0]), gort::on_send(channels[1], &values[1]),
                           gort::on_send(channels[2], &values[2]), gort::on_send(channels[3], &values[3]),
                           gort::on_send(channels[4], &values[4]), gort::on_send(channels[5], &values[5])});
    wg.done();
  });
  for (int i = 0; i < 10; i++) gort::gosched();
  for (int r = 0; r < rounds; r++) churn_and_collect();
  Boxed b = channels[3]->receive();
  wg.wait();
  out::println("chosen", chosen, "intact", yes(b.ok() && b.tag == 3 && seed_of(b.payload) == 5003));
  return 0;
}

// --- after() in a loop ---

// 100,000 selects on a fresh after() (and on a channel that never receives): every timer
// fires and its channel and record become garbage. Unreclaimed, they would be about 20 MB.
TEST_SCENARIO(after_loop) {
  constexpr int loops = 100000;
  gc::collect();
  uint64_t baseline = heap_alloc(), peak = 0;
  gc::Stats before = gc::stats();
  Channel<int> never(0);  // explicit, on main's stack: unchanged behaviour beside collected ones
  int64_t last = 0;
  bool ordered = true;
  for (int i = 0; i < loops; i++) {
    int64_t now = 0;
    int dummy = 0;
    int chosen = gort::select({gort::on_receive(&never, &dummy), gort::on_receive(gort::after(i % 100 == 0 ? 1000 : 0), &now)});
    ordered = ordered && chosen == 1 && now >= last;
    last = now;
    if (i % 1000 == 0) {
      uint64_t h = heap_alloc();
      if (h > peak) peak = h;
    }
  }
  gc::collect();
  gc::Stats after = gc::stats();
  out::println("fired_in_order", yes(ordered), "collections", yes(after.collections - before.collections >= 3), "reclaimed",
               yes(after.freed_objects - before.freed_objects >= uint64_t(loops) * 9 / 10 * 2), "peak_under_16MiB",
               yes(peak < baseline + (16u << 20)), "back_near_baseline", yes(heap_alloc() < baseline + (256u << 10)));
  return 0;
}

// A collected channel whose Channel is a member of a collected object, and a gc::make<Timer>:
// both collected by where they live, and both work as their explicit twins.
struct WithChannel {
  uint64_t before = 0x1111;
  Channel<int> channel{2};
  uint64_t after = 0x2222;
};

TEST_SCENARIO(member_and_timer) {
  auto* w = gc::make<WithChannel>();
  w->channel.send(5);
  w->channel.send(6);
  bool member = gort::is_collected(w->channel.core()) && w->channel.receive() == 5 && w->channel.receive() == 6;
  auto* t = gc::make<gort::Timer>(1000);
  int64_t when = t->channel().receive();
  Channel<int> plain(1);
  bool explicit_stays = !gort::is_collected(plain.core());
  out::println("member", yes(member), "timer", yes(when > 0 && gort::is_collected(t->channel().core())), "explicit",
               yes(explicit_stays));
  return 0;
}

}  // namespace

// A pending collected timer nobody else points to is kept by the timer heap; stopped, it is
// garbage. (Its channel would otherwise be written by a timer in freed memory.)
uintptr_t hidden_timer;
__attribute__((noinline)) void plant_timer() {
  hidden_timer = reinterpret_cast<uintptr_t>(gc::make<gort::Timer>(int64_t(3600) * 1000000000)) ^ scramble;
}
gort::Timer* unhidden_timer() { return reinterpret_cast<gort::Timer*>(hidden_timer ^ scramble); }

TEST_SCENARIO(pending_timer_kept) {
  plant_timer();
  for (int r = 0; r < rounds; r++) churn_and_collect();
  bool kept_pending = gort::collected_object_allocated(unhidden_timer()) &&
                      gort::collected_object_allocated(unhidden_timer()->channel().core());
  bool stopped = unhidden_timer()->stop();
  churn_and_collect();
  churn_and_collect();
  bool reclaimed = !gort::collected_object_allocated(unhidden_timer());
  out::println("kept_pending", yes(kept_pending), "stopped", yes(stopped), "reclaimed_after_stop", yes(reclaimed));
  return 0;
}

// A cycle through a channel dies with it: an object in a collected channel's buffer that
// points back to the channel keeps neither alive once nothing else does.
struct BackPointer {
  Channel<BackPointer*>* channel;
  uint64_t tag;
};
uintptr_t hidden_cycle_channel, hidden_cycle_object;
__attribute__((noinline)) void plant_cycle() {
  auto* ch = gc::make<Channel<BackPointer*>>(1);
  auto* b = gc::make<BackPointer>(BackPointer{ch, 42});
  ch->send(b);
  hidden_cycle_channel = reinterpret_cast<uintptr_t>(ch) ^ scramble;
  hidden_cycle_object = reinterpret_cast<uintptr_t>(b) ^ scramble;
}

TEST_SCENARIO(cycle_through_channel) {
  plant_cycle();
  churn_and_collect();
  churn_and_collect();
  auto* ch = reinterpret_cast<const void*>(hidden_cycle_channel ^ scramble);
  auto* b = reinterpret_cast<const void*>(hidden_cycle_object ^ scramble);
  out::println("channel_reclaimed", yes(!gort::collected_object_allocated(ch)), "object_reclaimed",
               yes(!gort::collected_object_allocated(b)));
  return 0;
}
