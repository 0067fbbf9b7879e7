// <cstring>'s functions beyond the four that asm/ provides (memcpy, memmove, memset, memcmp):
// plain byte loops, correct before fast, for user programs and the C++ library's headers
// (std::char_traits<char> calls strlen and memchr). Each follows the C standard's contract;
// the one with hidden state, strtok, is unsafe across goroutines exactly as it is across
// threads in C (use strtok_r). Not provided: strerror (gort has no errno table; gort's
// system calls return -errno) and the locale-dependent strcoll/strxfrm beyond the "C" locale.
// See docs/06-cxx.md.
#include <stddef.h>

extern "C" {
void* malloc(size_t size);
void* memcpy(void* to, const void* from, size_t n);

size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n] != '\0') n++;
  return n;
}

size_t strnlen(const char* s, size_t limit) {
  size_t n = 0;
  while (n < limit && s[n] != '\0') n++;
  return n;
}

int strcmp(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) a++, b++;
  return int(static_cast<unsigned char>(*a)) - int(static_cast<unsigned char>(*b));
}

int strncmp(const char* a, const char* b, size_t n) {
  for (; n > 0; n--, a++, b++) {
    if (*a != *b || *a == '\0') return int(static_cast<unsigned char>(*a)) - int(static_cast<unsigned char>(*b));
  }
  return 0;
}

// The "C" locale: collation is byte order, and the transformed string is the string itself.
int strcoll(const char* a, const char* b) { return strcmp(a, b); }
size_t strxfrm(char* to, const char* from, size_t n) {
  size_t length = strlen(from);
  if (length < n) memcpy(to, from, length + 1);
  return length;
}

char* strchr(const char* s, int c) {
  for (;; s++) {
    if (*s == char(c)) return const_cast<char*>(s);
    if (*s == '\0') return nullptr;
  }
}

char* strrchr(const char* s, int c) {
  const char* last = nullptr;
  for (;; s++) {
    if (*s == char(c)) last = s;
    if (*s == '\0') return const_cast<char*>(last);
  }
}

void* memchr(const void* p, int c, size_t n) {
  auto* s = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; i++)
    if (s[i] == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(s + i);
  return nullptr;
}

char* strstr(const char* haystack, const char* needle) {
  size_t n = strlen(needle);
  for (; *haystack != '\0' || n == 0; haystack++) {
    if (strncmp(haystack, needle, n) == 0) return const_cast<char*>(haystack);
    if (*haystack == '\0') break;
  }
  return nullptr;
}

size_t strspn(const char* s, const char* accept) {
  size_t n = 0;
  while (s[n] != '\0' && strchr(accept, s[n]) != nullptr) n++;
  return n;
}

size_t strcspn(const char* s, const char* reject) {
  size_t n = 0;
  while (s[n] != '\0' && strchr(reject, s[n]) == nullptr) n++;
  return n;
}

char* strpbrk(const char* s, const char* accept) {
  s += strcspn(s, accept);
  return *s != '\0' ? const_cast<char*>(s) : nullptr;
}

char* strcpy(char* to, const char* from) {
  memcpy(to, from, strlen(from) + 1);
  return to;
}

// Copies at most n bytes and pads with zeros to n; no terminator if `from` is n or longer.
char* strncpy(char* to, const char* from, size_t n) {
  size_t i = 0;
  for (; i < n && from[i] != '\0'; i++) to[i] = from[i];
  for (; i < n; i++) to[i] = '\0';
  return to;
}

char* strcat(char* to, const char* from) {
  strcpy(to + strlen(to), from);
  return to;
}

char* strncat(char* to, const char* from, size_t n) {
  char* end = to + strlen(to);
  size_t length = strnlen(from, n);
  memcpy(end, from, length);
  end[length] = '\0';
  return to;
}

char* strndup(const char* s, size_t n) {
  size_t length = strnlen(s, n);
  auto* copy = static_cast<char*>(malloc(length + 1));  // never null: out of memory is fatal
  memcpy(copy, s, length);
  copy[length] = '\0';
  return copy;
}

char* strdup(const char* s) { return strndup(s, strlen(s)); }

char* strtok_r(char* s, const char* delimiters, char** save) {
  if (s == nullptr) s = *save;
  s += strspn(s, delimiters);
  if (*s == '\0') {
    *save = s;
    return nullptr;
  }
  char* end = s + strcspn(s, delimiters);
  if (*end != '\0') *end++ = '\0';
  *save = end;
  return s;
}

char* strtok(char* s, const char* delimiters) {
  static char* save = nullptr;  // shared by every goroutine, as C's is by every thread
  return strtok_r(s, delimiters, &save);
}
}
