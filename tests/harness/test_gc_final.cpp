// Typed collected objects, destructors and cleanups (runtime/finalization.cpp,
// docs/07-collector.md "Cleanups and destructors", "Finding pointers"). Scenarios live in
// tests/progs/gc_final.cpp; each runs as a child process at GOMAXPROCS 1, 2 and 4.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

ChildResult run_final(std::vector<std::string> args, int gomaxprocs) {
  ChildOptions options;
  options.timeout_seconds = 120;
  return run_scenario("gc_final", args, gomaxprocs, options);
}

void expect_output(const std::string& scenario, const std::string& output) {
  for (int procs : {1, 2, 4}) {
    ChildResult r = run_final({scenario}, procs);
    INFO(scenario << " at GOMAXPROCS=" << procs << "\n" << r.describe());
    REQUIRE_FALSE(r.timed_out);
    CHECK(r.status == 0);
    CHECK(r.out == output);
  }
}

}  // namespace

TEST_CASE("a layout makes scanning precise: look-alike words retain nothing, listed pointers keep their objects", "[collector][gc_final]") {
  expect_output("precise_layout",
                "precise_reclaimed 1000 of 1000 reals true\n"
                "conservative_reclaimed 0 reals true\n"
                "array_reclaimed 1000 reals true\n"
                "empty_layout_reclaimed 500 kept_not_destroyed true\n");
}

TEST_CASE("a typed type aligned above 16 bytes: aligned elements, its layout and its destructor", "[collector][gc_final]") {
  expect_output("aligned_typed", "aligned true intact true none_destroyed true destroyed 6\n");
}

TEST_CASE("objects scanned by their layout survive hundreds of collections", "[collector][gc_final]") {
  expect_output("precise_survives", "intact true reclaimed true\n");
}

TEST_CASE("a collected object's destructor runs exactly once after it is unreachable, never while reachable", "[collector][gc_final]") {
  expect_output("destructors",
                "first_batch true kept_never true kept_alive true garbage_once true\n"
                "array_each true dropped_once true calls_exact true corrupt 0\n"
                "freed_after true\n");
}

TEST_CASE("goroutines making destructible typed lists while the goal collects: none destroyed while held, each once", "[collector][gc_final]") {
  expect_output("destructors_concurrent",
                "intact true made 48000 twice 0 corrupt 0\n"
                "nearly_all_once true cleanups_nearly_all true collected true\n");
}

TEST_CASE("cleanups run once after their object is unreachable; stop() cancels one", "[collector][gc_final]") {
  expect_output("cleanups",
                "stopped 500 second_stop_noop true ran_once true never_stopped true never_kept true\n"
                "kept_intact true objects_freed true\n"
                "dropped_ran_once true\n");
}

TEST_CASE("the callable form: captures stay alive until it ran, its box is destroyed once, run or stopped", "[collector][gc_final]") {
  expect_output("cleanup_callable", "stopped 100 ran 200 lost 0 boxes_destroyed 300\n");
  ChildResult r = run_final({"cleanup_captures_object"}, 2);
  INFO(r.describe());
  CHECK(r.status == 2);
  CHECK(r.err.find("panic: gc::add_cleanup: the callable captures a pointer into its object, so the cleanup would never run\n") == 0);
}

TEST_CASE("a cleanup's argument stays alive until the cleanup ran", "[collector][gc_final]") {
  expect_output("cleanup_argument_alive", "checked 400 lost 0\n");
}

TEST_CASE("an object with a cleanup and a destructor gets both", "[collector][gc_final]") {
  expect_output("cleanup_and_destructor", "cleanups 300 destroyed_once true\n");
}

TEST_CASE("add_cleanup panics as Go's does for an argument that is the object, and for an object not collected", "[collector][gc_final]") {
  ChildResult r = run_final({"cleanup_arg_is_object"}, 2);
  INFO(r.describe());
  CHECK(r.status == 2);
  CHECK(r.err.find("panic: runtime.AddCleanup: ptr is equal to arg, cleanup will never run\n") == 0);
  r = run_final({"cleanup_not_collected"}, 2);
  INFO(r.describe());
  CHECK(r.status == 2);
  CHECK(r.err.find("panic: gc::add_cleanup: object is not a collected object (gc::make)\n") == 0);
}

// A layout is checked at compile time: each listed field a one-word pointer field (or an
// array of them). Compiles a few lines against runtime/collector.h with the user flags.
TEST_CASE("GORT_GC_POINTERS rejects a field that is not a pointer at compile time", "[collector][gc_final]") {
  const std::string root = GORT_ROOT;
  struct Case {
    std::string declarations;
    bool compiles;
    std::string message;
  } cases[] = {
      {"struct A { int* p; long n; A* q[3]; };\nGORT_GC_POINTERS(A, p, q);\n"
       "static_assert(gort::gc::detail::bitmap_of<A>.bits[0] == 0b11101);\n",
       true, ""},
      {"struct B { long n; B* p; };\nGORT_GC_POINTERS(B, n);\n", false,
       "GORT_GC_POINTERS: a listed field is not a pointer field"},
      {"struct C { int* p; };\nGORT_GC_POINTERS(C, nothere);\n", false, "no member named 'nothere'"},
      {"struct E { long n; };\nGORT_GC_POINTERS(E);\n"
       "static_assert(gort::gc::detail::is_noscan_v<E> && !gort::gc::detail::is_typed_v<E>);\n",
       true, ""},
  };
  for (const Case& c : cases) {
    std::string source = "#include \"collector.h\"\n" + c.declarations + "int main() { return 0; }\n";
    std::string command = "printf '%s' \"$SOURCE\" | clang++ -std=c++20 -fsyntax-only -x c++ -iquote '" + root +
                          "/runtime' -iquote '" + root + "/build/gen' -";
    ChildOptions options;
    options.env["SOURCE"] = source;
    ChildResult r = run_child("/bin/sh", {"-c", command}, options);
    INFO(source << r.describe());
    CHECK((r.status == 0) == c.compiles);
    if (!c.compiles) CHECK(r.err.find(c.message) != std::string::npos);
  }
}
