// Torture under GOGC=1 (issue 15): tests/progs/gc_torture.cpp's scheduler, channel and stack
// workloads with their data in collected objects, at GOMAXPROCS 1, 2 and 4, each checking
// every checksum, an exact total, and that hundreds of collections ran. GOGC=1 puts the
// collector's floor at ~40 KiB (Go's heapMinimum scaled by GOGC), so a collection starts
// every few hundred allocations or sooner.
//
// The existing programs (tests/progs/scheduler.cpp, channels.cpp, stacks.cpp) allocate no
// collected memory, so GOGC=1 changes nothing for them, except channels.cpp's
// timers_and_tickers, whose after() is now a collected object: it runs here under GOGC=1 too.
// Tagged [collector], so make test reruns them on the debug runtime (lock ranks checked).
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

void expect_torture(const std::string& scenario, const std::string& output) {
  for (int procs : {1, 2, 4}) {
    ChildOptions options;
    options.env = {{"GOGC", "1"}};
    options.timeout_seconds = 120;
    ChildResult r = run_scenario("gc_torture", {scenario}, procs, options);
    INFO(scenario << " at GOMAXPROCS=" << procs << " GOGC=1\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == output);
  }
}

}  // namespace

TEST_CASE("GOGC=1: spawning and joining, payloads in closures of goroutines not yet started", "[collector][torture]") {
  expect_torture("spawn_join", "bad 0 total_exact true cycles_many true\n");
}

TEST_CASE("GOGC=1: ping-pong over explicit and collected channels, chains held across parks", "[collector][torture]") {
  expect_torture("ping_pong", "bad 0 hops_exact true cycles_many true\n");
}

TEST_CASE("GOGC=1: fan-out and fan-in over buffered, unbuffered and collected channels with select", "[collector][torture]") {
  expect_torture("fan_in_out", "bad 0 total_exact true cycles_many true\n");
}

TEST_CASE("GOGC=1: deep recursion across stack segments, a chain held only by the frames", "[collector][torture]") {
  expect_torture("deep_recursion", "bad 0 cycles_many true\n");
}

TEST_CASE("GOGC=1: goroutines spinning without calls, preempted for every collection", "[collector][torture]") {
  expect_torture("preempted_spinners", "bad 0 cycles_many true\n");
}

TEST_CASE("GOGC=1: the existing timers scenario, whose after() is collected", "[collector][torture]") {
  for (int procs : {1, 2, 4}) {
    ChildOptions options;
    options.env = {{"GOGC", "1"}};
    ChildResult r = run_scenario("channels", {"timers_and_tickers"}, procs, options);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    CHECK(r.status == 0);
    CHECK(r.out == "timer true ticks true stop true false reset false select_timeout 1\n");
  }
}
