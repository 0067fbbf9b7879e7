// Scenarios for channels and select, in the style of Go's classic channel tests. Run by
// tests/harness/test_channels.cpp.
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;

namespace {

// The concurrent prime sieve: a generator feeds 2, 3, 4, ... into a chain of filters; each
// prime found adds a filter that drops its multiples (Go's doc/play/sieve.go).
void generate(gort::Channel<int>* ch) {
  for (int i = 2;; i++) ch->send(i);
}

void filter(gort::Channel<int>* in, gort::Channel<int>* out_channel, int prime) {
  for (;;) {
    int i = in->receive();
    if (i % prime != 0) out_channel->send(i);
  }
}

// An element type that is not trivially copyable: it owns heap memory, and `live` counts the
// values that own some, so a leaked or doubly freed value shows.
struct Tracked {
  static inline long live = 0;  // atomic
  long* data = nullptr;
  Tracked() = default;  // the zero value: owns nothing
  explicit Tracked(long v) : data(new long(v)) { __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED); }
  Tracked(const Tracked& other) : data(other.data ? new long(*other.data) : nullptr) {
    if (data) __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
  }
  Tracked& operator=(Tracked&& other) {
    if (this != &other) {
      drop();
      data = other.data;
      other.data = nullptr;
    }
    return *this;
  }
  ~Tracked() { drop(); }
  void drop() {
    if (data == nullptr) return;
    delete data;
    data = nullptr;
    __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
  }
  long value() const { return data ? *data : -1; }
};

}  // namespace

TEST_SCENARIO(prime_sieve) {
  long n = scenario::argument(argc, argv, 1, 1000);
  auto* ch = new gort::Channel<int>();
  gort::go(generate, ch);
  long sum = 0;
  int last = 0;
  for (long i = 0; i < n; i++) {
    int prime = ch->receive();
    sum += prime;
    last = prime;
    auto* next = new gort::Channel<int>();
    gort::go(filter, ch, next, prime);
    ch = next;
  }
  out::println("primes", n, "last", last, "sum", sum);
  return 0;
}

// Producers send 1..N each into one channel; consumers add what they receive and report on
// a results channel; main adds the results.
// Argument: the work channel's capacity (default 64; 0 is unbuffered).
TEST_SCENARIO(fan_in_out) {
  constexpr int producers = 8, consumers = 4, per_producer = 20000;
  uint32_t capacity = uint32_t(scenario::argument(argc, argv, 1, 64));
  gort::Channel<long> work(capacity), results;
  gort::WaitGroup produced;
  produced.add(producers);
  for (int p = 0; p < producers; p++)
    gort::go([&] {
      for (long i = 1; i <= per_producer; i++) work.send(i);
      produced.done();
    });
  for (int c = 0; c < consumers; c++)
    gort::go([&] {
      long sum = 0;
      for (long v : work) sum += v;
      results.send(sum);
    });
  produced.wait();
  work.close();
  long total = 0;
  for (int c = 0; c < consumers; c++) total += results.receive();
  out::println("total", total, "expected", long(producers) * per_producer * (per_producer + 1) / 2);
  return 0;
}

// Four always-ready channels: over 100,000 selects each must be chosen about a quarter of the
// time (within a few percent).
TEST_SCENARIO(select_fairness) {
  constexpr int rounds = 100000;
  gort::Channel<int> a(1), b(1), c(1), d(1);
  gort::Channel<int>* all[4] = {&a, &b, &c, &d};
  long chosen[4] = {};
  for (auto* ch : all) ch->send(1);
  for (int r = 0; r < rounds; r++) {
    int va, vb, vc, vd;
    int i = gort::select({gort::on_receive(&a, &va), gort::on_receive(&b, &vb), gort::on_receive(&c, &vc),
                          gort::on_receive(&d, &vd)});
    chosen[i]++;
    all[i]->send(1);  // ready again
  }
  bool fair = true;
  for (long n : chosen) fair = fair && n > rounds / 4 * 95 / 100 && n < rounds / 4 * 105 / 100;
  out::println("fair", fair, "counts", chosen[0], chosen[1], chosen[2], chosen[3]);
  return 0;
}

TEST_SCENARIO(nonblocking) {
  gort::Channel<int> buffered(1), unbuffered;
  int v = 0;
  bool sent_first = buffered.try_send(1), sent_full = buffered.try_send(2);
  bool got = buffered.try_receive(v), got_empty = buffered.try_receive(v);
  bool unbuffered_send = unbuffered.try_send(3);  // nobody waiting
  int chosen = gort::select_default({gort::on_receive(&unbuffered, &v)});
  gort::Channel<int>* nil = nullptr;
  int nil_chosen = gort::select_default({gort::on_send(nil, &v), gort::on_receive(nil, &v)});
  out::println(sent_first, sent_full, got, v, got_empty, unbuffered_send, chosen, nil_chosen);
  return 0;
}

