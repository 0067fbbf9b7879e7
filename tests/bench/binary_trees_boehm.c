/* Benchmark twin of binary_trees.cpp on Boehm's collector (Debian's libgc-dev): nodes from
 * GC_MALLOC, one thread (the depths one after another; GC_MARKERS=2 lets a second thread
 * mark), then the wall time and the collections (boehm_pauses.h). Built by `make bench` only. */
#include "boehm_pauses.h"

typedef struct Node {
  struct Node* left;
  struct Node* right;
} Node;

static Node* make_node(Node* left, Node* right) {
  Node* node = (Node*)GC_MALLOC(sizeof(Node));
  node->left = left;
  node->right = right;
  return node;
}

static Node* bottom_up_tree(int depth) {
  if (depth <= 0) return make_node(NULL, NULL);
  Node* left = bottom_up_tree(depth - 1);
  Node* right = bottom_up_tree(depth - 1);
  return make_node(left, right);
}

static long item_check(const Node* node) {
  if (node->left == NULL) return 1;
  return 1 + item_check(node->left) + item_check(node->right);
}

enum { min_depth = 4 };

int main(int argc, char** argv) {
  BOEHM_START();
  int n = argc > 1 ? atoi(argv[1]) : 21;
  int max_depth = n > min_depth + 2 ? n : min_depth + 2;
  double start = boehm_now_us();
  int stretch = max_depth + 1;
  printf("stretch tree of depth %d\t check: %ld\n", stretch, item_check(bottom_up_tree(stretch)));
  Node* long_lived = bottom_up_tree(max_depth);
  for (int d = min_depth; d <= max_depth; d += 2) {
    long count = 1L << (max_depth - d + min_depth), check = 0;
    for (long i = 0; i < count; i++) check += item_check(bottom_up_tree(d));
    printf("%ld\t trees of depth %d\t check: %ld\n", count, d, check);
  }
  printf("long lived tree of depth %d\t check: %ld\n", max_depth, item_check(long_lived));
  printf("BENCH binary_trees %.3f ms\n", (boehm_now_us() - start) / 1e3);
  boehm_report_pauses();
  return 0;
}
