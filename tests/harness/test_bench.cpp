// Smoke test of the benchmarks (tests/bench): every program, gort side and Go twin, runs
// once with tiny parameters and prints its figure in the agreed format. Never a timing
// assertion: speed is measured by `make bench`, not by tests.
#include <catch2/catch.hpp>
#include <regex>

#include "child_process.h"

namespace {

std::string bench_program(const std::string& side, const std::string& name) {
  return std::string(GORT_ROOT) + "/build/bench/" + side + "/" + name;
}

}  // namespace

TEST_CASE("every benchmark and its Go twin run and print their figure", "[bench]") {
  struct Case {
    std::string name;
    std::vector<std::string> args;
    std::string unit;
  } cases[] = {
      {"spawn", {"1000"}, "ns/goroutine"},
      {"gosched", {"1000"}, "ns/switch"},
      {"fib", {"22", "18"}, "ms"},
      {"parked", {"1000"}, "bytes/goroutine"},
      {"recursion", {"100000"}, "ms"},
      {"calls", {"20"}, "ns/call"},
  };
  for (const Case& c : cases) {
    for (const char* side : {"gort", "go"}) {
      ChildOptions options;
      options.env["GOMAXPROCS"] = "2";
      ChildResult r = run_child(bench_program(side, c.name), c.args, options);
      INFO(side << " " << c.name << "\n" << r.describe());
      REQUIRE(r.exited);
      CHECK(r.status == 0);
      CHECK(std::regex_match(r.out, std::regex("BENCH " + c.name + R"( -?\d+\.\d{3} )" + c.unit + "\n")));
    }
  }
}

TEST_CASE("the hello benchmark prints the same line on both runtimes", "[bench]") {
  ChildResult gort = run_child(bench_program("gort", "hello"), {});
  ChildResult go = run_child(bench_program("go", "hello"), {});
  INFO(gort.describe() << "\n" << go.describe());
  CHECK(gort.status == 0);
  CHECK(go.status == 0);
  CHECK(gort.out == "hello, world\n");
  CHECK(gort.out == go.out);
}
