// The <cmath> functions that the compiler cannot inline on baseline x86-64 (sqrt, fabs,
// fmin, fmax, copysign and the classification macros become instructions; these become
// calls), for user programs that have no libm.
//
// Design (docs/06-cxx.md, "<cmath>"): each double function computes in the x87 unit's 80-bit
// extended precision and rounds once to double, which keeps the result within about one ulp
// of the true value in ordinary ranges (not correctly rounded, as glibc's are not either).
//   - rounding (floor, ceil, trunc, round, lround): exact, by truncating through int64 below
//     2^52 (above it every double is already an integer);
//   - rint, nearbyint: frndint in the default round-to-nearest-even mode;
//   - fmod, remainder: fprem / fprem1, exact;
//   - exp, exp2, log, log2, log10, pow: f2xm1, fscale and fyl2x;
//   - sin, cos, tan: fsin, fcos, fptan after reducing the argument by 2*pi with fprem1;
//   - atan2 and the other inverse trigonometric functions: fpatan;
//   - hypot: sqrt(x*x + y*y) in 80 bits, which neither overflows nor underflows for doubles;
//   - the float versions (sinf, ...) widen to double and round back.
// Rejected: linking glibc's libm.a, whose functions select an implementation through
// IRELATIVE relocations and read CPU features that glibc's start-up code fills in.
// Not provided: fma (x87 cannot fuse; with -mfma the compiler inlines it), the long double
// (l-suffixed) forms, Bessel and gamma functions; a program using one fails to link.
#include <stdint.h>

namespace {

using Extended = long double;  // the x87 register format

extern "C" double trunc(double x);
bool is_integer(double x) { return x == trunc(x); }

// 2^x for any x: 2^int(x) by fscale, 2^frac(x) by f2xm1 (defined on [-1, 1]).
Extended exp2_extended(Extended x) {
  if (__builtin_isinf(x)) return x > 0 ? x : 0;
  Extended whole, result;
  asm("frndint" : "=t"(whole) : "0"(x));
  Extended fraction = x - whole;
  asm("f2xm1" : "=t"(result) : "0"(fraction));
  result += 1;
  asm("fscale" : "=t"(result) : "0"(result), "u"(whole));
  return result;
}

// factor * log2(x), by fyl2x.
Extended y_log2_x(Extended factor, Extended x) {
  Extended result;
  asm("fyl2x" : "=t"(result) : "0"(x), "u"(factor) : "st(1)");
  return result;
}

constexpr Extended kLn2 = 0.693147180559945309417232121458176568L;
constexpr Extended kLog10Of2 = 0.301029995663981195213738894724493027L;
constexpr Extended kLog2OfE = 1.442695040888963407359924681001892137L;
constexpr Extended kPi = 3.141592653589793238462643383279502884L;

// x reduced to (-pi, pi] by repeated fprem1 (each step reduces by up to 2^63 multiples).
// x87 partial remainder, repeated until the C2 status flag (0x400) says it is complete: fprem
// truncates the quotient (fmod), fprem1 rounds it to nearest (IEEE remainder).
template <bool RoundToNearest>
Extended x87_remainder(Extended x, Extended y) {
  uint16_t status;
  do {
    if constexpr (RoundToNearest) asm("fprem1\n\tfnstsw %1" : "+t"(x), "=a"(status) : "u"(y));
    else asm("fprem\n\tfnstsw %1" : "+t"(x), "=a"(status) : "u"(y));
  } while (status & 0x400);
  return x;
}

Extended reduce_angle(Extended x) { return x87_remainder<true>(x, 2 * kPi); }

}  // namespace

