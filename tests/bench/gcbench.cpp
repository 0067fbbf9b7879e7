// Benchmark: Boehm's GCBench (John Ellis and Pete Kovac's, as Hans Boehm's C version) on
// collected objects: a stretch tree of depth 18 built and dropped, a long-lived tree of depth
// 16 and a long-lived array of 500,000 doubles kept, then for depths 4, 6, ..., 16 as many
// trees as make twice the stretch tree's nodes, first top-down (Populate: children stored
// into a parent already made) then bottom-up (MakeTree). Prints the trees made at each
// depth and whether the long-lived data survived (tools/bench.py compares these lines with
// the twins'), then the wall time and the collector's pauses (bench::report_pauses).
// Twins: gcbench.go (Go), gcbench_boehm.c (Boehm's collector).
//   gcbench [max_depth]   (default 16; the stretch tree is 2 deeper, the long-lived tree as deep)
#include "bench.h"

namespace {

struct Node {
  bench::CollectedField<Node> left;
  bench::CollectedField<Node> right;
  int i, j;  // GCBench's payload, never read
};

int stretch_depth = 18, long_lived_depth = 16, max_depth = 16;
constexpr long array_size = 500000;
constexpr int min_depth = 4;

long tree_size(int depth) { return (1L << (depth + 1)) - 1; }
long iterations(int depth) { return 2 * tree_size(stretch_depth) / tree_size(depth); }

// Top-down: the children are stored into a node that already exists.
void populate(int depth, Node* node) {
  GORT_STACK_CHECK();
  if (depth <= 0) return;
  depth--;
  node->left = gort::gc::make<Node>();
  node->right = gort::gc::make<Node>();
  populate(depth, node->left);
  populate(depth, node->right);
}

// Bottom-up: the children exist before their parent.
Node* make_tree(int depth) {
  GORT_STACK_CHECK();
  if (depth <= 0) return gort::gc::make<Node>();
  Node* left = make_tree(depth - 1);
  Node* right = make_tree(depth - 1);
  Node* node = gort::gc::make<Node>();
  node->left = left;
  node->right = right;
  return node;
}

void time_construction(int depth) {
  long count = iterations(depth);
  for (long i = 0; i < count; i++) {
    volatile Node* temp = gort::gc::make<Node>();
    populate(depth, const_cast<Node*>(temp));
  }
  for (long i = 0; i < count; i++) {
    volatile Node* temp = make_tree(depth);
    (void)temp;
  }
  gort::fmt::print("Creating ", count, " trees of depth ", depth, "\n");
}

long count_nodes(const Node* node) {
  GORT_STACK_CHECK();
  return node == nullptr ? 0 : 1 + count_nodes(node->left) + count_nodes(node->right);
}

}  // namespace

int main(int argc, char** argv) {
  max_depth = int(bench::argument(argc, argv, 1, 16));
  stretch_depth = max_depth + 2;
  long_lived_depth = max_depth;
  int64_t start = gort::nanotime();
  {
    volatile Node* temp = make_tree(stretch_depth);
    (void)temp;
  }
  Node* long_lived = gort::gc::make<Node>();
  populate(long_lived_depth, long_lived);
  double* array = gort::gc::make_array<double>(array_size);  // noscan: never scanned
  for (long i = 0; i < array_size / 2; i++) array[i] = 1.0 / double(i);
  for (int depth = min_depth; depth <= max_depth; depth += 2) time_construction(depth);
  bool intact = array[1000] == 1.0 / 1000 && count_nodes(long_lived) == tree_size(long_lived_depth);
  int64_t elapsed = gort::nanotime() - start;
  gort::fmt::print("long-lived tree of depth ", long_lived_depth, " and array ", intact ? "intact" : "LOST", "\n");
  bench::report("gcbench", double(elapsed) / 1e6, "ms");
  bench::report_pauses();
  return intact ? 0 : 1;
}
