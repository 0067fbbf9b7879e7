// gc::Vector<T>: a growable array in collected memory, the container for collected pointers
// (Go's slice grown by append). docs/07-collector.md, "Containers".
//
//   struct Node { gort::gc::Vector<gort::gc::Ptr<Node>> children; };
//   Node* n = gort::gc::make<Node>();
//   n->children.push_back(gort::gc::make<Node>());   // barriered store, no Root needed
//
// A Vector may live wherever a gc::Ptr may: a field of a collected object, a goroutine's
// stack, a global. From there it keeps its buffer, and so its elements' targets, alive. It
// is safe to change while a mark runs: its buffer pointer is a gc::Ptr (every store of it is
// barriered, moves and swaps included), growing copies the elements through the bulk barrier
// (gc::copy_pointers), and removing elements resets their slots through the barrier too,
// so a removed pointer retains nothing. In explicit memory (malloc, new) it is invisible to
// the collector, as a Ptr is: hold the object that contains it through a gc::Root.
//
// Why not a standard allocator (std::vector<T, gc::Allocator<T>>): a standard container keeps
// its buffer in raw pointer fields and hands buffers between containers (move construction,
// move assignment, swap) with plain stores. Inside a collected object such a move deletes a
// reference to a buffer the mark may not have reached, unshaded, and the concurrent mark can
// then free a buffer still in use; no allocator hook sees that store.
//
// Invariants: data_ is null (capacity_ 0) or a collected array of capacity_ constructed Ts;
// size_ <= capacity_; every slot at or above size_ holds T(). Not safe for concurrent use
// (as std::vector): goroutines that share one synchronize themselves.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <initializer_list>
#include <type_traits>

#include "collector.h"  // and, at its end, barrier.h (gc::Ptr, copy_pointers)

namespace gort::detail {
// "panic: runtime error: index out of range [index] with length length" (Go's wording).
[[noreturn]] void panic_index(int64_t index, size_t length);
}  // namespace gort::detail

namespace gort::gc {

template <typename T>
class Vector {
  static_assert(!std::is_pointer_v<T>,
                "gc::Vector: hold gc::Ptr<U> elements, not raw pointers (stores into collected memory need the write barrier)");
  static_assert(std::is_trivially_destructible_v<T>,
                "gc::Vector: elements are never destroyed, so T must be trivially destructible (a collected object's "
                "destructor runs on its own: gc::make)");
  static_assert(std::is_default_constructible_v<T> && std::is_copy_assignable_v<T>,
                "gc::Vector: T must be default-constructible and copy-assignable");