extern "C" {

double trunc(double x) {
  if (!(__builtin_fabs(x) < 4503599627370496.0)) return x;  // >= 2^52, inf or NaN
  return __builtin_copysign(double(int64_t(x)), x);          // keeps -0.0 for (-1, 0)
}
double floor(double x) {
  double t = trunc(x);
  return t > x ? t - 1 : t;
}
double ceil(double x) {
  double t = trunc(x);
  return t < x ? t + 1 : t;
}
double round(double x) {  // halves away from zero
  double t = trunc(x);
  return __builtin_fabs(x - t) >= 0.5 ? t + __builtin_copysign(1.0, x) : t;
}
long lround(double x) { return long(round(x)); }
long long llround(double x) { return (long long)(round(x)); }
double rint(double x) {
  Extended r;
  asm("frndint" : "=t"(r) : "0"(Extended(x)));
  return double(r);
}
double nearbyint(double x) { return rint(x); }
long lrint(double x) { return long(rint(x)); }

double fmod(double x, double y) { return double(x87_remainder<false>(x, y)); }
double remainder(double x, double y) { return double(x87_remainder<true>(x, y)); }

double exp(double x) { return double(exp2_extended(Extended(x) * kLog2OfE)); }
double exp2(double x) { return double(exp2_extended(x)); }
double expm1(double x) { return double(exp2_extended(Extended(x) * kLog2OfE) - 1); }
double log(double x) { return double(y_log2_x(kLn2, x)); }
double log2(double x) { return double(y_log2_x(1, x)); }
double log10(double x) { return double(y_log2_x(kLog10Of2, x)); }
double log1p(double x) { return double(y_log2_x(kLn2, 1 + Extended(x))); }

double pow(double x, double y) {
  if (y == 0 || x == 1) return 1;
  if (__builtin_isnan(x) || __builtin_isnan(y)) return x + y;
  bool odd_integer = is_integer(y) && __builtin_fabs(y) < 9007199254740992.0 && int64_t(y) % 2 != 0;
  if (x == 0) {
    double magnitude = y > 0 ? 0.0 : __builtin_inf();
    return odd_integer ? __builtin_copysign(magnitude, x) : magnitude;
  }
  if (x < 0 && !is_integer(y)) return __builtin_nan("");
  double magnitude = double(exp2_extended(y_log2_x(y, __builtin_fabs(x))));
  return x < 0 && odd_integer ? -magnitude : magnitude;
}

double cbrt(double x) {
  if (x == 0 || __builtin_isinf(x) || __builtin_isnan(x)) return x;
  Extended a = __builtin_fabs(x);
  Extended r = exp2_extended(y_log2_x(1.0L / 3, a));
  r -= (r * r * r - a) / (3 * r * r);  // one Newton step: cbrt(27) is exactly 3
  return __builtin_copysign(double(r), x);
}

double hypot(double x, double y) {
  if (__builtin_isinf(x) || __builtin_isinf(y)) return __builtin_inf();
  Extended a = x, b = y;
  return double(__builtin_sqrtl(a * a + b * b));
}

double sin(double x) {
  Extended r;
  asm("fsin" : "=t"(r) : "0"(reduce_angle(x)));
  return double(r);
}
double cos(double x) {
  Extended r;
  asm("fcos" : "=t"(r) : "0"(reduce_angle(x)));
  return double(r);
}
double tan(double x) {
  Extended r, one;
  asm("fptan" : "=t"(one), "=u"(r) : "0"(reduce_angle(x)));  // pushes 1 above tan(x)
  return double(r);
}

double atan2(double y, double x) {
  Extended r;
  asm("fpatan" : "=t"(r) : "0"(Extended(x)), "u"(Extended(y)) : "st(1)");
  return double(r);
}
double atan(double x) { return atan2(x, 1); }
double asin(double x) { return atan2(x, double(__builtin_sqrtl(1 - Extended(x) * x))); }
double acos(double x) { return atan2(double(__builtin_sqrtl(1 - Extended(x) * x)), x); }

double sinh(double x) {
  Extended e = exp2_extended(Extended(x) * kLog2OfE);
  return double((e - 1 / e) / 2);
}
double cosh(double x) {
  Extended e = exp2_extended(Extended(x) * kLog2OfE);
  return double((e + 1 / e) / 2);
}
double tanh(double x) {
  if (__builtin_fabs(x) > 22) return __builtin_copysign(1.0, x);  // tanh(22) rounds to 1
  Extended e = exp2_extended(2 * Extended(x) * kLog2OfE);
  return double((e - 1) / (e + 1));
}

// float versions: widen, compute, round back.
#define GORT_FLOAT_1(name) \
  float name##f(float x) { return float(name(x)); }
#define GORT_FLOAT_2(name) \
  float name##f(float x, float y) { return float(name(x, y)); }
GORT_FLOAT_1(trunc) GORT_FLOAT_1(floor) GORT_FLOAT_1(ceil) GORT_FLOAT_1(round) GORT_FLOAT_1(rint)
GORT_FLOAT_1(nearbyint) GORT_FLOAT_1(exp) GORT_FLOAT_1(exp2) GORT_FLOAT_1(expm1) GORT_FLOAT_1(log)
GORT_FLOAT_1(log2) GORT_FLOAT_1(log10) GORT_FLOAT_1(log1p) GORT_FLOAT_1(cbrt) GORT_FLOAT_1(sin)
GORT_FLOAT_1(cos) GORT_FLOAT_1(tan) GORT_FLOAT_1(atan) GORT_FLOAT_1(asin) GORT_FLOAT_1(acos)
GORT_FLOAT_1(sinh) GORT_FLOAT_1(cosh) GORT_FLOAT_1(tanh)
GORT_FLOAT_2(fmod) GORT_FLOAT_2(remainder) GORT_FLOAT_2(pow) GORT_FLOAT_2(hypot) GORT_FLOAT_2(atan2)
long lroundf(float x) { return lround(x); }
long long llroundf(float x) { return llround(x); }
long lrintf(float x) { return lrint(x); }
}
