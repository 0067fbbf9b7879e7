// The collector's record of its pauses (gc::read_pauses, runtime/collector.h) against
// MemStats' (read_mem_stats: pause_total_ns, and the ring pause_ns of the last 256), which
// is written at the same place. The harness: tests/harness/test_pause_record.cpp.
//   pause_record histogram N strict|loose   N collections of a heap of garbage; prints
//     what agrees. strict: every collection is one pause (GODEBUG=gcstoptheworld=1), so
//     the histogram must match MemStats' ring bucket by bucket. loose: the concurrent
//     cycle's two pauses (and one more for each second pause that ran out of its budget and
//     resumed the mark, mark_resumptions()), which MemStats records as one entry, their sum.
#include "scenario.h"

namespace {

struct Node {
  Node(Node* n, long v) : next(n), value(v) {}
  Node* next;
  long value;
};

// A chain of `count` collected nodes, dropped by the caller: each collection has work.
Node* churn(long count) {
  Node* head = nullptr;
  for (long i = 0; i < count; i++) head = gort::gc::make<Node>(head, i);
  return head;
}

gort::gc::PauseHistogram histogram;  // 5 KB: in bss, not on the stack
gort::MemStats mem;
gort::gc::PauseHistogram from_ring;

}  // namespace

TEST_SCENARIO(histogram) {
  using gort::gc::PauseHistogram;
  long n = scenario::argument(argc, argv, 1, 300);
  bool strict = argc > 2 && scenario::same_string(argv[2], "strict");
  uint64_t before = gort::gc::stats().collections;
  for (long i = 0; i < n; i++) {
    volatile Node* kept = churn(1000);
    (void)kept;
    gort::gc::collect();
  }
  gort::gc::read_pauses(&histogram);
  mem = gort::read_mem_stats();
  uint64_t collections = gort::gc::stats().collections;
  uint64_t in_buckets = 0;
  for (uint64_t count : histogram.buckets) in_buckets += count;
  // Every collection so far (those of this scenario and any its allocation started) is one
  // pause, or (loose) one or two.
  bool counted = in_buckets == histogram.pauses && collections >= before + uint64_t(n) &&
                 (strict ? histogram.pauses == collections
                         : histogram.pauses >= collections && histogram.pauses <= 2 * collections + gort::mark_resumptions());
  bool total = histogram.total_ns == mem.pause_total_ns;
  // The ring's pauses, bucketed here, are the histogram's when none fell out of the ring.
  uint64_t ring = collections < gort::pause_history ? collections : gort::pause_history, ring_max = 0;
  for (uint64_t i = 0; i < ring; i++) {
    uint64_t pause = mem.pause_ns[i];
    from_ring.buckets[PauseHistogram::bucket_of(pause)]++;
    if (pause > ring_max) ring_max = pause;
  }
  bool buckets = true, whole_ring = collections <= gort::pause_history;
  if (strict && whole_ring)
    for (uint32_t b = 0; b < PauseHistogram::bucket_count; b++) buckets = buckets && from_ring.buckets[b] == histogram.buckets[b];
  // strict: the ring's longest is the longest pause (once the ring lost entries, a lower
  // bound of it); loose: a ring entry sums its cycle's pauses, so it bounds each from above.
  bool max = strict ? (whole_ring ? histogram.max_ns == ring_max : histogram.max_ns >= ring_max)
                    : histogram.max_ns > 0 && (!whole_ring || histogram.max_ns <= ring_max);
  bool quantiles = histogram.quantile(1.0) == histogram.max_ns && histogram.quantile(0.5) <= histogram.quantile(0.99) &&
                   histogram.quantile(0.99) <= histogram.max_ns && histogram.quantile(0.5) > 0;
  gort::fmt::println("counted", counted, "total", total, "buckets", buckets, "max", max, "quantiles", quantiles);
  return 0;
}
