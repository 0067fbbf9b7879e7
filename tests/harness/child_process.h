// Runs a freestanding test program as a child process and captures what it did: exit
// status or killing signal, stdout, stderr. A deadline kills a hung child (SIGKILL) and
// reports it as timed out, so a broken runtime fails a test instead of hanging the suite.
// The child's environment is the harness's own minus the variables gort reads (GODEBUG,
// GOMAXPROCS, GOGC), plus whatever the test sets.
#pragma once
#include <map>
#include <string>
#include <vector>

struct ChildResult {
  bool exited = false;     // ended by exit(); `status` is valid
  int status = -1;         // exit status
  int signal = 0;          // killing signal, when !exited
  bool timed_out = false;  // killed by the harness at the deadline
  std::string out, err;
  double seconds = 0;  // wall time, for diagnostics only (never asserted)

  // One-line summary for failure messages.
  std::string describe() const;
};

struct ChildOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the environment
  double timeout_seconds = 60;
};

// Path of a test program built by `make` (build/tests/<name>, or build/debug/tests/<name>
// when GORT_TEST_BUILD=debug).
std::string test_program(const std::string& name);
// The same program built on the debug runtime (lock ranks checked; Makefile
// DEBUG_TEST_PROGS). test_program() returns this path when GORT_TEST_BUILD=debug.
std::string debug_test_program(const std::string& name);
// Path of an example program (build/examples/<name>).
std::string example_program(const std::string& name);

ChildResult run_child(const std::string& program, const std::vector<std::string>& args,
                      const ChildOptions& options = {});

// Runs scenario args[0] of build/tests/<program> with GOMAXPROCS=gomaxprocs (gort's variable;
// 0 leaves it unset) on top of options.env: the one way the test files run test programs.
ChildResult run_scenario(const std::string& program, const std::vector<std::string>& args, int gomaxprocs,
                         ChildOptions options = {});

// True if the regular expression (ECMAScript) matches somewhere in text.
bool matches(const std::string& text, const std::string& pattern);

// Runs a host command line through /bin/sh and returns its stdout (for readelf, nm).
std::string host_command_output(const std::string& command);
