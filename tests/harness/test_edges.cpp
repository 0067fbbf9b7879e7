// Tests at the edges of memory, time and signals (docs/04-allocator.md, docs/05-channels.md,
// docs/01-startup.md). Scenarios live in tests/progs/edges.cpp; a few run through a shell for
// what only a launcher can set up (ulimit -v, an ignored SIGPIPE, a pipe whose reader quits,
// a memory cgroup).
#include <catch2/catch.hpp>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "../../runtime/memory_limit.h"
#include "child_process.h"

namespace {

ChildResult run_edges(std::vector<std::string> args, int gomaxprocs = 2, ChildOptions options = {}) {
  if (options.timeout_seconds == 60) options.timeout_seconds = 90;
  return run_scenario("edges", args, gomaxprocs, options);
}

ChildResult run_shell(const std::string& command, double timeout_seconds = 60) {
  ChildOptions options;
  options.timeout_seconds = timeout_seconds;
  return run_child("/bin/bash", {"-c", command}, options);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  return bool(out);
}

const char* oom_pattern = "^runtime: out of memory: cannot allocate \\d+-byte block \\(\\d+ in use\\)\n";

}  // namespace

// --- Alignment ---

TEST_CASE("malloc, calloc, realloc and new return 16-byte aligned memory for every size over 8", "[edges][allocator]") {
  ChildResult r = run_edges({"alignment"});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "checked 61440 misaligned 0\n");
}

TEST_CASE("new of 24-, 40- and 56-byte structs survives clang's aligned SSE zeroing", "[edges][allocator]") {
  ChildResult r = run_edges({"new_structs"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 0);
  CHECK(r.out == "new S24 S40 S56 misaligned 0\n");
}

TEST_CASE("aligned_alloc, posix_memalign and aligned new honour every power of two", "[edges][allocator]") {
  ChildResult r = run_edges({"aligned_powers"});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "aligned wrong 0\n");
  for (const char* shift : {"63", "40"}) {
    ChildResult huge = run_edges({"aligned_huge", shift});
    INFO("1 << " << shift << ": " << huge.describe());
    REQUIRE(huge.exited);
    CHECK(huge.status == 2);
    CHECK(matches(huge.err, oom_pattern));
    CHECK(count(huge.err, "fatal error: out of memory\n") == 1);
    CHECK(huge.out.empty());
  }
}

// --- Memory that runs out, and memory that is never touched ---

TEST_CASE("malloc larger than the machine is reported as out of memory at once", "[edges][allocator]") {
  long long ram = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
  long long swap_kib = 0;
  std::istringstream meminfo(read_file("/proc/meminfo"));
  for (std::string key; meminfo >> key;) {
    if (key == "SwapTotal:") meminfo >> swap_kib;
  }
  long long gib = (ram + swap_kib * 1024) / (1LL << 30) + 4;
  // A machine bigger than the 64 GiB arena: the arena's bound refuses instead of the kernel.
  if (gib > 64) gib = 70;
  std::string overcommit = read_file("/proc/sys/vm/overcommit_memory");
  if (!overcommit.empty() && overcommit[0] == '1') {
    WARN("vm.overcommit_memory=1: the kernel grants any commit, so only the arena's 64 GiB bound can refuse; asking 70 GiB");
    gib = 70;
  }
  ChildResult r = run_edges({"malloc_gib", std::to_string(gib)});
  INFO(gib << " GiB: " << r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, std::string("^runtime: out of memory: cannot allocate ") + std::to_string(gib << 30) +
                           "-byte block \\(\\d+ in use\\)\n"));
  CHECK(count(r.err, "fatal error: out of memory\n") == 1);
  CHECK(r.out.empty());
}

