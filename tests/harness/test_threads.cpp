// Blocking system calls and LockOSThread. Scenarios live in tests/progs/threads.cpp.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

ChildResult run_threads(std::vector<std::string> args, int gomaxprocs) {
  ChildOptions options;
  options.timeout_seconds = 30;
  return run_scenario("threads", args, gomaxprocs, options);
}

}  // namespace

TEST_CASE("a goroutine blocked in read() on an empty pipe does not stop the others", "[threads][syscalls]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_threads({"blocked_read"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "others_progressed 1000\nreader_got 1 z\n");
  }
}

TEST_CASE("goroutines that wake each other through pipes while in system calls", "[threads][syscalls]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_threads({"pipe_ping_pong", "300"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "echoed 300 returned 300\n");
  }
}

TEST_CASE("a call known to block hands its processor off at once", "[threads][syscalls]") {
  ChildResult r = run_threads({"blocking_handoff"}, 1);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.out == "main_ran_during_sleep true retaken_by_sysmon 0\n");
}

TEST_CASE("LockOSThread keeps a goroutine on one thread id", "[threads]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_threads({"lock_os_thread"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exited);
    CHECK(r.out == "tid_changes 0 others_ran 4000\n");
  }
}

TEST_CASE("without LockOSThread the same pattern does move between threads", "[threads]") {
  ChildResult r = run_threads({"unlocked_moves"}, 2);
  INFO(r.describe());
  CHECK(r.out == "moved true\n");
}

TEST_CASE("a sleep interrupted by signals (EINTR) still sleeps its full time", "[threads][syscalls]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_threads({"sleep_survives_signals"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "signals_sent_many true slept_full_time true\n");
  }
}

TEST_CASE("locked goroutines making blocking calls, parking and exiting wired", "[threads][lock_os_thread]") {
  for (int procs : {1, 2, 4}) {
    ChildOptions options;
    options.timeout_seconds = 120;
    ChildResult r = run_scenario("threads", {"locked_blocking_calls", "1000", "3"}, procs, options);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.err == "");
    CHECK(r.out == "completed 3000 of 3000 tid_changes 0\n");
  }
}

TEST_CASE("timers, select, mutexes and locked blocking calls mixed", "[threads][lock_os_thread]") {
  for (int procs : {1, 2, 4}) {
    ChildOptions options;
    options.timeout_seconds = 120;
    ChildResult r = run_scenario("threads", {"locked_mix", "40"}, procs, options);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "counter_ok true timers true selected true calls true\n");
  }
}

TEST_CASE("a function-local static whose initialiser blocks is waited for, parked", "[threads][static_init]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_threads({"static_init_blocks"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "sum 210 constructions 1\n");
  }
}

TEST_CASE("recursive initialisation of a function-local static is a fatal error", "[threads][static_init]") {
  ChildResult r = run_threads({"static_init_recursive"}, 1);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.status == 2);
  CHECK(r.out == "");
  CHECK(matches(r.err, "^fatal error: recursive initialization of a function-local static\n\ngoroutine 1 \\[running\\]:\n"));
}

TEST_CASE("more threads than SetMaxThreads allows end with Go's message", "[threads][thread_limit]") {
  for (const char* scenario : {"thread_limit", "thread_limit_below_current"}) {
    ChildResult r = run_threads({scenario}, 2);
    INFO(scenario << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 2);
    CHECK(r.out == "");
    CHECK(matches(r.err, "^runtime: program exceeds [18]-thread limit\nfatal error: thread exhaustion\n\n"));
  }
}

TEST_CASE("each thread counts the runtime locks it holds", "[threads][lock_checks]") {
  for (bool debug : {false, true}) {
    ChildOptions options;
    options.timeout_seconds = 30;
    ChildResult r = run_child(debug ? debug_test_program("threads") : test_program("threads"), {"runtime_lock_count"}, options);
    INFO((debug ? "debug build\n" : "release build\n") << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "before false held true nested 2 after false\n");
  }
}

TEST_CASE("the debug build catches a planted lock-order inversion", "[threads][lock_checks]") {
  ChildOptions options;
  options.timeout_seconds = 30;
  ChildResult r = run_child(debug_test_program("threads"), {"lock_order_inversion"}, options);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.status == 2);
  CHECK(r.out == "");
  CHECK(matches(r.err, "^runtime: lock ordering problem: acquiring scheduler.lock after a lock of later rank; held:\n"
                       "\t0 : scheduler.all_lock 0x[0-9a-f]+\n"
                       "fatal error: lock ordering problem\n"));
}

TEST_CASE("a stopped goroutine's stack pointer and registers are where stopped_registers says", "[threads][registers]") {
  ChildResult r = run_threads({"stopped_registers"}, 1);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.status == 0);
  CHECK(r.out ==
        "parked true sp_in_stack true pc_in_channel_receive true words 6 frames true outermost true\n"
        "in_syscall true sp_in_stack true pc_in_sleep_thread true frames true outermost true\n"
        "running false\n"
        "fresh true pc_is_goroutine_start true fp 0\n"
        "dead false\n");
}
