// Collected channels and after() (runtime/channel.h, runtime/timer.cpp; docs/07-collector.md,
// "Stacks and channels under the collector"). Scenarios live in tests/progs/gc_channels.cpp;
// each runs as a child process at GOMAXPROCS 1, 2 and 4. Explicit channels are the existing
// [channels] tests, unchanged. Tagged [collector] too, so make test reruns them on the debug
// runtime (lock ranks checked).
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

void expect_output(const std::string& scenario, const std::string& output) {
  for (int procs : {1, 2, 4}) {
    ChildOptions options;
    options.timeout_seconds = 120;
    ChildResult r = run_scenario("gc_channels", {scenario}, procs, options);
    INFO(scenario << " at GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == output);
  }
}

}  // namespace

TEST_CASE("collected channels made and dropped in a loop run in a bounded heap", "[collector][gc_channels]") {
  expect_output("dropped_channels",
                "values_ok true collections true reclaimed true peak_under_16MiB true back_near_baseline true\n");
}

TEST_CASE("what a reachable collected channel buffers survives hundreds of collections", "[collector][gc_channels]") {
  expect_output("reachable_buffer", "intact true channels_allocated true reclaimed true\n");
}

TEST_CASE("a collected channel referenced only by goroutines blocked on it survives", "[collector][gc_channels]") {
  expect_output("blocked_goroutine_keeps_channel", "allocated true intact true reclaimed true\n");
}

TEST_CASE("a select of more than four cases keeps its collected boxes", "[collector][gc_channels]") {
  expect_output("select_many_boxed", "chosen 3 intact true\n");
}

TEST_CASE("100,000 selects on after() run in a bounded heap", "[collector][gc_channels]") {
  expect_output("after_loop",
                "fired_in_order true collections true reclaimed true peak_under_16MiB true back_near_baseline true\n");
}

TEST_CASE("a Channel member of a collected object and a collected Timer are collected", "[collector][gc_channels]") {
  expect_output("member_and_timer", "member true timer true explicit true\n");
}

TEST_CASE("a pending collected timer is kept by the timer heap, and reclaimed once stopped", "[collector][gc_channels]") {
  expect_output("pending_timer_kept", "kept_pending true stopped true reclaimed_after_stop true\n");
}

TEST_CASE("a cycle through a collected channel's buffer is reclaimed", "[collector][gc_channels]") {
  expect_output("cycle_through_channel", "channel_reclaimed true object_reclaimed true\n");
}
