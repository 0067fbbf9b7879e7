// The concurrent sweep, GODEBUG=gcstoptheworld=2 and clobberfree=1, and stack shrinking
// (runtime/allocator.cpp, runtime/collector.cpp, runtime/stack.cpp; docs/07-collector.md).
// Scenarios live in tests/progs/gc_sweep.cpp; each runs as a child process at GOMAXPROCS
// 1, 2 and 4.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

void expect_sweep_output(const std::string& scenario, const std::string& output,
                         std::map<std::string, std::string> env = {}, std::vector<std::string> args = {}) {
  for (int procs : {1, 2, 4}) {
    ChildOptions options;
    options.env = env;
    options.timeout_seconds = 120;
    std::vector<std::string> argv{scenario};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildResult r = run_scenario("gc_sweep", argv, procs, options);
    INFO(scenario << " at GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == output);
  }
}

}  // namespace

TEST_CASE("the pause sweeps no span; allocation and the background sweeper sweep them all after it", "[collector][sweep]") {
  expect_sweep_output("sweep_after_pause",
                      "pause_swept 0 left_after_pause true lazily true left_after_lazy true\n"
                      "background true by_finish 0 all_swept true freed true kept_intact true\n");
}

TEST_CASE("GODEBUG=gcstoptheworld=2 sweeps every span in the pause", "[collector][sweep]") {
  expect_sweep_output("sweep_after_pause", "pause_swept_all true finished_in_pause true freed true\n",
                      {{"GODEBUG", "gcstoptheworld=2"}}, {"stw2"});
}

TEST_CASE("objects allocated while the sweep runs stay intact over hundreds of cycles", "[collector][sweep]") {
  expect_sweep_output("sweep_keeps_new_objects", "intact true cycles true\n");
  expect_sweep_output("sweep_keeps_new_objects", "intact true cycles true\n", {{"GODEBUG", "clobberfree=1"}});
}

TEST_CASE("gc::collect() returns with the heap swept and back near its baseline", "[collector][sweep]") {
  expect_sweep_output("collect_returns_swept",
                      "swept true grew true inuse_back true alloc_back true objects_back true heap_is_live true\n");
}

TEST_CASE("GODEBUG=clobberfree=1 fills freed collected objects with 0xdeadbeef", "[collector][sweep]") {
  expect_sweep_output("clobber_freed",
                      "reclaimed true clobbered true unchanged false\n"
                      "large_reclaimed true clobbered true unchanged false\nnew_objects_zero true\n",
                      {{"GODEBUG", "clobberfree=1"}});
  expect_sweep_output("clobber_freed",
                      "reclaimed true clobbered false unchanged true\n"
                      "large_reclaimed true clobbered false unchanged true\nnew_objects_zero true\n");
}

TEST_CASE("a goroutine that went deep once gives its stack segments back after two cycles", "[collector][sweep][stacks]") {
  expect_sweep_output("shrink_after_deep", "went_deep true kept_one_cycle true given_back true recursed_again true\n");
}

TEST_CASE("a goroutine crossing a segment boundary in a loop keeps its hot segment across cycles", "[collector][sweep][stacks]") {
  expect_sweep_output("shrink_keeps_hot_segment", "found_depth true segments_taken 0 sums true\n");
}
