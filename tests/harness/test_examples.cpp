// The programs in examples/, run as a reader would run them, with output checked exactly.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "child_process.h"

namespace {

// Runs an example with standard input read from a file holding `input`.
ChildResult run_with_input(const std::string& example, const std::string& input) {
  char path[] = "/tmp/gort-example-input-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  std::ofstream(path) << input;
  ChildResult r = run_child("/bin/sh", {"-c", "exec \"$0\" < \"$1\"", example_program(example), path});
  std::remove(path);
  return r;
}

void check(const ChildResult& r, const std::string& expected) {
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == expected);
}

}  // namespace

TEST_CASE("worker pool: every job's result comes back", "[examples]") {
  for (std::string procs : {"1", "4"}) {
    ChildOptions options;
    options.env["GOMAXPROCS"] = procs;
    check(run_child(example_program("worker_pool"), {"100000", "8"}, options),
          "jobs 100000 total steps 10753840 longest 77031 with 350 steps\n");
  }
}

TEST_CASE("prime sieve: a chain of filter goroutines", "[examples]") {
  check(run_child(example_program("prime_sieve"), {"100"}), "2 3 5 7 11 13 17 19 23 29\nprime number 100 is 541\n");
}

TEST_CASE("parallel merge sort", "[examples]") {
  ChildOptions options;
  options.env["GOMAXPROCS"] = "4";
  check(run_child(example_program("merge_sort"), {"1000000"}, options),
        "sorted 1000000 numbers: in order and none lost\nsmallest 2377 largest 999998564\n");
  check(run_child(example_program("merge_sort"), {"3"}), "sorted 3 numbers: in order and none lost\n"
                                                        "smallest 245619868 largest 870256595\n");
}

TEST_CASE("pipeline over a file", "[examples]") {
  check(run_with_input("pipeline", "the quick brown fox\njumps over the lazy dog\n\nthe end, the END.\n"),
        "lines 4 words 13 bytes 63\n");
  std::string big;
  for (int i = 0; i < 20000; i++) big += "alpha beta gamma\n";  // lines cross the 16 KiB blocks
  check(run_with_input("pipeline", big), "lines 20000 words 60000 bytes 340000\n");
}

TEST_CASE("word count sharded over goroutines", "[examples]") {
  check(run_with_input("word_count", "the quick brown fox\njumps over the lazy dog\n\nthe end, the END.\n"),
        "words 13 distinct 9\n4 the\n2 end\n1 brown\n1 dog\n1 fox\n");
}
