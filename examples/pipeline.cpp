// A concurrent pipeline over a file (standard input): one goroutine reads blocks, a second
// cuts them into lines, several count the words in each line, and main adds up the counts.
// Stages are joined by channels; closing a channel tells the next stage that no more comes.
//   tools/gort run examples/pipeline.cpp < README.md
#include "gort.h"

#include <string>
#include <vector>

struct LineCount {
  long words, bytes;
};

static long count_words(const std::string& line) {
  long words = 0;
  bool in_word = false;
  for (char c : line) {
    bool space = c == ' ' || c == '\t' || c == '\r';
    if (!space && !in_word) words++;
    in_word = !space;
  }
  return words;
}

int main() {
  gort::Channel<std::string> blocks(4), lines(256);
  gort::Channel<LineCount> counts(256);
  gort::go([&] {  // stage 1: read the file in blocks (gort::os::read lets other goroutines run)
    std::vector<char> buffer(16384);
    long n;
    while ((n = gort::os::read(0, buffer.data(), buffer.size())) > 0) blocks.send(std::string(buffer.data(), size_t(n)));
    if (n < 0) gort::panic("pipeline: cannot read standard input");
    blocks.close();
  });
  gort::go([&] {  // stage 2: cut the blocks into lines (a line may span blocks)
    std::string partial;
    for (const std::string& block : blocks) {
      for (char c : block) {
        if (c != '\n') {
          partial += c;
          continue;
        }
        lines.send(partial);
        partial.clear();
      }
    }
    if (!partial.empty()) lines.send(partial);
    lines.close();
  });
  constexpr int kCounters = 4;  // stage 3: count words, in parallel
  gort::WaitGroup counting;
  counting.add(kCounters);
  for (int i = 0; i < kCounters; i++)
    gort::go([&] {
      for (const std::string& line : lines) counts.send(LineCount{count_words(line), long(line.size()) + 1});
      counting.done();
    });
  gort::go([&] {
    counting.wait();
    counts.close();
  });
  long total_lines = 0, total_words = 0, total_bytes = 0;
  for (LineCount c : counts) total_lines++, total_words += c.words, total_bytes += c.bytes;
  gort::fmt::println("lines", total_lines, "words", total_words, "bytes", total_bytes);
  return 0;
}
