// The garbage collector's public API (namespace gort::gc), included by gort.h. Objects made
// here belong to the collector: nobody frees them; the collector reclaims each one once
// nothing it can see points into it. Everything else (malloc, new) stays explicit.
// Book: docs/07-collector.md. Implementation: runtime/collector.cpp (the cycle, the pacer),
// runtime/marker.cpp (marking, roots), runtime/barrier.h (the write barrier),
// runtime/allocator.cpp (collected spans, sweeping) and runtime/finalization.cpp (typed
// objects' destructors, cleanups).
//
//   Point* p = gort::gc::make<Point>(1, 2);        // zeroed, constructed, collected
//   double* v = gort::gc::make_array<double>(n);   // n zeroed doubles (noscan: never scanned)
//   gort::gc::Root<Point> keep(p);                 // keeps *p alive from explicit memory
//   gort::gc::collect();                           // a full collection now
//   GORT_GC_POINTERS(Node, left, right);           // Node's pointer fields: scanned precisely
//   gort::gc::add_cleanup(p, close_it, fd_box);    // close_it(fd_box) once *p is unreachable
//
// What the collector sees (and so what keeps a collected object alive):
//   - every goroutine's stack, all of its segments, and the registers saved for every
//     goroutine that is not running (switched away, preempted, in a system call), and the
//     registers and stack of the goroutine that calls collect();
//   - the program's data and bss (its globals and static locals);
//   - the runtime's own references: explicit channels' buffers (and the boxes of channels of
//     non-trivially-copyable types), values of goroutines blocked sending, timers' records
//     (a collected one, after()'s, is itself kept while pending), closures of goroutines not
//     yet started. A collected channel (gc::make<Channel<T>>) is not a root but a collected
//     object: its buffer keeps what it points to only while the channel is reachable;
//   - other collected objects: precisely where the type has a layout (GORT_GC_POINTERS: only
//     the listed words), else conservatively, every aligned word a possible pointer (noscan
//     objects, of pointer-free types, are not read at all);
//   - the arguments of cleanups not yet run (gc::add_cleanup);
//   - Root handles, wherever they are.
// It does NOT see explicit heap memory (malloc, new, std:: containers' buffers), memory the
// program maps itself, or thread_local variables. A pointer to a collected object kept only
// there dangles after the next collection: hold it through a Root instead, or keep the
// pointers in a gc::Vector (runtime/gc_vector.h), whose buffer is collected memory.
// Any word that points anywhere inside an object (an interior pointer) keeps it alive.
// Destructors. A collected type with a non-trivial destructor gets it run, exactly once,
// after the object is found unreachable and before its memory is reused: not in the
// collection itself but on the cleanup goroutine (a system goroutine), one object at a time,
// in no particular order (an array's elements last first). A destructor may allocate, lock,
// block, free explicit memory and close descriptors. It may NOT touch other collected
// objects, not even ones its own fields point to: they may have become unreachable in the
// same collection and already been freed and reused. Keep in a collected object's
// destructor only work on its own fields and on explicit memory it owns. Objects with a
// destructor or a layout carry a 16-byte header (typed spans); others cost what they did.
// Cleanups (add_cleanup below, Go's runtime.AddCleanup) run on the same goroutine and
// cannot resurrect their object.
// free() or delete of a collected object ends the program with
// "fatal error: free of a collected object 0x...", and realloc() of one, at any size, with
// "fatal error: realloc of a collected object 0x...".
//
// When collections run: gc::collect(), and as the collected heap nears the goal
// live * (1 + GOGC/100) (at least 4 MiB * GOGC/100, as Go), where live is what the last
// collection kept: a cycle starts at a trigger on the way there, so that its mark ends near
// the goal. GOGC is read from the environment on first use (default 100; "off" disables the
// goal); set_percent changes it. GOMEMLIMIT (set_memory_limit) can lower the goal. A cycle
// is Go's: a short pause, a mark concurrent with the program (goroutines that allocate
// meanwhile help it: assists), a second short pause; the sweep that frees what it did not
// mark then runs on allocation and in a background goroutine. Pointer fields of collected
// objects that change after the object is shared should be gc::Ptr (runtime/barrier.h):
// a raw store that deletes a pointer during a mark can lose the object it pointed to
// (GODEBUG=gccheckmark=1 finds such stores). GODEBUG=gcstoptheworld=1 marks in one pause.
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
// std::true_type for a struct of your own that holds no pointers; a type that is neither
// pointer-free nor given a layout (GORT_GC_POINTERS below) is scanned conservatively, every
// word (a field walk over aggregates is not built).
template <typename T>
struct is_pointer_free : std::bool_constant<std::is_arithmetic_v<T> || std::is_enum_v<T>> {};
template <typename T>
inline constexpr bool pointer_free_v = is_pointer_free<std::remove_cv_t<std::remove_all_extents_t<T>>>::value;