TEST_CASE("a program starts under ulimit -v 1000000, and a smaller limit is named", "[edges][allocator]") {
  ChildResult ok = run_shell("ulimit -v 1000000 && exec " + example_program("hello") + " gopher");
  INFO(ok.describe());
  CHECK(ok.status == 0);
  CHECK(matches(ok.out, "^hello"));
  for (const char* where : {"main", "goroutine"}) {
    ChildResult two = run_shell("ulimit -v 1000000 && exec " + test_program("edges") + " malloc_gib 2 " + where);
    INFO(where << ": " << two.describe());
    CHECK(two.status == 2);
    CHECK(matches(two.err, oom_pattern));
    CHECK(matches(two.err, "\nruntime: the address space is limited to 1024000000 bytes \\(ulimit -v\\)\nfatal error: out of memory\n"));
    CHECK(matches(two.err, std::string("\n\ngoroutine ") + (where == std::string("main") ? "1" : "2") + " \\[running\\]:\n\t0x"));
  }
  ChildResult tiny = run_shell("ulimit -v 20000 && exec " + example_program("hello"));
  INFO(tiny.describe());
  CHECK(tiny.status == 2);
  CHECK(matches(tiny.err, "runtime: the address space is limited to 20480000 bytes \\(ulimit -v\\)\nfatal error: out of memory\n"));
}

TEST_CASE("calloc of 1 GiB and a 1 GiB channel buffer leave the resident set near its baseline", "[edges][allocator]") {
  ChildResult r = run_edges({"zeroing", "1024"});
  INFO(r.describe());
  CHECK(r.status == 0);
  // A few MiB for the span map's entries; touching the pages would be 1024 each.
  REQUIRE(matches(r.out, "^calloc_grew_mib \\d+ channel_grew_mib \\d+ fresh_zero true reused_same (true|false) reused_dirty_bytes 0\n$"));
  long calloc_mib = std::stol(r.out.substr(r.out.find(' ') + 1));
  long channel_mib = std::stol(r.out.substr(r.out.find("channel_grew_mib ") + 17));
  CHECK(calloc_mib < 64);
  CHECK(channel_mib < 64);
}

// --- The cgroup memory limit ---

TEST_CASE("cgroup parsing: the memory controller's path and the limit's text", "[edges][allocator][units]") {
  using namespace gort::cgroup;
  char path[256];
  std::string hybrid = "12:pids:/\n4:memory:/process_api/abc\n0::/\n";
  CHECK(find_path(hybrid.data(), hybrid.size(), path, sizeof path) == Version::V1);
  CHECK(std::string(path) == "/process_api/abc");
  std::string v2 = "0::/user.slice/app.scope\n";
  CHECK(find_path(v2.data(), v2.size(), path, sizeof path) == Version::V2);
  CHECK(std::string(path) == "/user.slice/app.scope");
  std::string joined = "3:cpu,memory,blkio:/box\n";
  CHECK(find_path(joined.data(), joined.size(), path, sizeof path) == Version::V1);
  CHECK(std::string(path) == "/box");
  std::string lookalike = "3:memoryx:/no\n";
  CHECK(find_path(lookalike.data(), lookalike.size(), path, sizeof path) == Version::None);
  CHECK(find_path("", 0, path, sizeof path) == Version::None);
  CHECK(parse_limit("max\n", 4) == gort::no_memory_limit);
  CHECK(parse_limit("1073741824\n", 11) == 1073741824ULL);
  CHECK(parse_limit("9223372036854771712\n", 20) == gort::no_memory_limit);  // v1's "unlimited"
  CHECK(parse_limit("garbage", 7) == gort::no_memory_limit);
}

TEST_CASE("the cgroup memory limit is read from memory.max or memory.limit_in_bytes", "[edges][allocator]") {
  char dir_template[] = "/tmp/gort-cgroup-XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  std::string root = dir_template;
  auto mkdirs = [](const std::string& path) {
    for (size_t at = 1; at != std::string::npos; at = path.find('/', at + 1)) mkdir(path.substr(0, at).c_str(), 0755);
    mkdir(path.c_str(), 0755);
  };
  // v2: the smaller of the cgroup's and its parent's limits applies.
  mkdirs(root + "/v2/outer/inner");
  REQUIRE(write_file(root + "/v2/outer/memory.max", "1073741824\n"));
  REQUIRE(write_file(root + "/v2/outer/inner/memory.max", "max\n"));
  REQUIRE(write_file(root + "/cgroup-v2", "0::/outer/inner\n"));
  ChildResult v2 = run_edges({"cgroup_files", root + "/cgroup-v2", root + "/v2"});
  INFO(v2.describe());
  CHECK(v2.out == "limit 1073741824\n");
  // v1 (hybrid): the memory controller's line, under <root>/memory.
  mkdirs(root + "/v1/memory/box");
  REQUIRE(write_file(root + "/v1/memory/box/memory.limit_in_bytes", "536870912\n"));
  REQUIRE(write_file(root + "/cgroup-v1", "5:memory:/box\n0::/\n"));
  ChildResult v1 = run_edges({"cgroup_files", root + "/cgroup-v1", root + "/v1"});
  INFO(v1.describe());
  CHECK(v1.out == "limit 536870912\n");
  // No limit anywhere, and no files at all.
  REQUIRE(write_file(root + "/v2/outer/memory.max", "max\n"));
  ChildResult none = run_edges({"cgroup_files", root + "/cgroup-v2", root + "/v2"});
  CHECK(none.out == "limit none\n");
  ChildResult missing = run_edges({"cgroup_files", root + "/absent", root + "/v2"});
  CHECK(missing.out == "limit none\n");
  host_command_output("rm -rf " + root);
}

