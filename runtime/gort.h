// gort's public API: what a user program includes. Everything here is documented for
// users in README.md and docs/; everything else under runtime/ is internal.
//
//   #include "gort.h"
//   int main(int argc, char** argv) {
//     gort::WaitGroup wg;
//     wg.add(1);
//     gort::go([&wg](const char* who) { gort::fmt::println("hello from", who); wg.done(); }, "a goroutine");
//     wg.wait();
//   }
//
// Build a program with tools/gort-build hello.cpp -o hello.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <new>

#include "print.h"

namespace gort {

struct Goroutine;

// The value of environment variable `key`, or null if it is not set.
const char* getenv(const char* key);

// Ends the process at once with `status`, whatever other goroutines are doing (os.Exit).
[[noreturn]] void exit(int status);

// Ends the process with "fatal error: <message>" on stderr and status 2 (Go's throw).
[[noreturn]] void fatal(const char* message);

// Monotonic clock in nanoseconds (for measuring intervals).
int64_t nanotime();

// --- Goroutines ---

namespace detail {
Goroutine* go_begin(void (*entry)(void* closure));
void* go_closure_storage(Goroutine* g, size_t bytes, size_t align);
void go_launch(Goroutine* g, void (*destroy)(void* closure));
}  // namespace detail

// Starts f(args...) in a new goroutine, like Go's `go f(args...)`. f and every argument are
// copied (or moved) into the goroutine before go() returns, so later changes to the caller's
// variables do not reach it; pass pointers to share. The copy lives at the top of the new
// goroutine's stack and is destroyed when f returns. Captures are limited to 512 bytes.
template <class F, class... Args>
void go(F&& f, Args&&... args) {
  auto task = [fn = static_cast<F&&>(f), ... arg = static_cast<Args&&>(args)]() mutable { fn(arg...); };
  using Task = decltype(task);
  static_assert(sizeof(Task) <= 512, "gort::go: the function and its arguments exceed 512 bytes; pass a pointer");
  Goroutine* g = detail::go_begin([](void* closure) { (*static_cast<Task*>(closure))(); });
  void* storage = detail::go_closure_storage(g, sizeof(Task), alignof(Task));
  ::new (storage) Task(static_cast<Task&&>(task));
  detail::go_launch(g, [](void* closure) { static_cast<Task*>(closure)->~Task(); });
}

// Yields the processor so other goroutines run; this one continues later (runtime.Gosched).
void gosched();

// Sets the number of processors running goroutines at once and returns the previous
// setting; n < 1 only reads it (runtime.GOMAXPROCS).
int32_t gomaxprocs(int32_t n);

// The number of goroutines that exist now (runtime.NumGoroutine).
int32_t num_goroutine();

// --- Synchronisation (Go's sync package) ---

// Waits for a collection of goroutines to finish: add(n) before starting them, done() in
// each, wait() to block until the count is zero (sync.WaitGroup).
class WaitGroup {
 public:
  void add(int32_t delta);
  void done() { add(-1); }
  void wait();

 private:
  uint64_t state_ = 0;      // counter << 32 | waiters
  uint32_t semaphore_ = 0;  // waiters sleep here
};

// Mutual exclusion between goroutines (sync.Mutex). A goroutine that waits for it parks,
// freeing its thread for other goroutines.
class Mutex {
 public:
  void lock();
  void unlock();
  bool try_lock();

 private:
  void lock_slow();
  uint32_t state_ = 0;      // bit 0: locked; the rest: waiters * 2
  uint32_t semaphore_ = 0;  // waiters sleep here
};

}  // namespace gort