// --- Precise layouts: a type says where its pointers are ---
//
//   struct Node { uint64_t key; Node* left; Node* right; uint64_t hash; };
//   GORT_GC_POINTERS(Node, left, right);   // at global scope, after the type
//
// Objects of a type with a layout are scanned precisely: only the listed words are read as
// pointers, so an integer in `key` or `hash` that happens to look like an address retains
// nothing. Each listed field must be a one-word pointer field (is_pointer_field: a raw T*,
// or a wrapper that specializes it, as gc::Ptr<T> does: runtime/barrier.h), or an array of them, at an 8-byte
// aligned offset; anything else fails to compile. The fields must be accessible where the
// macro is used. A pointer the list leaves out does NOT keep its object alive: list every
// field that may hold a collected object's address (a union member that may, too).
template <typename F>
struct is_pointer_field : std::bool_constant<std::is_pointer_v<F>> {};
// A field of several words of which only the first `value` hold pointers, listed like a
// pointer field (gc::Vector: its buffer, then its size and capacity: runtime/gc_vector.h).
template <typename F>
struct leading_pointer_words : std::integral_constant<size_t, 0> {};

// Whether a collected T's destructor has nothing to do although it is not trivial: a type
// whose destructor only releases what its collected form never holds (gort's Channel, Timer
// and Ticker: a collected one has a collected core and no pending timer once unreachable).
// Specialize it as std::true_type for such a type of your own: its objects then skip the
// destructor queue (no header, freed by the first sweep that finds them unreachable).
template <typename T>
struct destructor_unneeded_when_collected : std::false_type {};
template <typename T>
inline constexpr bool needs_destructor_v =
    !std::is_trivially_destructible_v<T> && !destructor_unneeded_when_collected<std::remove_cv_t<std::remove_all_extents_t<T>>>::value;

namespace detail {
struct PointerField {
  size_t offset;  // bytes from the start of the type
  size_t words;   // pointer words from there (an array field: its length); 0: the end marker
};
// Called only where a layout is wrong, so the constant evaluation that reaches it fails
// (a constexpr function cannot static_assert on its arguments).
void layout_field_misaligned_or_outside();
template <typename F>
constexpr size_t pointer_field_words() {
  if constexpr (leading_pointer_words<std::remove_cv_t<F>>::value > 0) {
    return leading_pointer_words<std::remove_cv_t<F>>::value;
  } else {
    using Element = std::remove_cv_t<std::remove_all_extents_t<F>>;
    static_assert(is_pointer_field<Element>::value,
                  "GORT_GC_POINTERS: a listed field is not a pointer field (T*, gc::Ptr<T>, gc::Vector<T>, or an array of pointer fields)");
    static_assert(sizeof(Element) == sizeof(void*), "GORT_GC_POINTERS: a pointer field must be exactly one word");
    return sizeof(F) / sizeof(void*);
  }
}
}  // namespace detail

