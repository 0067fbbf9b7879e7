// Hosted twin of malloc_pairs.cpp and malloc_rss.cpp: the same workloads
// (malloc_workload.h) on pthreads, built once per C allocator: glibc's malloc (no extra
// library), jemalloc (-ljemalloc), mimalloc (-lmimalloc) and tcmalloc (-ltcmalloc_minimal).
//   malloc_c pairs [threads [pairs per thread]]     -> BENCH malloc_pairs <ns> ns/pair
//   malloc_c rss [live MiB [rounds]]                -> BENCH malloc_rss <ratio> peak/live
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "malloc_workload.h"

static long now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long status_kb(const char* field) {
  FILE* f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = 0;
  size_t n = strlen(field);
  while (fgets(line, sizeof(line), f) != nullptr)
    if (strncmp(line, field, n) == 0) kb = atol(line + n);
  fclose(f);
  return kb;
}

struct Job {
  uint64_t seed;
  long pairs;
  uint64_t sum;
};

static void* run(void* arg) {
  Job* job = static_cast<Job*>(arg);
  job->sum = workload::alloc_free_pairs(job->seed, job->pairs);
  return nullptr;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "pairs";
  if (strcmp(mode, "pairs") == 0) {
    long threads = argc > 2 ? atol(argv[2]) : 1;
    long pairs = argc > 3 ? atol(argv[3]) : 10000000;
    pthread_t ids[64];
    Job jobs[64];
    long start = now_ns();
    for (long t = 0; t < threads; t++) {
      jobs[t] = Job{uint64_t(t), pairs, 0};
      pthread_create(&ids[t], nullptr, run, &jobs[t]);
    }
    for (long t = 0; t < threads; t++) pthread_join(ids[t], nullptr);
    long elapsed = now_ns() - start;
    printf("BENCH malloc_pairs %.3f ns/pair\n", double(elapsed) / double(pairs));
    return 0;
  }
  long mib = argc > 2 ? atol(argv[2]) : 256;
  long rounds = argc > 3 ? atol(argv[3]) : 4;
  long before = status_kb("VmRSS:") * 1024;
  const long slot_count = 4 << 20;
  void** slots = static_cast<void**>(mmap(nullptr, sizeof(void*) * slot_count, PROT_READ | PROT_WRITE,
                                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  uint64_t live = workload::steady_mix(uint64_t(mib) << 20, int(rounds), slots, slot_count);
  long peak = status_kb("VmHWM:") * 1024 - before;
  printf("BENCH malloc_rss %.3f peak/live\n", double(peak) / double(live));
  return 0;
}
