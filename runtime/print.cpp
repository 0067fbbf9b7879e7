// The Writer behind gort::print and gort::fmt (see runtime/print.h for the contract).
// Runs on any stack, including the signal stack: it allocates nothing and takes no lock.
// EPIPE on standard output or error ends the program by SIGPIPE (Writer::flush).
#include "print.h"

#include "fatal.h"
#include "signals.h"
#include "syscall.h"

namespace gort {

void Writer::flush() {
  if (used_ == 0) return;
  long r = sys::write_all(fd_, buffer_, used_);  // other failures: output is best effort
  used_ = 0;
  // Standard output or error went to a closed pipe: end as Go does (os.epipecheck), by
  // SIGPIPE, even if the launcher had it ignored; else `prog | head` would print forever.
  // A crash report carries on instead and exits with status 2.
  if (r == -sys::EPIPE && (fd_ == 1 || fd_ == 2) && !crash_under_way()) die_from_signal(sys::SIGPIPE);
}

void Writer::bytes(const char* p, size_t n) {
  while (n > 0) {
    if (used_ == sizeof(buffer_)) flush();
    size_t room = sizeof(buffer_) - used_;
    size_t take = n < room ? n : room;
    for (size_t i = 0; i < take; i++) buffer_[used_ + i] = p[i];
    used_ += take;
    p += take;
    n -= take;
  }
}

void Writer::string(const char* s) {
  if (s == nullptr) s = "<nil>";
  size_t n = 0;
  while (s[n] != 0) n++;
  bytes(s, n);
}

void Writer::unsigned_decimal(uint64_t v) {
  char digits[20];
  int i = sizeof(digits);
  do {
    digits[--i] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  bytes(digits + i, sizeof(digits) - i);
}

void Writer::signed_decimal(int64_t v) {
  if (v < 0) {
    bytes("-", 1);
    unsigned_decimal(0 - uint64_t(v));  // well defined for INT64_MIN too
  } else {
    unsigned_decimal(uint64_t(v));
  }
}

void Writer::hexadecimal(uint64_t v) {
  char digits[18];
  int i = sizeof(digits);
  do {
    digits[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  digits[--i] = 'x';
  digits[--i] = '0';
  bytes(digits + i, sizeof(digits) - i);
}

void Writer::pointer(const void* p) { hexadecimal(reinterpret_cast<uintptr_t>(p)); }

void Writer::floating(double v) {
  if (float_style_ == FloatStyle::GoBuiltin) go_builtin_float(v);
  else decimal_float(v, 6, true);
}

// Handles NaN and the infinities; returns true if it printed one of them.
static bool special_float(Writer& w, double v) {
  if (v != v) {
    w.string("NaN");
    return true;
  }
  if (v > 1.7976931348623157e308) {
    w.string("+Inf");
    return true;
  }
  if (v < -1.7976931348623157e308) {
    w.string("-Inf");
    return true;
  }
  return false;
}

// Decimal notation with `decimals` digits after the point, rounded half up; trailing zeros
// (and a bare point) dropped when trim_zeros. Magnitudes beyond what 64-bit integer scaling
// can hold exactly (1e18 after scaling), and nonzero magnitudes below 1e-4 in trimmed form,
// fall back to Go's exponent form.
void Writer::decimal_float(double v, int decimals, bool trim_zeros) {
  if (special_float(*this, v)) return;
  if (decimals < 0) decimals = 0;
  if (decimals > 17) decimals = 17;
  bool negative = v < 0 || (v == 0 && 1 / v < 0);
  double magnitude = negative ? -v : v;
  double scale = 1;
  for (int i = 0; i < decimals; i++) scale *= 10;
  double scaled = magnitude * scale + 0.5;
  // Tiny values would round to zero in trimmed form: show them in exponent form instead.
  bool too_small = trim_zeros && magnitude != 0 && magnitude < 1e-4;
  if (scaled >= 1e18 || too_small) {
    go_builtin_float(v);
    return;
  }
  uint64_t units = uint64_t(scaled);
  uint64_t pow10 = uint64_t(scale);
  uint64_t whole = units / pow10, fraction = units % pow10;
  if (negative) bytes("-", 1);
  unsigned_decimal(whole);
  if (decimals == 0) return;
  char digits[17];
  for (int i = decimals - 1; i >= 0; i--) {
    digits[i] = char('0' + fraction % 10);
    fraction /= 10;
  }
  int keep = decimals;
  if (trim_zeros)
    while (keep > 0 && digits[keep - 1] == '0') keep--;
  if (keep == 0) return;
  bytes(".", 1);
  bytes(digits, size_t(keep));
}

// Go's builtin float format: sign, seven significant digits, three-digit exponent,
// e.g. +1.500000e+000. Normalises by repeated scaling, as Go's runtime does, which is
// exact enough for seven digits.
void Writer::go_builtin_float(double v) {
  if (special_float(*this, v)) return;
  constexpr int significant = 7;
  char out[significant + 7];
  out[0] = '+';
  int exponent = 0;
  if (v == 0) {
    if (1 / v < 0) out[0] = '-';
  } else {
    if (v < 0) {
      v = -v;
      out[0] = '-';
    }
    while (v >= 10) {
      exponent++;
      v /= 10;
    }
    while (v < 1) {
      exponent--;
      v *= 10;
    }
    double half_unit = 5;
    for (int i = 0; i < significant; i++) half_unit /= 10;
    v += half_unit;
    if (v >= 10) {
      exponent++;
      v /= 10;
    }
  }
  for (int i = 0; i < significant; i++) {
    int digit = int(v);
    out[i + 2] = char('0' + digit);
    v = (v - digit) * 10;
  }
  out[1] = out[2];
  out[2] = '.';
  out[significant + 2] = 'e';
  out[significant + 3] = '+';
  if (exponent < 0) {
    exponent = -exponent;
    out[significant + 3] = '-';
  }
  out[significant + 4] = char('0' + exponent / 100);
  out[significant + 5] = char('0' + exponent / 10 % 10);
  out[significant + 6] = char('0' + exponent % 10);
  bytes(out, sizeof(out));
}

}  // namespace gort