// The layout of T; GORT_GC_POINTERS specializes it. Unspecialized: no layout.
template <typename T>
struct layout {
  static constexpr bool defined = false;
};

namespace detail {
// One bit per word of a T (1: a pointer word), built at compile time from layout<T>.
template <typename T>
struct LayoutBitmap {
  static constexpr size_t words = sizeof(T) / sizeof(void*);
  uint64_t bits[words / 64 + 1];
  bool any;
};
template <typename T>
constexpr LayoutBitmap<T> build_bitmap() {
  LayoutBitmap<T> b{};
  for (const PointerField& f : layout<T>::fields) {
    for (size_t i = 0; i < f.words; i++) {
      size_t word = f.offset / sizeof(void*) + i;
      if (f.offset % sizeof(void*) != 0 || word >= LayoutBitmap<T>::words) layout_field_misaligned_or_outside();
      b.bits[word / 64] |= uint64_t(1) << (word % 64);
      b.any = true;
    }
  }
  return b;
}
template <typename T>
inline constexpr LayoutBitmap<T> bitmap_of = build_bitmap<T>();
}  // namespace detail

// What a typed object's header points to (one per type, in read-only data): enough for the
// marker to scan its elements and for the cleanup goroutine to destroy them.
struct alignas(8) TypeInfo {
  size_t size;                  // sizeof(T): the stride between elements
  uint32_t header_bytes;        // from the slot's start to the first element: 16, or alignof(T)
  uint32_t layout_words;        // words of an element that pointer_bits covers
  const uint64_t* pointer_bits; // bit i: word i of an element is a pointer; null: no layout
                                // (every word is read conservatively)
  void (*destroy)(void* first, size_t count);  // ~T() on each element, last first; null: trivial
};

namespace detail {
// The 16-byte header at the start of a typed object's slot (the user's pointer is
// slot + TypeInfo::header_bytes): word 0 the TypeInfo address with the states below in its
// low bits, word 1 the element count. Written by allocate_typed before the slot can be seen;
// the state bits change atomically (the sweep reads them, the cleanup goroutine writes them).
enum HeaderState : uintptr_t {
  header_constructed = 1,  // every element's constructor returned: the destructor may run
  header_queued = 2,       // found unreachable; waiting on the cleanup goroutine's queue
  header_destroyed = 4,    // the destructor ran; the next sweep that finds it unmarked frees it
  header_state_mask = 7,
};

template <typename T>
void destroy_elements(void* first, size_t count) {
  T* elements = static_cast<T*>(first);
  for (size_t i = count; i > 0; i--) elements[i - 1].~T();
}

inline constexpr uint64_t no_pointer_bits[1] = {0};
template <typename T>
constexpr const uint64_t* pointer_bits_of() {
  if constexpr (layout<T>::defined) return bitmap_of<T>.bits;
  else if constexpr (pointer_free_v<T>) return no_pointer_bits;  // a layout listing nothing
  else return nullptr;
}

template <typename T>
inline constexpr TypeInfo type_info_of = {
    sizeof(T),
    alignof(T) > 16 ? uint32_t(alignof(T)) : 16,
    layout<T>::defined ? uint32_t(sizeof(T) / sizeof(void*)) : 0,
    pointer_bits_of<T>(),
    !needs_destructor_v<T> ? nullptr : &destroy_elements<T>,
};

template <typename T>
constexpr bool layout_has_pointers() {
  if constexpr (layout<T>::defined) return bitmap_of<T>.any;
  else return true;
}

// How gc::make lays out a T (decided at compile time):
//   noscan        pointer-free (is_pointer_free, or a layout listing no field) and trivially
//                 destructible: no header, never scanned;
//   conservative  no layout, trivially destructible: no header, every word scanned (as before
//                 layouts existed: such objects pay nothing for them);
//   typed         a layout or a destructor to run (needs_destructor_v): a header, a typed span, scanned by
//                 the layout (or conservatively without one), destroyed when unreachable.
template <typename T>
inline constexpr bool is_typed_v = needs_destructor_v<T> || (layout<T>::defined && layout_has_pointers<T>());
template <typename T>
inline constexpr bool is_noscan_v = !needs_destructor_v<T> && (pointer_free_v<T> || !layout_has_pointers<T>());

// A typed collected block of `count` elements described by `type`: zeroed, its header written,
// the state bits clear. Returns the first element's address.
void* allocate_typed(const TypeInfo* type, size_t count);
// Marks a typed object's elements as constructed: from now on, found unreachable, it is
// destroyed (release: the constructors' stores come before the sweep's read of the bit).
inline void set_constructed(void* first, const TypeInfo* type) {
  auto* header = reinterpret_cast<uintptr_t*>(static_cast<char*>(first) - type->header_bytes);
  __atomic_fetch_or(&header[0], uintptr_t(header_constructed), __ATOMIC_RELEASE);
}
}  // namespace detail

