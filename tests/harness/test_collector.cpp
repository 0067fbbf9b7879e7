// The collector (runtime/collector.cpp, docs/07-collector.md). Scenarios live in
// tests/progs/collector.cpp; each runs as a child process at GOMAXPROCS 1, 2 and 4. Every
// survival scenario also reports that collections reclaimed its churn, so a collector that
// freed nothing could not pass them; `unrooted` shows that a lost object is detected.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "child_process.h"

namespace {

ChildResult run_collector(std::vector<std::string> args, int gomaxprocs, std::map<std::string, std::string> env = {}) {
  ChildOptions options;
  options.env = env;
  options.timeout_seconds = 120;
  return run_scenario("collector", args, gomaxprocs, options);
}

void expect_output(const std::vector<std::string>& args, const std::string& output, std::map<std::string, std::string> env = {}) {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_collector(args, procs, env);
    INFO(args[0] << (args.size() > 1 ? " " + args[1] : "") << " at GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == output);
  }
}

void expect_output(const std::string& scenario, const std::string& output, std::map<std::string, std::string> env = {}) {
  expect_output(std::vector<std::string>{scenario}, output, env);
}

}  // namespace

TEST_CASE("an object nobody points to is reclaimed (the survival tests can fail)", "[collector]") {
  expect_output("unrooted", "reclaimed true\n");
}

TEST_CASE("an object reachable only from a global survives hundreds of collections", "[collector]") {
  expect_output("global", "intact true reclaimed true\n");
}

TEST_CASE("an interior pointer keeps its object alive", "[collector]") {
  expect_output("interior", "intact true reclaimed true\n");
}

TEST_CASE("small collected objects of odd sizes take the smallest class their alignment allows", "[collector]") {
  expect_output("small_odd_sizes",
                "node24 zeroed true aligned true slot true kept true\n"
                "wide32 zeroed true aligned true slot true kept true\n"
                "odd40 zeroed true aligned true slot true kept true\n");
}

TEST_CASE("a Root held in explicit memory keeps its object alive", "[collector]") {
  expect_output("root", "intact true reclaimed true\n");
}

TEST_CASE("the far end of a long chain survives", "[collector]") {
  expect_output("chain", "intact true live_at_least_chain true\n");
}

TEST_CASE("a parked goroutine's stack keeps its object alive, in every segment", "[collector]") {
  expect_output("stack_first_segment", "intact true reclaimed true\n");
  expect_output("stack_deep_segment", "intact true reclaimed true\n");
  expect_output("stack_earlier_segment", "intact true reclaimed true\n");
}

TEST_CASE("pointer-free types go to noscan spans, found at compile time; others are scanned", "[collector]") {
  ChildResult r = run_collector({"noscan_kinds"}, 1);
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out ==
        "uint64 true double_array true char_array true enum true declared true large true\n"
        "pointer false pair false ptr_array false raw_array false\n");
}

TEST_CASE("an earlier segment is scanned from where the goroutine left it: stale words below retain nothing", "[collector]") {
  // The copies of the address were below the left stack pointer when the goroutine parked
  // and still there when it woke, and the object went all the same.
  expect_output("stale_earlier_segment", "below_left true copies_kept true reclaimed true\n");
}

TEST_CASE("a goroutine blocked in read() keeps an object held in a callee-saved register", "[collector]") {
  expect_output("syscall_register", "intact true reclaimed true\n");
  // The control: the register holds the address scrambled, and the object goes, so no other
  // copy kept it above.
  expect_output(std::vector<std::string>{"syscall_register", "scrambled"}, "intact false reclaimed true\n");
}

TEST_CASE("a goroutine preempted while spinning keeps an object held only in a vector register", "[collector]") {
  expect_output("vector_register", "intact true preempted true reclaimed true\n");
  expect_output(std::vector<std::string>{"vector_register", "scrambled"}, "intact false preempted true reclaimed true\n");
}