TEST_CASE("in a real 1 GiB memory cgroup the limit is seen and a 2 GiB channel still works", "[edges][allocator]") {
  // A child cgroup of the harness's own memory cgroup, v1 or v2, where the machine allows it.
  std::string own = read_file("/proc/self/cgroup"), base, limit_file;
  std::istringstream lines(own);
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    std::string controllers = line.substr(first + 1, second - first - 1), path = line.substr(second + 1);
    if (controllers == "memory" && access("/sys/fs/cgroup/memory", W_OK) == 0) {
      base = "/sys/fs/cgroup/memory" + path, limit_file = "memory.limit_in_bytes";
    } else if (controllers.empty() && base.empty() && read_file("/sys/fs/cgroup/cgroup.controllers").find("memory") != std::string::npos) {
      base = "/sys/fs/cgroup" + path, limit_file = "memory.max";
    }
  }
  std::string dir = base + "/gort-edges-" + std::to_string(getpid());
  if (base.empty() || mkdir(dir.c_str(), 0755) != 0) {
    WARN("cannot create a memory cgroup here (" << (base.empty() ? "no writable memory controller" : dir + ": " + strerror(errno))
                                                 << "): only the fake-tree test of the limit ran");
    return;
  }
  if (!write_file(dir + "/" + limit_file, "1073741824\n")) {
    WARN("cannot set " << dir << "/" << limit_file << ": only the fake-tree test of the limit ran");
    rmdir(dir.c_str());
    return;
  }
  std::string enter = "echo $$ > " + dir + "/cgroup.procs && exec " + test_program("edges");
  ChildResult seen = run_shell(enter + " cgroup_limit");
  ChildResult channel = run_shell(enter + " channel_2gib", 90);
  rmdir(dir.c_str());
  INFO(seen.describe());
  CHECK(seen.out == "limit 1073741824\n");
  INFO(channel.describe());
  CHECK(channel.status == 0);
  CHECK(channel.out == "received 7\n");
}

// --- Time ---

TEST_CASE("sleep(INT64_MAX) and Timer(INT64_MAX) sleep forever; a watchdog ends the program", "[edges][time]") {
  for (const char* kind : {"sleep", "timer"}) {
    ChildResult r = run_edges({"sleep_forever", kind});
    INFO(kind << ": " << r.describe());
    CHECK(r.status == 0);
    CHECK(r.out == "watchdog: still sleeping\n");
  }
}

TEST_CASE("a goroutine sleeping forever is blocked on a timer, not deadlocked", "[edges][time][deadlock]") {
  // Nothing ends this program: it must still be sleeping when the harness kills it.
  ChildOptions options;
  options.timeout_seconds = 2;
  ChildResult r = run_edges({"sleep_forever_alone"}, 1, options);
  INFO(r.describe());
  CHECK(r.timed_out);
  CHECK(r.out.empty());
  CHECK(r.err.find("deadlock") == std::string::npos);
}

TEST_CASE("zero and negative durations fire at once; huge ones saturate", "[edges][time]") {
  ChildResult r = run_edges({"durations"});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "negative fired; huge fired false huge stopped true deadline saturates true\n");
}

