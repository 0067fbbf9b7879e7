// Smoke test of the collector's benchmarks (tests/bench: binary_trees, gcbench, gc_pauses):
// each program and its Go twin run once with tiny parameters at GOMAXPROCS 1 and 2, print
// the same checksum lines, then their BENCH line and the PAUSES line tools/bench.py parses.
// The Boehm twins are built by `make bench` only (libgc-dev comes with deps-bench, not
// deps-test): they are checked too where that build left them. Never a timing assertion.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>

#include "child_process.h"

namespace {

std::string program_path(const std::string& side, const std::string& name) {
  return std::string(GORT_ROOT) + "/build/bench/" + side + "/" + name;
}

// The output less its last two lines (BENCH, PAUSES): the checksums.
std::string checksums(const std::string& out) {
  size_t end = out.size();
  for (int lines = 0; lines < 3 && end > 0; lines++) end = out.rfind('\n', end - 1);
  return end == std::string::npos ? "" : out.substr(0, end + 1);
}

}  // namespace

TEST_CASE("the collector benchmarks and their twins agree and print their figures", "[bench]") {
  struct Case {
    std::string name;
    std::vector<std::string> args;
    long min_pauses;  // gort's, at least: the workload collects
  } cases[] = {{"binary_trees", {"14"}, 1}, {"gcbench", {"10"}, 0}, {"gc_pauses", {"1000", "3"}, 3}};
  for (const Case& c : cases) {
    for (int procs : {1, 2}) {
      std::string expected;
      for (const char* side : {"gort", "go", "boehm"}) {
        std::string path = program_path(side, c.name);
        if (std::string(side) == "boehm" && !std::filesystem::exists(path)) continue;  // make bench builds it
        ChildOptions options;
        options.env[std::string(side) == "boehm" ? "GC_MARKERS" : "GOMAXPROCS"] = std::to_string(procs);
        ChildResult r = run_child(path, c.args, options);
        INFO(side << " " << c.name << " at " << procs << "\n" << r.describe());
        REQUIRE(r.exited);
        CHECK(r.status == 0);
        std::smatch m;
        REQUIRE(std::regex_search(r.out, m, std::regex("BENCH " + c.name + R"( \d+\.\d{3} ms\nPAUSES (\d+) (\d+\.\d{3}) (\d+\.\d{3}) (\d+\.\d{3})\n$)")));
        double p50 = std::stod(m[2].str()), p99 = std::stod(m[3].str()), max = std::stod(m[4].str());
        CHECK(p50 <= p99);
        CHECK(p99 <= max);
        if (std::string(side) == "gort") CHECK(std::stol(m[1].str()) >= c.min_pauses);
        if (expected.empty()) expected = checksums(r.out);
        CHECK(checksums(r.out) == expected);
        if (c.name != "gc_pauses") CHECK(!expected.empty());
      }
    }
  }
}

TEST_CASE("peak_rss reports a small program's own peak, not its parent's, and passes its status on", "[bench]") {
  // The harness holds far more than /bin/true's ~1 MB; a child measured straight from here
  // would report at least that (exec keeps the parent's high-water mark).
  std::string out = std::string(GORT_ROOT) + "/build/bench/peak_rss.test-output";
  std::string launcher = std::string(GORT_ROOT) + "/build/bench/peak_rss";
  std::vector<char> ballast(64 << 20, 1);  // 64 MiB resident in the harness while it forks
  for (size_t i = 0; i < ballast.size(); i += 4096) ballast[i] = char(i);
  ChildResult r = run_child(launcher, {out, "/bin/true"});
  INFO(r.describe());
  CHECK(r.status == 0);
  std::ifstream in(out);
  long kib = 0;
  in >> kib;
  CHECK(kib > 0);
  CHECK(kib < 16 * 1024);
  ChildResult failing = run_child(launcher, {out, "/bin/false"});
  CHECK(failing.status == 1);
  std::filesystem::remove(out);
}
