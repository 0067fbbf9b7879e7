// A planted runtime function that breaks the stack budget: the harness runs
// tools/stack-check --runtime on the real runtime's objects plus this one, naming this as an
// entry point, and expects the report to fail and name it (tests/harness/test_stack_check.cpp).
// It is never linked into anything.
#include <stddef.h>

namespace gort {

// Not inlined: the frame must stay its own, as a runtime helper's would.
__attribute__((noinline)) static long sum_of_scratch(const volatile char* scratch, size_t n) {
  long sum = 0;
  for (size_t i = 0; i < n; i += 64) sum += scratch[i];
  return sum;
}

// 1,200 bytes of locals on the caller's stack: more than the 928-byte reserve.
long planted_over_budget_entry(long seed) {
  volatile char scratch[1200];
  for (size_t i = 0; i < sizeof(scratch); i += 64) scratch[i] = char(seed + long(i));
  return sum_of_scratch(scratch, sizeof(scratch));
}

}  // namespace gort