// Receivers of a closed channel drain the buffer, then get the zero value and ok = false;
// a receiver blocked when the channel closes is woken the same way.
TEST_SCENARIO(close_semantics) {
  gort::Channel<int> ch(3);
  ch.send(10);
  ch.send(20);
  ch.send(30);
  ch.close();
  int v = -1;
  bool ok1 = ch.receive(v);
  int a = v;
  bool ok2 = ch.receive(v);
  int b = v;
  bool ok3 = ch.receive(v);
  int c = v;
  bool ok4 = ch.receive(v);
  out::println(ok1, a, ok2, b, ok3, c, ok4, v, "len", ch.length(), "cap", ch.capacity());
  gort::Channel<int> blocked;
  bool woken_ok = true;
  int woken_value = -1;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    woken_ok = blocked.receive(woken_value);
    wg.done();
  });
  gort::gosched();
  blocked.close();
  wg.wait();
  gort::Channel<int> ranged(10);
  for (int i = 1; i <= 5; i++) ranged.send(i);
  ranged.close();
  int sum = 0;
  for (int x : ranged) sum += x;
  out::println("woken", woken_ok, woken_value, "range_sum", sum);
  return 0;
}

// select waits on two channels and is woken by the first to be ready.
TEST_SCENARIO(select_waits) {
  gort::Channel<int> first, second;
  gort::go([&] {
    for (int i = 0; i < 100; i++) gort::gosched();
    second.send(42);
  });
  int a = 0, b = 0;
  int i = gort::select({gort::on_receive(&first, &a), gort::on_receive(&second, &b)});
  // And a send case: a receiver appears later.
  gort::Channel<int> sink;
  int got = 0;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    got = sink.receive();
    wg.done();
  });
  int seven = 7;
  int j = gort::select({gort::on_receive(&first, &a), gort::on_send(&sink, &seven)});
  wg.wait();
  out::println("first_ready", i, b, "send_case", j, got);
  return 0;
}

// Selects in fresh goroutines, whose stack is a first 2 KiB segment: each of 100 workers
// waits in a two-case select (its own channel and one nobody sends on), then in a twelve-case
// select over shared channels (records on the heap). Every value must arrive exactly once,
// through the case of the channel it was sent on. Then one goroutine selects over 300
// channels, of which one becomes ready.
TEST_SCENARIO(select_in_goroutines) {
  constexpr int workers = 100;
  auto* own = new gort::Channel<int>[workers];
  gort::Channel<int> silent;
  gort::Channel<int> w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11;
  gort::Channel<int>* wide[12] = {&w0, &w1, &w2, &w3, &w4, &w5, &w6, &w7, &w8, &w9, &w10, &w11};
  long own_sum = 0, wide_sum = 0, mismatches = 0;
  gort::WaitGroup wg;
  wg.add(workers);
  for (int w = 0; w < workers; w++) {
    gort::go([&, w] {
      int v = -1, never = 0;
      int i = gort::select({gort::on_receive(&silent, &never), gort::on_receive(&own[w], &v)});
      if (i != 1) __atomic_add_fetch(&mismatches, 1, __ATOMIC_RELAXED);
      int x = -1;
      int k = gort::select({gort::on_receive(wide[0], &x), gort::on_receive(wide[1], &x), gort::on_receive(wide[2], &x),
                            gort::on_receive(wide[3], &x), gort::on_receive(wide[4], &x), gort::on_receive(wide[5], &x),
                            gort::on_receive(wide[6], &x), gort::on_receive(wide[7], &x), gort::on_receive(wide[8], &x),
                            gort::on_receive(wide[9], &x), gort::on_receive(wide[10], &x), gort::on_receive(wide[11], &x)});
      if (k != x % 12) __atomic_add_fetch(&mismatches, 1, __ATOMIC_RELAXED);
      __atomic_add_fetch(&own_sum, v, __ATOMIC_RELAXED);
      __atomic_add_fetch(&wide_sum, x, __ATOMIC_RELAXED);
      wg.done();
    });
  }
  for (int w = 0; w < workers; w++) own[w].send(w);
  for (int v = 0; v < workers; v++) wide[v % 12]->send(v);
  wg.wait();
  // A select over 300 channels built at run time, in a fresh goroutine: only one is ready.
  constexpr int many = 300;
  auto* channels = new gort::Channel<int>[many];
  auto* cases = new gort::SelectCase[many];
  int got = -1, chosen = -1;
  for (int k = 0; k < many; k++) cases[k] = gort::on_receive(&channels[k], &got);
  wg.add(1);
  gort::go([&] {
    chosen = gort::select_cases(cases, many, false);
    wg.done();
  });
  channels[237].send(1237);
  wg.wait();
  if (chosen != 237 || got != 1237) mismatches++;
  out::println("own_sum", own_sum, "wide_sum", wide_sum, "mismatches", mismatches);
  return 0;
}

