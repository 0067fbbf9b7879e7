// README.md's figures cannot drift: each size it quotes is compared with what the build just
// produced, and each ratio with the table `make bench` last wrote (docs/benchmarks.md). When
// one fails, the message says the sentence to write instead.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "child_process.h"

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string root = GORT_ROOT;

// README.md with every run of spaces and line breaks made one space, so that a sentence
// matches wherever the paragraph happens to wrap.
std::string readme_text() {
  std::string text = read_text(root + "/README.md"), out;
  for (char c : text) {
    bool space = c == ' ' || c == '\n';
    if (!(space && !out.empty() && out.back() == ' ')) out += space ? ' ' : c;
  }
  return out;
}

// The first capture of `pattern` in text; fails the test if it does not occur.
std::string capture(const std::string& text, const std::string& pattern) {
  std::smatch m;
  INFO("README.md should contain a sentence matching: " << pattern);
  REQUIRE(std::regex_search(text, m, std::regex(pattern)));
  return m[1].str();
}

// 60104 -> "60,104", as the README writes numbers.
std::string with_commas(long n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); i++) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The cells of the docs/benchmarks.md row whose workload cell starts with `workload`.
std::vector<std::string> benchmark_row(const std::string& workload) {
  std::istringstream lines(read_text(root + "/docs/benchmarks.md"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| " + workload, 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream cut(line.substr(2));
    for (std::string cell; std::getline(cut, cell, '|');) {
      size_t first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    return cells;
  }
  FAIL("docs/benchmarks.md has no row for " << workload);
  return {};
}

double number(std::string cell) {
  cell.erase(std::remove(cell.begin(), cell.end(), ','), cell.end());
  return std::stod(cell);
}

std::string fixed2(double v) {
  char text[32];
  snprintf(text, sizeof(text), "%.2f", v);
  return text;
}

}  // namespace

TEST_CASE("README's binary sizes are the ones the build produces", "[docs]") {
  std::string readme = readme_text();
  std::string hello = example_program("hello");
  long size = long(std::filesystem::file_size(hello));
  CHECK(capture(readme, R"(hello example \(`examples/hello.cpp`\) links to a static binary of ([0-9,]+) bytes)") ==
        with_commas(size));
  CHECK(size < 65536);  // "under the 64 KiB we aim for"
  CHECK(readme.find("under the 64 KiB we aim for") != std::string::npos);

  // Code and constants: the read+execute segment's size in the file, in KB (1,000 bytes).
  std::string headers = host_command_output("readelf -lW '" + hello + "'");
  std::smatch m;
  REQUIRE(std::regex_search(headers, m, std::regex(R"(LOAD +0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+ (0x[0-9a-f]+) 0x[0-9a-f]+ R E)")));
  long code = std::stol(m[1].str(), nullptr, 16);
  CHECK(capture(readme, R"(\(([0-9]+) KB of code and constants)") == std::to_string(std::lround(code / 1000.0)));

  // Go's hello world, from the size row make bench wrote, in MB (10^6 bytes, one decimal).
  std::vector<std::string> row = benchmark_row("hello-world binary size");
  char go_mb[16];
  snprintf(go_mb, sizeof(go_mb), "%.1f", number(row[3]) / 1e6);
  CHECK(capture(readme, R"(Go [0-9.]+'s hello world on the same machine is ([0-9.]+) MB)") == go_mb);
}

TEST_CASE("README's ratios are the ones docs/benchmarks.md records", "[docs]") {
  std::string readme = readme_text();
  CHECK(capture(readme, R"(Start-up \(fork, exec, exit\) takes ([0-9.]+)x Go's time)") ==
        benchmark_row("hello-world start-up")[4]);

  // Every channel workload (the rows naming a channel or select): the lowest and highest ratio.
  std::istringstream lines(read_text(root + "/docs/benchmarks.md"));
  double lo = 1e9, hi = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| ", 0) != 0 || (line.find("channel") == std::string::npos && line.find("| select") != 0)) continue;
    std::string ratio = line.substr(0, line.size() - 2);
    ratio = ratio.substr(ratio.rfind('|') + 2);
    lo = std::min(lo, number(ratio)), hi = std::max(hi, number(ratio));
  }
  REQUIRE(hi > 0);
  CHECK(capture(readme, R"(([0-9.]+-[0-9.]+)x Go's time on every channel workload)") == fixed2(lo) + "-" + fixed2(hi));

  // "small alloc/free pairs take A-Bx glibc's time and C-Dx the better of mimalloc's and
  // tcmalloc's": the ranges over both pair rows (1 and 2 threads).
  double glibc_lo = 1e9, glibc_hi = 0, best_lo = 1e9, best_hi = 0;
  for (const char* workload : {"alloc/free pairs, 16..512 B, 1 thread", "alloc/free pairs, 16..512 B, 2 threads"}) {
    std::vector<std::string> pairs = benchmark_row(workload);
    glibc_lo = std::min(glibc_lo, number(pairs[7])), glibc_hi = std::max(glibc_hi, number(pairs[7]));
    best_lo = std::min(best_lo, number(pairs[8])), best_hi = std::max(best_hi, number(pairs[8]));
  }
  // A range whose ends round to the same figure is written as that one figure.
  auto range = [](double a, double b) { return fixed2(a) == fixed2(b) ? fixed2(a) : fixed2(a) + "-" + fixed2(b); };
  CHECK(capture(readme, R"(small alloc/free pairs take ([0-9.]+(?:-[0-9.]+)?)x glibc's time)") == range(glibc_lo, glibc_hi));
  CHECK(capture(readme, R"(glibc's time and ([0-9.]+(?:-[0-9.]+)?)x the better of mimalloc's and tcmalloc's)") ==
        range(best_lo, best_hi));
  // "call-heavy code takes N x Go's time per call": the call-heavy row's ratio.
  CHECK(capture(readme, R"(call-heavy code takes ([0-9.]+)x Go's time per call)") ==
        benchmark_row("call-heavy fib(35)")[4]);
}

