// Benchmark: unbuffered channel ping-pong between two goroutines; reports nanoseconds per
// round trip (two hand-offs). Run at GOMAXPROCS=1 and 2. Twin: chan_pingpong.go.
//   chan_pingpong [rounds]   (default 1,000,000)
#include "bench.h"

int main(int argc, char** argv) {
  long rounds = bench::argument(argc, argv, 1, 1000000);
  gort::Channel<long> ping, pong;
  gort::go([&ping, &pong] {
    for (;;) pong.send(ping.receive() + 1);
  });
  long v = 0;
  int64_t start = gort::nanotime();
  for (long i = 0; i < rounds; i++) {
    ping.send(v);
    v = pong.receive();
  }
  int64_t elapsed = gort::nanotime() - start;
  if (v != rounds) gort::fatal("chan_pingpong: wrong count");
  bench::report("chan_pingpong", double(elapsed) / double(rounds), "ns/round-trip");
  return 0;
}