// Channels of a type that is not trivially copyable (boxed, see Channel<T> in gort.h):
// buffered and unbuffered transfer, select with send and receive cases, close, and a channel
// destroyed with values still in it. Every value is accounted for at the end (live 0).
TEST_SCENARIO(boxed_elements) {
  long buffered_sum = 0, unbuffered_sum = 0;
  {
    gort::Channel<Tracked> ch(8), unbuffered;
    gort::WaitGroup sender_done;  // the sender's last temporary dies after its receiver runs on
    sender_done.add(1);
    gort::go([&] {
      for (long i = 1; i <= 1000; i++) ch.send(Tracked(i));
      ch.close();
      for (long i = 1; i <= 100; i++) unbuffered.send(Tracked(i));
      sender_done.done();
    });
    for (const Tracked& t : ch) buffered_sum += t.value();
    for (int i = 0; i < 100; i++) unbuffered_sum += unbuffered.receive().value();
    sender_done.wait();
  }
  long select_got = 0;
  int send_choice = -1;
  {
    gort::Channel<Tracked> full(1), empty(1), source(1);
    full.send(Tracked(7));           // full: a send case on it cannot proceed
    source.send(Tracked(42));
    Tracked into, offered(5), other(6);
    int i = gort::select({gort::on_receive(&empty, &into), gort::on_receive(&source, &into)});
    select_got = i == 1 ? into.value() : -2;
    // One send case can proceed (empty has room), the other cannot: its box is discarded.
    send_choice = gort::select({gort::on_send(&full, &other), gort::on_send(&empty, &offered)});
    Tracked check;
    if (!empty.try_receive(check) || check.value() != 5) send_choice = -3;
  }  // `full` still holds Tracked(7): destroyed with the channel
  long closed_value = 0;
  bool closed_ok = true;
  {
    gort::Channel<Tracked> ch(2);
    ch.send(Tracked(1));
    ch.close();
    Tracked t;
    ch.receive(t);
    closed_ok = ch.receive(t);
    closed_value = t.value();
    Tracked u(9);
    int i = gort::select({gort::on_receive(&ch, &u)});  // closed: the zero value
    if (i != 0 || u.value() != -1) closed_value = -100;
  }
  out::println("buffered", buffered_sum, "unbuffered", unbuffered_sum, "select", select_got, "send_case", send_choice,
               "closed", closed_value, closed_ok, "live", __atomic_load_n(&Tracked::live, __ATOMIC_RELAXED));
  return 0;
}

// Ping-pong between two goroutines over unbuffered channels, many times, on whatever
// GOMAXPROCS the harness sets.
TEST_SCENARIO(ping_pong) {
  long rounds = scenario::argument(argc, argv, 1, 100000);
  gort::Channel<long> ping, pong;
  gort::go([&] {
    for (;;) pong.send(ping.receive() + 1);
  });
  long v = 0;
  for (long i = 0; i < rounds; i++) {
    ping.send(v);
    v = pong.receive();
  }
  out::println("value", v);
  return 0;
}

TEST_SCENARIO(send_on_closed) {
  gort::Channel<int> ch(1);
  ch.close();
  ch.send(1);
  return 0;
}

TEST_SCENARIO(close_closed) {
  gort::Channel<int> ch;
  ch.close();
  ch.close();
  return 0;
}

TEST_SCENARIO(close_nil) {
  gort::channel_close(nullptr);
  return 0;
}

// A sender blocked on a channel that another goroutine closes panics too. main then blocks
// for good: the sender's panic must end the process (were it missing, the deadlock report
// would end it instead, with another message).
TEST_SCENARIO(blocked_sender_closed) {
  static gort::Channel<int> ch;
  gort::go([] { ch.send(1); });
  gort::gosched();  // usually the sender parks in its send first; if not, it panics on sending
  ch.close();
  gort::Channel<int> never;
  never.receive();
  return 0;
}

