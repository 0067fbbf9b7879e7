// The concurrent mark (runtime/marker.cpp, runtime/collector.cpp; docs/07-collector.md, "The
// concurrent mark"). Scenarios live in tests/progs/gc_mark.cpp.
#include <catch2/catch.hpp>

#include <regex>

#include "child_process.h"

namespace {

// Runs the scenario at each GOMAXPROCS in `procs` and hands each run that finished to `check`.
template <typename Check>
void run_mark(std::initializer_list<int> procs, const std::vector<std::string>& argv, std::map<std::string, std::string> env,
              Check check) {
  for (int p : procs) {
    ChildOptions options;
    options.timeout_seconds = 120;
    options.env = env;
    ChildResult r = run_scenario("gc_mark", argv, p, options);
    INFO("GOMAXPROCS=" << p << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    check(r);
  }
}

}  // namespace

TEST_CASE("a mutator racing the marker through barriered fields passes gccheckmark over many cycles", "[collector][mark]") {
  run_mark({1, 2, 4}, {"racing_mutator", "20000"}, {{"GOGC", "1"}, {"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(r.out == "bad 0 reached_some true cycles_many true\n");
  });
}

TEST_CASE("a pointer moved through barriered fields during the mark survives it", "[collector][mark]") {
  run_mark({1, 2, 4}, {"moved_pointer", "barriered"}, {{"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(std::regex_match(r.out, std::regex("victim 0x[0-9a-f]+\nvictim_key 4242\n")));
  });
}

TEST_CASE("gccheckmark catches a pointer moved by raw stores during the mark and names it", "[collector][mark]") {
  run_mark({1, 2, 4}, {"moved_pointer", "raw"}, {{"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
    CHECK(r.status == 2);
    std::smatch victim;
    REQUIRE(std::regex_search(r.out, victim, std::regex("victim (0x[0-9a-f]+)\n")));
    // The victim, and the slot that points to it: the raw field of the black object.
    CHECK(r.err.find("runtime: checkmarks found unexpected unmarked object obj=" + victim[1].str() + "\n") != std::string::npos);
    CHECK(std::regex_search(r.err, std::regex("runtime: found obj at \\*\\(0x[0-9a-f]+\\+0x8\\)\n")));
    CHECK(r.err.find("fatal error: checkmark found unmarked object\n") != std::string::npos);
  });
}

TEST_CASE("a concurrent cycle lets goroutines run between its two pauses", "[collector][mark]") {
  run_mark({1, 2}, {"cycle_shape"}, {}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(r.out == "ran_during_mark true ended_after true pauses 2\n");
  });
}
