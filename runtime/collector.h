// The garbage collector's public API (namespace gort::gc), included by gort.h. Objects made
// here belong to the collector: nobody frees them; the collector reclaims each one once
// nothing it can see points into it. Everything else (malloc, new) stays explicit.
// Book: docs/07-collector.md. Implementation: runtime/collector.cpp (marking, roots) and
// runtime/allocator.cpp (collected spans, sweeping).
//
//   Point* p = gort::gc::make<Point>(1, 2);        // zeroed, constructed, collected
//   double* v = gort::gc::make_array<double>(n);   // n zeroed doubles (noscan: never scanned)
//   gort::gc::Root<Point> keep(p);                 // keeps *p alive from explicit memory
//   gort::gc::collect();                           // a full collection now
//
// What the collector sees (and so what keeps a collected object alive):
//   - every goroutine's stack, all of its segments, and the registers saved for every
//     goroutine that is not running (switched away, preempted, in a system call), and the
//     registers and stack of the goroutine that calls collect();
//   - the program's data and bss (its globals and static locals);
//   - the runtime's own references: channel buffers (and the boxes of channels of
//     non-trivially-copyable types), values of goroutines blocked sending, timers' records,
//     closures of goroutines not yet started;
//   - other collected objects, scanned conservatively: every aligned word of an object that
//     may hold pointers is a possible pointer (noscan objects are not read at all);
//   - Root handles, wherever they are.
// It does NOT see explicit heap memory (malloc, new, std:: containers' buffers), memory the
// program maps itself, or thread_local variables. A pointer to a collected object kept only
// there dangles after the next collection: hold it through a Root instead.
// Any word that points anywhere inside an object (an interior pointer) keeps it alive.
// Destructors of collected objects never run (finalization is not built yet): give them
// only types whose destructors have nothing to do, or call what they would do yourself.
// free() or delete of a collected object ends the program with
// "fatal error: free of a collected object 0x...".
//
// When collections run: gc::collect(), and whenever the collected heap reaches the goal
// live * (1 + GOGC/100) (at least 4 MiB), where live is what the last collection kept.
// GOGC is read from the environment on first use (default 100; "off" disables the goal);
// set_percent changes it. GOMEMLIMIT (set_memory_limit) can lower the goal. A collection marks
// with the world stopped (Go's GODEBUG=gcstoptheworld=1 shape: concurrent marking is not built
// yet); the sweep that frees what it did not mark runs after the pause, on allocation and in
// a background goroutine.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <new>
#include <type_traits>

namespace gort::gc {

namespace detail {
// A zeroed collected block; `noscan`: it holds no pointers and is never scanned.
void* allocate(size_t bytes, size_t alignment, bool noscan);
[[noreturn]] void array_too_large();
// A Root's record on the collector's list of roots (runtime/collector.cpp).
struct RootNode {
  RootNode* next;
  RootNode* previous;
  const void* object;  // atomic: written by its Root, read by the collector
};
void add_root(RootNode* node);
void remove_root(RootNode* node);
}  // namespace detail

// Whether a T holds no pointers, found at compile time: arithmetic types, enums, and arrays
// of them. Such objects go to noscan spans and are never scanned. Specialize it as
// std::true_type for a struct of your own that holds no pointers; any other type is
// scanned conservatively, every word (a field walk over aggregates is not built yet).
template <typename T>
struct is_pointer_free : std::bool_constant<std::is_arithmetic_v<T> || std::is_enum_v<T>> {};
template <typename T>
inline constexpr bool pointer_free_v = is_pointer_free<std::remove_cv_t<std::remove_all_extents_t<T>>>::value;

// A collected T constructed from args, in zeroed memory.
template <typename T, typename... Args>
T* make(Args&&... args) {
  static_assert(!std::is_array_v<T>, "gc::make: use gc::make_array for arrays");
  static_assert(alignof(T) <= 4096, "gc::make: alignment above a page");
  void* p = detail::allocate(sizeof(T), alignof(T), pointer_free_v<T>);
  return ::new (p) T(static_cast<Args&&>(args)...);
}

// n value-initialized collected Ts (zero for scalars), or null for n == 0.
template <typename T>
T* make_array(size_t n) {
  static_assert(alignof(T) <= 4096, "gc::make_array: alignment above a page");
  if (n == 0) return nullptr;
  if (n > SIZE_MAX / sizeof(T)) detail::array_too_large();
  T* p = static_cast<T*>(detail::allocate(n * sizeof(T), alignof(T), pointer_free_v<T>));
  if constexpr (!std::is_trivially_default_constructible_v<T>)
    for (size_t i = 0; i < n; i++) ::new (p + i) T();
  return p;
}

// A handle that keeps a collected object alive from anywhere, explicit memory included (the
// collector keeps a list of every Root). Costs a lock on construction and destruction;
// assignment is one store. Copying makes a second root for the same object.
template <typename T>
class Root {
 public:
  Root() : Root(nullptr) {}
  explicit Root(T* object) : node_{nullptr, nullptr, object} { detail::add_root(&node_); }
  Root(const Root& other) : Root(other.get()) {}
  Root& operator=(const Root& other) {
    set(other.get());
    return *this;
  }
  Root& operator=(T* object) {
    set(object);
    return *this;
  }
  ~Root() { detail::remove_root(&node_); }

  T* get() const { return static_cast<T*>(const_cast<void*>(__atomic_load_n(&node_.object, __ATOMIC_RELAXED))); }
  void set(T* object) { __atomic_store_n(&node_.object, static_cast<const void*>(object), __ATOMIC_RELAXED); }
  T* operator->() const { return get(); }
  T& operator*() const { return *get(); }
  explicit operator bool() const { return get() != nullptr; }

 private:
  detail::RootNode node_;
};

// Runs a full collection now; returns when it is over and its sweep is finished.
// Call from a goroutine holding no lock of the runtime's (any program code may).
void collect();

// Sets GOGC (Go's debug.SetGCPercent): a negative value turns the goal off (collect() still
// works). Returns the previous setting (-1 for off).
int set_percent(int percent);

// Sets GOMEMLIMIT (Go's debug.SetMemoryLimit): a soft limit in bytes over all memory gort
// maps, explicit heap included; math.MaxInt64 (INT64_MAX) is none. As the total nears it
// the goal shrinks so that a collection starts first; while the limit drives collections
// their CPU is capped at about half (after a 100 ms allowance), so the limit can be passed. A negative value changes nothing. Returns the previous
// setting. GOMEMLIMIT is read on first use ("off", or bytes with an optional B, KiB, MiB,
// GiB or TiB); unset, the default is the container's memory limit (cgroup memory.max), a
// choice of gort's: Go defaults to no limit.
int64_t set_memory_limit(int64_t limit);

struct Stats {
  uint64_t collections;     // collections finished, ever
  uint64_t heap_bytes;      // bytes in collected objects now (allocated since the last
                            // collection plus what it kept)
  uint64_t live_bytes;      // what the last collection kept
  uint64_t live_objects;    // objects the last collection kept
  uint64_t freed_objects;   // objects reclaimed, ever
  uint64_t goal_bytes;      // the heap size that starts the next collection (0: GOGC=off)
};
Stats stats();

}  // namespace gort::gc
