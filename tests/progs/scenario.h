// Named scenarios for freestanding test programs. A program defines scenarios with
// TEST_SCENARIO(name) { ... return status; }; running `prog name [args...]` runs that one
// and exits with its result. The hosted harness (tests/harness) runs programs this way and
// checks their output and exit status, as Go's runtime tests run testprog.
#pragma once
#include "gort.h"
#include "testing.h"  // gort::same_string (runtime/environment.h)

namespace scenario {

using Body = int (*)(int argc, char** argv);  // argv[0] is the scenario name

struct Scenario {
  const char* name;
  Body body;
  Scenario* next;
};

inline Scenario* all_scenarios = nullptr;

// Static constructors register scenarios, so this also exercises .init_array.
struct Registration {
  Scenario entry;
  Registration(const char* name, Body body) : entry{name, body, all_scenarios} { all_scenarios = &entry; }
};

using gort::same_string;

// Small helpers scenarios use to read numeric arguments.
inline long parse_long(const char* s) {
  long sign = 1, v = 0;
  if (*s == '-') sign = -1, s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return sign * v;
}

// Argument `index` of a scenario (argv[0] is its name) as a number, or `fallback` if absent.
inline long argument(int argc, char** argv, int index, long fallback) {
  return index < argc ? parse_long(argv[index]) : fallback;
}

}  // namespace scenario

#define TEST_SCENARIO(name)                                                                   \
  static int name##_scenario(int argc, char** argv);                                          \
  static scenario::Registration name##_registration(#name, name##_scenario);                  \
  static int name##_scenario([[maybe_unused]] int argc, [[maybe_unused]] char** argv)

int main(int argc, char** argv) {
  if (argc >= 2) {
    for (scenario::Scenario* s = scenario::all_scenarios; s != nullptr; s = s->next)
      if (gort::same_string(s->name, argv[1])) return s->body(argc - 1, argv + 1);
  }
  gort::println("usage:", argc > 0 ? argv[0] : "prog", "<scenario> [args...]; scenarios:");
  for (scenario::Scenario* s = scenario::all_scenarios; s != nullptr; s = s->next) gort::println(" ", s->name);
  return 64;
}