TEST_CASE("a goroutine not yet started keeps the objects its closure holds", "[collector]") {
  // One Processor, no preemption signal and the mark inside the pause: main does not yield
  // while it collects, so the goroutine has not run when its closure is scanned.
  ChildResult r = run_collector({"unstarted_closure"}, 1, {{"GODEBUG", "asyncpreemptoff=1,gcstoptheworld=1"}});
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.status == 0);
  CHECK(r.out == "intact true ran_early false reclaimed true\n");
  // Concurrently, collect() waits for the cycle and the goroutine may run meanwhile; it is
  // scanned (by a worker, or before it runs) with its closure either way.
  for (int procs : {1, 2}) {
    ChildResult c = run_collector({"unstarted_closure"}, procs, {{"GODEBUG", "asyncpreemptoff=1"}});
    INFO(c.describe());
    REQUIRE_FALSE(c.timed_out);
    CHECK(c.status == 0);
    CHECK((c.out == "intact true ran_early false reclaimed true\n" || c.out == "intact true ran_early true reclaimed true\n"));
  }
}

TEST_CASE("channel buffers keep their elements alive, boxed ones too", "[collector]") {
  expect_output("channel_buffer", "intact true boxed_intact true reclaimed true\n");
}

TEST_CASE("goroutines allocating while others collect keep their structures", "[collector]") {
  expect_output("concurrent_mutators", "intact true collected true\n");
}

TEST_CASE("objects in flight through channels survive collections started by the goal", "[collector]") {
  expect_output("pipeline", "bad 0 collected true\n");
}

TEST_CASE("allocating far more than memory holds runs in a bounded heap", "[collector]") {
  expect_output("garbage_bounded", "collections_many true peak_under_16MiB true heap_sys_under_64MiB true kept true\n");
}

TEST_CASE("a concurrent cycle starts within Go's trigger bounds", "[collector]") {
  // 200 MiB goal over 100 MiB live: lower bound 100 + 100/64*45 MiB = 174,400 KiB (6/10 gave 163,840); 1.25 x 8
  // MiB before the goal = 194,560 KiB; upper bound max(100 + 100/64*61, 200 - 4) MiB =
  // 200,704 KiB. 8 MiB over 4: 4 + 4/64*61 MiB = 8,000 KiB (4 MiB short of the goal is lower).
  expect_output("trigger_bounds", "heavy 174400 light 194560 none_large 200704 none_small 8000\n");
}

TEST_CASE("the steady-state heap stays at the goal GOGC sets", "[collector]") {
  for (const char* percent : {"50", "100", "200"}) {
    for (int procs : {1, 2, 4}) {
      ChildResult r = run_collector({"steady_state", percent}, procs);
      INFO("GOGC=" << percent << " at GOMAXPROCS=" << procs << "\n" << r.describe());
      REQUIRE_FALSE(r.timed_out);
      CHECK(r.out == "collections_many true peak_within_goal true peak_near_goal true live_found_again true\n");
    }
  }
}

TEST_CASE("heap in use returns near its baseline after a structure is dropped", "[collector]") {
  expect_output("heap_returns_to_baseline", "grew true back_near_baseline true\n");
}

TEST_CASE("GOGC=off turns the goal off; the default collects", "[collector]") {
  // GOMEMLIMIT=off: unset, a container's memory limit would be a goal of its own.
  ChildResult off = run_collector({"gogc_off"}, 2, {{"GOGC", "off"}, {"GOMEMLIMIT", "off"}});
  INFO(off.describe());
  CHECK(off.out == "collections 0 goal 0\n");
  ChildResult on = run_collector({"gogc_off"}, 2);
  INFO(on.describe());
  CHECK(on.out.rfind("collections 0 ", 0) != 0);
  CHECK(on.out.find(" goal 4194304\n") != std::string::npos);
}

// realloc of a collected object dies the same way: tests/harness/test_allocator.cpp.
TEST_CASE("free or delete of a collected object is a fatal error naming it", "[collector]") {
  for (const char* scenario : {"free_collected", "delete_collected_large"}) {
    ChildResult r = run_collector({scenario}, 2);
    INFO(scenario << "\n" << r.describe());
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("fatal error: free of a collected object 0xc0") == 0);
  }
}

