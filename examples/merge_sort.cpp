// A parallel merge sort: each half of a range is sorted by its own goroutine until ranges
// are small enough for std::sort; the two halves are then merged with std::inplace_merge.
//   tools/gort run examples/merge_sort.cpp -- [count]
#include "gort.h"

#include <algorithm>
#include <vector>

// Recursive, so it needs a stack check; and it calls std::sort and std::inplace_merge, whose
// recursion cannot have one: GORT_STACK_RESERVE is the check that also gives them room.
// tools/stack-check computes what they can use (about 12,400 bytes with clang 14: up to 95
// levels of std::__merge_adaptive) and would name the number if this one were too small.
static void merge_sort(long* begin, long* end) {
  GORT_STACK_RESERVE(13 * 1024);
  if (end - begin <= 4096) {
    std::sort(begin, end);
    return;
  }
  long* middle = begin + (end - begin) / 2;
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&] {
    merge_sort(begin, middle);
    wg.done();
  });
  merge_sort(middle, end);
  wg.wait();
  std::inplace_merge(begin, middle, end);
}

int main(int argc, char** argv) {
  long count = 0;
  for (const char* s = argc > 1 ? argv[1] : "1000000"; *s >= '0' && *s <= '9'; s++) count = count * 10 + (*s - '0');
  std::vector<long> values(count);
  uint64_t state = 88172645463325252ull;  // xorshift64: the same numbers on every run
  long checksum = 0;
  for (long& v : values) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    v = long(state % 1000000007);
    checksum += v;
  }
  merge_sort(values.data(), values.data() + values.size());
  long after = 0;
  for (long v : values) after += v;
  gort::fmt::println("sorted", count, "numbers:", std::is_sorted(values.begin(), values.end()) ? "in order" : "NOT in order",
                     checksum == after ? "and none lost" : "and some LOST");
  if (count > 0) gort::fmt::println("smallest", values.front(), "largest", values.back());
  return 0;
}
