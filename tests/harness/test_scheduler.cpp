// Scheduler tests. Scenarios live in tests/progs/scheduler.cpp; each runs as a child
// process with GOMAXPROCS set here, and is checked on its output and exit status.
#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include "child_process.h"

namespace {

ChildResult run_scheduler(std::vector<std::string> args, int gomaxprocs, std::map<std::string, std::string> env = {}) {
  ChildOptions options;
  options.env = env;
  return run_scenario("scheduler", args, gomaxprocs, options);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const std::string deadlock_message = "fatal error: all goroutines are asleep - deadlock!\n";

}  // namespace

TEST_CASE("100,000 goroutines are spawned and joined with an exact total", "[scheduler]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_scheduler({"spawn_join", "100000"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "total 4999950000 expected 4999950000\n");
  }
}

TEST_CASE("two goroutines yielding on one processor alternate strictly", "[scheduler]") {
  ChildResult r = run_scheduler({"gosched_alternate"}, 1);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.out == "length 4000 switches 3999\n");
}

TEST_CASE("with GOMAXPROCS=2 two goroutines run truly in parallel", "[scheduler]") {
  // Each goroutine spins until the other has taken its turn, without yielding: this only
  // completes if both run at once. A deadline turns a failure into a test failure.
  ChildResult r = run_scheduler({"parallel"}, 2);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exited);
  CHECK(r.out == "turns 40000\n");
}

TEST_CASE("goroutines spawned on one processor are stolen by another machine", "[scheduler]") {
  ChildResult r = run_scheduler({"steal"}, 2);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.out == "spawned_on_processor 0 ran_on_more_than_one_machine true\n");
}

TEST_CASE("with one processor nothing is stolen", "[scheduler]") {
  ChildResult r = run_scheduler({"steal"}, 1);
  INFO(r.describe());
  CHECK(r.out == "spawned_on_processor 0 ran_on_more_than_one_machine false\n");
}

TEST_CASE("Mutex and WaitGroup keep exact counts under contention", "[scheduler][sync]") {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_scheduler({"mutex_waitgroup"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE(r.exited);
    CHECK(r.out == "counter 800000 expected 800000\n");
  }
}

TEST_CASE("deadlock is detected with Go's message and status 2", "[scheduler][deadlock]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_scheduler({"deadlock_main"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exited);
    CHECK(r.status == 2);
    CHECK(r.err == deadlock_message + "\ngoroutine 1 [sync.WaitGroup.Wait]:\n");
    CHECK(r.out.empty());
  }
}

TEST_CASE("deadlock among several goroutines lists each with its wait reason", "[scheduler][deadlock]") {
  ChildResult r = run_scheduler({"deadlock_many"}, 2);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(r.err == deadlock_message +
                     "\ngoroutine 1 [sync.WaitGroup.Wait]:\n"
                     "\ngoroutine 2 [sync.Mutex.Lock]:\n"
                     "\ngoroutine 3 [sync.Mutex.Lock]:\n"
                     "\ngoroutine 4 [sync.Mutex.Lock]:\n"
                     "\ngoroutine 5 [sync.WaitGroup.Wait]:\n");
}

TEST_CASE("schedtrace prints Go's SCHED line", "[scheduler][schedtrace]") {
  ChildResult r = run_scheduler({"busy", "80"}, 2, {{"GODEBUG", "schedtrace=10"}});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  const std::regex sched_line(
      R"(SCHED \d+ms: gomaxprocs=2 idleprocs=[0-2] threads=\d+ spinningthreads=\d+ needspinning=\d+ )"
      R"(idlethreads=\d+ runqueue=\d+ \[\d+ \d+\])");
  std::vector<std::string> lines = lines_of(r.err);
  REQUIRE(lines.size() >= 3);
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(std::regex_match(line, sched_line));
  }
  // The first line is printed at start-up, the others every 10 ms: times never go back.
  // (Not "SCHED 0ms" exactly: on a loaded machine start-up itself may take a few ms.)
  long previous = -1;
  for (const std::string& line : lines) {
    long ms = std::stol(line.substr(6));
    CHECK(ms >= previous);
    previous = ms;
  }
}