TEST_CASE("GODEBUG=gctrace=1 prints Go's line for every collection", "[collector]") {
  ChildResult r = run_collector({"heap_returns_to_baseline"}, 2, {{"GODEBUG", "gctrace=1"}});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "grew true back_near_baseline true\n");
  // Go 1.19's format (runtime/mgc.go, gcMarkTermination), "(forced)" for gc::collect().
  const std::regex line(
      R"(gc \d+ @\d+\.\d{3}s \d+%: [0-9.]+\+[0-9.]+\+[0-9.]+ ms clock, [0-9.]+\+[0-9.]+/[0-9.]+/[0-9.]+\+[0-9.]+ ms cpu, )"
      R"(\d+->\d+->\d+ MB, \d+ MB goal, \d+ MB stacks, \d+ MB globals, 2 P( \(forced\))?)");
  std::istringstream lines(r.err);
  std::string text;
  int count = 0, forced = 0;
  while (std::getline(lines, text)) {
    INFO(text);
    CHECK(std::regex_match(text, line));
    CHECK(text.rfind("gc " + std::to_string(count + 1) + " @", 0) == 0);  // numbered from 1
    count++;
    if (text.find("(forced)") != std::string::npos) forced++;
  }
  CHECK(forced == 3);     // the scenario's three gc::collect() calls
  CHECK(count >= forced);  // and any the goal started while it built its list
}

TEST_CASE("gctrace's line keeps Go's format for the stopped shapes and at any GOMAXPROCS", "[collector]") {
  for (const char* shape : {"gcstoptheworld=1", "gcstoptheworld=2"}) {
    for (int procs : {1, 4}) {
      ChildResult r = run_collector({"heap_returns_to_baseline"}, procs, {{"GODEBUG", std::string("gctrace=1,") + shape}});
      INFO(shape << " at GOMAXPROCS=" << procs << "\n" << r.describe());
      CHECK(r.status == 0);
      // The stopped mark is all pause: the concurrent phase's clock and its assist and idle
      // CPU are printed as Go prints them then, 0 and 0/.../0.
      const std::regex line(
          R"(gc \d+ @\d+\.\d{3}s \d+%: [0-9.]+\+[0-9.]+\+[0-9.]+ ms clock, [0-9.]+\+0/[0-9.]+/0\+[0-9.]+ ms cpu, )"
          R"(\d+->\d+->\d+ MB, \d+ MB goal, \d+ MB stacks, \d+ MB globals, )" +
          std::to_string(procs) + R"( P( \(forced\))?)");
      std::istringstream lines(r.err);
      std::string text;
      int count = 0;
      while (std::getline(lines, text)) {
        INFO(text);
        CHECK(std::regex_match(text, line));
        count++;
      }
      CHECK(count >= 3);
    }
  }
}

TEST_CASE("MemStats reports the collector with Go's meanings (NumGC, PauseNs, NextGC, HeapObjects)", "[collector]") {
  expect_output("mem_stats",
                "fresh true counts_collected true num_gc true num_gc_counts true pauses_all_set true "
                "latest_at_num_gc_plus_255 true total_covers_buffer true next_gc true cpu_fraction true heap_objects true "
                "kept true\n");
  ChildResult off = run_collector({"mem_stats_gogc_off"}, 2, {{"GOGC", "off"}, {"GOMEMLIMIT", "off"}});
  INFO(off.describe());
  CHECK(off.out == "next_gc_max true\n");
}

TEST_CASE("GOMEMLIMIT keeps all mapped memory near the limit where GOGC alone goes far past it", "[collector]") {
  for (int procs : {1, 2, 4}) {
    ChildResult limited = run_collector({"memory_limit_heap", "1"}, procs, {{"GOGC", "400"}});
    INFO("limited, GOMAXPROCS=" << procs << "\n" << limited.describe());
    CHECK(limited.out == "collections true governed_within_limit true goal_near_limit true reported true\n");
  }
  ChildResult unlimited = run_collector({"memory_limit_heap", "0"}, 2, {{"GOGC", "400"}, {"GOMEMLIMIT", "off"}});
  INFO(unlimited.describe());
  CHECK(unlimited.out == "beyond_limit true\n");
}

TEST_CASE("GOMEMLIMIT counts explicit memory, and the goal gives up its room before the next collection ends", "[collector]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_collector({"memory_limit_explicit"}, procs, {{"GOGC", "off"}});
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    CHECK(r.status == 0);
    CHECK(r.out == "collections true governed_within_limit true explicit_kept true\n");
  }
}

