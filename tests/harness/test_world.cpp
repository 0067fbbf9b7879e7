// Stopping the world and preemption in runtime code. Scenarios live in tests/progs/world.cpp;
// each runs as a child process with GOMAXPROCS set here. A deadline turns a stop or a sleep
// that never ends into a failure; lateness is asserted in time slices, never in milliseconds.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

ChildResult run_world(std::vector<std::string> args, int gomaxprocs, std::map<std::string, std::string> env = {}) {
  ChildOptions options;
  options.env = env;
  options.timeout_seconds = 60;
  return run_scenario("world", args, gomaxprocs, options);
}

const std::map<std::string, std::string> no_signal = {{"GODEBUG", "asyncpreemptoff=1"}};

}  // namespace

TEST_CASE("goroutines changing GOMAXPROCS at once take turns", "[world]") {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_world({"gomaxprocs_concurrent", "4", "1000"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "changes 4000 restored true stopped_at_least_a_quarter true\n");
  }
}

TEST_CASE("a stop with goroutines spinning without calls does not wait for a time slice", "[world]") {
  // sysmon's slice is an hour: only the stopper's own requests and signals can end each stop.
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_world({"stop_with_spinners", "2", "200"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "stops 200 gomaxprocs true\n");
  }
}

TEST_CASE("a stop reaches goroutines with stack checks without the signal", "[world]") {
  for (int procs : {2, 4}) {
    ChildResult r = run_world({"stop_with_checked_spinners", "2", "200"}, procs, no_signal);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "stops 200 gomaxprocs true\n");
  }
}

TEST_CASE("a machine back from a system call waits for the stopped world to start", "[world]") {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_world({"syscall_return_waits_for_world"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "queued true ran_while_stopped false ran_after true\n");
  }
}

TEST_CASE("a shrink runs the retired Processor's goroutines before the global queue's", "[world]") {
  ChildResult r = run_world({"shrink_queues_retired_first"}, 2);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.out == "made 41 order " + std::string(20, 'L') + std::string(20, 'G') + "\n");
}

TEST_CASE("sysmon starts no round while the world is stopped", "[world]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_world({"sysmon_pauses_while_stopped"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "rounds_while_stopped_at_most_one true resumed true\n");
  }
}

TEST_CASE("a goroutine queued behind a channel ping-pong pair runs within a few slices", "[world][preemption]") {
  for (auto env : {std::map<std::string, std::string>{}, no_signal}) {
    ChildResult r = run_world({"pingpong_victim"}, 1, env);
    INFO((env.empty() ? "" : "asyncpreemptoff=1 ") << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "victim_ran_within_slices few\n");
  }
}

TEST_CASE("a goroutine looping on runtime calls cannot delay a sleeper past a few slices", "[world][preemption]") {
  for (const char* kind : {"malloc", "try", "trylock", "select", "go"}) {
    for (auto env : {std::map<std::string, std::string>{}, no_signal}) {
      ChildResult r = run_world({"runtime_loop", kind}, 1, env);
      INFO(kind << (env.empty() ? "" : " asyncpreemptoff=1 ") << r.describe());
      REQUIRE_FALSE(r.timed_out);
      CHECK(r.out == std::string(kind) + " sleeps_ended_within_slices few\n");
    }
  }
}

TEST_CASE("main spawning a million goroutines does not keep them all alive", "[world][preemption]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_world({"spawn_bounded", "1000000"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "finished 1000000 peak_alive_at_most_a_tenth true\n");
  }
}
