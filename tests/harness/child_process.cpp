// Child-process runner for the harness; see child_process.h.
#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <regex>
#include <cstring>
#include <stdexcept>

extern char** environ;

#ifndef GORT_ROOT
#error "GORT_ROOT must name the repository root (the Makefile defines it)"
#endif

std::string test_program(const std::string& name) {
  const char* variant = getenv("GORT_TEST_BUILD");  // "debug": the programs on the lock-checked runtime
  if (variant != nullptr && std::string(variant) == "debug") return debug_test_program(name);
  return std::string(GORT_ROOT) + "/build/tests/" + name;
}
std::string debug_test_program(const std::string& name) { return std::string(GORT_ROOT) + "/build/debug/tests/" + name; }
std::string example_program(const std::string& name) { return std::string(GORT_ROOT) + "/build/examples/" + name; }

std::string ChildResult::describe() const {
  std::string s = timed_out ? "TIMED OUT" : exited ? "exit " + std::to_string(status) : "signal " + std::to_string(signal);
  s += " after " + std::to_string(seconds) + " s";
  s += "\n--- stdout ---\n" + out.substr(0, 4000) + "\n--- stderr ---\n" + err.substr(0, 4000);
  return s;
}

static double now_seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static std::vector<std::string> child_environment(const ChildOptions& options) {
  static const char* cleared[] = {"GODEBUG", "GOMAXPROCS", "GOGC"};
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; e++) {
    std::string entry = *e;
    std::string key = entry.substr(0, entry.find('='));
    bool drop = options.env.count(key) > 0;
    for (const char* c : cleared) drop = drop || key == c;
    if (!drop) env.push_back(entry);
  }
  for (const auto& [key, value] : options.env) env.push_back(key + "=" + value);
  return env;
}

ChildResult run_child(const std::string& program, const std::vector<std::string>& args, const ChildOptions& options) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");

  std::vector<std::string> env_strings = child_environment(options);
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  double start = now_seconds();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    execve(program.c_str(), argv.data(), envp.data());
    dprintf(2, "execve %s: %s\n", program.c_str(), strerror(errno));
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  ChildResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = 2;
  double deadline = start + options.timeout_seconds;
  while (open_pipes > 0) {
    double left = deadline - now_seconds();
    if (left <= 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    int ready = poll(fds, 2, int(left * 1000) + 1);
    if (ready < 0) {
      if (errno == EINTR) continue;  // revents are not meaningful then: poll again
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, size_t(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_pipes--;
      }
    }
  }
  for (pollfd& p : fds)
    if (p.fd >= 0) close(p.fd);

  // The pipes can close before the child exits (or a grandchild can hold them): wait with
  // the same deadline, then kill.
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (now_seconds() > deadline && !result.timed_out) {
      result.timed_out = true;
      kill(pid, SIGKILL);
    }
    usleep(1000);
  }
  result.seconds = now_seconds() - start;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

std::string host_command_output(const std::string& command) {
  FILE* f = popen(command.c_str(), "r");
  if (f == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), f)) > 0) out.append(buffer, n);
  pclose(f);
  return out;
}

ChildResult run_scenario(const std::string& program, const std::vector<std::string>& args, int gomaxprocs,
                         ChildOptions options) {
  if (gomaxprocs > 0) options.env["GOMAXPROCS"] = std::to_string(gomaxprocs);
  return run_child(test_program(program), args, options);
}

bool matches(const std::string& text, const std::string& pattern) { return std::regex_search(text, std::regex(pattern)); }
