// Formatted output without libc: a small Writer that formats integers (decimal, hex),
// strings, booleans, pointers and floats into a stack buffer and writes it whole.
//
// Two families use it, as in Go:
//   gort::print / gort::println        -> stderr, Go's builtin print/println: runtime
//                                          messages; floats in Go's +d.dddddde+ddd form.
//   gort::fmt::print / fmt::println    -> stdout, for programs; floats as plain decimals.
// println separates operands with spaces and ends the line; print concatenates.
// Each call formats into one buffer and issues one write when it fits (512 bytes), so lines
// from concurrent goroutines do not interleave mid-line. Writes are complete: short writes
// and EINTR are retried (sys::write_all). Book: docs/01-startup.md, "Printing".
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <type_traits>

namespace gort {

// Wrappers that choose a format for one operand.
struct Hex {
  uint64_t value;
};
constexpr Hex hex(uint64_t v) { return Hex{v}; }  // prints 0x1f
struct Fixed {
  double value;
  int decimals;
};
constexpr Fixed fixed(double v, int decimals) { return Fixed{v, decimals}; }  // prints 3.14
struct Bytes {
  const char* data;
  size_t size;
};

class Writer {
 public:
  enum class FloatStyle { GoBuiltin, Decimal };

  Writer(int fd, FloatStyle style) : fd_(fd), float_style_(style) {}
  ~Writer() { flush(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void bytes(const char* p, size_t n);
  void string(const char* s);  // a null pointer prints "<nil>"
  void signed_decimal(int64_t v);
  void unsigned_decimal(uint64_t v);
  void hexadecimal(uint64_t v);  // with the 0x prefix
  void floating(double v);       // in this Writer's FloatStyle
  void decimal_float(double v, int decimals, bool trim_zeros);
  void go_builtin_float(double v);
  void pointer(const void* p);  // 0x... in hex, "0x0" for null as Go prints nil pointers
  void flush();

  // Formats one operand, choosing by its type.
  template <class T>
  void value(const T& v) {
    using U = std::remove_cv_t<std::remove_reference_t<T>>;
    if constexpr (std::is_same_v<U, bool>) string(v ? "true" : "false");
    else if constexpr (std::is_same_v<U, char>) bytes(&v, 1);
    else if constexpr (std::is_enum_v<U>) signed_decimal(int64_t(v));
    else if constexpr (std::is_integral_v<U> && std::is_signed_v<U>) signed_decimal(v);
    else if constexpr (std::is_integral_v<U>) unsigned_decimal(v);
    else if constexpr (std::is_floating_point_v<U>) floating(double(v));
    else if constexpr (std::is_same_v<U, Hex>) hexadecimal(v.value);
    else if constexpr (std::is_same_v<U, Fixed>) decimal_float(v.value, v.decimals, false);
    else if constexpr (std::is_same_v<U, Bytes>) bytes(v.data, v.size);
    else if constexpr (std::is_convertible_v<const U&, const char*>) string(v);
    else if constexpr (std::is_same_v<U, decltype(nullptr)>) string("nil");
    else if constexpr (std::is_pointer_v<U>) pointer(reinterpret_cast<const void*>(v));
    else static_assert(sizeof(U) == 0, "gort print: no format for this type");
  }

  template <class... Args>
  void all(const Args&... args) {
    (value(args), ...);
  }

  template <class First, class... Rest>
  void spaced_line(const First& first, const Rest&... rest) {
    value(first);
    ((bytes(" ", 1), value(rest)), ...);
    bytes("\n", 1);
  }
  void spaced_line() { bytes("\n", 1); }

 private:
  int fd_;
  FloatStyle float_style_;
  size_t used_ = 0;
  char buffer_[512];
};

constexpr int stdout_fd = 1;
constexpr int stderr_fd = 2;

// Go's builtin print: operands concatenated, to stderr.
template <class... Args>
void print(const Args&... args) {
  Writer w(stderr_fd, Writer::FloatStyle::GoBuiltin);
  w.all(args...);
}

// Go's builtin println: operands separated by spaces, newline, to stderr.
template <class... Args>
void println(const Args&... args) {
  Writer w(stderr_fd, Writer::FloatStyle::GoBuiltin);
  w.spaced_line(args...);
}

namespace fmt {

// Program output to stdout: operands concatenated.
template <class... Args>
void print(const Args&... args) {
  Writer w(stdout_fd, Writer::FloatStyle::Decimal);
  w.all(args...);
}

// Program output to stdout: operands separated by spaces, then a newline (as fmt.Println).
template <class... Args>
void println(const Args&... args) {
  Writer w(stdout_fd, Writer::FloatStyle::Decimal);
  w.spaced_line(args...);
}

}  // namespace fmt
}  // namespace gort
