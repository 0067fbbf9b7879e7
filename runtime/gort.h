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
// Build a program with tools/gort build hello.cpp -o hello (docs/06-cxx.md).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <initializer_list>
#include <new>
#include <type_traits>

#include "allocator.h"
#include "collector.h"
#include "gc_vector.h"  // gc::Vector: after collector.h and the barrier it includes
#include "lock.h"
#include "print.h"

namespace gort {

struct Goroutine;

// The value of environment variable `key`, or null if it is not set.
const char* getenv(const char* key);

// Ends the process at once with `status`, whatever other goroutines are doing (os.Exit).
[[noreturn]] void exit(int status);

// Ends the process with "fatal error: <message>" on stderr and status 2 (Go's throw).
[[noreturn]] void fatal(const char* message);

// Monotonic clock in nanoseconds (for measuring intervals), and wall-clock time in
// nanoseconds since the Unix epoch. Both read the vDSO, without a system call.
int64_t nanotime();
int64_t walltime();

// --- Growing stacks ---
//
// GORT_STACK_CHECK() as the first statement of a function lets the goroutine's stack grow
// past its current segment when the function is reached with the stack nearly full, so
// recursion can go as deep as the maximum stack size (1 GB by default). Put it in every
// function that may recurse or that sits on a deep call path; leaf functions and shallow
// helpers can skip it. The budget (docs/03-stacks.md, "The budget for code without the
// check"):
//   1. Code without the check may use at most 928 bytes of stack beyond the last check,
//      counting the runtime calls it makes (`make stack-report` lists what each costs; the
//      deepest, select, about 740). At the start of a goroutine it may use 1,424 bytes (its 2 KiB
//      first segment less canaries and the largest closure); main may use its 8 MiB stack.
//   2. A function that uses the macro may not have a frame larger than those 928 bytes: move
//      big locals into a callee or onto the heap.
//   3. Code that cannot have the check, the C++ library's recursive algorithms, is called after
//      GORT_STACK_RESERVE(bytes) (below), which raises the budget of the code after it to
//      `bytes`; on main's stack no reserve is needed.
// The gort driver (tools/gort build) warns, naming the function and the path, where a
// program can break these rules, and where it recurses or uses alloca without the check; for
// a call into the library's bounded recursion it computes the depth and prints the bytes to
// reserve. At run time a violation ends
// the program with "fatal error: stack overflow" and a line saying which rule was broken
// wherever a guard page or a canary catches it; chapter 3 lists exactly where that is.
//
// How it works: if the stack pointer is below the guard, the runtime hands out the next
// segment and alloca moves the stack pointer there; this function's own frame stays put and
// its callees run on the new segment. The runtime also swaps the function's return address
// for a trampoline's, which switches back when it returns, so a check that does not fire
// costs a compare and a branch only. Hence two more rules, which hold unless forced: the
// function must not be inlined (clang and GCC never inline a function that uses alloca, so
// do not mark it always_inline), and it must not leave through a tail call (the alloca's
// address escapes, so the compiler makes no call in it a tail call).

namespace detail {
// The check's slow path (runtime/stack.cpp): `frame` is the function's frame address.
size_t enter_stack_segment(uintptr_t caller_sp, void* frame);

// The stack pointer (the runtime uses this one too).
inline uintptr_t stack_pointer() {
  uintptr_t sp;
  asm volatile("mov %%rsp, %0" : "=r"(sp));
  return sp;
}

// The running goroutine's stack guard, kept in the thread-local block (fs:[16]).
inline uintptr_t stack_guard() {
  uintptr_t guard;
  asm volatile("mov %%fs:16, %0" : "=r"(guard));
  return guard;
}

// True if the stack pointer is below the running goroutine's guard: one compare of rsp with
// the thread-local word, its result taken from the flags (Go's `CMPQ SP, 16(R14)`).
inline bool stack_below_guard() {
  bool below;
  asm volatile("cmpq %%fs:16, %%rsp" : "=@ccb"(below));
  return below;
}

}  // namespace detail

// A do-while, so that the check is one statement. The alloca lives until the function
// returns, not until the block ends; its address goes into an empty asm so that the compiler
// neither drops it nor turns a later call into a tail call from the new segment.
#define GORT_STACK_CHECK()                                                                          \
  do {                                                                                              \
    if (__builtin_expect(::gort::detail::stack_below_guard(), 0))                                   \
      GORT_DETAIL_MOVE_STACK_(                                                                      \
          ::gort::detail::enter_stack_segment(::gort::detail::stack_pointer(), __builtin_frame_address(0))); \
  } while (0)

// Both macros' slow-path tail: move the stack pointer by what the runtime returned (0: stay).
#define GORT_DETAIL_MOVE_STACK_(distance)                                                           \
  do {                                                                                              \
    size_t gort_distance_ = (distance);                                                             \
    if (gort_distance_ != 0) {                                                                      \
      void* gort_new_sp_ = __builtin_alloca(gort_distance_);                                        \
      asm volatile("" ::"r"(gort_new_sp_) : "memory");                                              \
    }                                                                                               \
  } while (0)

// GORT_STACK_RESERVE(bytes) as the first statement of a function is GORT_STACK_CHECK() that
// also guarantees `bytes` of stack to the code after it: if less than `bytes` plus the
// 928-byte reserve is left below the stack pointer in the current segment, the function's
// callees move to a segment with that much room (a power of two from 16 KiB, taken once and
// then cached like any segment, so a loop of calls takes it once). Use it before calling code
// that cannot have the check itself and needs more than the reserve: the C++ library's
// recursive algorithms (std::sort, std::stable_sort, std::inplace_merge, copying and
// destroying std::map and std::set), whose depth is bounded. The gort driver warns where a
// call into the library needs it and prints the bytes to pass. `bytes` must be a constant
// (it becomes a template argument, so that tools/stack-check reads it from the object code:
// the slow path's mangled name, gort::detail::reserve_stack_slow<bytes>, carries it). The
// same rules as for the check apply: its own frame at most the reserve; it honours a pending
// preemption. Callees may use `bytes` (not `bytes` plus the reserve) without a check.
namespace detail {
size_t enter_stack_reserve(uintptr_t caller_sp, void* frame, size_t bytes);  // runtime/stack.cpp

template <size_t Bytes>
[[gnu::noinline]] size_t reserve_stack_slow(uintptr_t caller_sp, void* frame) {
  static_assert(Bytes > 0 && Bytes <= (size_t(1) << 30), "GORT_STACK_RESERVE: between 1 byte and 1 GiB");
  return enter_stack_reserve(caller_sp, frame, Bytes);
}
}  // namespace detail

#define GORT_STACK_RESERVE(bytes)                                                                   \
  do {                                                                                              \
    if (__builtin_expect(::gort::detail::stack_pointer() - size_t(bytes) < ::gort::detail::stack_guard(), 0)) \
      GORT_DETAIL_MOVE_STACK_(::gort::detail::reserve_stack_slow<size_t(bytes)>(                     \
          ::gort::detail::stack_pointer(), __builtin_frame_address(0)));                             \
  } while (0)

// Sets the largest stack a goroutine may grow to and returns the previous limit
// (runtime/debug.SetMaxStack). Beyond it: "fatal error: stack overflow".
size_t set_max_stack(size_t bytes);

// Sets the most OS threads the program may use and returns the previous limit (10000;
// runtime/debug.SetMaxThreads). A program that needs more, or already has more, ends with
// "fatal error: thread exhaustion".
int32_t set_max_threads(int32_t n);

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

// Wires the calling goroutine to its current OS thread: until unlock_os_thread, it runs only
// on that thread, and the thread runs nothing else (runtime.LockOSThread; calls nest).
// A goroutine that exits while wired frees the thread.
void lock_os_thread();
void unlock_os_thread();

// --- Memory (runtime/allocator.h) ---
//
// malloc, free, calloc, realloc, aligned_alloc and the global operator new/delete all use
// gort's heap. An impossible request ends the program with "fatal error: out of memory".
// alloc_noscan is for small objects that hold no pointers; several may share a 16-byte
// block (Go's tiny allocator); release them with free().
void* alloc_noscan(size_t bytes);
MemStats read_mem_stats();  // Go's runtime.ReadMemStats
void free_os_memory();      // Go's debug.FreeOSMemory

// --- System calls that may block (Go's os and syscall packages) ---
//
// While one of these waits in the kernel, the processor runs other goroutines: after about
// 20 us sysmon hands it to another thread; sleep_thread hands it off at once.
namespace os {
long read(int fd, void* buffer, size_t n);         // bytes read, 0 at end of file, or -errno
long write(int fd, const void* buffer, size_t n);  // all n bytes, or -errno (EPIPE on fd 1 or 2: dies by SIGPIPE)
long pipe(int fds[2]);                             // 0 or -errno; fds[0] reads, fds[1] writes
long close(int fd);
void sleep_thread(int64_t nanoseconds);            // blocks this goroutine's thread in nanosleep
}  // namespace os

// --- Channels (Go's chan) ---
//
// Channel<T> is Go's `chan T`: Channel<int> ch(10) is make(chan int, 10); capacity 0 is
// unbuffered. T is any type that is copy-constructible, default-constructible (the zero
// value a closed channel yields) and move-assignable. A trivially copyable T travels through
// the channel by value; any other T travels as a pointer to a heap copy made by the sender
// (a "box", ElementBoxing below), so the runtime copies only bytes under its locks and T's
// constructors and destructor run in the sending and receiving goroutines, never inside the
// runtime. Values still buffered when a Channel is destroyed are destroyed with it.
// Share a channel by reference or pointer. Who owns it depends on where the Channel is:
//   - on a stack, in a global, or made with new: the program owns its lifetime (a channel
//     destroyed while goroutines still wait on it stays allocated, and they stay blocked, as
//     in Go), and the collector treats its buffer as a root;
//   - collected (gort::gc::make<Channel<T>>(capacity), or a member of a collected object):
//     the collector owns it, and reclaims it with its buffer once nothing points to it or
//     its Channel (a goroutine blocked on it counts). Its buffered values keep what they
//     point to alive only while it is reachable; boxes are collected objects too, and the
//     destructors of values still buffered when it is reclaimed never run (a value
//     received is moved out, its box's destructor run).
// A null Channel<T>* in select behaves as a
// nil channel in Go: that case never proceeds. Misuse ends the program as Go's panics do:
// "panic: send on closed channel", "panic: close of closed channel".

// Ends the program as an unrecovered Go panic: "panic: <message>", the goroutine, status 2.
[[noreturn]] void panic(const char* message);

struct ChannelCore;

// How values of a T that is not trivially copyable are boxed (see Channel<T>). An explicit
// channel's boxes come from new and are deleted; a collected channel's are collected objects,
// whose destructors run but whose memory the collector reclaims.
struct ElementBoxing {
  void* (*box)(const void* value);      // new T(*value)
  void (*unbox)(void* box, void* out);  // *out = T(move(*box)) and delete box; null box: *out = T{}
  void (*discard)(void* box);           // delete box
  bool collected;                       // the boxes are collected objects
};

struct SelectCase {
  ChannelCore* channel;
  bool is_send;
  void* element;                 // the T to send, or where to put the T received
  bool* ok;
  const ElementBoxing* boxing;  // null when T is trivially copyable
};
ChannelCore* channel_make(uint32_t element_size, uint32_t capacity);
// A collected core with its buffer in the same collected object (runtime/channel.h);
// `noscan`: the elements hold no pointers. Only once the collector is in use.
ChannelCore* channel_make_collected(uint32_t element_size, uint32_t capacity, bool noscan);
// gc::detail::allocate, published by the collector's first use (runtime/collector.cpp), so
// that channels, which every concurrent program links, link no collector (hello's size).
// Set before any collected object exists, so a collected Channel always finds it.
extern void* (*collected_allocate)(size_t bytes, size_t alignment, bool noscan);  // atomic
// Frees a channel nobody waits on; `destroy` (if not null) is first called on each element
// still buffered.
void channel_free(ChannelCore* c, void (*destroy)(void* element) = nullptr);
bool channel_send(ChannelCore* c, const void* element, bool block);
bool channel_receive(ChannelCore* c, void* element, bool* ok, bool block);
void channel_close(ChannelCore* c);
uint32_t channel_length(ChannelCore* c);
int select_cases(const SelectCase* cases, int count, bool has_default);

namespace detail {
template <class T>
inline constexpr ElementBoxing element_boxing = {
    [](const void* value) -> void* { return new T(*static_cast<const T*>(value)); },
    [](void* box, void* out) {
      T* b = static_cast<T*>(box);
      if (b == nullptr) {
        *static_cast<T*>(out) = T{};
        return;
      }
      *static_cast<T*>(out) = static_cast<T&&>(*b);
      delete b;
    },
    [](void* box) { delete static_cast<T*>(box); },
    false,
};
template <class T>
inline constexpr ElementBoxing collected_element_boxing = {
    [](const void* value) -> void* {
      void* box = collected_allocate(sizeof(T), alignof(T), gc::pointer_free_v<T>);
      return ::new (box) T(*static_cast<const T*>(value));
    },
    [](void* box, void* out) {
      T* b = static_cast<T*>(box);
      if (b == nullptr) {
        *static_cast<T*>(out) = T{};
        return;
      }
      *static_cast<T*>(out) = static_cast<T&&>(*b);
      b->~T();
    },
    [](void* box) { static_cast<T*>(box)->~T(); },
    true,
};
}  // namespace detail

template <class T>
class Channel {
  static constexpr bool boxed = !std::is_trivially_copyable_v<T>;
  static_assert(std::is_copy_constructible_v<T> && std::is_default_constructible_v<T> && std::is_move_assignable_v<T>,
                "gort::Channel<T> needs a T that is copy-constructible, default-constructible and move-assignable");
  using Carried = std::conditional_t<boxed, T*, T>;  // what the runtime copies

