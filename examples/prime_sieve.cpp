// The concurrent prime sieve from Go's tour: a goroutine generates 2, 3, 4, ...; each prime
// found gets a filter goroutine that passes on only the numbers it does not divide; the
// chain of filters grows by one goroutine per prime.
//   tools/gort run examples/prime_sieve.cpp -- [count]
#include "gort.h"

static void generate(gort::Channel<long>* out) {
  for (long i = 2;; i++) out->send(i);
}

static void filter(gort::Channel<long>* in, gort::Channel<long>* out, long prime) {
  for (;;) {
    long n = in->receive();
    if (n % prime != 0) out->send(n);
  }
}

int main(int argc, char** argv) {
  long count = 0;
  for (const char* s = argc > 1 ? argv[1] : "100"; *s >= '0' && *s <= '9'; s++) count = count * 10 + (*s - '0');
  auto* source = new gort::Channel<long>();
  gort::go(generate, source);
  long last = 0;
  for (long i = 0; i < count; i++) {
    last = source->receive();
    if (i < 10) gort::fmt::print(last, i < 9 ? " " : "\n");
    auto* next = new gort::Channel<long>();
    gort::go(filter, source, next, last);
    source = next;
  }
  gort::fmt::println("prime number", count, "is", last);
  return 0;  // the generator and the filters are still running: main's return ends them
}
