// The collector's pause histogram (gc::PauseHistogram, gc::read_pauses in
// runtime/collector.h): its bucket arithmetic here, and in tests/progs/pause_record.cpp its
// record against MemStats' over fewer and more collections than MemStats' ring of 256 holds.
// The benchmarks (tools/bench.py) quote its p50, p99 and max. Tagged [pauses], not
// [collector]: `make test` reruns [collector] on the debug build, which builds only the
// programs DEBUG_TEST_PROGS names.
#include <catch2/catch.hpp>

#include "../../runtime/collector.h"
#include "child_process.h"

using gort::gc::PauseHistogram;

TEST_CASE("every pause falls in the bucket whose bounds hold it, 6.25% wide at most", "[pauses][bench]") {
  uint64_t previous_bucket = 0;
  for (uint64_t ns = 0; ns < 200000; ns++) {  // every value through the first buckets
    uint32_t b = PauseHistogram::bucket_of(ns);
    INFO("ns " << ns << " bucket " << b);
    REQUIRE(b >= previous_bucket);  // monotonic: no bucket is skipped or revisited
    REQUIRE(b <= previous_bucket + 1);
    REQUIRE(PauseHistogram::lower(b) <= ns);
    REQUIRE(ns < PauseHistogram::lower(b + 1));
    previous_bucket = b;
  }
  for (uint64_t ns = 1000; ns < (uint64_t(1) << 41); ns = ns * 17 / 16 + 3) {  // sampled above
    uint32_t b = PauseHistogram::bucket_of(ns);
    INFO("ns " << ns << " bucket " << b);
    REQUIRE(b < PauseHistogram::bucket_count);
    REQUIRE(PauseHistogram::lower(b) <= ns);
    REQUIRE(ns < PauseHistogram::lower(b + 1));
    REQUIRE(double(PauseHistogram::lower(b + 1) - PauseHistogram::lower(b)) <= double(PauseHistogram::lower(b)) / 16 + 1);
  }
  CHECK(PauseHistogram::bucket_of(~uint64_t(0)) == PauseHistogram::bucket_count - 1);
}

TEST_CASE("the pause histogram's quantiles are bucket upper ends, capped by the exact max", "[pauses][bench]") {
  static PauseHistogram h{};
  for (uint64_t ns : {1000u, 2000u, 3000u, 50000u}) h.buckets[PauseHistogram::bucket_of(ns)]++, h.pauses++;
  h.max_ns = 50000;
  CHECK(h.quantile(0.5) >= 2000);
  CHECK(h.quantile(0.5) < 2000 + 2000 / 16);
  CHECK(h.quantile(0.75) >= 3000);
  CHECK(h.quantile(0.75) < 3000 + 3000 / 16);
  CHECK(h.quantile(0.99) == 50000);
  CHECK(h.quantile(1.0) == 50000);
}

TEST_CASE("the pause histogram counts every collection, past MemStats' ring of 256", "[pauses][bench]") {
  // strict: each collection one pause, forced by gcstoptheworld=1; loose: the concurrent
  // cycle the runtime runs by default.
  for (const char* mode : {"strict", "loose"}) {
    for (const char* collections : {"100", "600"}) {
      for (int procs : {1, 2}) {
        ChildOptions options;
        options.timeout_seconds = 120;
        if (std::string(mode) == "strict") options.env["GODEBUG"] = "gcstoptheworld=1";
        ChildResult r = run_scenario("pause_record", {"histogram", collections, mode}, procs, options);
        INFO(mode << ", " << collections << " collections at GOMAXPROCS=" << procs << "\n" << r.describe());
        REQUIRE_FALSE(r.timed_out);
        CHECK(r.status == 0);
        CHECK(r.out == "counted true total true buckets true max true quantiles true\n");
      }
    }
  }
}
