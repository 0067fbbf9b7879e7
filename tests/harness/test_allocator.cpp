// Allocator tests. Scenarios live in tests/progs/allocator.cpp.
#include <catch2/catch.hpp>

#include <regex>

#include "child_process.h"

namespace {

ChildResult run_allocator(std::vector<std::string> args, int gomaxprocs = 2) {
  ChildOptions options;
  options.timeout_seconds = 90;
  return run_scenario("allocator", args, gomaxprocs, options);
}

}  // namespace

TEST_CASE("randomized alloc/free from many goroutines keeps every object intact", "[allocator]") {
  for (int procs : {1, 2}) {
    ChildResult r = run_allocator({"stress", "400000"}, procs);
    INFO("GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == "corrupt 0 balanced true live_bytes 0\n");
  }
}

TEST_CASE("interior pointers lead back to their object for every class and large sizes", "[allocator]") {
  ChildResult r = run_allocator({"interior_pointers"});
  INFO(r.describe());
  CHECK(r.out == "checked_over_100000 true wrong 0\n");
}

TEST_CASE("realloc keeps contents", "[allocator]") {
  ChildResult r = run_allocator({"realloc_keeps_contents"});
  INFO(r.describe());
  CHECK(r.out == "bad 0\n");
}

// As free() of one does (tests/harness/test_collector.cpp). Every size dies, the one realloc
// would have answered without touching the object (`fits`) and the one that frees it (`zero`)
// included.
TEST_CASE("realloc of a collected object at any size is a fatal error naming it", "[allocator]") {
  for (const char* how : {"fits", "grow", "zero", "large"}) {
    ChildResult r = run_allocator({"realloc_collected", how});
    INFO(how << "\n" << r.describe());
    CHECK(r.status == 2);
    std::smatch object;
    REQUIRE(std::regex_match(r.out, object, std::regex("object (0xc0[0-9a-f]+)\n")));
    CHECK(r.err.find("fatal error: realloc of a collected object " + object[1].str() + "\n") == 0);
  }
}

TEST_CASE("freed memory goes back to the OS, at once or in the background", "[allocator]") {
  ChildResult r = run_allocator({"memory_returned"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.out == "grew_mb_over_300 true returned_now true returned_in_background true\n");
}

TEST_CASE("tiny pointer-free objects share blocks and are all freed", "[allocator]") {
  ChildResult r = run_allocator({"tiny_objects"});
  INFO(r.describe());
  CHECK(r.out == "blocks_shared true balanced true\n");
}

TEST_CASE("operator new and delete use gort's heap, aligned ones too", "[allocator]") {
  ChildResult r = run_allocator({"new_delete"});
  INFO(r.describe());
  CHECK(r.out == "bad 0\n");
}

TEST_CASE("impossible sizes end with 'fatal error: out of memory' and status 2", "[allocator]") {
  struct Case {
    const char* scenario;
    const char* size;
  } cases[] = {{"absurd_size", "4611686018427387904"}, {"calloc_overflow", "18446744073709551615"}};
  for (const Case& c : cases) {
    ChildResult r = run_allocator({c.scenario});
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 2);
    CHECK(matches(r.err, std::string("^runtime: out of memory: cannot allocate ") + c.size +
                             "-byte block \\(\\d+ in use\\)\nfatal error: out of memory\n"));
    CHECK(r.out.empty());
  }
}

TEST_CASE("a double free, a free inside an object and a free of a foreign pointer are fatal", "[allocator]") {
  ChildResult twice = run_allocator({"double_free"});
  INFO(twice.describe());
  CHECK(twice.status == 2);
  CHECK(matches(twice.err, "^fatal error: free: object is not allocated \\(double free\\?\\)\n"));
  for (const char* kind : {"small", "straddle", "large"}) {
    ChildResult inside = run_allocator({"interior_free", kind});
    INFO(kind << ": " << inside.describe());
    CHECK(inside.status == 2);
    CHECK(matches(inside.err, "^fatal error: free: pointer to the inside of an object\n"));
  }
  ChildResult foreign = run_allocator({"foreign_free"});
  INFO(foreign.describe());
  CHECK(foreign.status == 2);
  CHECK(matches(foreign.err, "^fatal error: free: pointer was not allocated by gort's heap\n"));
}
