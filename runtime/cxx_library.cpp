// What the C++ standard library's headers expect from their out-of-line half (libstdc++.so),
// for programs built with -fno-exceptions and no libstdc++: gort provides these, once.
//
// Design (docs/06-cxx.md, "Which parts of the library gort links"):
//   - The containers' algorithms that libstdc++ keeps out of line and that need nothing from
//     libc (the red-black tree's rebalancing, the list's hooks, the hash table's prime rehash
//     policy, std::_Hash_bytes) are not here: the Makefile copies those four members from the
//     compiler's own libstdc++.a into libgort.a (LIBSTDCXX_MEMBERS), so they always match the
//     headers the program was compiled against.
//   - Everything that would throw comes here: libstdc++ calls std::__throw_<name>(message)
//     where it would throw <name>; each of ours ends the program as an unrecovered Go panic,
//     "panic: std::<name>: <message>", with the goroutine's traceback and exit status 2.
//   - What the headers read from glibc: __libc_single_threaded, which says whether reference
//     counts (shared_ptr, std::string's old COW mode) may skip their atomic instructions. A
//     gort program runs goroutines on several threads from the start, so it is always 0.
//     (__gthread_active_p, the other switch, is an inline "return 1" with glibc 2.34+.)
//   - abort(): with exceptions off, the inline throws in <optional>, <variant>, <any> and
//     shared_ptr(weak_ptr) call __builtin_abort(), which cannot say which one it was.
//
// Rejected: linking all of libstdc++.a. Its members reach into glibc (stdio, locale, pthread,
// the unwinder) and would fail to link with hundreds of undefined symbols; and writing the
// tree and hash-table code ourselves would be 600 lines that drift from the headers' version.
#include <stdarg.h>
#include <stddef.h>

#include <new>

#include "fatal.h"

extern "C" {
// glibc's flag (sys/single_threaded.h), read inline by libstdc++'s reference counting.
char __libc_single_threaded = 0;

void* malloc(size_t size);

[[noreturn]] void abort() {
  gort::panic(
      "abort() called: the C++ library gave up (with exceptions off this is std::optional::value() on an empty "
      "optional, std::get<> of an inactive std::variant alternative, std::any_cast of the wrong "
      "type, or a std::shared_ptr made from an expired std::weak_ptr)");
}
}

namespace {

// Appends what libstdc++'s own __snprintf_lite understands: %s, %zu and %%.
class MessageWriter {
 public:
  MessageWriter(char* out, size_t capacity) : out_(out), capacity_(capacity) {}
  void put(char c) {
    if (out_ != nullptr && length_ + 1 < capacity_) out_[length_] = c;
    length_++;
  }
  void put(const char* s) {
    while (*s != '\0') put(*s++);
  }
  void put_unsigned(size_t v) {
    char digits[20];
    int n = 0;
    do digits[n++] = char('0' + v % 10), v /= 10;
    while (v != 0);
    while (n > 0) put(digits[--n]);
  }
  void format(const char* fmt, va_list args) {
    for (const char* p = fmt; *p != '\0'; p++) {
      if (p[0] != '%') put(*p);
      else if (p[1] == 's') put(va_arg(args, const char*)), p++;
      else if (p[1] == 'z' && p[2] == 'u') put_unsigned(va_arg(args, size_t)), p += 2;
      else if (p[1] == '%') put('%'), p++;
      else put(*p);
    }
  }
  size_t finish() {
    if (out_ != nullptr) out_[length_ < capacity_ ? length_ : capacity_ - 1] = '\0';
    return length_;
  }

 private:
  char* out_;
  size_t capacity_, length_ = 0;
};

// "std::<exception>: <message>", formatted twice (to measure, then into a heap buffer: the
// thrower may be deep in its stack's guard reserve, and the program is ending anyway).
[[noreturn]] void panic_with_exception(const char* exception, const char* fmt, va_list args) {
  va_list again;
  va_copy(again, args);
  MessageWriter measure(nullptr, 0);
  measure.put(exception);
  if (fmt != nullptr) measure.put(": "), measure.format(fmt, args);
  size_t capacity = measure.finish() + 1;
  char* text = static_cast<char*>(malloc(capacity));
  MessageWriter write(text, capacity);
  write.put(exception);
  if (fmt != nullptr) write.put(": "), write.format(fmt, again);
  write.finish();
  va_end(again);
  gort::panic(text);
}

[[noreturn]] void panic_with(const char* exception, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  panic_with_exception(exception, fmt, args);
}

// A message given as plain text, not a format: a '%' in it must print as itself.
[[noreturn]] void panic_with_text(const char* exception, const char* message) {
  panic_with(exception, "%s", message);
}

}  // namespace

// The declarations match libstdc++'s bits/functexcept.h (the mangled names are the contract).
namespace std {
class type_info;

// The tag object of operator new(size, std::nothrow) (std::stable_sort's buffer uses it).
const nothrow_t nothrow{};

[[noreturn]] void __throw_bad_exception() { panic_with("std::bad_exception", nullptr); }
[[noreturn]] void __throw_bad_alloc() { panic_with("std::bad_alloc", nullptr); }
[[noreturn]] void __throw_bad_array_new_length() { panic_with("std::bad_array_new_length", nullptr); }
[[noreturn]] void __throw_bad_cast() { panic_with("std::bad_cast", nullptr); }
[[noreturn]] void __throw_bad_typeid() { panic_with("std::bad_typeid", nullptr); }
[[noreturn]] void __throw_bad_function_call() { panic_with("std::bad_function_call", nullptr); }
[[noreturn]] void __throw_logic_error(const char* m) { panic_with_text("std::logic_error", m); }
[[noreturn]] void __throw_domain_error(const char* m) { panic_with_text("std::domain_error", m); }
[[noreturn]] void __throw_invalid_argument(const char* m) { panic_with_text("std::invalid_argument", m); }
[[noreturn]] void __throw_length_error(const char* m) { panic_with_text("std::length_error", m); }
[[noreturn]] void __throw_out_of_range(const char* m) { panic_with_text("std::out_of_range", m); }
[[noreturn]] void __throw_runtime_error(const char* m) { panic_with_text("std::runtime_error", m); }
[[noreturn]] void __throw_range_error(const char* m) { panic_with_text("std::range_error", m); }
[[noreturn]] void __throw_overflow_error(const char* m) { panic_with_text("std::overflow_error", m); }
[[noreturn]] void __throw_underflow_error(const char* m) { panic_with_text("std::underflow_error", m); }
[[noreturn]] void __throw_ios_failure(const char* m) { panic_with_text("std::ios_base::failure", m); }
[[noreturn]] void __throw_ios_failure(const char* m, int) { panic_with_text("std::ios_base::failure", m); }
[[noreturn]] void __throw_system_error(int) { panic_with("std::system_error", nullptr); }
[[noreturn]] void __throw_future_error(int) { panic_with("std::future_error", nullptr); }

// The message is a format with %zu and %s (vector::_M_range_check, basic_string::at).
[[noreturn]] void __throw_out_of_range_fmt(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  panic_with_exception("std::out_of_range", fmt, args);
}

// shared_ptr's get_deleter asks whether a type_info is make_shared's tag. With RTTI off no
// real type_info can be that tag (the headers check the fake one inline first).
struct _Sp_make_shared_tag {
  static bool _S_eq(const type_info&) noexcept;
};
bool _Sp_make_shared_tag::_S_eq(const type_info&) noexcept { return false; }
}  // namespace std
