// Keeps the book honest: every source path a docs/ chapter names in backticks must exist,
// and every function named as `name()` in a paragraph that also names source files must be
// defined or declared in one of those files (or the header/source beside it).
#include <catch2/catch.hpp>
#include <dirent.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "child_process.h"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

std::vector<std::string> chapters() {
  std::vector<std::string> out;
  std::string dir = std::string(GORT_ROOT) + "/docs";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() > 3 && name.substr(name.size() - 3) == ".md") out.push_back(dir + "/" + name);
    }
    closedir(d);
  }
  return out;
}

}  // namespace

TEST_CASE("docs name files and functions that exist", "[docs]") {
  const std::regex path_ref("`((runtime|asm|arch|tools|tests)/[A-Za-z0-9_./-]+)`");
  const std::regex function_ref("`(?:[A-Za-z_][A-Za-z0-9_]*::)*([A-Za-z_][A-Za-z0-9_]*)\\(\\)`");
  std::vector<std::string> files = chapters();
  REQUIRE(files.size() >= 2);
  for (const std::string& chapter : files) {
    // Paragraph by paragraph: a function may be named before the file that defines it.
    std::istringstream lines(read_file(chapter));
    std::vector<std::string> paragraphs(1);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) paragraphs.emplace_back();
      else paragraphs.back() += line + "\n";
    }
    for (const std::string& paragraph : paragraphs) {
      std::vector<std::string> paths;
      for (std::sregex_iterator it(paragraph.begin(), paragraph.end(), path_ref), end; it != end; ++it) {
        std::string path = (*it)[1];
        INFO(chapter << ": " << paragraph);
        CHECK(file_exists(std::string(GORT_ROOT) + "/" + path));
        paths.push_back(path);
      }
      for (std::sregex_iterator it(paragraph.begin(), paragraph.end(), function_ref), end; it != end; ++it) {
        std::string function = (*it)[1];
        bool found = false;
        for (const std::string& path : paths) {
          std::string text = read_file(std::string(GORT_ROOT) + "/" + path);
          // header paths also cover their .cpp, and the reverse
          std::string other = path.size() > 2 && path.substr(path.size() - 2) == ".h"
                                  ? path.substr(0, path.size() - 2) + ".cpp"
                                  : path.substr(0, path.rfind('.')) + ".h";
          text += read_file(std::string(GORT_ROOT) + "/" + other);
          if (std::regex_search(text, std::regex("\\b" + function + "\\b"))) found = true;
        }
        INFO(chapter << ": `" << function << "()` not found in the files named in its paragraph:\n" << paragraph);
        CHECK((found || paths.empty()));
      }
    }
  }
}

// docs/locking.md's numbered lock order must be the enum in runtime/lock_rank.h, rank for
// rank: the code's order is the one the debug build checks, the book's the one readers learn.
TEST_CASE("docs/locking.md lists the lock ranks in the order of runtime/lock_rank.h", "[docs]") {
  std::string header = read_file(std::string(GORT_ROOT) + "/runtime/lock_rank.h");
  size_t begin = header.find("enum class LockRank");
  size_t end = header.find("Count", begin);
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::vector<std::string> in_code;
  std::string body = header.substr(begin, end - begin);
  const std::regex enumerator(R"(\n\s*([A-Z][A-Za-z]*),)");
  for (std::sregex_iterator it(body.begin(), body.end(), enumerator), stop; it != stop; ++it) in_code.push_back((*it)[1]);

  std::string book = read_file(std::string(GORT_ROOT) + "/docs/locking.md");
  size_t order = book.find("## Lock order");
  size_t next = book.find("\n## ", order + 1);
  REQUIRE(order != std::string::npos);
  std::string section = book.substr(order, next - order);
  std::vector<std::string> in_book;
  const std::regex item(R"(\n\d+\. `LockRank::([A-Za-z]+)`)");
  for (std::sregex_iterator it(section.begin(), section.end(), item), stop; it != stop; ++it) in_book.push_back((*it)[1]);

  REQUIRE(in_code.size() >= 10);
  CHECK(in_book == in_code);
}