TEST_SCENARIO(deadlock_receive) {
  gort::Channel<int> ch;
  ch.receive();
  return 0;
}

TEST_SCENARIO(deadlock_nil_and_empty_select) {
  gort::go([] {
    int v;
    gort::channel_receive(nullptr, &v, nullptr, true);  // a receive from a nil channel
  });
  gort::select({});
  return 0;
}

// --- Time ---

// Ten sleeps of 10 ms each take at least 10 ms each.
// Ten sleeps of 10 ms: none may be shorter, and the median may not be much longer. The median,
// not the mean or the maximum: a loaded machine may delay any one wake-up, but a timer that
// is late by design (polled, or rounded up) is late every time.
TEST_SCENARIO(sleep_durations) {
  constexpr int n = 10;
  int64_t took[n];
  for (int i = 0; i < n; i++) {
    int64_t start = gort::nanotime();
    gort::sleep(10 * 1000 * 1000);
    took[i] = gort::nanotime() - start;
  }
  for (int i = 1; i < n; i++)  // insertion sort
    for (int j = i; j > 0 && took[j] < took[j - 1]; j--) {
      int64_t t = took[j];
      took[j] = took[j - 1];
      took[j - 1] = t;
    }
  out::println("at_least_10ms", took[0] >= 10 * 1000 * 1000, "median_under_20ms", took[n / 2] < 20 * 1000 * 1000);
  return 0;
}

// 10,000 timers with shuffled deadlines over about 200 ms fire in deadline order.
TEST_SCENARIO(timer_order) {
  constexpr int n = 10000;
  static gort::TimerRecord timers[n];
  static int fired_order[n];
  static int fired = 0;
  gort::Channel<int> done(1);
  int64_t base = gort::nanotime() + 20 * 1000 * 1000;
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    timers[i] = gort::TimerRecord{base + int64_t(x % 200000) * 1000, 0,
                                  [](gort::TimerRecord* t, int64_t) {
                                    fired_order[fired++] = int(t - timers);
                                    if (fired == n) static_cast<gort::Channel<int>*>(t->arg)->try_send(1);
                                  },
                                  &done, nullptr, -1};
    gort::timer_start(&timers[i]);
  }
  done.receive();
  long out_of_order = 0;
  for (int i = 1; i < n; i++) out_of_order += timers[fired_order[i]].when < timers[fired_order[i - 1]].when;
  out::println("fired", fired, "out_of_order", out_of_order);
  return 0;
}

// Timers, tickers, after, stop and reset.
TEST_SCENARIO(timers_and_tickers) {
  int64_t start = gort::nanotime();
  gort::Timer timer(20 * 1000 * 1000);
  int64_t fired = timer.channel().receive();
  bool timer_ok = fired - start >= 20 * 1000 * 1000;
  gort::Ticker ticker(5 * 1000 * 1000);
  int64_t previous = start, ticks_ok = 1;
  for (int i = 0; i < 5; i++) {
    int64_t t = ticker.channel().receive();
    ticks_ok &= t > previous;
    previous = t;
  }
  ticker.stop();
  gort::Timer stopped(1000 * 1000 * 1000);
  bool stop_first = stopped.stop(), stop_again = stopped.stop();
  bool reset_was_active = stopped.reset(1000 * 1000);
  stopped.channel().receive();
  gort::after(5 * 1000 * 1000)->receive();
  // select on a timer and a channel nobody sends on: the timer wins
  gort::Channel<int> silent;
  gort::Timer timeout(10 * 1000 * 1000);
  int v;
  int64_t now;
  int chosen = gort::select({gort::on_receive(&silent, &v), gort::on_receive(&timeout.channel(), &now)});
  out::println("timer", timer_ok, "ticks", ticks_ok == 1, "stop", stop_first, stop_again, "reset", reset_was_active,
               "select_timeout", chosen);
  return 0;
}

// An idle program waiting for a timer sleeps in the kernel: 300 ms of waiting costs almost no
// CPU time, and it is not reported as deadlocked.
TEST_SCENARIO(idle_timer_wait) {
  auto cpu_ns = [] {
    gort::sys::Timespec ts{};
    gort::sys::clock_gettime(2 /* CLOCK_PROCESS_CPUTIME_ID */, &ts);
    return ts.seconds * 1000000000 + ts.nanoseconds;
  };
  int64_t cpu_before = cpu_ns();
  gort::Timer timer(300 * 1000 * 1000);
  timer.channel().receive();
  int64_t cpu_used = cpu_ns() - cpu_before;
  out::println("cpu_under_50ms", cpu_used < 50 * 1000 * 1000);
  return 0;
}
