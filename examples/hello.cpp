// The smallest gort program: prints a greeting and its arguments, and exits with status 0.
//   make demo        (builds this and runs it)
#include "gort.h"

int main(int argc, char** argv) {
  gort::fmt::println("hello, world from gort");
  for (int i = 1; i < argc; i++) gort::fmt::println("argument", i, "is", argv[i]);
  return 0;
}
