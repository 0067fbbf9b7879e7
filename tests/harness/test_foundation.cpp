// Foundation tests: start-up, arguments, environment, exit status, output, fault reports,
// GODEBUG, and the shape of the binaries. Scenarios live in tests/progs/foundation.cpp.
#include <catch2/catch.hpp>

#include "child_process.h"

namespace {

ChildResult run_foundation(std::vector<std::string> args, ChildOptions options = {}) {
  return run_scenario("foundation", args, 0, options);
}

// Every crash report ends with the goroutine (or runtime stack) header and at least one pc.
const char* traceback_pattern = R"((goroutine \d+ \[running\]|runtime stack \(m\d+\)):\n\t0x[0-9a-f]+\n)";

}  // namespace

TEST_CASE("hello world prints and exits 0", "[foundation]") {
  ChildResult r = run_child(example_program("hello"), {"gopher"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "hello, world from gort\nargument 1 is gopher\n");
  CHECK(r.err.empty());
}

TEST_CASE("argv reaches main intact", "[foundation]") {
  ChildResult r = run_foundation({"args", "one", "two words", "", "ünïcode"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "argc 5\n0 args\n1 one\n2 two words\n3 \n4 ünïcode\n");
}

TEST_CASE("environment variables are visible through getenv", "[foundation]") {
  ChildOptions options;
  options.env["GORT_TEST_VALUE"] = "a=b=c";
  options.env["GORT_TEST_EMPTY"] = "";
  options.env["GORT_TEST_VALUEX"] = "decoy";
  ChildResult r = run_foundation({"env", "GORT_TEST_VALUE", "GORT_TEST_EMPTY", "GORT_TEST_UNSET", "GORT_TEST"}, options);
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.out == "GORT_TEST_VALUE a=b=c\nGORT_TEST_EMPTY \nGORT_TEST_UNSET <unset>\nGORT_TEST <unset>\n");
}

TEST_CASE("main's return value becomes the exit status", "[foundation]") {
  for (int status : {0, 1, 42, 255}) {
    ChildResult r = run_foundation({"exit_status", std::to_string(status)});
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == status);
  }
}