TEST_CASE("GOGC=off with a memory limit collects, and only near the limit", "[collector]") {
  ChildResult limited = run_collector({"memory_limit_heap", "1"}, 2, {{"GOGC", "off"}});
  INFO(limited.describe());
  CHECK(limited.out == "collections true governed_within_limit true goal_near_limit true reported true\n");
  ChildResult off = run_collector({"gogc_off"}, 2, {{"GOGC", "off"}, {"GOMEMLIMIT", "off"}});
  INFO(off.describe());
  CHECK(off.out == "collections 0 goal 0\n");
}

TEST_CASE("a memory limit the program cannot meet slows it instead of collecting at every allocation", "[collector]") {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_collector({"memory_limit_impossible"}, procs, {{"GOMEMLIMIT", "1"}});
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "limit 1 collected true capped true\n");
  }
}

TEST_CASE("GOMEMLIMIT is parsed as Go parses it; unset, the default is the cgroup's limit", "[collector]") {
  const std::string then = " previous true now 1073741824\n";
  std::vector<std::pair<std::string, std::string>> good = {
      {"12345", "read 12345 cgroup_default "}, {"3B", "read 3 cgroup_default "},     {"1KiB", "read 1024 cgroup_default "},
      {"64MiB", "read 67108864 cgroup_default "}, {"2GiB", "read 2147483648 cgroup_default "},
      {"1TiB", "read 1099511627776 cgroup_default "}, {"off", "read 9223372036854775807 cgroup_default "}};
  for (auto& [value, expect] : good) {
    ChildResult r = run_collector({"memory_limit_read"}, 2, {{"GOMEMLIMIT", value}});
    INFO("GOMEMLIMIT=" << value << "\n" << r.describe());
    CHECK(r.status == 0);
    CHECK(r.out.rfind(expect, 0) == 0);
    CHECK(r.out.size() > then.size());
    CHECK(r.out.substr(r.out.size() - then.size()) == then);
  }
  ChildResult unset = run_collector({"memory_limit_read"}, 2, {{"GOMEMLIMIT", ""}});  // empty is unset, as in Go
  INFO(unset.describe());
  CHECK(unset.out.find(" cgroup_default true previous true now 1073741824\n") != std::string::npos);
  for (const char* bad : {"abc", "-5", "12KB", "1.5GiB", "MiB", "9223372036854775808", "16777216TiB"}) {
    ChildResult r = run_collector({"memory_limit_read"}, 2, {{"GOMEMLIMIT", bad}});
    INFO("GOMEMLIMIT=" << bad << "\n" << r.describe());
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(std::string("GOMEMLIMIT=") + bad + "\nfatal error: malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`") == 0);
  }
}

TEST_CASE("a collection is forced when none ran for the period, started by sysmon", "[collector]") {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_collector({"forced_cycle"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == "forced_3 true counted true goroutines 1\n");
  }
  ChildResult idle = run_collector({"forced_cycle_default"}, 2);
  INFO(idle.describe());
  CHECK(idle.out == "forced 0 period_s 120\n");
}

TEST_CASE("gctrace prints GC forced before a forced cycle's line, as Go does", "[collector]") {
  ChildResult r = run_collector({"forced_cycle"}, 2, {{"GODEBUG", "gctrace=1"}});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "forced_3 true counted true goroutines 1\n");
  std::istringstream lines(r.err);
  std::vector<std::string> all;
  for (std::string text; std::getline(lines, text);) all.push_back(text);
  int forced = 0;
  for (size_t i = 0; i < all.size(); i++) {
    if (all[i] != "GC forced") continue;
    forced++;
    if (i + 1 == all.size()) continue;  // the program may end between the two lines
    INFO(all[i + 1]);
    CHECK(all[i + 1].rfind("gc ", 0) == 0);
    CHECK(all[i + 1].find("(forced)") == std::string::npos);  // Go marks only runtime.GC() so
  }
  CHECK(forced >= 3);
}

TEST_CASE("the forced cycle's helper does not hide a deadlock", "[collector]") {
  ChildResult r = run_collector({"forced_cycle_deadlock"}, 2);
  INFO(r.describe());
  REQUIRE_FALSE(r.timed_out);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("fatal error: all goroutines are asleep - deadlock!\n", 0) == 0);
  CHECK(r.err.find("force gc") == std::string::npos);
}
