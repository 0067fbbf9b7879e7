// gort's public API: what a user program includes. Everything here is documented for
// users in README.md and docs/; everything else under runtime/ is internal.
//
//   #include "gort.h"
//   int main(int argc, char** argv) { gort::fmt::println("hello from", argv[0]); }
//
// Build a program with tools/gort-build hello.cpp -o hello.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "print.h"

namespace gort {

// The value of environment variable `key`, or null if it is not set.
const char* getenv(const char* key);

// Ends the process at once with `status`, whatever other goroutines are doing (os.Exit).
[[noreturn]] void exit(int status);

// Ends the process with "fatal error: <message>" on stderr and status 2 (Go's throw).
[[noreturn]] void fatal(const char* message);

}  // namespace gort
