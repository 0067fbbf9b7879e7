/* Benchmark twin of gcbench.cpp on Boehm's collector: GCBench as Hans Boehm's C version
 * runs it (GC_MALLOC nodes, GC_MALLOC_ATOMIC for the array of doubles), then the wall time
 * and the collections (boehm_pauses.h). Built by `make bench` only. */
#include "boehm_pauses.h"

typedef struct Node {
  struct Node* left;
  struct Node* right;
  int i, j; /* GCBench's payload, never read */
} Node;

enum { array_size = 500000, min_depth = 4 };
static int stretch_depth = 18, long_lived_depth = 16, max_depth = 16;

static long tree_size(int depth) { return (1L << (depth + 1)) - 1; }
static long iterations(int depth) { return 2 * tree_size(stretch_depth) / tree_size(depth); }

static Node* new_node(void) { return (Node*)GC_MALLOC(sizeof(Node)); } /* zeroed */

/* Top-down: the children are stored into a node that already exists. */
static void populate(int depth, Node* node) {
  if (depth <= 0) return;
  depth--;
  node->left = new_node();
  node->right = new_node();
  populate(depth, node->left);
  populate(depth, node->right);
}

/* Bottom-up: the children exist before their parent. */
static Node* make_tree(int depth) {
  if (depth <= 0) return new_node();
  Node* left = make_tree(depth - 1);
  Node* right = make_tree(depth - 1);
  Node* node = new_node();
  node->left = left;
  node->right = right;
  return node;
}

static void time_construction(int depth) {
  long count = iterations(depth);
  for (long i = 0; i < count; i++) {
    Node* volatile temp = new_node();
    populate(depth, temp);
  }
  for (long i = 0; i < count; i++) {
    Node* volatile temp = make_tree(depth);
    (void)temp;
  }
  printf("Creating %ld trees of depth %d\n", count, depth);
}

static long count_nodes(const Node* node) {
  return node == NULL ? 0 : 1 + count_nodes(node->left) + count_nodes(node->right);
}

int main(int argc, char** argv) {
  BOEHM_START();
  if (argc > 1) max_depth = atoi(argv[1]);
  stretch_depth = max_depth + 2;
  long_lived_depth = max_depth;
  double start = boehm_now_us();
  {
    Node* volatile temp = make_tree(stretch_depth);
    (void)temp;
  }
  Node* long_lived = new_node();
  populate(long_lived_depth, long_lived);
  double* array = (double*)GC_MALLOC_ATOMIC(sizeof(double) * array_size);
  for (long i = 0; i < array_size; i++) array[i] = 0; /* GC_MALLOC_ATOMIC does not zero */
  for (long i = 0; i < array_size / 2; i++) array[i] = 1.0 / (double)i;
  for (int depth = min_depth; depth <= max_depth; depth += 2) time_construction(depth);
  int intact = array[1000] == 1.0 / 1000 && count_nodes(long_lived) == tree_size(long_lived_depth);
  double elapsed = boehm_now_us() - start;
  printf("long-lived tree of depth %d and array %s\n", long_lived_depth, intact ? "intact" : "LOST");
  printf("BENCH gcbench %.3f ms\n", elapsed / 1e3);
  boehm_report_pauses();
  return intact ? 0 : 1;
}
