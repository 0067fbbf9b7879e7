// The raw system call layer: one assembly gate (asm/syscall.asm) and thin typed wrappers.
// Every wrapper returns the kernel's result, or -errno on failure (no errno variable: there
// is no libc and a global would be shared by all threads). Calls that the kernel may cut
// short with EINTR and that are safe to repeat (read, write, nanosleep, ...) retry inside the
// wrapper; futex_wait does not, because its callers re-check their condition anyway.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../arch/amd64/syscall_numbers.h"

extern "C" long raw_syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6);

namespace gort::sys {

inline long syscall0(long n) { return raw_syscall6(n, 0, 0, 0, 0, 0, 0); }
inline long syscall1(long n, long a) { return raw_syscall6(n, a, 0, 0, 0, 0, 0); }
inline long syscall2(long n, long a, long b) { return raw_syscall6(n, a, b, 0, 0, 0, 0); }
inline long syscall3(long n, long a, long b, long c) { return raw_syscall6(n, a, b, c, 0, 0, 0); }
inline long syscall4(long n, long a, long b, long c, long d) { return raw_syscall6(n, a, b, c, d, 0, 0); }
inline long syscall6(long n, long a, long b, long c, long d, long e, long f) {
  return raw_syscall6(n, a, b, c, d, e, f);
}

inline bool failed(long r) { return r < 0 && r > -4096; }

struct Timespec {
  long seconds;
  long nanoseconds;
};

struct Rlimit {
  unsigned long current;
  unsigned long maximum;
};

// Kernel layout of struct sigaction for rt_sigaction (not glibc's).
struct KernelSigaction {
  void* handler;
  unsigned long flags;
  void (*restorer)();
  uint64_t mask;
};

struct SignalStack {
  void* base;
  int flags;
  size_t size;
};

// Reads up to n bytes; retries on EINTR. Returns bytes read, 0 at end of file, or -errno.
long read(int fd, void* buffer, size_t n);
// Writes up to n bytes once (may be short); retries on EINTR.
long write(int fd, const void* buffer, size_t n);
// Writes all n bytes, retrying short writes and EINTR. Returns n, or -errno.
long write_all(int fd, const void* buffer, size_t n);
long open_read_only(const char* path);  // a file descriptor, or -errno
long close(int fd);
long pipe(int fds[2]);

void* mmap(void* address, size_t length, long protection, long flags);  // null on failure
long mmap_or_error(void* address, size_t length, long protection, long flags);  // the address, or -errno
long munmap(void* address, size_t length);
long mprotect(void* address, size_t length, long protection);
long madvise(void* address, size_t length, long advice);

long rt_sigaction(int signal, const KernelSigaction* action, KernelSigaction* old);
long rt_sigprocmask(long how, const uint64_t* set, uint64_t* old);
long sigaltstack(const SignalStack* stack, SignalStack* old);

[[noreturn]] void exit_group(int status);
[[noreturn]] void exit_thread(int status);
long getpid();
long gettid();
long kill(long pid, int signal);
long tgkill(long pid, long tid, int signal);
long sched_yield();
long sched_getaffinity(long pid, size_t size, void* mask);
long prlimit(int resource, Rlimit* old);

// Sleeps the whole duration (until a monotonic deadline), resuming after signals.
long nanosleep(long nanoseconds);
long clock_gettime(long clock, Timespec* ts);

// Sleeps while *address == expected, at most timeout_ns (negative: no limit). Returns 0,
// -EAGAIN (value changed), -EINTR or -ETIMEDOUT: callers re-check their condition.
long futex_wait(uint32_t* address, uint32_t expected, long timeout_ns);
long futex_wake(uint32_t* address, int count);

}  // namespace gort::sys
