/* peak_rss OUTPUT PROGRAM [ARGS...]: runs PROGRAM and writes its peak resident set (the
 * kernel's ru_maxrss, in KiB) to the file OUTPUT; exits as PROGRAM did. tools/bench.py runs
 * every benchmark through it, because a child's ru_maxrss is never below what its parent
 * held when it forked: at exec the kernel folds the old address space's high-water mark
 * into the new program's. Measured straight from Python, every program seemed to use at
 * least the runner's own ~15 MB. This launcher is small, so its children start near 1 MB.
 * Hosted C (libc), built with the benchmarks (bench-programs). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: peak_rss OUTPUT PROGRAM [ARGS...]\n");
    return 2;
  }
  pid_t child = fork();
  if (child < 0) {
    perror("peak_rss: fork");
    return 2;
  }
  if (child == 0) {
    execv(argv[2], argv + 2);
    perror("peak_rss: exec");
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  if (wait4(child, &status, 0, &usage) < 0) {
    perror("peak_rss: wait4");
    return 2;
  }
  FILE* out = fopen(argv[1], "w");
  if (out == NULL || fprintf(out, "%ld\n", usage.ru_maxrss) < 0 || fclose(out) != 0) {
    perror("peak_rss: writing the output");
    return 2;
  }
  if (WIFSIGNALED(status)) {  /* die the same way, so the runner sees the signal */
    signal(WTERMSIG(status), SIG_DFL);
    raise(WTERMSIG(status));
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}
