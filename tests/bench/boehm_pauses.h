/* The Boehm twins' (tests/bench/NAME_boehm.c) record of their collections: every collection,
 * from GC_EVENT_START to GC_EVENT_END, is a pause of the (one) mutator thread, which is
 * blocked in GC_MALLOC throughout; bdwgc's non-incremental mode marks with the world stopped
 * (GC_MARKERS=2: with a second marker thread) and sweeps lazily, during later allocations.
 * boehm_report_pauses prints what gort's bench::report_pauses prints, the same units:
 *   PAUSES <collections> <p50> <p99> <max>   (microseconds; exact) */
#pragma once
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#define GC_THREADS /* declares GC_start_mark_threads */
#include <gc/gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BOEHM_MAX_PAUSES (1 << 20)
static double boehm_pauses[BOEHM_MAX_PAUSES];
static long boehm_pause_count;
static double boehm_pause_start;

static double boehm_now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Called by the collector with its allocation lock held. */
static void boehm_on_event(GC_EventType event) {
  if (event == GC_EVENT_START) {
    boehm_pause_start = boehm_now_us();
  } else if (event == GC_EVENT_END && boehm_pause_count < BOEHM_MAX_PAUSES) {
    boehm_pauses[boehm_pause_count++] = boehm_now_us() - boehm_pause_start;
  }
}

/* GC_INIT, the pause record, and the parallel markers: GC_MARKERS in the environment says
 * how many threads mark (1: the mutator's alone; unset, one per CPU). bdwgc starts the
 * helpers only when the program creates a thread, which these never do: hence the call. */
#define BOEHM_START()                                \
  do {                                               \
    GC_INIT();                                       \
    GC_set_on_collection_event(boehm_on_event);      \
    GC_start_mark_threads();                         \
  } while (0)

static int boehm_compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/* The rank-th smallest of n (1-based, as gort's PauseHistogram::quantile ranks). */
static double boehm_quantile(double q, long n) {
  long rank = (long)(q * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return boehm_pauses[rank - 1];
}

static void boehm_report_pauses(void) {
  long n = boehm_pause_count;
  if (n == 0) {
    printf("PAUSES 0 0.000 0.000 0.000\n");
    return;
  }
  qsort(boehm_pauses, (size_t)n, sizeof(double), boehm_compare);
  printf("PAUSES %ld %.3f %.3f %.3f\n", n, boehm_quantile(0.5, n), boehm_quantile(0.99, n), boehm_pauses[n - 1]);
}
