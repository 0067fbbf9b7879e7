// The C++ standard library in a gort program: one scenario per header that people reach for,
// each exercising growth past the first allocation and, where the library would throw, the
// panic that replaces the exception (docs/06-cxx.md). Run by tests/harness/test_cxx_library.cpp.
// scenario.h first: its white-box header (runtime/testing.h) names system calls SYS_read...,
// which glibc's <sys/syscall.h> (reached through <atomic>) defines as macros.
#include "scenario.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

using gort::fmt::println;

TEST_SCENARIO(vector) {
  std::vector<int> v;
  for (int i = 0; i < 100001; i++) v.push_back(i * 3);
  long sum = 0;
  for (int x : v) sum += x;
  v.erase(v.begin(), v.begin() + 1);
  v.resize(7);
  v.shrink_to_fit();
  std::vector<std::vector<long>> nested(3, std::vector<long>(5, 2));
  println(sum, v.size(), v.at(6), nested[2][4]);
  return 0;
}

TEST_SCENARIO(vector_at_out_of_range) {
  std::vector<int> v{1, 2, 3};
  long index = scenario::argument(argc, argv, 1, 5);
  println("at", v.at(size_t(index)));  // panics: the library would throw std::out_of_range
  return 0;
}

TEST_SCENARIO(vector_too_long) {
  std::vector<int> v;
  v.reserve(size_t(1) << 62);  // beyond max_size(): std::length_error
  return 0;
}

TEST_SCENARIO(string) {
  std::string s = "short";
  for (int i = 0; i < 1000; i++) s += char('a' + i % 26);  // past the 15-byte inline buffer
  std::string copy = s.substr(5, 26);
  s.insert(0, "prefix-");
  println(s.size(), copy.c_str(), s.find("xyz"), s.rfind("abc"), std::to_string(-12345).c_str());
  std::string t = s;
  t.replace(0, 7, "");
  println(t.compare(0, 5, "short") == 0, (std::string(3, 'z') + "!").c_str());
  return 0;
}

TEST_SCENARIO(string_at_out_of_range) {
  std::string s = "gort";
  println(s.at(size_t(scenario::argument(argc, argv, 1, 10))));
  return 0;
}

