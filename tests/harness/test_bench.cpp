// Smoke test of the benchmarks (tests/bench): every program, gort side and Go twin, runs
// once with tiny parameters and prints its figure in the agreed format. Never a timing
// assertion: speed is measured by `make bench`, not by tests.
#include <catch2/catch.hpp>
#include <filesystem>
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
      {"chan_pingpong", {"1000"}, "ns/round-trip"},
      {"chan_buffered", {"10000"}, "ns/value"},
      {"chan_select", {"5000"}, "ns/value"},
      {"thread_ring", {"10000"}, "ms"},
      {"stop_the_world", {"20", "p50"}, "us"},
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

TEST_CASE("the allocator benchmarks run on gort and on every C allocator", "[bench]") {
  struct Case {
    std::vector<std::string> gort_args, c_args;
    std::string name, unit;
  } cases[] = {{{"2", "10000"}, {"pairs", "2", "10000"}, "malloc_pairs", "ns/pair"},
               {{"4", "1"}, {"rss", "4", "1"}, "malloc_rss", "peak/live"}};
  for (const Case& c : cases) {
    ChildResult g = run_child(bench_program("gort", c.name), c.gort_args);
    INFO(g.describe());
    CHECK(std::regex_match(g.out, std::regex("BENCH " + c.name + R"( \d+\.\d{3} )" + c.unit + "\n")));
    // Every C allocator variant the Makefile built (MALLOC_VARIANTS), whatever the list holds.
    int variants = 0;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(GORT_ROOT) + "/build/bench/c")) {
      std::string variant = entry.path().filename().string();
      if (variant.rfind("malloc-", 0) != 0 || variant.find('.') != std::string::npos) continue;
      variants++;
      ChildResult r = run_child(entry.path().string(), c.c_args);
      INFO(variant << "\n" << r.describe());
      CHECK(r.status == 0);
      CHECK(std::regex_match(r.out, std::regex("BENCH " + c.name + R"( \d+\.\d{3} )" + c.unit + "\n")));
    }
    CHECK(variants >= 4);  // glibc, jemalloc, mimalloc, tcmalloc at least
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
