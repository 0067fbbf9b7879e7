// A user program that calls the C++ library's recursive algorithms on goroutine stacks
// (tests/harness/test_stack_check.cpp runs tools/stack-check on this object; it is never
// linked):
//   - sort_unreserved: std::sort on a goroutine without GORT_STACK_RESERVE: introsort's
//     bounded recursion does not fit the goroutine's first segment, so the tool warns and
//     prints the bytes to reserve;
//   - sort_reserved: the same call after GORT_STACK_RESERVE(8192): silent;
//   - sort_in_main: the same call on main's 8 MiB stack: silent;
//   - std::__gort_planted_recursion: a recursion in namespace std that the tool's table of
//     bounded library recursions does not know: it warns and names GORT_STACK_RESERVE.
#include "gort.h"

#include <algorithm>

namespace std {
__attribute__((noinline)) long __gort_planted_recursion(long n) {
  volatile long pad[4] = {n, n, n, n};
  return n <= 0 ? 0 : __gort_planted_recursion(n - 1) + pad[n & 3] - n + 1;
}
}  // namespace std

__attribute__((noinline)) void sort_unreserved(long* values, long count) { std::sort(values, values + count); }

__attribute__((noinline)) void sort_reserved(long* values, long count) {
  GORT_STACK_RESERVE(8192);
  std::sort(values, values + count);
}

__attribute__((noinline)) void sort_in_main(long* values, long count) { std::sort(values, values + count); }

int main() {
  static long values[1000];
  gort::WaitGroup wg;
  wg.add(2);
  gort::go([&wg] {
    sort_unreserved(values, 1000);
    wg.done();
  });
  gort::go([&wg] {
    sort_reserved(values, 1000);
    wg.done();
  });
  wg.wait();
  sort_in_main(values, 1000);
  gort::fmt::println(std::__gort_planted_recursion(3));
  return 0;
}
