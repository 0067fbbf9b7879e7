// The write barrier (runtime/barrier.h, runtime/barrier.cpp, the rewind in
// runtime/preempt.cpp; docs/07-collector.md, "The write barrier"). Scenarios live in
// tests/progs/gc_barrier.cpp; each runs as a child process at GOMAXPROCS 1, 2 and 4.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

void expect_barrier_output(const std::vector<std::string>& argv, const std::string& output) {
  for (int procs : {1, 2, 4}) {
    ChildOptions options;
    options.timeout_seconds = 120;
    ChildResult r = run_scenario("gc_barrier", argv, procs, options);
    INFO(argv[0] << " at GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == output);
  }
}

}  // namespace

TEST_CASE("with the barrier off, stores of every kind take no slow path and store their values", "[collector][barrier]") {
  expect_barrier_output({"disabled_stores"}, "values true slow 0 bulk 0\n");
}

TEST_CASE("with the barrier on, every store takes the slow path; objects reachable only through Ptr fields survive",
          "[collector][barrier]") {
  expect_barrier_output({"enabled_stores"},
                        "values true every_store_slow true every_bulk_checked true\n"
                        "list_stores_slow true collected true list_intact true\n");
}

TEST_CASE("a goroutine stopped between a barrier's test and its store is rewound to the test", "[collector][barrier]") {
  expect_barrier_output({"rewind", "2000"}, "rewound true stale 0 tail_mismatch 0 all_checked true\n");
}

// The check above can fail: with the rewind off, stores on a stale test show up (in about
// 40% of the enabled intervals when this was written, so 600 rounds cannot miss them all).
TEST_CASE("without the rewind, the rewind check finds stores made on a stale test", "[collector][barrier]") {
  expect_barrier_output({"rewind", "600", "norewind"}, "stale_found true\n");
}

TEST_CASE("every inline barrier site is a compare, a jne and a store, listed in address order", "[collector][barrier]") {
  expect_barrier_output({"sites"}, "sites_found true sorted true cmp_jne_mov true\n");
}

// hello has no barrier site: it carries no site table and none of runtime/barrier.cpp (the
// signal handler's weak reference to rewind_barrier_site does not link it).
TEST_CASE("a program without barrier sites links no barrier code and no site table", "[collector][barrier]") {
  std::string hello = example_program("hello");
  CHECK(host_command_output("readelf -SW " + hello + " | grep -c gort_barrier_ranges || true") == "0\n");
  CHECK(host_command_output("nm " + hello + " | grep -c -e write_barrier -e rewind_barrier_site || true") == "0\n");
  std::string barrier = test_program("gc_barrier");
  CHECK(host_command_output("readelf -SW " + barrier + " | grep -c gort_barrier_ranges || true") == "1\n");
}
