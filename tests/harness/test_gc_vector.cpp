// gc::Vector, the container for collected pointers (runtime/gc_vector.h; docs/07-collector.md,
// "Containers"). Scenarios live in tests/progs/gc_vector.cpp.
#include <catch2/catch.hpp>

#include <regex>

#include "child_process.h"

namespace {

ChildResult run_vector(const std::vector<std::string>& args, int gomaxprocs, std::map<std::string, std::string> env = {}) {
  ChildOptions options;
  options.timeout_seconds = 120;
  options.env = env;
  return run_scenario("gc_vector", args, gomaxprocs, options);
}

}  // namespace

TEST_CASE("gc::Vector holds what each change leaves, for ints and Ptrs", "[collector][vector]") {
  ChildResult r = run_vector({"operations"}, 1);
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "operations true\n");
}

TEST_CASE("gc::Vector keeps its elements alive from a collected object and from a stack", "[collector][vector]") {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_vector({"survives"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "intact true stack_intact true size 1200 reclaimed true\n");
  }
}

TEST_CASE("a gc::Vector buffer or element that changes hands during the mark survives it", "[collector][vector]") {
  for (const char* how : {"move", "construct", "swap", "pop", "grow"}) {
    for (int procs : {1, 2}) {
      ChildResult r = run_vector({"moved", how}, procs, {{"GODEBUG", "gccheckmark=1"}});
      INFO(how << " at GOMAXPROCS=" << procs << "\n" << r.describe());
      REQUIRE_FALSE(r.timed_out);
      CHECK(r.status == 0);
      CHECK(std::regex_match(r.out, std::regex("victim 0x[0-9a-f]+\nvictim_intact true\n")));
    }
  }
}

TEST_CASE("goroutines changing gc::Vectors while the marker runs pass gccheckmark", "[collector][vector]") {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_vector({"racing", "20000"}, procs, {{"GOGC", "1"}, {"GODEBUG", "gccheckmark=1"}});
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "bad 0 elements_some true cycles_many true\n");
  }
}

TEST_CASE("gc::Vector indexing out of range panics with Go's message", "[collector][vector]") {
  ChildResult r = run_vector({"index"}, 1);
  INFO(r.describe());
  CHECK(r.status == 2);
  CHECK(r.out == "");
  CHECK(r.err.find("panic: runtime error: index out of range [3] with length 3\n") == 0);
  CHECK(r.err.find("goroutine 1 [running]:\n") != std::string::npos);
  ChildResult back = run_vector({"index", "back"}, 1);
  INFO(back.describe());
  CHECK(back.status == 2);
  CHECK(back.err.find("panic: runtime error: index out of range [-1] with length 0\n") == 0);
}
