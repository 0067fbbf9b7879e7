// Benchmark: small alloc/free pairs (16..512 B, random sizes, fixed seed) on gort's
// allocator, from T goroutines at once (run with GOMAXPROCS=T). Reports nanoseconds per
// pair. Twin: malloc_c.cpp built against glibc, jemalloc, mimalloc and tcmalloc.
//   malloc_pairs [threads [pairs per thread]]   (default 1 10,000,000)
#include "bench.h"
#include "malloc_workload.h"

int main(int argc, char** argv) {
  long threads = bench::argument(argc, argv, 1, 1);
  long pairs = bench::argument(argc, argv, 2, 10000000);
  gort::WaitGroup wg;
  wg.add(int32_t(threads));
  uint64_t sum = 0;
  int64_t start = gort::nanotime();
  for (long t = 0; t < threads; t++)
    gort::go([&wg, &sum, pairs](uint64_t seed) {
      __atomic_add_fetch(&sum, workload::alloc_free_pairs(seed, pairs), __ATOMIC_RELAXED);
      wg.done();
    }, uint64_t(t));
  wg.wait();
  int64_t elapsed = gort::nanotime() - start;
  if (sum == 1) gort::fmt::println("unlikely");
  bench::report("malloc_pairs", double(elapsed) / double(pairs), "ns/pair");
  return 0;
}