TEST_CASE("gort::exit ends the process from deep inside", "[foundation]") {
  ChildResult r = run_foundation({"exit_call"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 7);
  CHECK(r.out.empty());
}

TEST_CASE("static constructors run before main", "[foundation]") {
  ChildResult r = run_foundation({"static_constructor"});
  INFO(r.describe());
  CHECK(r.out == "constructed 42\n");
}

TEST_CASE("formatted output: integers, hex, strings, booleans, pointers, floats", "[foundation]") {
  ChildResult r = run_foundation({"formats"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out ==
        "0 7 -7 -9223372036854775808 18446744073709551615\n"
        "0x0 0xff 0xdeadbeefcafe\n"
        "true false x str <nil> 0x0\n"
        "1.5 -0.25 3 +1.000000e-007 123456.789 3.14 3\n"
        "nospaces12\n");
  // The runtime's println uses Go's builtin float format, on stderr.
  CHECK(r.err == "+1.500000e+000 -1.000000e+002 +0.000000e+000 +1.000000e+300\n");
}

TEST_CASE("large writes are complete even through a pipe", "[foundation]") {
  ChildResult r = run_foundation({"long_write"});
  INFO(r.describe().substr(0, 200));
  REQUIRE(r.exited);
  REQUIRE(r.out.size() == 256 * 1024);
  for (size_t i = 0; i < r.out.size(); i += 4099) REQUIRE(r.out[i] == char('a' + i % 26));
}

TEST_CASE("a nil dereference exits 2 with Go's message", "[foundation][signals]") {
  ChildResult r = run_foundation({"nil_dereference"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err,
                "^panic: runtime error: invalid memory address or nil pointer dereference\n"
                R"(\[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x[0-9a-f]+\]\n)"));
  CHECK(matches(r.err, traceback_pattern));
}

TEST_CASE("a fault at a wild address names the address", "[foundation][signals]") {
  ChildResult r = run_foundation({"wild_fault"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^unexpected fault address 0xdead0000\nfatal error: fault\n"
                       R"(\[signal SIGSEGV: segmentation violation code=0x[12] addr=0xdead0000 pc=0x[0-9a-f]+\])"));
}

TEST_CASE("integer division by zero is reported as Go reports it", "[foundation][signals]") {
  ChildResult r = run_foundation({"divide_by_zero"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^panic: runtime error: integer divide by zero\n"
                       R"(\[signal SIGFPE: floating-point exception code=0x1 addr=0x[0-9a-f]+ pc=0x[0-9a-f]+\])"));
}

TEST_CASE("fatal prints 'fatal error:' and exits 2", "[foundation]") {
  ChildResult r = run_foundation({"fatal"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^fatal error: something impossible happened\n"));
  CHECK(matches(r.err, traceback_pattern));
}

TEST_CASE("signals without a handler keep their default action", "[foundation][signals]") {
  ChildResult r = run_foundation({"interrupt"});
  INFO(r.describe());
  CHECK_FALSE(r.exited);
  CHECK(r.signal == 2);  // SIGINT
}

TEST_CASE("GODEBUG: known keys are read, bad entries ignored", "[foundation][godebug]") {
  struct Case {
    const char* godebug;
    const char* expected;
  } cases[] = {
      {"", "schedtrace 0 scheddetail 0 gctrace 0 asyncpreemptoff 0\n"},
      {"schedtrace=10,scheddetail=1", "schedtrace 10 scheddetail 1 gctrace 0 asyncpreemptoff 0\n"},
      {"gctrace=1,asyncpreemptoff=1", "schedtrace 0 scheddetail 0 gctrace 1 asyncpreemptoff 1\n"},
      // malformed values, unknown keys, empty entries, missing '=', overflow: all ignored
      {"schedtrace=abc,nosuchkey=5,,=,scheddetail,gctrace=99999999999,asyncpreemptoff=1x",
       "schedtrace 0 scheddetail 0 gctrace 0 asyncpreemptoff 0\n"},
      // a later entry overrides an earlier one; a bad later entry leaves the good one
      {"gctrace=1,gctrace=2,schedtrace=5,schedtrace=", "schedtrace 5 scheddetail 0 gctrace 2 asyncpreemptoff 0\n"},
      {",,,", "schedtrace 0 scheddetail 0 gctrace 0 asyncpreemptoff 0\n"},
  };
  for (const Case& c : cases) {
    ChildOptions options;
    options.env["GODEBUG"] = c.godebug;
    ChildResult r = run_foundation({"godebug"}, options);
    INFO("GODEBUG=" << c.godebug << "\n" << r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == c.expected);
  }
}

TEST_CASE("m0's scheduler stack has real bounds; main runs as goroutine 1", "[foundation]") {
  ChildResult r = run_foundation({"m0_stack"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(matches(r.out, "^main_goroutine 1 on_g0 false m0_g0 true\nsp_inside true guard_above_lo true\n"
                       "g0_room_mib [1-9]\\d*\nsignal_stack 32768\n"));
}

TEST_CASE("the auxiliary vector is read", "[foundation]") {
  ChildResult r = run_foundation({"auxv"});
  INFO(r.describe());
  CHECK(r.out == "page_size 4096 random true vdso true\n");
}

TEST_CASE("the persistent allocator returns zeroed, aligned, disjoint blocks", "[foundation]") {
  ChildResult r = run_foundation({"persistent_alloc"});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "ok\n");
}

TEST_CASE("an impossible allocation fails with 'out of memory' and status 2", "[foundation]") {
  ChildResult r = run_foundation({"out_of_memory"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^runtime: out of memory: cannot allocate 4611686018427387904-byte block \\(\\d+ in use\\)\n"
                       "fatal error: out of memory\n"));
  CHECK(r.out.empty());
}

TEST_CASE("binaries are static, with no interpreter and no libc", "[foundation][binary]") {
  for (const std::string& program : {example_program("hello"), test_program("foundation")}) {
    INFO(program);
    std::string headers = host_command_output("readelf -hlW " + program + " 2>&1");
    CHECK(matches(headers, "Type:\\s+EXEC"));
    CHECK_FALSE(matches(headers, "INTERP"));
    CHECK_FALSE(matches(headers, "DYNAMIC"));
    std::string dynamic = host_command_output("readelf -d " + program + " 2>&1");
    CHECK(matches(dynamic, "no dynamic section"));
    std::string symbols = host_command_output("nm " + program + " 2>&1");
    CHECK(matches(symbols, " T _start\n"));
    CHECK(matches(symbols, " T runtime_start\n"));
    // glibc's start-up, stdio and allocator never got linked in
    CHECK_FALSE(matches(symbols, "__libc_start_main|_IO_|GLIBC|__libc_malloc|\\bprintf\\b"));
    std::string versions = host_command_output("strings -a " + program + " | grep -c GLIBC_ || true");
    CHECK(versions == "0\n");
  }
}

TEST_CASE("hello world's binary is small", "[foundation][binary]") {
  std::string size = host_command_output("stat -c %s " + example_program("hello"));
  INFO("hello is " << size << " bytes");
  CHECK(std::stol(size) < 64 * 1024);
}

TEST_CASE("memcpy, memmove and memset are right for every small length and alignment", "[foundation]") {
  ChildResult r = run_foundation({"memory_routines"});
  INFO(r.describe());
  CHECK(r.out == "bad 0\n");
}