 public:
  Vector() = default;
  explicit Vector(size_t n) { resize(n); }
  Vector(std::initializer_list<T> items) {
    reserve(items.size());
    for (const T& item : items) push_back(item);
  }
  Vector(const Vector& other) {
    reserve(other.size_);
    copy_elements(data_.get(), other.data_.get(), other.size_);
    size_ = other.size_;
  }
  // Constructing data_ is an initialising store (this Vector is not yet reachable); clearing
  // the source is a barriered one, which shades the buffer it hands over.
  Vector(Vector&& other) : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  Vector& operator=(const Vector& other) {
    if (this == &other) return *this;
    if (other.size_ > capacity_) {
      T* fresh = allocate(other.size_);
      copy_elements(fresh, other.data_.get(), other.size_);
      data_ = fresh;  // barriered: the old buffer is shaded
      capacity_ = other.size_;
    } else {
      copy_elements(data_.get(), other.data_.get(), other.size_);
      if (size_ > other.size_) reset_elements(other.size_, size_);
    }
    size_ = other.size_;
    return *this;
  }
  Vector& operator=(Vector&& other) {
    if (this == &other) return *this;
    data_ = other.data_;  // barriered, both stores
    other.data_ = nullptr;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.size_ = other.capacity_ = 0;
    return *this;
  }
  void swap(Vector& other) {
    T* mine = data_.get();
    data_ = other.data_.get();  // barriered: each buffer is shaded as it leaves its field
    other.data_ = mine;
    size_t s = size_, c = capacity_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.size_ = s;
    other.capacity_ = c;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T* begin() { return data_.get(); }
  T* end() { return data_.get() + size_; }
  const T* begin() const { return data_.get(); }
  const T* end() const { return data_.get() + size_; }

  // Checked, as Go's indexing: out of range panics with Go's message.
  T& operator[](size_t i) {
    if (__builtin_expect(i >= size_, 0)) ::gort::detail::panic_index(int64_t(i), size_);
    return data_.get()[i];
  }
  const T& operator[](size_t i) const {
    if (__builtin_expect(i >= size_, 0)) ::gort::detail::panic_index(int64_t(i), size_);
    return data_.get()[i];
  }
  T& front() { return (*this)[0]; }
  T& back() {
    if (__builtin_expect(size_ == 0, 0)) ::gort::detail::panic_index(-1, 0);
    return data_.get()[size_ - 1];
  }

  // Appends a copy of item: an assignment into a T() slot, so a Ptr element is barriered.
  void push_back(const T& item) {
    if (size_ == capacity_) grow(size_ + 1);
    data_.get()[size_] = item;
    size_++;
  }
  void pop_back() {
    if (__builtin_expect(size_ == 0, 0)) ::gort::detail::panic_index(-1, 0);
    reset_elements(size_ - 1, size_);
    size_--;
  }
  void clear() {
    reset_elements(0, size_);
    size_ = 0;
  }
  // New slots are T() (allocated so, or reset when their elements were removed).
  void resize(size_t n) {
    if (n > capacity_) grow(n);
    if (n < size_) reset_elements(n, size_);
    size_ = n;
  }
  void reserve(size_t n) {
    if (n > capacity_) replace_buffer(n);
  }

 private:
  static constexpr bool copied_as_words = std::is_trivially_copyable_v<T> || is_pointer_field<T>::value;

  static T* allocate(size_t n) { return make_array<T>(n); }

  // dst[0, n) = src[0, n), through the barrier: the bulk barrier for a T that is copied as
  // words (trivially copyable, or a Ptr), else T's own assignment (its Ptr fields barriered).
  // Noscan elements hold no pointers and need none.
  static void copy_elements(T* dst, const T* src, size_t n) {
    if (n == 0) return;
    if constexpr (detail::is_noscan_v<T>) __builtin_memmove(dst, src, n * sizeof(T));
    else if constexpr (copied_as_words) copy_pointers(dst, src, n * sizeof(T));
    else for (size_t i = 0; i < n; i++) dst[i] = src[i];
  }
  // Slots [from, to) back to T(), the old values shaded while a mark runs: as copy_elements,
  // the bulk barrier for elements copied as words (T() is all zero bits for them).
  void reset_elements(size_t from, size_t to) {
    if (from >= to) return;
    T* p = data_.get();
    if constexpr (detail::is_noscan_v<T>) __builtin_memset(static_cast<void*>(p + from), 0, (to - from) * sizeof(T));
    else if constexpr (copied_as_words) clear_pointers(p + from, (to - from) * sizeof(T));
    else for (size_t i = from; i < to; i++) p[i] = T();
  }
  // Twice the capacity (Go's append doubles small slices), at least `needed` and 4.
  void grow(size_t needed) {
    size_t n = capacity_ * 2;
    if (n < needed) n = needed;
    if (n < 4) n = 4;
    replace_buffer(n);
  }
  void replace_buffer(size_t n) {
    T* fresh = allocate(n);  // allocated black during a mark
    copy_elements(fresh, data_.get(), size_);
    data_ = fresh;  // barriered: the old buffer is shaded, so what it held is marked
    capacity_ = n;
  }

  Ptr<T> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// A Vector field is listed in GORT_GC_POINTERS like a pointer field: its first word, the
// buffer, is the one pointer in it.
template <typename T>
struct leading_pointer_words<Vector<T>> : std::integral_constant<size_t, 1> {};

}  // namespace gort::gc
