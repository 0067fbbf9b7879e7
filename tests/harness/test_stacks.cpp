// Stack and preemption tests. Scenarios live in tests/progs/stacks.cpp.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

ChildResult run_stacks(std::vector<std::string> args, int gomaxprocs = 2, std::map<std::string, std::string> env = {}) {
  ChildOptions options;
  options.env = env;
  options.timeout_seconds = 120;
  return run_scenario("stacks", args, gomaxprocs, options);
}

}  // namespace

TEST_CASE("recursion of 1,000,000 and 10,000,000 frames in a goroutine succeeds", "[stacks]") {
  for (const char* frames : {"1000000", "10000000"}) {
    ChildResult r = run_stacks({"deep_recursion", frames});
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == std::string("depth ") + frames + "\n");
  }
}

TEST_CASE("a pointer to a local taken before growth stays valid after it", "[stacks]") {
  ChildResult r = run_stacks({"pointer_survives_growth"});
  INFO(r.describe());
  CHECK(r.out == "pointer_valid true\n");
}

TEST_CASE("unbounded recursion exits 2 with Go's stack-overflow messages", "[stacks]") {
  // The default limit (1 GB, as in Go), then a smaller one set with gort::set_max_stack.
  struct Case {
    std::vector<std::string> args;
    std::string limit;
  } cases[] = {{{"unbounded_recursion"}, "1000000000"}, {{"unbounded_recursion", "67108864"}, "67108864"}};
  for (const Case& c : cases) {
    ChildResult r = run_stacks(c.args);
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 2);
    CHECK(matches(r.err, "^runtime: goroutine stack exceeds " + c.limit + "-byte limit\n"
                         R"(runtime: sp=0x[0-9a-f]+ stack=\[0x[0-9a-f]+, 0x[0-9a-f]+\]\n)"
                         "fatal error: stack overflow\n\ngoroutine 2 \\[running\\]:\n"));
    CHECK(r.out.empty());
  }
}

TEST_CASE("1,000,000 parked goroutines coexist", "[stacks]") {
  ChildResult r = run_stacks({"parked_many", "1000000"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "parked 1000000\n");
}

TEST_CASE("an overflow by code without a stack check is caught by the canaries", "[stacks]") {
  ChildResult r = run_stacks({"unchecked_overflow"}, 1);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^runtime: stack overflow in code without a stack check \\(the canary at the bottom of "
                       "the stack segment was overwritten\\)\n.*\nfatal error: stack overflow\n"));
  CHECK(r.out.empty());
}

TEST_CASE("an overflow of the lowest stack slot hits the region's guard page", "[stacks]") {
  ChildResult r = run_stacks({"unchecked_overflow_guard_page"}, 1);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^runtime: stack overflow in code without a stack check \\(fault at 0x[0-9a-f]+\\)\n"
                       ".*\nfatal error: stack overflow\n"));
  CHECK(r.out.empty());
}

TEST_CASE("a checked function whose frame exceeds the guard reserve is reported", "[stacks]") {
  ChildResult r = run_stacks({"frame_too_large"}, 1);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^runtime: stack frame too large for GORT_STACK_CHECK"));
  CHECK(matches(r.err, "fatal error: stack overflow\n"));
  CHECK(r.out.empty());
}

TEST_CASE("return values survive the return trampoline at every segment boundary", "[stacks]") {
  ChildResult r = run_stacks({"return_values_across_segments"}, 1);
  INFO(r.describe());
  CHECK(r.out == "int128 true doubles true long_double true in_memory true crossed_segments true\n");
}

TEST_CASE("a frame-pointer walk maps the return trampoline to the real return address", "[stacks]") {
  ChildResult r = run_stacks({"traceback_across_segments"}, 1);
  INFO(r.describe());
  CHECK(r.out == "patched_per_segment true patched_some true mapped_to_trampoline 0 frames_ok true\n");
}

TEST_CASE("a call crossing a segment boundary in a loop reuses the cached segment", "[stacks]") {
  ChildResult r = run_stacks({"hot_split"}, 1);
  INFO(r.describe());
  CHECK(r.out == "found_depth true segments 2 sum_ok true segments_taken 1\n");
}

TEST_CASE("GORT_STACK_RESERVE: std::sort and std::map destruction on fresh goroutines", "[stacks][reserve]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_stacks({"reserve_library_recursion"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    CHECK(r.status == 0);
    CHECK(r.out == "sorted 4 maps 4 room 4\n");
  }
}