 public:
  // Collected or explicit by where this Channel lives (is_collected: one span lookup).
  explicit Channel(uint32_t capacity = 0) : capacity_(capacity), collected_(is_collected(this)) {
    core_ = collected_ ? channel_make_collected(sizeof(Carried), capacity, gc::pointer_free_v<Carried>)
                       : channel_make(sizeof(Carried), capacity);
  }
  // Runs only for an explicit Channel (the collector runs no destructors); a collected core
  // is left to the collector (channel_free returns at once).
  ~Channel() {
    if constexpr (boxed) channel_free(core_, [](void* element) { delete *static_cast<T**>(element); });
    else channel_free(core_);
  }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  void send(const T& value) { put(value, true); }  // ch <- value
  T receive() {                                      // <-ch (zero value once closed)
    T value{};
    receive(value);
    return value;
  }
  bool receive(T& value) {  // value, ok := <-ch: false once closed and drained
    bool ok = false;
    get(value, &ok, true);
    return ok;
  }
  // Non-blocking forms (select with a default): false if the operation could not proceed.
  bool try_send(const T& value) { return put(value, false); }
  bool try_receive(T& value, bool* ok = nullptr) { return get(value, ok, false); }
  void close() { channel_close(core_); }
  uint32_t length() const { return channel_length(core_); }  // len(ch)
  uint32_t capacity() const { return capacity_; }              // cap(ch)
  ChannelCore* core() const { return core_; }
  const ElementBoxing* boxing() const {
    if constexpr (!boxed) return nullptr;
    else return collected_ ? &detail::collected_element_boxing<T> : &detail::element_boxing<T>;
  }

