// A worker pool: W goroutines take jobs from one channel and send results on another; main
// hands out the jobs, collects every result, and prints a summary. Each job is the length of
// the Collatz sequence from n (a computation whose cost varies from job to job).
//   tools/gort run examples/worker_pool.cpp -- [jobs] [workers]
#include "gort.h"

struct Result {
  long n, steps;
  int worker;  // who computed it
};

static long collatz_steps(long n) {
  long steps = 0;
  for (; n != 1; steps++) n = n % 2 == 0 ? n / 2 : 3 * n + 1;
  return steps;
}

static long parse(const char* s) {
  long v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

int main(int argc, char** argv) {
  long jobs = argc > 1 ? parse(argv[1]) : 100000;
  int workers = argc > 2 ? int(parse(argv[2])) : 8;
  gort::Channel<long> work(64);
  gort::Channel<Result> results(64);
  gort::WaitGroup running;
  running.add(workers);
  for (int w = 0; w < workers; w++)
    gort::go([&](int id) {
      for (long n : work) results.send(Result{n, collatz_steps(n), id});
      running.done();
    }, w);
  gort::go([&] {  // close results once every worker has finished
    running.wait();
    results.close();
  });
  gort::go([&] {
    for (long n = 1; n <= jobs; n++) work.send(n);
    work.close();
  });

  Result longest{0, -1, 0};
  long total_steps = 0, received = 0;
  for (Result r : results) {
    received++;
    total_steps += r.steps;
    if (r.steps > longest.steps || (r.steps == longest.steps && r.n < longest.n)) longest = r;
  }
  gort::fmt::println("jobs", received, "total steps", total_steps, "longest", longest.n, "with", longest.steps, "steps");
  return received == jobs ? 0 : 1;
}