TEST_CASE("a Ticker with a period of zero or less panics, as Go's NewTicker does", "[edges][time]") {
  for (const char* period : {"0", "-5"}) {
    ChildResult r = run_edges({"ticker_nonpositive", period});
    INFO(period << ": " << r.describe());
    REQUIRE(r.exited);
    CHECK(r.status == 2);
    CHECK(matches(r.err, "^panic: non-positive interval for NewTicker\n"));
    CHECK(r.out.empty());
  }
}

TEST_CASE("timer_start twice on one record is a fatal error naming the misuse", "[edges][time]") {
  ChildResult r = run_edges({"timer_start_twice"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^fatal error: timer_start: addtimer called with initialized timer\n"));
  CHECK(r.out.empty());
}

// --- EPIPE ---

TEST_CASE("printing to a closed pipe ends the program by SIGPIPE, even with SIGPIPE ignored", "[edges][signals]") {
  std::string program = test_program("edges");
  for (const char* launcher : {"env --default-signal=PIPE", "trap '' PIPE;"}) {
    for (const char* stream : {"stdout", "stderr"}) {
      std::string redirect = std::string(stream) == "stderr" ? " 2>&1 >/dev/null" : "";
      ChildResult r = run_shell(std::string(launcher) + " " + program + " print_forever " + stream + redirect +
                                " | head -c 1 >/dev/null; exit ${PIPESTATUS[0]}", 30);
      INFO(launcher << " " << stream << ": " << r.describe());
      CHECK_FALSE(r.timed_out);
      CHECK(r.status == 128 + 13);
    }
  }
}

TEST_CASE("os::write to a pipe without a reader returns -EPIPE on other descriptors", "[edges][signals]") {
  ChildResult r = run_edges({"write_closed_pipe"});
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out == "write returned -32\n");
}

// --- SIGQUIT and faults ---

TEST_CASE("SIGQUIT prints every goroutine and exits 2", "[edges][signals]") {
  ChildResult r = run_shell("env --default-signal=QUIT GOMAXPROCS=2 " + test_program("edges") + " sigquit");
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^SIGQUIT: quit\nPC=0x[0-9a-f]+ m=\\d+ sigcode=0\n"));
  CHECK(matches(r.err, "\ngoroutine 1 \\[(sleep|running|runnable)\\]:\n"));
  CHECK(matches(r.err, "\ngoroutine 2 \\[chan receive\\]:\n\t0x[0-9a-f]+\n"));
  CHECK(matches(r.err, "\ngoroutine 3 \\[chan receive\\]:\n\t0x[0-9a-f]+\n"));
  CHECK(r.err.find("fatal error") == std::string::npos);
}

TEST_CASE("a non-canonical address is an unexpected fault, not a nil dereference", "[edges][signals]") {
  ChildResult r = run_edges({"fault", "noncanonical"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^unexpected fault address 0x0\nfatal error: fault\n"
                       R"(\[signal SIGSEGV: segmentation violation code=0x80 addr=0x0 pc=0x[0-9a-f]+\]\n)"));
  CHECK(count(r.err, "fatal error:") == 1);
  CHECK(r.err.find("nil pointer") == std::string::npos);
}

TEST_CASE("SIGSEGV sent by another process is reported as a signal, not a fault", "[edges][signals]") {
  ChildResult r = run_edges({"fault", "kill"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^SIGSEGV: segmentation violation\nPC=0x[0-9a-f]+ m=\\d+ sigcode=0 addr=0x[0-9a-f]+\n"));
  CHECK(r.err.find("unexpected fault address") == std::string::npos);
  CHECK(r.err.find("nil pointer") == std::string::npos);
}

// --- Misuse ---

TEST_CASE("a block freed on two Processors is caught", "[edges][allocator]") {
  ChildResult r;
  for (int attempt = 0; attempt < 10; attempt++) {  // until the two goroutines run on two Processors
    r = run_edges({"double_free_other_processor"}, 2);
    if (r.status != 3) break;
  }
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^fatal error: free: object is on another Processor's free list \\(double free\\?\\)\n"));
  CHECK(r.out.empty());
}

TEST_CASE("a negative WaitGroup counter panics, as Go's does", "[edges]") {
  ChildResult r = run_edges({"negative_waitgroup"});
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == 2);
  CHECK(matches(r.err, "^panic: sync: negative WaitGroup counter\n"));
  CHECK(r.err.find("fatal error") == std::string::npos);
}
