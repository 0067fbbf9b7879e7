// Benchmark: binary-trees (the Computer Language Benchmarks Game's program) on collected
// objects. A stretch tree of depth N+1 is built and dropped; a long-lived tree of depth N
// stays; then, for each depth d = 4, 6, ..., N on a goroutine of its own, 2^(N-d+4) trees of
// depth d are built bottom-up, checked and dropped. Nodes are gc::make<Node>, two pointers
// each. Prints the program's checksum lines (tools/bench.py compares them with the twins'),
// then the wall time and the collector's pauses (bench::report_pauses).
// Twins: binary_trees.go (Go), binary_trees_boehm.c (Boehm's collector, GC_MALLOC).
//   binary_trees [N]   (default 21)
#include "bench.h"

namespace {

// Both fields are set once, by the constructor, to nodes made before this one.
struct Node {
  Node(Node* l, Node* r) : left(l), right(r) {}
  bench::CollectedField<Node> left;
  bench::CollectedField<Node> right;
};

Node* bottom_up_tree(int depth) {
  GORT_STACK_CHECK();
  if (depth <= 0) return gort::gc::make<Node>(nullptr, nullptr);
  Node* left = bottom_up_tree(depth - 1);
  Node* right = bottom_up_tree(depth - 1);
  return gort::gc::make<Node>(left, right);
}

long item_check(const Node* node) {
  GORT_STACK_CHECK();
  if (node->left == nullptr) return 1;
  return 1 + item_check(node->left) + item_check(node->right);
}

constexpr int min_depth = 4;

}  // namespace

int main(int argc, char** argv) {
  int n = int(bench::argument(argc, argv, 1, 21));
  int max_depth = n > min_depth + 2 ? n : min_depth + 2;
  int64_t start = gort::nanotime();
  {
    int stretch = max_depth + 1;
    gort::fmt::print("stretch tree of depth ", stretch, "\t check: ", item_check(bottom_up_tree(stretch)), "\n");
  }
  Node* long_lived = bottom_up_tree(max_depth);
  // One goroutine per depth, as the Go program: results[d] is written by depth d's alone.
  long iterations[32] = {}, checks[32] = {};
  gort::WaitGroup wg;
  for (int d = min_depth; d <= max_depth; d += 2) {
    wg.add(1);
    gort::go([&, d] {
      long count = 1L << (max_depth - d + min_depth), check = 0;
      for (long i = 0; i < count; i++) check += item_check(bottom_up_tree(d));
      iterations[d] = count;
      checks[d] = check;
      wg.done();
    });
  }
  wg.wait();
  for (int d = min_depth; d <= max_depth; d += 2)
    gort::fmt::print(iterations[d], "\t trees of depth ", d, "\t check: ", checks[d], "\n");
  gort::fmt::print("long lived tree of depth ", max_depth, "\t check: ", item_check(long_lived), "\n");
  int64_t elapsed = gort::nanotime() - start;
  bench::report("binary_trees", double(elapsed) / 1e6, "ms");
  bench::report_pauses();
  return 0;
}
