// The toolchain as a user meets it: the driver (tools/gort) in this tree, in a clean copy of
// the tree and from an installed prefix; pkg-config and CMake projects against the installed
// gort; and the messages for what cannot work in a gort program. See docs/06-cxx.md.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "child_process.h"

namespace fs = std::filesystem;

namespace {

const std::string root = GORT_ROOT;
const std::string driver = root + "/tools/gort";

// A fresh folder for one test, removed when the test ends.
struct TempDir {
  fs::path path;
  TempDir() {
    char name[] = "/tmp/gort-driver-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path = name;
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Runs a shell command line in `dir` with the cache under `dir`/cache, outside any make
// that runs the harness (its jobserver would not reach the child).
ChildResult shell(const TempDir& dir, const std::string& command, double timeout = 300) {
  ChildOptions options;
  options.env["GORTCACHE"] = dir / "cache";
  options.env["MAKEFLAGS"] = "-j2";
  options.env["MAKELEVEL"] = "";
  options.timeout_seconds = timeout;
  return run_child("/bin/sh", {"-c", "cd '" + dir.path.string() + "' && " + command}, options);
}

// The files in a folder (not recursive), by name.
std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

const char* hello_source =
    "#include \"gort.h\"\n"
    "#include <vector>\n"
    "#include \"greeting.h\"\n"
    "int twice(int);\n"
    "int main(int argc, char** argv) {\n"
    "  std::vector<int> v(3, twice(GREETING_COUNT));\n"
    "  gort::fmt::println(GREETING, v.at(2), argc - 1);\n"
    "  return argc - 1;\n"
    "}\n";

void write_hello_project(const TempDir& dir) {
  dir.file("src/main.cpp", hello_source);
  dir.file("src/twice.cpp", "int twice(int x) { return 2 * x; }\n");
  dir.file("include/greeting.h", "#define GREETING \"hello from a gort program\"\n");
}

void check_ran(const ChildResult& r, const std::string& out, int status) {
  INFO(r.describe());
  REQUIRE(r.exited);
  CHECK(r.status == status);
  CHECK(r.out == out);
}

}  // namespace

TEST_CASE("gort build: several files, options in any order, nothing left beside the sources", "[driver]") {
  TempDir dir;
  write_hello_project(dir);
  fs::create_directories(dir / "bin");
  ChildResult r = shell(dir, driver + " build src/main.cpp -D GREETING_COUNT=21 -o bin/app -O1 src/twice.cpp -Iinclude -g");
  INFO(r.describe());
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  CHECK(listing(dir / "src") == std::vector<std::string>{"main.cpp", "twice.cpp"});
  CHECK(listing(dir / "cache").empty());  // the build's work folder is gone
  check_ran(run_child(dir / "bin/app", {"x", "y"}), "hello from a gort program 42 2\n", 2);

  // gort run: program arguments after --, its exit status becomes gort's.
  r = shell(dir, driver + " run -Iinclude src/main.cpp src/twice.cpp -DGREETING_COUNT=1 -- a b c");
  check_ran(r, "hello from a gort program 2 3\n", 3);
  CHECK(listing(dir / "cache").empty());

  // The default output is named after the first source, in the current folder.
  r = shell(dir, driver + " build -Iinclude -DGREETING_COUNT=2 src/main.cpp src/twice.cpp && ./main");
  check_ran(r, "hello from a gort program 4 0\n", 0);
}

TEST_CASE("gort version, gort env and the old gort-build name", "[driver]") {
  TempDir dir;
  ChildResult r = shell(dir, driver + " version");
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(matches(r.out, "^gort version [0-9.]+ linux/amd64 \\(tree, .*clang version"));
  r = shell(dir, driver + " env GORT_LIBRARY GORTROOT");
  CHECK(r.out == root + "/build/libgort.a\n" + root + "\n");
  r = shell(dir, driver + " env");
  CHECK(matches(r.out, "\nGORT_CXXFLAGS=-std=c\\+\\+20 .*-fno-exceptions"));
  write_hello_project(dir);
  r = shell(dir, root + "/tools/gort-build src/main.cpp src/twice.cpp -Iinclude -DGREETING_COUNT=5 -o app && ./app");
  check_ran(r, "hello from a gort program 10 0\n", 0);
  r = shell(dir, root + "/tools/gort-build -o app2 src/nothere.cpp");
  CHECK(r.status == 2);
  CHECK(r.err == "gort: build: no such file: src/nothere.cpp\n");
}

TEST_CASE("a compile error shows the compiler's diagnostic and nothing from make", "[driver]") {
  TempDir dir;
  dir.file("bad.cpp", "#include \"gort.h\"\nint main() {\n  int x = ;\n}\n");
  ChildResult r = shell(dir, driver + " build bad.cpp -o bad");
  INFO(r.describe());
  CHECK(r.status == 1);
  CHECK(matches(r.err, "^bad.cpp:3:11: error: expected expression\n"));
  CHECK(!matches(r.err, "make|LINK|Error 1"));
  CHECK(listing(dir.path.string()) == std::vector<std::string>{"bad.cpp", "cache"});
  CHECK(listing(dir / "cache").empty());
}

TEST_CASE("what cannot work fails at compile time naming gort's alternative", "[driver]") {
  TempDir dir;
  struct Case {
    std::string source, message;
  } cases[] = {
      {"#include <cstdio>\nint main() { std::printf(\"%d\\n\", 1); }\n",
       "'printf' is unavailable: C stdio is not available in gort programs: print with gort::fmt::println"},
      {"#include <stdio.h>\nint main() { puts(\"x\"); }\n", "'puts' is unavailable: C stdio is not available"},
      {"#include <iostream>\nint main() { std::cout << 1; }\n",
       "<iostream> is not available in gort programs: C\\+\\+ streams .* gort::fmt::println"},
      {"#include <thread>\nint main() {}\n", "<thread> is not available in gort programs: .* gort::go"},
      {"#include <mutex>\nint main() {}\n", "<mutex> is not available in gort programs: .* gort::Mutex"},
      {"#include <locale>\nint main() {}\n", "<locale> is not available in gort programs"},
      {"int main() { try { return 1; } catch (...) { return 2; } }\n",
       "cannot use 'try' with exceptions disabled\n(.|\n)*gort: gort programs are compiled without exceptions: "
       "return errors as values, or end the program with gort::panic"},
  };
  for (const Case& c : cases) {
    dir.file("x.cpp", c.source);
    ChildResult r = shell(dir, driver + " build x.cpp -o x");
    INFO(c.source << r.describe());
    CHECK(r.status == 1);
    CHECK(matches(r.err, c.message));
    CHECK(!matches(r.err, "undefined reference"));
  }
}

TEST_CASE("a missing compiler or assembler is named with the command that installs it", "[driver]") {
  TempDir dir;
  // A PATH with the shell tools the driver uses, and make, but neither clang++ nor nasm.
  fs::create_directories(dir / "bin");
  for (const char* tool : {"sh", "dirname", "mkdir", "mktemp", "rm", "sed", "cut", "grep", "cat", "tail", "basename",
                           "make", "cp"}) {
    std::string found = host_command_output(std::string("command -v ") + tool);
    if (!found.empty()) fs::create_symlink(found.substr(0, found.size() - 1), dir / (std::string("bin/") + tool));
  }
  dir.file("x.cpp", "int main() {}\n");
  ChildResult r = shell(dir, "PATH='" + dir / "bin" + "' " + driver + " build x.cpp");
  INFO(r.describe());
  CHECK(r.status == 2);
  CHECK(r.err == "gort: clang++ is not installed; install it with: sudo apt-get install clang\n");
  fs::create_symlink(host_command_output("command -v clang++").substr(0, host_command_output("command -v clang++").size() - 1),
                     dir / "bin/clang++");
  r = shell(dir, "PATH='" + dir / "bin" + "' " + driver + " build x.cpp");
  CHECK(r.err == "gort: nasm is not installed; install it with: sudo apt-get install nasm\n");
}

TEST_CASE("the driver in a clean copy of the tree builds the runtime first, quietly", "[driver][slow]") {
  TempDir dir;
  // The tracked and new files of this tree, without build/.
  ChildResult copy = shell(dir, "mkdir tree && cd '" + root + "' && git ls-files -co --exclude-standard -z | "
                                "xargs -0 cp --parents -t '" + (dir / "tree") + "' 2>&1");
  INFO(copy.describe());
  REQUIRE(fs::exists(dir / "tree/tools/gort"));
  REQUIRE(!fs::exists(dir / "tree/build"));
  write_hello_project(dir);
  ChildResult r = shell(dir, "tree/tools/gort run -Iinclude -DGREETING_COUNT=8 src/main.cpp src/twice.cpp", 600);
  INFO(r.describe());
  check_ran(r, "hello from a gort program 16 0\n", 0);
  CHECK(r.err.empty());
  CHECK(fs::exists(dir / "tree/build/libgort.a"));
}

TEST_CASE("make install: the installed driver, pkg-config and a CMake project; make uninstall", "[driver][slow]") {
  TempDir dir;
  std::string prefix = dir / "prefix";
  ChildResult r = shell(dir, "make -s --no-print-directory -C '" + root + "' install PREFIX='" + prefix + "'");
  INFO(r.describe());
  REQUIRE(r.status == 0);
  REQUIRE(fs::exists(prefix + "/bin/gort"));
  write_hello_project(dir);

  // The installed driver knows where it is, without the source tree.
  r = shell(dir, prefix + "/bin/gort env GORT_LIBRARY && " + prefix +
                     "/bin/gort build -Iinclude -DGREETING_COUNT=3 src/main.cpp src/twice.cpp -o installed && ./installed");
  check_ran(r, prefix + "/lib/libgort.a\nhello from a gort program 6 0\n", 0);

  // pkg-config: one compile-and-link line.
  r = shell(dir, "export PKG_CONFIG_PATH='" + prefix + "/lib/pkgconfig'; pkg-config --modversion gort && "
                 "clang++ -Iinclude -DGREETING_COUNT=4 src/main.cpp src/twice.cpp $(pkg-config --cflags --libs gort) "
                 "-o with-pkg-config && ./with-pkg-config");
  check_ran(r, "0.1\nhello from a gort program 8 0\n", 0);

  // CMake: find_package(gort) + target_link_libraries(app gort::gort), and the helper.
  dir.file("src/CMakeLists.txt",
           "cmake_minimum_required(VERSION 3.16)\n"
           "project(hello CXX)\n"
           "find_package(gort 0.1 REQUIRED)\n"
           "add_executable(app main.cpp twice.cpp)\n"
           "target_include_directories(app PRIVATE ../include)\n"
           "target_compile_definitions(app PRIVATE GREETING_COUNT=50)\n"
           "target_link_libraries(app gort::gort)\n"
           "gort_add_executable(app2 main.cpp twice.cpp)\n"
           "target_include_directories(app2 PRIVATE ../include)\n"
           "target_compile_definitions(app2 PRIVATE GREETING_COUNT=60)\n");
  r = shell(dir, "cmake -S src -B cmake-build -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_PREFIX_PATH='" + prefix +
                     "' >cmake.log 2>&1 && cmake --build cmake-build >>cmake.log 2>&1 || cat cmake.log; "
                     "cmake-build/app && cmake-build/app2 one");
  check_ran(r, "hello from a gort program 100 0\nhello from a gort program 120 1\n", 1);
  std::string headers = host_command_output("readelf -l '" + dir / "cmake-build/app" + "'");
  CHECK(headers.find("INTERP") == std::string::npos);  // static: no dynamic loader
  CHECK(headers.find(".gort_text") != std::string::npos);  // gort's linker script was applied

  r = shell(dir, "make -s --no-print-directory -C '" + root + "' uninstall PREFIX='" + prefix + "' && find '" + prefix +
                     "' -type f");
  INFO(r.describe());
  CHECK(r.status == 0);
  CHECK(r.out.find(prefix + "/") == std::string::npos);  // find listed no file under the prefix
}

TEST_CASE("a use that only the linker can catch gets a line naming gort's alternative", "[driver]") {
  TempDir dir;
  dir.file("x.cpp", "#include <string>\n#include \"gort.h\"\n"
                    "int main() { gort::fmt::println(std::to_string(2.5).c_str()); }\n");
  ChildResult r = shell(dir, driver + " build x.cpp -o x");
  INFO(r.describe());
  CHECK(r.status == 1);
  CHECK(matches(r.err, "undefined reference to `vsnprintf'"));
  CHECK(matches(r.err, "\ngort: C stdio is not available: print with gort::fmt::println; std::to_string of a "
                       "floating-point value needs vsnprintf"));
  CHECK(!fs::exists(dir / "x"));
}

TEST_CASE("install-deps: one line naming the packages and the log, and the log's end on failure", "[driver]") {
  TempDir dir;
  // A copy of the installer (it writes its log under its own tree's build/), a PATH without
  // nasm, an `id` that says root, and an apt-get that fails after some output.
  fs::create_directories(dir / "tree/tools");
  fs::copy_file(root + "/tools/install-deps.sh", dir / "tree/tools/install-deps.sh");
  fs::create_directories(dir / "bin");
  for (const char* tool : {"sh", "dirname", "mkdir", "tail", "clang++", "ld"}) {
    std::string found = host_command_output(std::string("command -v ") + tool);
    if (!found.empty()) fs::create_symlink(found.substr(0, found.size() - 1), dir / (std::string("bin/") + tool));
  }
  dir.file("bin/apt-get", "#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo \"apt line $i\"; done\n"
                          "[ \"$1\" = update ] && exit 0\necho 'E: Unable to locate package nasm'\nexit 100\n");
  dir.file("bin/id", "#!/bin/sh\necho 0\n");
  fs::permissions(dir / "bin/apt-get", fs::perms::owner_all);
  fs::permissions(dir / "bin/id", fs::perms::owner_all);
  std::string log = dir / "tree/build/install-deps.log";
  ChildResult r = shell(dir, "PATH='" + dir / "bin" + "' sh tree/tools/install-deps.sh demo");
  INFO(r.describe());
  CHECK(r.status == 1);
  CHECK(r.out == "gort: installing nasm for make demo (log: " + log + ")\n");
  CHECK(matches(r.err, "^gort: installing nasm failed; the end of " + log + ":\n(apt line [0-9]+\n)+E: Unable to locate package nasm\n$"));
  CHECK(!matches(r.err, "apt line 1\n"));  // only the end of the log, not all of it
}