TEST_SCENARIO(string_view) {
  std::string_view text = "alpha,beta,,gamma";
  int fields = 0;
  size_t longest = 0;
  while (true) {
    size_t comma = text.find(',');
    std::string_view field = text.substr(0, comma);
    fields++;
    longest = std::max(longest, field.size());
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  println(fields, longest, std::string(text).c_str(), std::string_view("abc") < std::string_view("abd"));
  return 0;
}

TEST_SCENARIO(array) {
  std::array<int, 5> a{5, 3, 1, 4, 2};
  std::sort(a.begin(), a.end());
  println(a[0], a[4], a.size(), std::accumulate(a.begin(), a.end(), 0), a.at(2));
  return 0;
}

TEST_SCENARIO(deque) {
  std::deque<long> d;
  for (long i = 0; i < 50000; i++) {
    d.push_back(i);
    d.push_front(-i);
  }
  for (int i = 0; i < 1000; i++) d.pop_front();
  println(d.size(), d.front(), d.back(), d[50000]);
  return 0;
}

TEST_SCENARIO(list) {
  std::list<int> l;
  for (int i = 0; i < 10000; i++) l.push_back(i % 100);
  l.sort();
  l.unique();
  l.remove_if([](int x) { return x % 2 == 1; });
  l.reverse();
  println(l.size(), l.front(), l.back());
  return 0;
}

TEST_SCENARIO(map) {
  std::map<int, long> m;
  for (int i = 0; i < 100000; i++) m[(i * 7919) % 100000] = i;
  long check = 0;
  int previous = -1;
  bool ordered = true;
  for (auto& [key, value] : m) {
    if (key <= previous) ordered = false;
    previous = key;
    check += value;
  }
  for (int i = 0; i < 100000; i += 2) m.erase(i);
  auto it = m.lower_bound(50000);
  println(m.size(), ordered, check, it->first, m.count(3), m.count(4));
  std::map<std::string, int> names{{"go", 1}, {"gort", 2}};
  println(names.at("gort"));
  return 0;
}

TEST_SCENARIO(map_at_missing) {
  std::map<std::string, int> names{{"go", 1}};
  println(names.at("rust"));  // std::out_of_range
  return 0;
}

TEST_SCENARIO(set) {
  std::set<std::string> s;
  for (int i = 0; i < 2000; i++) s.insert("k" + std::to_string(i % 1500));
  std::multiset<int> ms{3, 1, 3, 2, 3};
  println(s.size(), s.begin()->c_str(), s.rbegin()->c_str(), ms.count(3), *ms.begin(), s.contains("k42"));
  return 0;
}

TEST_SCENARIO(unordered_map) {
  std::unordered_map<std::string, int> counts;
  for (int i = 0; i < 100000; i++) counts["key" + std::to_string(i % 5003)]++;  // rehashes many times
  long total = 0;
  for (auto& [key, n] : counts) total += n;
  counts.erase("key0");
  println(counts.size(), total, counts["key17"], counts.bucket_count() >= counts.size(), counts.count("key0"));
  return 0;
}

TEST_SCENARIO(unordered_set) {
  std::unordered_set<long> s;
  for (long i = 0; i < 100000; i++) s.insert(i * i % 65537);
  s.reserve(200000);
  println(s.size(), s.contains(4), s.contains(3), s.load_factor() <= s.max_load_factor());
  return 0;
}

TEST_SCENARIO(algorithm) {
  std::vector<int> v(1000);
  std::iota(v.begin(), v.end(), 0);
  std::reverse(v.begin(), v.end());
  std::stable_sort(v.begin(), v.end());  // allocates a temporary buffer
  auto [lo_at, hi_at] = std::minmax_element(v.begin(), v.end());
  int lo = *lo_at, hi = *hi_at;  // before nth_element reorders v
  bool found = std::binary_search(v.begin(), v.end(), 512);
  std::vector<int> evens;
  std::copy_if(v.begin(), v.end(), std::back_inserter(evens), [](int x) { return x % 2 == 0; });
  std::nth_element(v.begin(), v.begin() + 10, v.end(), std::greater<int>());
  println(lo, hi, found, evens.size(), v[10], std::count(v.begin(), v.end(), 7), std::clamp(15, 0, 10));
  return 0;
}

TEST_SCENARIO(numeric) {
  std::vector<long> v(100);
  std::iota(v.begin(), v.end(), 1);
  std::vector<long> prefix(v.size());
  std::partial_sum(v.begin(), v.end(), prefix.begin());
  println(std::accumulate(v.begin(), v.end(), 0L), std::reduce(v.begin(), v.end()), prefix.back(),
          std::inner_product(v.begin(), v.begin() + 3, v.begin(), 0L), std::gcd(84, 36), std::lcm(4, 6));
  return 0;
}

TEST_SCENARIO(functional) {
  std::vector<std::function<long(long)>> steps;
  long big[8] = {1, 2, 3, 4, 5, 6, 7, 8};  // a capture too big for std::function's local buffer
  steps.push_back([](long x) { return x + 1; });
  steps.push_back([big](long x) { return x * big[7]; });
  steps.push_back(std::bind(std::minus<long>(), std::placeholders::_1, 3));
  long x = 1;
  for (auto& f : steps) x = f(x);
  std::function<int()> empty;
  println(x, bool(empty), std::hash<std::string>()("a") == std::hash<std::string>()("a"));
  if (argc > 1) empty();  // std::bad_function_call
  return 0;
}

TEST_SCENARIO(memory) {
  auto owned = std::make_unique<std::string>("unique");
  std::unique_ptr<int[]> array(new int[1000]());
  auto shared = std::make_shared<std::vector<int>>(100, 7);
  std::weak_ptr<std::vector<int>> weak = shared;
  {
    auto copy = shared;
    println(owned->c_str(), array[999], shared.use_count(), weak.lock()->at(99));
  }
  shared.reset();
  println(weak.expired());
  return 0;
}

// A shared_ptr copied and dropped by 1,000 goroutines at once: the count must be updated with
// atomic instructions (libstdc++ decides by __libc_single_threaded, runtime/cxx_library.cpp).
struct Counted {
  std::atomic<int>* destroyed;
  ~Counted() { destroyed->fetch_add(1, std::memory_order_relaxed); }
};

TEST_SCENARIO(shared_ptr_goroutines) {
  std::atomic<int> destroyed{0};
  auto shared = std::make_shared<Counted>(Counted{&destroyed});
  destroyed.store(0);  // the temporary's destructor counted once
  constexpr int kGoroutines = 1000, kRounds = 200;
  gort::WaitGroup wg;
  wg.add(kGoroutines);
  for (int i = 0; i < kGoroutines; i++) {
    // Every copy is dropped before done(): the closure itself holds only pointers, since it
    // is destroyed after the function returns, which may be after wg.wait() has returned.
    gort::go([&wg, &shared] {
      {
        std::shared_ptr<Counted> mine = shared;
        for (int r = 0; r < kRounds; r++) {
          std::shared_ptr<Counted> copy = mine;  // increment
          if (r % 50 == 0) gort::gosched();
        }  // decrement
      }
      wg.done();
    });
  }
  wg.wait();
  println("use_count", shared.use_count(), "destroyed", destroyed.load());
  shared.reset();
  println("destroyed", destroyed.load());
  return 0;
}

TEST_SCENARIO(optional) {
  std::optional<std::string> name;
  println(name.has_value(), name.value_or("none").c_str());
  name = std::string(40, 'n');
  println(name->size(), *name == std::string(40, 'n'));
  if (argc > 1) {
    name.reset();
    println(name.value().c_str());  // bad_optional_access: abort() with exceptions off
  }
  return 0;
}

TEST_SCENARIO(variant) {
  std::vector<std::variant<int, std::string, double>> values{1, std::string("two"), 3.5};
  long ints = 0;
  size_t chars = 0;
  for (auto& v : values)
    std::visit(
        [&](auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, int>) ints += x;
          else if constexpr (std::is_same_v<T, std::string>) chars += x.size();
        },
        v);
  println(ints, chars, values[2].index(), std::holds_alternative<double>(values[2]), std::get<2>(values[2]));
  return 0;
}

