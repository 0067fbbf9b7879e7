// Channel and select tests. Scenarios live in tests/progs/channels.cpp.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

ChildResult run_channels(std::vector<std::string> args, int gomaxprocs = 2) {
  return run_scenario("channels", args, gomaxprocs);
}

}  // namespace

TEST_CASE("the concurrent prime sieve prints the first 1,000 primes", "[channels]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_channels({"prime_sieve", "1000"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "primes 1000 last 7919 sum 3682913\n");  // the 1000th prime, and their sum
  }
}

// Also a stress of the channel lock: with more Processors than this machine's two CPUs, the
// kernel preempts threads that hold it, and waiters must spin, then yield, until it is free.
TEST_CASE("fan-in and fan-out keep exact totals", "[channels]") {
  for (const char* capacity : {"64", "1", "0"}) {
    for (int procs : {1, 2, 4, 8}) {
      ChildResult r = run_channels({"fan_in_out", capacity}, procs);
      INFO("capacity " << capacity << ", GOMAXPROCS=" << procs << "\n" << r.describe());
      CHECK(r.out == "total 1600080000 expected 1600080000\n");
    }
  }
}

TEST_CASE("select chooses uniformly among ready cases", "[channels][select]") {
  ChildResult r = run_channels({"select_fairness"});
  INFO(r.describe());
  CHECK(matches(r.out, "^fair true counts \\d+ \\d+ \\d+ \\d+\n$"));
}

TEST_CASE("non-blocking send and receive, select with default, nil channels", "[channels][select]") {
  ChildResult r = run_channels({"nonblocking"});
  INFO(r.describe());
  CHECK(r.out == "true false true 1 false false -1 -1\n");
}

TEST_CASE("close: receivers drain the buffer, then get zero and ok=false", "[channels]") {
  ChildResult r = run_channels({"close_semantics"});
  INFO(r.describe());
  CHECK(r.out == "true 10 true 20 true 30 false 0 len 0 cap 3\nwoken false 0 range_sum 15\n");
}

TEST_CASE("select waits on several channels and is woken by the first ready", "[channels][select]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_channels({"select_waits"}, procs);
    INFO(r.describe());
    CHECK(r.out == "first_ready 1 42 send_case 1 7\n");
  }
}

TEST_CASE("select works on a goroutine's first small stack, with few cases and many", "[channels][select]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_channels({"select_in_goroutines"}, procs);
    INFO(r.describe());
    CHECK(r.status == 0);
    CHECK(r.out == "own_sum 4950 wide_sum 4950 mismatches 0\n");
  }
}

TEST_CASE("channels of a type that is not trivially copyable lose and leak nothing", "[channels][select]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_channels({"boxed_elements"}, procs);
    INFO(r.describe());
    CHECK(r.status == 0);
    CHECK(r.out == "buffered 500500 unbuffered 5050 select 42 send_case 1 closed -1 false live 0\n");
  }
}

TEST_CASE("unbuffered ping-pong on one and two processors", "[channels]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_channels({"ping_pong", "200000"}, procs);
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "value 200000\n");
  }
}

TEST_CASE("closed-channel misuse panics as Go does, with status 2", "[channels][panic]") {
  struct Case {
    const char* scenario;
    const char* message;
    const char* goroutine;
  } cases[] = {{"send_on_closed", "send on closed channel", "1"},
               {"close_closed", "close of closed channel", "1"},
               {"close_nil", "close of nil channel", "1"},
               {"blocked_sender_closed", "send on closed channel", "2"}};
  for (const Case& c : cases) {
    ChildResult r = run_channels({c.scenario});
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 2);
    CHECK(matches(r.err, std::string("^panic: ") + c.message + "\n\ngoroutine " + c.goroutine + " \\[running\\]:\n"));
  }
}

TEST_CASE("blocked on channels with nothing left to wake them is a deadlock", "[channels][deadlock]") {
  ChildResult r = run_channels({"deadlock_receive"});
  INFO(r.describe());
  CHECK(r.status == 2);
  CHECK(r.err == "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n");
  ChildResult nil = run_channels({"deadlock_nil_and_empty_select"});
  INFO(nil.describe());
  CHECK(nil.status == 2);
  CHECK(nil.err == "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [select (no cases)]:\n"
                   "\ngoroutine 2 [chan receive (nil chan)]:\n");
}

TEST_CASE("sleep of 10 ms takes at least 10 ms, and not much more", "[channels][time]") {
  ChildResult r = run_channels({"sleep_durations"});
  INFO(r.describe());
  CHECK(r.out == "at_least_10ms true median_under_20ms true\n");
}

TEST_CASE("10,000 timers fire in deadline order", "[channels][time]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_channels({"timer_order"}, procs);
    INFO(r.describe());
    CHECK(r.out == "fired 10000 out_of_order 0\n");
  }
}

TEST_CASE("timers, tickers, after, stop and reset, and a timer in select", "[channels][time]") {
  ChildResult r = run_channels({"timers_and_tickers"});
  INFO(r.describe());
  CHECK(r.out == "timer true ticks true stop true false reset false select_timeout 1\n");
}

TEST_CASE("an idle program waiting on a timer sleeps and is not deadlocked", "[channels][time][deadlock]") {
  ChildResult r = run_channels({"idle_timer_wait"}, 1);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "cpu_under_50ms true\n");
}
