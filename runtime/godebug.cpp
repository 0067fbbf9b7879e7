// GODEBUG parsing; see runtime/godebug.h for the rules.
#include "godebug.h"

#include <stddef.h>

#include "environment.h"

namespace gort {

DebugSettings debug;

namespace {

struct KnownSetting {
  const char* name;
  int32_t DebugSettings::*field;
};

constexpr KnownSetting known_settings[] = {
    {"schedtrace", &DebugSettings::schedtrace},
    {"scheddetail", &DebugSettings::scheddetail},
    {"gctrace", &DebugSettings::gctrace},
    {"asyncpreemptoff", &DebugSettings::asyncpreemptoff},
    {"madvdontneed", &DebugSettings::madvdontneed},
    {"gcstoptheworld", &DebugSettings::gcstoptheworld},
    {"clobberfree", &DebugSettings::clobberfree},
    {"gccheckmark", &DebugSettings::gccheckmark},
};

// Parses an optionally signed decimal integer filling [p, p+n) exactly; false if it is
// empty, has another character, or does not fit in int32.
bool parse_int32(const char* p, size_t n, int32_t& out) {
  bool negative = n > 0 && p[0] == '-';
  size_t i = negative ? 1 : 0;
  if (i == n) return false;
  int64_t value = 0;
  for (; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return false;
    value = value * 10 + (p[i] - '0');
    if (value > int64_t(INT32_MAX) + 1) return false;
  }
  if (negative) value = -value;
  if (value > INT32_MAX || value < INT32_MIN) return false;
  out = int32_t(value);
  return true;
}

// One "name=value" entry, [entry, entry+n) of the GODEBUG text (not NUL-terminated: a comma
// or the end follows). A setting's name holds no ',' or '=', so matching it as a prefix that
// is followed by '=' stays inside the entry.
void apply_entry(const char* entry, size_t n, DebugSettings& settings) {
  for (const KnownSetting& s : known_settings) {
    const char* rest = skip_prefix(entry, s.name);
    if (rest == nullptr || *rest != '=' || rest >= entry + n) continue;
    const char* value_text = rest + 1;
    int32_t value;
    if (parse_int32(value_text, n - size_t(value_text - entry), value)) settings.*s.field = value;
    return;
  }
}

}  // namespace

void parse_godebug(const char* text, DebugSettings& settings) {
  if (text == nullptr) return;
  while (*text != 0) {
    size_t n = 0;
    while (text[n] != 0 && text[n] != ',') n++;
    apply_entry(text, n, settings);
    text += n;
    if (*text == ',') text++;
  }
}

void read_godebug() { parse_godebug(getenv("GODEBUG"), debug); }

}  // namespace gort