// A collected T constructed from args, in zeroed memory.
template <typename T, typename... Args>
T* make(Args&&... args) {
  static_assert(!std::is_array_v<T>, "gc::make: use gc::make_array for arrays");
  static_assert(alignof(T) <= 4096, "gc::make: alignment above a page");
  if constexpr (detail::is_typed_v<T>) {
    const TypeInfo* type = &detail::type_info_of<T>;
    void* p = detail::allocate_typed(type, 1);
    T* object = ::new (p) T(static_cast<Args&&>(args)...);
    detail::set_constructed(p, type);
    return object;
  } else {
    void* p = detail::allocate(sizeof(T), alignof(T), detail::is_noscan_v<T>);
    return ::new (p) T(static_cast<Args&&>(args)...);
  }
}

// n value-initialized collected Ts (zero for scalars), or null for n == 0. A layout applies
// to every element; a destructor runs on every element, last first.
template <typename T>
T* make_array(size_t n) {
  static_assert(alignof(T) <= 4096, "gc::make_array: alignment above a page");
  if (n == 0) return nullptr;
  if (n > (SIZE_MAX - 4096) / sizeof(T)) detail::array_too_large();
  T* p;
  if constexpr (detail::is_typed_v<T>) p = static_cast<T*>(detail::allocate_typed(&detail::type_info_of<T>, n));
  else p = static_cast<T*>(detail::allocate(n * sizeof(T), alignof(T), detail::is_noscan_v<T>));
  if constexpr (!std::is_trivially_default_constructible_v<T>)
    for (size_t i = 0; i < n; i++) ::new (p + i) T();
  if constexpr (detail::is_typed_v<T>) detail::set_constructed(p, &detail::type_info_of<T>);
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

// --- Cleanups (Go's runtime.AddCleanup) ---
//
// add_cleanup(object, fn, arg) arranges for fn(arg) to run once `object` is unreachable,
// on the cleanup goroutine (one system goroutine; cleanups and destructors run on it one at
// a time, in no particular order). fn never sees `object`: it cannot be resurrected. The
// record lives outside the object (on its span's list of specials), and `arg` is a root
// while the record exists, so whatever arg points to stays alive until fn(arg) has run. So
// arg must not point into `object`: that cleanup could never run (Go's panic, "ptr is
// equal to arg"). `object` must point into a collected object (else a panic). Several
// cleanups on one object all run. Cleanup::stop() cancels one that has not started. The
// callable form, add_cleanup(object, callable), keeps the callable's captures alive the
// same way (so none may point into `object`).
class Cleanup {
 public:
  Cleanup() = default;
  // Cancels the cleanup if it has not been queued to run; after that (or when it ran) a
  // no-op. Returns whether it cancelled it.
  bool stop();

 private:
  friend struct CleanupAccess;
  uintptr_t hidden_object_ = 0;  // ~address: a Cleanup on a stack must not keep it alive
  uint64_t id_ = 0;              // 0: none
};

namespace detail {
using ErasedFunction = void (*)();
// Calls fn, erased from void (*)(A*), as what it was.
template <typename A>
void invoke_cleanup(ErasedFunction fn, void* arg) {
  reinterpret_cast<void (*)(A*)>(fn)(static_cast<A*>(arg));
}
Cleanup add_cleanup(const void* object, void (*invoke)(ErasedFunction, void*), ErasedFunction fn, void* arg);

// The callable form: the callable is moved into a box in explicit memory, whose words are
// scanned conservatively while the record exists (its captures are roots, as arg is).
// invoke calls it; discard destroys and frees the box, once the record is gone (after the
// call, or at stop()).
template <typename F>
void invoke_boxed(ErasedFunction, void* box) {
  (*static_cast<F*>(box))();
}
template <typename F>
void discard_boxed(void* box) {
  static_cast<F*>(box)->~F();
  ::operator delete(box);
}
Cleanup add_boxed_cleanup(const void* object, void (*invoke)(ErasedFunction, void*), void (*discard)(void*), void* box,
                          size_t box_bytes);
}  // namespace detail

template <typename T, typename A>
Cleanup add_cleanup(T* object, void (*fn)(A*), A* arg) {
  using Plain = std::remove_cv_t<A>;
  return detail::add_cleanup(static_cast<const void*>(object), &detail::invoke_cleanup<Plain>,
                             reinterpret_cast<detail::ErasedFunction>(reinterpret_cast<void (*)(Plain*)>(fn)),
                             const_cast<Plain*>(arg));
}

// add_cleanup(object, callable): runs callable() once `object` is unreachable. Its captures
// are roots until then, so none may point into `object` (a panic, as for arg above).
template <typename T, typename F, typename = std::enable_if_t<std::is_invocable_v<std::decay_t<F>&>>>
Cleanup add_cleanup(T* object, F&& callable) {
  using Box = std::decay_t<F>;
  static_assert(alignof(Box) <= 16, "gc::add_cleanup: a callable aligned above 16 bytes");
  void* box = ::operator new(sizeof(Box));
  ::new (box) Box(static_cast<F&&>(callable));
  return detail::add_boxed_cleanup(static_cast<const void*>(object), &detail::invoke_boxed<Box>, &detail::discard_boxed<Box>,
                                   box, sizeof(Box));
}

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

// Every stop-the-world pause of the collector since start-up, as a histogram (Go's
// runtime/metrics "/gc/pauses:seconds"): MemStats' pause_ns keeps only the last 256, and a
// benchmark or a program watching its latency needs all of them. Buckets are log-linear:
// pauses below 16 ns one bucket per nanosecond, above that 16 buckets per power of two
// (each 1/16 = 6.25% wide), up to 2^41 ns (about 36 minutes: longer pauses count in the
// last bucket); the longest pause is kept exactly. Recorded once per pause, with the world
// stopped, at the end of the pause (record_pause in runtime/collector.cpp): nothing on the
// allocation or barrier paths.
struct PauseHistogram {
  static constexpr uint32_t sub_bucket_bits = 4;
  static constexpr uint32_t sub_buckets = 1u << sub_bucket_bits;
  static constexpr uint32_t max_exponent = 40;  // the last bucket starts below 2^41 ns
  static constexpr uint32_t bucket_count = sub_buckets + (max_exponent - sub_bucket_bits + 1) * sub_buckets;

  uint64_t pauses;    // pauses recorded: the sum of `buckets`
  uint64_t total_ns;  // their sum
  uint64_t max_ns;    // the longest, exactly
  uint64_t buckets[bucket_count];

  // The bucket a pause of `ns` counts in.
  static constexpr uint32_t bucket_of(uint64_t ns) {
    if (ns < sub_buckets) return uint32_t(ns);
    uint32_t exponent = 63 - uint32_t(__builtin_clzll(ns));
    if (exponent > max_exponent) return bucket_count - 1;
    uint32_t mantissa = uint32_t(ns >> (exponent - sub_bucket_bits)) & (sub_buckets - 1);
    return sub_buckets + (exponent - sub_bucket_bits) * sub_buckets + mantissa;
  }
  // The smallest pause that counts in bucket b; bucket b holds [lower(b), lower(b + 1)).
  static constexpr uint64_t lower(uint32_t b) {
    if (b < sub_buckets) return b;
    uint32_t exponent = (b - sub_buckets) / sub_buckets + sub_bucket_bits, mantissa = (b - sub_buckets) % sub_buckets;
    return uint64_t(sub_buckets + mantissa) << (exponent - sub_bucket_bits);
  }
  // The pause at quantile q (0 < q <= 1) of those recorded, as the upper end of its bucket
  // (an overestimate of at most 6.25%), never above max_ns; 0 when none was recorded.
  uint64_t quantile(double q) const {
    if (pauses == 0) return 0;
    uint64_t rank = uint64_t(q * double(pauses) + 0.999999);  // the rank-th smallest pause (1-based)
    if (rank < 1) rank = 1;
    if (rank > pauses) rank = pauses;
    uint64_t seen = 0;
    for (uint32_t b = 0; b < bucket_count; b++) {
      seen += buckets[b];
      if (seen < rank) continue;
      uint64_t upper = b + 1 < bucket_count ? lower(b + 1) - 1 : max_ns;
      return upper < max_ns ? upper : max_ns;
    }
    return max_ns;
  }
};
// Copies the pause histogram into *out. Each field is read atomically but not the whole at
// once: a collection finishing meanwhile may be counted in some fields and not others.
void read_pauses(PauseHistogram* out);

}  // namespace gort::gc

