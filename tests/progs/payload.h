// The collector tests' payload (tests/progs/collector.cpp, gc_channels.cpp, gc_torture.cpp,
// gc_sweep.cpp): a collected object of 56 bytes (the 64-byte class; scanned conservatively,
// it is not pointer-free) whose last word checks the others, so an object the collector
// wrongly freed and handed out again shows as a broken checksum. Each program says for
// itself what "intact" means (allocated, unchanged, or both).
#pragma once
#include <stdint.h>

#include "gort.h"

struct Payload {
  uint64_t words[6];
  uint64_t checksum;
};

inline uint64_t sum_of(const Payload* p) {
  uint64_t s = 0x9e3779b97f4a7c15ULL;
  for (uint64_t w : p->words) s = (s ^ w) * 0x100000001b3ULL;
  return s;
}

// Made in a function of its own (noinline), so the caller holds the only pointer to it:
// the maker's frame is dead once it returns.
__attribute__((noinline)) inline Payload* new_payload(uint64_t seed) {
  Payload* p = gort::gc::make<Payload>();
  for (int i = 0; i < 6; i++) p->words[i] = seed * 31 + uint64_t(i) * 0x0101010101010101ULL;
  p->checksum = sum_of(p);
  return p;
}

inline uint64_t seed_of(const Payload* p) { return p->words[0] / 31; }

// Garbage of the payload's class: `count` payloads filled with a pattern (a slot wrongly
// handed out again over a live payload breaks its checksum), then a full collection. Made
// in a function of its own, so no caller's frame keeps the last of them.
inline Payload* volatile payload_garbage_sink;
__attribute__((noinline)) inline void churn_payloads_and_collect(int count) {
  for (int i = 0; i < count; i++) {
    Payload* g = gort::gc::make<Payload>();
    for (uint64_t& w : g->words) w = 0xdeadbeefdeadbeefULL;
    g->checksum = 1;
    payload_garbage_sink = g;
  }
  payload_garbage_sink = nullptr;
  gort::gc::collect();
}