TEST_CASE("scheddetail adds Go's P, M and G lines", "[scheduler][schedtrace]") {
  ChildResult r = run_scheduler({"busy", "50"}, 2, {{"GODEBUG", "schedtrace=20,scheddetail=1"}});
  INFO(r.describe());
  REQUIRE(r.exited);
  const std::regex sched_line(
      R"(SCHED \d+ms: gomaxprocs=2 idleprocs=\d+ threads=\d+ spinningthreads=\d+ needspinning=\d+ idlethreads=\d+ )"
      R"(runqueue=\d+ gcwaiting=\d+ nmidlelocked=\d+ stopwait=\d+ sysmonwait=\d+)");
  const std::regex p_line(
      R"(  P[01]: status=[0-4] schedtick=\d+ syscalltick=\d+ m=-?\d+ runqsize=\d+ gfreecnt=\d+ timerslen=\d+)");
  const std::regex m_line(
      R"(  M\d+: p=-?\d+ curg=-?\d+ mallocing=\d+ throwing=\d+ preemptoff=\S* locks=\d+ dying=\d+ )"
      R"(spinning=(true|false) blocked=(true|false) lockedg=-?\d+)");
  const std::regex g_line(R"(  G\d+: status=[0-9]\([a-zA-Z. ]*\) m=-?\d+ lockedm=-?\d+)");
  int sched = 0, p = 0, m = 0, g = 0;
  for (const std::string& line : lines_of(r.err)) {
    INFO(line);
    if (std::regex_match(line, sched_line)) sched++;
    else if (std::regex_match(line, p_line)) p++;
    else if (std::regex_match(line, m_line)) m++;
    else if (std::regex_match(line, g_line)) g++;
    else FAIL("unexpected line: " << line);
  }
  CHECK(sched >= 2);
  CHECK(p == 2 * sched);
  CHECK(m >= 2 * sched);  // m0 plus sysmon at least
  CHECK(g >= sched);      // main at least
  CHECK(std::regex_search(r.err, std::regex(R"(  G1: status=4\(sync.WaitGroup.Wait\) m=-1 lockedm=-1)")));
}

TEST_CASE("GOMAXPROCS changes at run time take effect", "[scheduler]") {
  ChildResult r = run_scheduler({"gomaxprocs_change"}, 1);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  REQUIRE(r.exited);
  CHECK(r.out ==
        "start 1 used 1\n"
        "set2_returns 1 now 2 used 2\n"
        "set1_returns 2 now 1 used 1\n"
        "set3_returns 1 now 3 used true\n"
        "query_returns 3 now 3\n");
}

TEST_CASE("GOMAXPROCS from the environment; invalid values are ignored", "[scheduler]") {
  struct Case {
    std::string value;
    int expected;  // 0: the default, the number of CPUs in the affinity mask
  } cases[] = {{"1", 1}, {"3", 3}, {"0", 0}, {"-4", 0}, {"abc", 0}, {"", 0}, {"2x", 0}};
  int cpus = std::stoi(host_command_output("nproc"));
  for (const Case& c : cases) {
    ChildOptions options;
    options.env["GOMAXPROCS"] = c.value;  // the raw text, bad values included
    ChildResult r = run_scenario("scheduler", {"gomaxprocs_change"}, 0, options);
    std::string expected = "start " + std::to_string(c.expected != 0 ? c.expected : cpus) + " ";
    INFO("GOMAXPROCS='" << c.value << "'\n" << r.describe());
    REQUIRE(r.exited);
    CHECK(r.out.rfind(expected, 0) == 0);
  }
}

TEST_CASE("num_goroutine counts live goroutines", "[scheduler]") {
  ChildResult r = run_scheduler({"num_goroutine"}, 2);
  INFO(r.describe());
  CHECK(r.out == "while_blocked 11 after 1\n");
}

TEST_CASE("main returning ends the process whatever other goroutines do", "[scheduler]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_scheduler({"main_returns_early"}, procs);
    INFO(r.describe());
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exited);
    CHECK(r.status == 3);
  }
}

TEST_CASE("randomized stress: spawn, yield, park/ready, mutex with exact totals", "[scheduler][stress]") {
  for (int round = 0; round < 3; round++) {
    ChildResult r = run_scheduler({"stress", "200000"}, 2);
    INFO("round " << round << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exited);
    CHECK(r.out == "spawned_ok true locked_ok true tokens 0\n");
  }
}

TEST_CASE("RWMutex, Once and Cond under contention", "[scheduler][sync]") {
  for (int procs : {1, 2}) {
    INFO("GOMAXPROCS=" << procs);
    ChildResult rw = run_scheduler({"rwmutex"}, procs);
    INFO(rw.describe());
    CHECK(rw.out == "a 20000 b 20000 torn 0 reads 40000\n");
    ChildResult once = run_scheduler({"once"}, procs);
    INFO(once.describe());
    CHECK(once.out == "calls 1 saw_done 50\n");
    ChildResult cond = run_scheduler({"cond"}, procs);
    INFO(cond.describe());
    CHECK(cond.out == "produced 40000 consumed 40000 queue 0\n");
  }
}

TEST_CASE("a goroutine waiting for a Mutex is not starved by one that keeps retaking it", "[scheduler][sync]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_scheduler({"mutex_no_starvation"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.out == "waiter_got_it_early true\n");
  }
}
