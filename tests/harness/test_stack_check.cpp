// tools/stack-check, the build's stack-budget analysis (docs/03-stacks.md, "What the build
// checks"): the runtime passes its own check, a planted over-budget runtime function fails
// it, the user warnings fire on a planted program (tests/stack/) and not on the examples, and
// a call into the C++ library's bounded recursion is computed: warned about with the bytes to
// pass GORT_STACK_RESERVE where it does not fit, silent after the macro.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "child_process.h"

namespace {

struct CommandResult {
  std::string output;  // stdout and stderr
  int status;
};

CommandResult run_in_root(const std::string& command) {
  std::string out = host_command_output("cd '" GORT_ROOT "' && ( " + command + " ) 2>&1; echo \"status=$?\"");
  size_t at = out.rfind("status=");
  REQUIRE(at != std::string::npos);
  return {out.substr(0, at), std::stoi(out.substr(at + 7))};
}

const std::string runtime_objects = "build/runtime/*.o build/asm/*.o";

}  // namespace

TEST_CASE("every runtime entry point fits in the reserve", "[stack-check]") {
  CommandResult r = run_in_root("tools/stack-check --runtime " + runtime_objects);
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(matches(r.output, "\n +[0-9]+  gort::detail::go_begin"));
  CHECK(matches(r.output, "\n +[0-9]+  gort::channel_send"));
  CHECK(r.output.find("OVER THE RESERVE") == std::string::npos);
}

TEST_CASE("a planted over-budget runtime function fails the stack report", "[stack-check]") {
  CommandResult r = run_in_root("tools/stack-check --runtime --entry _ZN4gort25planted_over_budget_entryEl " +
                                runtime_objects + " build/stack-planted/runtime_over_budget.o");
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(matches(r.output, "\n +1[0-9]{3}  gort::planted_over_budget_entry\\(long\\) .*OVER THE RESERVE"));
  CHECK(matches(r.output, "the runtime breaks its stack budget"));
}

TEST_CASE("the user warnings name each planted mistake and its path", "[stack-check]") {
  CommandResult r = run_in_root("tools/stack-check --budget build/gen/runtime-stack.tsv "
                                "build/stack-planted/user_over_budget.o");
  INFO(r.output);
  CHECK(r.status == 0);  // warnings, not errors
  CHECK(matches(r.output, "warning: stack: goroutine_big_local\\(long\\): without GORT_STACK_CHECK\\(\\) this path "
                          "can use [0-9]+ bytes of stack, more than the first segment of a goroutine holds.*"
                          "-> goroutine_big_local\\(long\\)\n"));
  CHECK(matches(r.output, "warning: stack: checked_big_frame\\(long\\): has GORT_STACK_CHECK\\(\\) but its own "
                          "frame is [0-9]+ bytes, more than the 928-byte reserve"));
  CHECK(matches(r.output, "warning: stack: unchecked_recursion\\(long\\) recurses without GORT_STACK_CHECK\\(\\)"));
  CHECK(matches(r.output, "warning: stack: checked_caller\\(long\\): the code it calls without a check can use "
                          "[0-9]+ bytes after its check, more than the 928-byte reserve: checked_caller\\(long\\) "
                          "-> deep_helper\\(long\\)"));
}

TEST_CASE("a call into the library's bounded recursion gets the bytes to reserve", "[stack-check]") {
  CommandResult r = run_in_root("tools/stack-check --budget build/gen/runtime-stack.tsv "
                                "build/stack-planted/user_library.o");
  INFO(r.output);
  CHECK(r.status == 0);
  // Without the reserve, on a goroutine: the computed depth times the frame, and the number.
  std::smatch m;
  std::regex advice("warning: stack: sort_unreserved\\(long\\*, long\\): its call into the C\\+\\+ library can use "
                    "([0-9]+) bytes of stack, more than the first segment of a goroutine holds \\(1424\\): "
                    "void std::__introsort_loop<\\.\\.\\.>\\([^\n]*\\) recurses up to 92 levels of ([0-9]+) bytes: "
                    "call it after GORT_STACK_RESERVE\\(([0-9]+)\\): [^\n]*-> sort_unreserved\\(long\\*, long\\) -> ");
  REQUIRE(std::regex_search(r.output, m, advice));
  long used = std::stol(m[1]), level = std::stol(m[2]), needed = std::stol(m[3]);
  CHECK(level >= 16);                      // a frame and its return address
  CHECK(needed >= 92 * level + level);     // 92 recursive calls below the first activation
  CHECK(needed <= used);                   // what the calls need, without the callers' frames
  CHECK(needed <= 8192);                   // sort_reserved's GORT_STACK_RESERVE(8192) suffices
  // With the reserve, and on main's stack: silent. No library function is told to add a check.
  CHECK(r.output.find("sort_reserved") == std::string::npos);
  CHECK(r.output.find("sort_in_main") == std::string::npos);
  CHECK(!matches(r.output, "std::[^\n]*recurses without GORT_STACK_CHECK"));
  // A library recursion the table does not know: still a warning, naming the macro.
  CHECK(matches(r.output, "warning: stack: std::__gort_planted_recursion\\(long\\): a recursion in the C\\+\\+ library "
                          "whose depth tools/stack-check does not know \\(docs/03-stacks.md\\): call it from main, or "
                          "after GORT_STACK_RESERVE\\(bytes\\)"));
  CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 2);  // those two warnings and no other
}

TEST_CASE("the user warnings stay silent on the examples", "[stack-check]") {
  CommandResult r = run_in_root("for o in build/examples/*.o; do tools/stack-check --budget "
                                "build/gen/runtime-stack.tsv \"$o\"; done");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output.empty());
}

TEST_CASE("tools/gort-build prints the warning for an overrunning function", "[stack-check]") {
  CommandResult r = run_in_root("d=$(mktemp -d) && tools/gort-build tests/stack/user_over_budget.cpp -o \"$d/p\"; "
                                "s=$?; rm -rf \"$d\"; exit $s");
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(matches(r.output, "warning: stack: goroutine_big_local\\(long\\)"));
}