TEST_CASE("README's collector figures are the ones docs/benchmarks.md records", "[docs]") {
  // The section appears with the first full `make bench` after the collector benchmarks
  // were added; until then README's sentence cannot be checked against anything.
  if (read_text(root + "/docs/benchmarks.md").find("## The collector against Go and Boehm") == std::string::npos) {
    WARN("docs/benchmarks.md has no collector section yet (make bench writes it): README's collector figures unchecked");
    return;
  }
  std::string readme = readme_text();
  // Cells: workload, unit, gort, Go, Boehm, gort/Go, gort/Boehm.
  std::vector<std::string> trees = benchmark_row("binary-trees depth 21, GOMAXPROCS=2 |");
  CHECK(capture(readme, R"(binary-trees depth 21 takes ([0-9.]+)x Go's time)") == trees[5]);
  CHECK(capture(readme, R"(binary-trees depth 21 takes [0-9.]+x Go's time and ([0-9.]+)x Boehm's)") == trees[6]);
  // The longest pause with 100,000 goroutines parked, gort's and Go's medians, in whole µs
  // (in ms to one decimal, 101 µs and 82 µs both read 0.1).
  std::vector<std::string> pauses = benchmark_row("pauses, 100,000 goroutines parked, GOMAXPROCS=2: pause max");
  auto us = [](const std::string& cell) { return std::to_string(std::lround(number(cell.substr(0, cell.find(' '))))); };
  CHECK(capture(readme, R"(with 100,000 goroutines parked the longest pause is ([0-9]+) µs)") == us(pauses[2]));
  CHECK(capture(readme, R"(the longest pause is [0-9]+ µs \(Go's: ([0-9]+) µs\))") == us(pauses[3]));
  // "GCBench takes A x Go's time and B x Boehm's at GOMAXPROCS=1 and C x and D x at 2".
  std::vector<std::string> gcbench1 = benchmark_row("GCBench (trees to depth 16), GOMAXPROCS=1 |");
  std::vector<std::string> gcbench2 = benchmark_row("GCBench (trees to depth 16), GOMAXPROCS=2 |");
  const std::string gcbench = R"(GCBench takes ([0-9.]+)x Go's time and ([0-9.]+)x Boehm's at GOMAXPROCS=1 and ([0-9.]+)x and ([0-9.]+)x at 2)";
  std::smatch m;
  REQUIRE(std::regex_search(readme, m, std::regex(gcbench)));
  CHECK(m[1].str() == gcbench1[5]);
  CHECK(m[2].str() == gcbench1[6]);
  CHECK(m[3].str() == gcbench2[5]);
  CHECK(m[4].str() == gcbench2[6]);
  // "peak resident memory stays under Go's in all four": each peak RSS row's gort/Go ratio.
  if (readme.find("peak resident memory stays under Go's in all four") != std::string::npos)
    for (const char* workload : {"binary-trees depth 21, GOMAXPROCS=1: peak RSS", "binary-trees depth 21, GOMAXPROCS=2: peak RSS",
                                 "GCBench (trees to depth 16), GOMAXPROCS=1: peak RSS", "GCBench (trees to depth 16), GOMAXPROCS=2: peak RSS"}) {
      INFO(workload);
      CHECK(number(benchmark_row(workload)[5]) < 1.0);
    }
}
