// The C++ standard library in gort programs: every scenario of tests/progs/cxx_library.cpp
// prints what the library computed (checked exactly), and the error paths end as Go panics
// naming the exception and the library's message, with exit status 2. See docs/06-cxx.md.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

void check_output(const std::vector<std::string>& args, const std::string& expected, int gomaxprocs = 0) {
  ChildResult r = run_scenario("cxx_library", args, gomaxprocs);
  INFO(args[0] << " at GOMAXPROCS " << gomaxprocs << ": " << r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == expected);
  CHECK(r.err.empty());
}

void check_panic(const std::vector<std::string>& args, const std::string& message) {
  ChildResult r = run_scenario("cxx_library", args, 0);
  INFO(args[0] << ": " << r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("panic: " + message + "\n\ngoroutine 1 [running]:\n", 0) == 0);
}

}  // namespace

TEST_CASE("containers grow: vector, string, deque, list", "[cxx]") {
  check_output({"vector"}, "15000150000 7 21 2\n");
  check_output({"string"}, "1012 abcdefghijklmnopqrstuvwxyz 35 1000 -12345\ntrue zzz!\n");
  check_output({"string_view"}, "4 5 gamma true\n");
  check_output({"array"}, "1 5 5 15 3\n");
  check_output({"deque"}, "99000 -48999 49999 1000\n");
  check_output({"list"}, "50 98 0\n");
}

TEST_CASE("ordered and hashed containers with 100,000 entries", "[cxx]") {
  check_output({"map"}, "50000 true 4999950000 50001 1 0\n2\n");
  check_output({"set"}, "1500 k0 k999 3 1 true\n");
  check_output({"unordered_map"}, "5002 100000 20 true 0\n");
  check_output({"unordered_set"}, "32769 true false true\n");
}

TEST_CASE("algorithm, numeric, functional, memory, optional, variant, tuple, bit, span, limits", "[cxx]") {
  check_output({"algorithm"}, "0 999 true 500 989 1 10\n");
  check_output({"numeric"}, "5050 5050 5050 14 12 12\n");
  check_output({"functional"}, "13 false true\n");
  check_output({"memory"}, "unique 0 2 7\ntrue\n");
  check_output({"optional"}, "false none\n40 true\n");
  check_output({"variant"}, "1 3 2 true 3.5\n");
  check_output({"tuple_utility"}, "1 b 2.5 3 4 1 10\n");
  check_output({"bit_span_limits"}, "4 4 8 true 64 3 3 5\n2147483647 -9223372036854775808 8 true\n");
}

TEST_CASE("cstring, cmath and chrono durations", "[cxx]") {
  check_output({"cstring"}, "12 0 0 7 8 7 2 2 3 5\n");
  check_output({"cmath"},
               "1.414214 -3 -2 -2 -3 1 1.5 5 2.5\n"
               "2.718282 2 1024 -15.625 3 10 3\n"
               "0.5 0.5 1 3.141593 true true 0.479426\n");
  check_output({"chrono"}, "3002 60000000000 1.5 true true\n");
}

TEST_CASE("shared_ptr shared by 1,000 goroutines keeps an exact count", "[cxx]") {
  for (int procs : {1, 2, 4}) check_output({"shared_ptr_goroutines"}, "use_count 1 destroyed 0\ndestroyed 1\n", procs);
}

TEST_CASE("atomics and containers used from many goroutines", "[cxx]") {
  for (int procs : {1, 4}) {
    check_output({"atomic"}, "64000 true true\n", procs);
    check_output({"containers_goroutines"}, "100 9700 w0\n", procs);
  }
}

TEST_CASE("where the library would throw, the program panics with its message", "[cxx]") {
  check_panic({"vector_at_out_of_range", "5"},
              "std::out_of_range: vector::_M_range_check: __n (which is 5) >= this->size() (which is 3)");
  check_panic({"vector_too_long"}, "std::length_error: vector::reserve");
  check_panic({"string_at_out_of_range", "10"},
              "std::out_of_range: basic_string::at: __n (which is 10) >= this->size() (which is 4)");
  check_panic({"map_at_missing"}, "std::out_of_range: map::at");
  check_panic({"functional", "call-empty"}, "std::bad_function_call");
  check_panic({"optional", "value-of-empty"},
              "abort() called: the C++ library gave up (with exceptions off this is std::optional::value() on an "
              "empty optional, std::get<> of an inactive std::variant alternative, std::any_cast of the wrong type, "
              "or a std::shared_ptr made from an expired std::weak_ptr)");
}
