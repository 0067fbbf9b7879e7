// A parallel merge sort: each half of a range is sorted by its own goroutine until ranges
// are small enough for std::sort; the two halves are then merged with std::inplace_merge.
//   tools/gort run examples/merge_sort.cpp -- [count]
#include "gort.h"

#include <algorithm>
#include <vector>

static void merge_sort(long* begin, long* end) {
  GORT_STACK_CHECK();  // recursive
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