  // for (T v : ch) receives until the channel is closed and drained (Go's range over a channel).
  class Iterator {
   public:
    explicit Iterator(Channel* c) : channel_(c) { advance(); }
    const T& operator*() const { return value_; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    bool operator!=(const Iterator&) const { return channel_ != nullptr; }

   private:
    void advance() {
      if (channel_ != nullptr && !channel_->receive(value_)) channel_ = nullptr;
    }
    Channel* channel_;
    T value_{};
  };
  Iterator begin() { return Iterator(this); }
  Iterator end() { return Iterator(nullptr); }

 private:
  // The two places that know how a T travels (by value, or boxed).
  bool put(const T& value, bool block) {
    if constexpr (boxed) {
      // An explicit channel's path is the one it always had, behind one predictable branch.
      T* box = collected_ ? static_cast<T*>(detail::collected_element_boxing<T>.box(&value)) : new T(value);
      if (channel_send(core_, &box, block)) return true;
      if (collected_) detail::collected_element_boxing<T>.discard(box);  // a try_send that could not proceed
      else delete box;
      return false;
    } else {
      return channel_send(core_, &value, block);
    }
  }
  bool get(T& value, bool* ok, bool block) {
    if constexpr (boxed) {
      T* box = nullptr;
      if (!channel_receive(core_, &box, ok, block)) return false;
      if (collected_) detail::collected_element_boxing<T>.unbox(box, &value);
      else detail::element_boxing<T>.unbox(box, &value);
      return true;
    } else {
      return channel_receive(core_, &value, ok, block);
    }
  }