TEST_SCENARIO(tuple_utility) {
  auto t = std::make_tuple(1, std::string("b"), 2.5);
  auto [a, b, c] = t;
  std::pair<int, int> p{3, 4};
  std::swap(p.first, p.second);
  int moved = std::exchange(a, 10);
  println(std::get<0>(t), b.c_str(), c, std::tuple_size_v<decltype(t)>, p.first, moved, a);
  return 0;
}

TEST_SCENARIO(bit_span_limits) {
  uint32_t x = 0x00f0;
  int data[6] = {1, 2, 3, 4, 5, 6};
  std::span<int> all(data);
  std::span<int> middle = all.subspan(2, 3);
  println(std::popcount(x), std::countr_zero(x), std::bit_width(x), std::has_single_bit(64u), std::bit_ceil(33u),
          middle.size(), middle[0], middle.back());
  println(std::numeric_limits<int>::max(), std::numeric_limits<int64_t>::min(), std::numeric_limits<uint8_t>::digits,
          std::numeric_limits<double>::infinity() > 1e308);
  return 0;
}

TEST_SCENARIO(atomic) {
  std::atomic<long> counter{0};
  std::atomic<bool> flag{false};
  constexpr int kGoroutines = 64, kAdds = 1000;
  gort::WaitGroup wg;
  wg.add(kGoroutines);
  for (int i = 0; i < kGoroutines; i++)
    gort::go([&] {
      for (int n = 0; n < kAdds; n++) counter.fetch_add(1, std::memory_order_relaxed);
      bool expected = false;
      flag.compare_exchange_strong(expected, true);
      wg.done();
    });
  wg.wait();
  println(counter.load(), flag.load(), std::atomic<long>::is_always_lock_free);
  return 0;
}

TEST_SCENARIO(cstring) {
  char buffer[64];
  strcpy(buffer, "hello");
  strcat(buffer, ", world");
  char* copy = strdup(buffer);
  char tokens[] = "a,b;;c";
  int count = 0;
  char* save = nullptr;
  for (char* t = strtok_r(tokens, ",;", &save); t != nullptr; t = strtok_r(nullptr, ",;", &save)) count++;
  println(strlen(buffer), strcmp(copy, buffer), strncmp("abc", "abd", 2), strchr(buffer, 'w') - buffer,
          strrchr(buffer, 'o') - buffer, strstr(buffer, "wor") - buffer, strspn("aab", "a"), strcspn("abc", "c"),
          count, static_cast<const char*>(memchr(buffer, ',', 12)) - buffer);
  free(copy);
  return 0;
}

TEST_SCENARIO(cmath) {
  volatile double two = 2, half = 0.5, minus = -2.5;
  println(std::sqrt(two), std::floor(minus), std::ceil(minus), std::trunc(minus), std::round(minus), std::round(half),
          std::fmod(7.5, two), std::hypot(3.0, 4.0), std::abs(minus));
  println(std::exp(1.0), std::log(std::exp(two)), std::pow(two, 10.0), std::pow(minus, 3.0), std::cbrt(27.0),
          std::log2(1024.0), std::log10(1000.0));
  println(std::sin(M_PI / 6), std::cos(M_PI / 3), std::tan(M_PI / 4), std::atan2(1.0, 1.0) * 4, std::isnan(std::sqrt(-two)),
          std::isinf(std::pow(0.0, -1.0)), std::sin(float(half)));
  return 0;
}

TEST_SCENARIO(chrono) {
  using namespace std::chrono;
  auto d = duration_cast<milliseconds>(seconds(3) + microseconds(2500));
  nanoseconds n = minutes(1);
  auto start = gort::nanotime();
  gort::sleep(duration_cast<nanoseconds>(milliseconds(1)).count());
  bool advanced = gort::nanotime() - start >= 1000000;
  println(d.count(), n.count(), duration<double>(milliseconds(1500)).count(), (hours(1) > minutes(59)), advanced);
  return 0;
}

// Many goroutines, each with its own containers, and one shared container behind gort::Mutex.
TEST_SCENARIO(containers_goroutines) {
  constexpr int kGoroutines = 100;
  gort::Mutex mu;
  std::map<int, std::string> shared;
  std::atomic<long> total{0};
  gort::WaitGroup wg;
  wg.add(kGoroutines);
  for (int i = 0; i < kGoroutines; i++)
    gort::go(
        [&](int id) {
          std::vector<std::string> words;
          std::unordered_map<std::string, int> seen;
          for (int k = 0; k < 500; k++) {
            words.push_back("w" + std::to_string((id * 31 + k) % 97));
            seen[words.back()]++;
          }
          std::sort(words.begin(), words.end());
          total.fetch_add(long(seen.size()), std::memory_order_relaxed);
          mu.lock();
          shared[id] = words.front();
          mu.unlock();
          wg.done();
        },
        i);
  wg.wait();
  println(shared.size(), total.load(), shared[0].c_str());
  return 0;
}
