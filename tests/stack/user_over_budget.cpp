// A user program with one instance of each stack-budget mistake that tools/stack-check warns
// about (tests/harness/test_stack_check.cpp runs it on this object; it is never linked):
//   - goroutine_big_local: no GORT_STACK_CHECK(), a 2,600-byte local in a goroutine (more than
//     its first segment holds), as in the neighbour-overrun defect;
//   - checked_big_frame: has the check, but its own frame exceeds the 928-byte reserve;
//   - unchecked_recursion: recurses without the check;
//   - checked_caller: has the check, then calls a helper that needs more than the reserve.
#include "gort.h"

static volatile long index_zero = 0;

__attribute__((noinline)) void goroutine_big_local(long bytes_used) {
  volatile char buffer[2600];
  for (long i = 0; i < bytes_used; i++) buffer[i + index_zero] = char(0xAA);
}

__attribute__((noinline)) long checked_big_frame(long n) {
  GORT_STACK_CHECK();
  volatile char buffer[1500];
  buffer[index_zero] = char(n);
  return n == 0 ? buffer[index_zero] : checked_big_frame(n - 1) + 1;
}

__attribute__((noinline)) long unchecked_recursion(long n) {
  volatile char pad[64];
  pad[index_zero] = char(n);
  return n == 0 ? 0 : unchecked_recursion(n - 1) + pad[index_zero] - char(n) + 1;
}

__attribute__((noinline)) long deep_helper(long n) {
  volatile char buffer[1100];
  buffer[index_zero] = char(n);
  return buffer[index_zero];
}

__attribute__((noinline)) long checked_caller(long n) {
  GORT_STACK_CHECK();
  return deep_helper(n) + (n > 0 ? checked_caller(n - 1) : 0);
}

int main() {
  gort::WaitGroup wg;
  wg.add(1);
  gort::go([&wg] {
    goroutine_big_local(600);
    wg.done();
  });
  wg.wait();
  gort::fmt::println(checked_big_frame(3), unchecked_recursion(3), checked_caller(3));
  return 0;
}