// The write barrier (gc::Ptr, gc::write_pointer, gc::copy_pointers): after is_pointer_field,
// which it specializes for Ptr.
#include "barrier.h"

// GORT_GC_POINTERS(Type, field, ...): Type's pointer fields (see layout above). Use it at
// global scope, naming Type fully qualified; with no field, Type holds no pointers.
#define GORT_GC_POINTERS(Type, ...)                                                       \
  template <>                                                                             \
  struct gort::gc::layout<Type> {                                                         \
    static constexpr bool defined = true;                                                 \
    static constexpr ::gort::gc::detail::PointerField fields[] = {                        \
        __VA_OPT__(GORT_GC_EXPAND_(GORT_GC_FIELDS_(Type, __VA_ARGS__))){0, 0}};           \
  }
#define GORT_GC_FIELD_(Type, field) \
  ::gort::gc::detail::PointerField{__builtin_offsetof(Type, field), ::gort::gc::detail::pointer_field_words<decltype(Type::field)>()},
// A loop over the fields by re-expansion (up to 64 fields).
#define GORT_GC_EXPAND_(...) GORT_GC_EXPAND1_(GORT_GC_EXPAND1_(GORT_GC_EXPAND1_(GORT_GC_EXPAND1_(__VA_ARGS__))))
#define GORT_GC_EXPAND1_(...) GORT_GC_EXPAND2_(GORT_GC_EXPAND2_(GORT_GC_EXPAND2_(GORT_GC_EXPAND2_(__VA_ARGS__))))
#define GORT_GC_EXPAND2_(...) GORT_GC_EXPAND3_(GORT_GC_EXPAND3_(GORT_GC_EXPAND3_(GORT_GC_EXPAND3_(__VA_ARGS__))))
#define GORT_GC_EXPAND3_(...) __VA_ARGS__
#define GORT_GC_FIELDS_(Type, field, ...) \
  GORT_GC_FIELD_(Type, field) __VA_OPT__(GORT_GC_FIELDS_AGAIN_ GORT_GC_PARENS_(Type, __VA_ARGS__))
#define GORT_GC_PARENS_ ()
#define GORT_GC_FIELDS_AGAIN_() GORT_GC_FIELDS_
