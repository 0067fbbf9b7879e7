// The concurrent mark (runtime/marker.cpp, runtime/collector.cpp; docs/07-collector.md, "The
// concurrent mark"). Scenarios live in tests/progs/gc_mark.cpp.
#include <catch2/catch.hpp>

#include <regex>

#include "child_process.h"

namespace {

// Runs the scenario at each GOMAXPROCS in `procs` and hands each run that finished to `check`.
template <typename Check>
void run_mark(std::initializer_list<int> procs, const std::vector<std::string>& argv, std::map<std::string, std::string> env,
              Check check) {
  for (int p : procs) {
    ChildOptions options;
    options.timeout_seconds = 120;
    options.env = env;
    ChildResult r = run_scenario("gc_mark", argv, p, options);
    INFO("GOMAXPROCS=" << p << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    check(r);
  }
}

}  // namespace

TEST_CASE("a mutator racing the marker through barriered fields passes gccheckmark over many cycles", "[collector][mark]") {
  run_mark({1, 2, 4}, {"racing_mutator", "20000"}, {{"GOGC", "1"}, {"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(r.out == "bad 0 reached_some true cycles_many true\n");
  });
}

TEST_CASE("a pointer moved through barriered fields during the mark survives it", "[collector][mark]") {
  run_mark({1, 2, 4}, {"moved_pointer", "barriered"}, {{"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(std::regex_match(r.out, std::regex("victim 0x[0-9a-f]+\nvictim_key 4242\n")));
  });
}

TEST_CASE("gccheckmark catches a pointer moved by raw stores during the mark and names it", "[collector][mark]") {
  run_mark({1, 2, 4}, {"moved_pointer", "raw"}, {{"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
    CHECK(r.status == 2);
    std::smatch victim;
    REQUIRE(std::regex_search(r.out, victim, std::regex("victim (0x[0-9a-f]+)\n")));
    // The victim, and the slot that points to it: the raw field of the black object.
    CHECK(r.err.find("runtime: checkmarks found unexpected unmarked object obj=" + victim[1].str() + "\n") != std::string::npos);
    CHECK(std::regex_search(r.err, std::regex("runtime: found obj at \\*\\(0x[0-9a-f]+\\+0x8\\)\n")));
    CHECK(r.err.find("fatal error: checkmark found unmarked object\n") != std::string::npos);
  });
}

// The bulk barrier (gc::copy_pointers, gc::clear_pointers in runtime/barrier.cpp): each way
// leaves the victim to one shade or two. bulk: the copy's source shade and the clear's;
// bulk_copy: the copy's source shade alone (the source is then zeroed raw); bulk_clear: the
// clear's alone (the copy is a raw memcpy); bulk_overwrite: the copy's shade of the old
// destination alone (the victim, loaded onto a black stack, loses its one heap reference to
// the copy). Deleting any one of the three shades fails the way that depends on it.
TEST_CASE("pointers moved through the bulk barrier during the mark survive it", "[collector][mark]") {
  for (const char* move : {"bulk", "bulk_copy", "bulk_clear", "bulk_overwrite"}) {
    INFO(move);
    run_mark({1, 2, 4}, {"moved_pointer", move}, {{"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
      CHECK(r.status == 0);
      CHECK(std::regex_match(r.out, std::regex("victim 0x[0-9a-f]+\nvictim_key 4242\n")));
    });
  }
}

TEST_CASE("gccheckmark catches a pointer moved by raw memcpy and memset during the mark and names it", "[collector][mark]") {
  run_mark({1, 2, 4}, {"moved_pointer", "rawbulk"}, {{"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
    CHECK(r.status == 2);
    std::smatch victim;
    REQUIRE(std::regex_search(r.out, victim, std::regex("victim (0x[0-9a-f]+)\n")));
    // The victim, and the slot that points to it: slot 2 of the black array.
    CHECK(r.err.find("runtime: checkmarks found unexpected unmarked object obj=" + victim[1].str() + "\n") != std::string::npos);
    CHECK(std::regex_search(r.err, std::regex("runtime: found obj at \\*\\(0x[0-9a-f]+\\+0x10\\)\n")));
    CHECK(r.err.find("fatal error: checkmark found unmarked object\n") != std::string::npos);
  });
}

// shade_slot_if_marking in runtime/channel.cpp: the victim's one reference is in a collected
// channel's buffer (not a root), received during the mark and stored raw into a black node;
// channel: the slot is emptied (buffer_take), channel_full: a waiting sender's value refills
// it (receive_from_sender). Each fails without its shade.
TEST_CASE("a pointer received from a collected channel's buffer during the mark survives it", "[collector][mark]") {
  for (const char* move : {"channel", "channel_full"}) {
    INFO(move);
    run_mark({1, 2, 4}, {"moved_pointer", move}, {{"GODEBUG", "gccheckmark=1"}}, [](const ChildResult& r) {
      CHECK(r.status == 0);
      CHECK(std::regex_match(r.out, std::regex("victim 0x[0-9a-f]+\nvictim_key 4242\n")));
    });
  }
}

TEST_CASE("a concurrent cycle lets goroutines run between its two pauses", "[collector][mark]") {
  run_mark({1, 2}, {"cycle_shape"}, {}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(r.out == "ran_during_mark true ended_after true pauses 2\n");
  });
}

TEST_CASE("mark workers are planned as Go's: a quarter of the Processors, whole or as a fractional share", "[collector][mark]") {
  run_mark({1}, {"worker_plan"}, {}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    // Go's startCycle: round(P/4) dedicated when within 30% of P/4, else rounded down plus
    // the rest as a share of each Processor (thousandths).
    CHECK(r.out == "1:0/250 2:0/250 3:0/250 4:1/0 5:1/0 6:1/83 7:2/0 8:2/0 16:4/0 \n");
  });
}

TEST_CASE("each concurrent mark scans every goroutine's stack exactly once", "[collector][mark]") {
  run_mark({1, 2, 4}, {"stacks_once"}, {}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(r.out == "scanned_once true at_least_parked true\n");
  });
}

TEST_CASE("the mark's work comes from workers, idle Processors and assists", "[collector][mark]") {
  // At GOMAXPROCS=1 the one Processor is never idle: a fractional worker and the allocating
  // goroutine's assists mark. With more, the idle Processors run idle workers too.
  run_mark({1}, {"workers_and_assists"}, {}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(r.out == "worker true idle false assist true\n");
  });
  run_mark({2, 4}, {"workers_and_assists"}, {}, [](const ChildResult& r) {
    CHECK(r.status == 0);
    CHECK(r.out.find("worker true idle true assist ") == 0);
  });
}