TEST_CASE("GORT_STACK_RESERVE honours a preemption request as the check does", "[stacks][reserve][preemption]") {
  ChildResult r = run_stacks({"reserve_honours_preemption"}, 1, {{"GODEBUG", "asyncpreemptoff=1"}});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "main_ran_again true\n");
}

TEST_CASE("GORT_STACK_RESERVE in a loop takes one segment, not one per call", "[stacks][reserve]") {
  ChildResult r = run_stacks({"reserve_in_loop"}, 1);
  INFO(r.describe());
  CHECK(r.out == "room_ok 10000 segments_taken 1\n");
}

TEST_CASE("cooperative preemption: a loop calling a checked function lets main run", "[stacks][preemption]") {
  for (const char* godebug : {"", "asyncpreemptoff=1"}) {
    ChildResult r = run_stacks({"cooperative_preemption"}, 1, {{"GODEBUG", godebug}});
    INFO("GODEBUG=" << godebug << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "main_ran_again true\n");
  }
}

TEST_CASE("a deep stack's memory goes back to the OS when its goroutine exits", "[stacks]") {
  ChildResult r = run_stacks({"deep_stack_memory_returned"});
  INFO(r.describe());
  CHECK(r.out == "grew_mb_over_50 true returned true\n");
}

TEST_CASE("async preemption: a loop without calls does not stop main on one processor", "[stacks][preemption]") {
  ChildResult r = run_stacks({"async_preemption"}, 1);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "main_ran_again true\n");
}

TEST_CASE("GODEBUG=asyncpreemptoff=1 turns the preemption signal off", "[stacks][preemption]") {
  // The same loop without calls can now only be stopped by the harness's deadline.
  ChildOptions options;
  options.env["GODEBUG"] = "asyncpreemptoff=1";
  options.timeout_seconds = 2;
  ChildResult r = run_scenario("stacks", {"async_preemption"}, 1, options);
  INFO(r.describe());
  CHECK(r.timed_out);
  CHECK(r.out.empty());
}

TEST_CASE("vector registers and MXCSR survive thousands of async preemptions", "[stacks][preemption]") {
  ChildResult r = run_stacks({"vector_registers_survive_preemption", "3000"}, 1);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exited);
  CHECK(r.out == "bad_rounds 0 rounds_positive true\n");
}

TEST_CASE("an overrun that skips the canaries lands in the spare slot and is reported", "[stacks]") {
  // The neighbour-overrun defect: before the spare slots, the parked neighbour's 32 words
  // were overwritten and the program exited 0.
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_stacks({"neighbour_overrun", "600"}, procs);
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 2);
    CHECK(r.out == "neighbour words intact 32\n");
    CHECK(matches(r.err, "^runtime: stack overflow in code without a stack check \\(the unused slot below the "
                         "goroutine's first stack segment was written\\)\n.*\nfatal error: stack overflow\n"));
  }
}

TEST_CASE("a local larger than main's stack faults in the range below it", "[stacks]") {
  // Before the guard range, main's 9 MiB local wrote into goroutine stacks mapped below.
  for (int procs : {1, 2}) {
    ChildResult r = run_stacks({"main_big_local", "9"}, procs);
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 2);
    CHECK(matches(r.err, "^runtime: stack overflow in code without a stack check \\(fault at 0x[0-9a-f]+\\)\n"
                         ".*\nfatal error: stack overflow\n"));
    CHECK(r.out.empty());
  }
}

TEST_CASE("an overrun of an extra segment hits its guard page", "[stacks]") {
  ChildResult r = run_stacks({"extra_segment_guard_page"}, 1);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^runtime: stack overflow in code without a stack check \\(fault at 0x[0-9a-f]+\\)\n"
                       ".*\nfatal error: stack overflow\n"));
  CHECK(r.out.empty());
}

TEST_CASE("the run queue's spill leaves a rule-abiding caller's neighbour intact", "[stacks]") {
  // An 800-byte checked frame then 300 `go`s on one Processor: the spill's 1 KiB batch used
  // to sit in the reserve and overwrite the canary ("canary overwritten", 5 of 5 runs).
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_stacks({"run_queue_spill_frame"}, procs);
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "ran 300 neighbour words intact 8\n");
    CHECK(r.err.empty());
  }
}

TEST_CASE("gomaxprocs changed from a goroutine leaves its neighbour intact", "[stacks]") {
  // gomaxprocs() used to put a 2 KiB table on the caller's 2 KiB stack.
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_stacks({"gomaxprocs_from_goroutine"}, procs);
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "gomaxprocs " + std::to_string(procs) + " -> 1 -> back; neighbour words intact 24\n");
    CHECK(r.err.empty());
  }
}
