// Word count sharded over goroutines: main reads standard input and sends each word to the
// shard that owns it (by its hash); each shard goroutine counts its words in its own
// std::unordered_map, so no map is shared and no lock is needed. Then main merges the
// shards' answers and prints the most frequent words.
//   tools/gort run examples/word_count.cpp < README.md
#include "gort.h"

#include <algorithm>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

constexpr int kShards = 4;
using Counts = std::vector<std::pair<std::string, long>>;

static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\''; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

int main(int argc, char** argv) {
  long top = 0;
  for (const char* s = argc > 1 ? argv[1] : "5"; *s >= '0' && *s <= '9'; s++) top = top * 10 + (*s - '0');
  std::vector<gort::Channel<std::string>*> words;
  gort::Channel<Counts> answers(kShards);
  for (int i = 0; i < kShards; i++) {
    words.push_back(new gort::Channel<std::string>(128));
    gort::go([&answers](gort::Channel<std::string>* mine) {
      std::unordered_map<std::string, long> counts;
      for (const std::string& w : *mine) counts[w]++;
      answers.send(Counts(counts.begin(), counts.end()));
    }, words[i]);
  }
  std::vector<char> buffer(16384);
  std::string word;
  long n;
  auto flush = [&] {
    if (word.empty()) return;
    words[std::hash<std::string>()(word) % kShards]->send(word);
    word.clear();
  };
  while ((n = gort::os::read(0, buffer.data(), buffer.size())) > 0) {
    for (long i = 0; i < n; i++) {
      if (is_letter(buffer[i])) word += lower(buffer[i]);
      else flush();
    }
  }
  flush();
  for (auto* w : words) w->close();

  Counts all;
  for (int i = 0; i < kShards; i++) {
    Counts part = answers.receive();
    all.insert(all.end(), part.begin(), part.end());
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  long total = 0;
  for (auto& [w, c] : all) total += c;
  gort::fmt::println("words", total, "distinct", all.size());
  for (long i = 0; i < top && i < long(all.size()); i++) gort::fmt::println(all[i].second, all[i].first.c_str());
  return 0;
}