  ChannelCore* core_;
  uint32_t capacity_;
  bool collected_;  // the core is collected (and so are the boxes); set once (in the padding: 16 bytes)
};

// Cases for select. A null channel pointer makes a case that never proceeds. As in Go, the
// value of every send case is taken (for a boxed T: copied) before select chooses.
template <class T>
SelectCase on_send(Channel<T>* ch, const T* value) {
  return SelectCase{ch ? ch->core() : nullptr, true, const_cast<T*>(value), nullptr, ch ? ch->boxing() : nullptr};
}
template <class T>
SelectCase on_receive(Channel<T>* ch, T* out, bool* ok = nullptr) {
  return SelectCase{ch ? ch->core() : nullptr, false, out, ok, ch ? ch->boxing() : nullptr};
}

// Go's select: waits until one case can proceed (chosen uniformly at random among ready
// ones), performs it, and returns its index. select_default returns -1 at once instead of
// waiting when no case is ready. At most 65,536 cases, as in Go; select_cases() takes an
// array built at run time.
// The cases are read where the caller's initializer list put them; select_cases checks the
// stack and keeps its per-case records small (on the heap beyond four cases), so a select is
// safe on a goroutine's first 2 KiB stack segment.
inline int select(std::initializer_list<SelectCase> cases) {
  return select_cases(cases.begin(), int(cases.size()), false);
}
inline int select_default(std::initializer_list<SelectCase> cases) {
  return select_cases(cases.begin(), int(cases.size()), true);
}

// --- Time (Go's time package) ---

// Blocks the calling goroutine for at least `nanoseconds` (time.Sleep); its thread runs
// other goroutines meanwhile.
void sleep(int64_t nanoseconds);

// A runtime timer (the record behind Timer and Ticker); fields are the runtime's.
struct TimerRecord {
  int64_t when;    // deadline, nanotime
  int64_t period;  // 0: fires once
  void (*fire)(TimerRecord* t, int64_t now);  // runs on the scheduler stack: must not block
  void* arg;
  void* owner;     // the Processor whose heap holds it, or null
  int32_t index;   // position in that heap
};
// Starts a record that is not started already (else fatal: a record is in at most one heap).
void timer_start(TimerRecord* t);
// nanotime() + nanoseconds without overflow: INT64_MAX (never) if the sum is too large, and
// nanotime() (at once) for zero or negative durations.
int64_t deadline_after(int64_t nanoseconds);
bool timer_stop(TimerRecord* t);

// time.Timer: after `nanoseconds`, the current time is sent on channel(). stop() prevents it
// if it has not fired yet; reset() arms it again.
class Timer {
 public:
  explicit Timer(int64_t nanoseconds) : channel_(1) { arm(nanoseconds, 0); }
  ~Timer() { stop(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  Channel<int64_t>& channel() { return channel_; }
  bool stop() { return timer_stop(&record_); }
  bool reset(int64_t nanoseconds) {
    bool was_active = stop();
    arm(nanoseconds, 0);
    return was_active;
  }

 protected:
  Timer(int64_t first, int64_t period) : channel_(1) { arm(first, period); }
  void arm(int64_t first, int64_t period) {
    record_ = TimerRecord{deadline_after(first), period, &send_time, channel_.core(), nullptr, -1};
    timer_start(&record_);
  }
  static void send_time(TimerRecord* t, int64_t now) {
    channel_send(static_cast<ChannelCore*>(t->arg), &now, false);  // a full channel drops the tick
  }
  Channel<int64_t> channel_;
  TimerRecord record_;
};

// time.Ticker: sends the time on channel() every `period` nanoseconds; a slow receiver misses
// ticks rather than queueing them.
class Ticker : public Timer {
 public:
  // A period of zero or less would fire once and never again: Go panics, and so does gort.
  explicit Ticker(int64_t period) : Timer(checked(period, "non-positive interval for NewTicker"), period) {}
  void reset(int64_t period) {
    checked(period, "non-positive interval for Ticker.Reset");
    stop();
    arm(period, period);
  }

 private:
  static int64_t checked(int64_t period, const char* message) {
    if (period <= 0) panic(message);
    return period;
  }
};

// A collected Channel, Timer or Ticker needs no destructor (runtime/collector.h): its core
// and buffer are collected, and the timer heap keeps a pending timer reachable, so by the time
// one is unreachable ~Channel and ~Timer would have nothing to release.
template <class T>
struct gc::destructor_unneeded_when_collected<Channel<T>> : std::true_type {};
template <>
struct gc::destructor_unneeded_when_collected<Timer> : std::true_type {};
template <>
struct gc::destructor_unneeded_when_collected<Ticker> : std::true_type {};

// time.After: a channel that receives the time after `nanoseconds`. The channel and its timer
// are one collected object: kept while the timer is pending (the timer heaps are roots) or
// the channel is reachable, reclaimed after that, so a loop of select on after() runs in
// bounded memory (a pending timer stays until it fires: Go before 1.23). Using after() brings
// the collector into the program.
Channel<int64_t>* after(int64_t nanoseconds);

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
  uint32_t state_ = 0;      // locked | woken | starving bits, then the number of waiters
  uint32_t semaphore_ = 0;  // waiters sleep here
};

// Readers-writer lock (sync.RWMutex): any number of readers, or one writer; a waiting writer
// keeps new readers out, so writers are not starved.
class RWMutex {
 public:
  void read_lock();
  void read_unlock();
  void lock();
  void unlock();

 private:
  Mutex writer_;
  uint32_t writer_semaphore_ = 0;
  uint32_t reader_semaphore_ = 0;
  int32_t reader_count_ = 0;
  int32_t reader_wait_ = 0;
};

// Runs a function exactly once, whatever the number of callers (sync.Once); callers that
// arrive during the call wait for it to finish.
class Once {
 public:
  template <class F>
  void call(F&& f) {
    if (__atomic_load_n(&done_, __ATOMIC_ACQUIRE) != 0) return;
    call_slow([](void* p) { (*static_cast<F*>(p))(); }, &f);
  }

 private:
  void call_slow(void (*f)(void*), void* arg);
  uint32_t done_ = 0;
  Mutex mutex_;
};

// Condition variable (sync.Cond): wait() releases the mutex and parks until signal() or
// broadcast(), then takes the mutex again. Use it in a loop that rechecks the condition.
class Cond {
 public:
  explicit Cond(Mutex* m) : mutex_(m) {}
  void wait();
  void signal();
  void broadcast();

 private:
  Mutex* mutex_;
  void* waiters_ = nullptr;  // runtime/sync.cpp's waiter list, guarded by lock_
  RankedLock<LockRank::Cond> lock_;  // held only briefly, never across a park
};

}  // namespace gort
