// gc::Vector's out-of-line part (runtime/gc_vector.h): the index panic. A file of its own, so
// that only programs that index a Vector link it.
#include "gc_vector.h"

#include "fatal.h"

namespace gort {

namespace detail {
namespace {
char* append_text(char* at, const char* text) {
  while (*text != 0) *at++ = *text++;
  return at;
}
char* append_decimal(char* at, uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = char('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) *at++ = digits[--n];
  return at;
}
}  // namespace

// Go's message for a bad index, built in this frame (two numbers of 20 digits at most fit
// in 96 bytes); the traceback starts here, then the Vector's caller.
void panic_index(int64_t index, size_t length) {
  char message[96];
  char* at = append_text(message, "runtime error: index out of range [");
  if (index < 0) {
    *at++ = '-';
    at = append_decimal(at, uint64_t(0) - uint64_t(index));
  } else {
    at = append_decimal(at, uint64_t(index));
  }
  at = append_text(at, "] with length ");
  at = append_decimal(at, length);
  *at = 0;
  panic(message);
}
}  // namespace detail

}  // namespace gort
