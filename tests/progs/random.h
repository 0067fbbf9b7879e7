// Random numbers for tests and benchmarks: xorshift64, a fixed sequence for a given seed, so
// every run (and every allocator a benchmark compares) sees the same inputs. No dependency:
// the hosted C benchmark twins include it too.
#pragma once
#include <stdint.h>

namespace testing_random {

struct Random {
  uint64_t state;  // never 0
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

}  // namespace testing_random
