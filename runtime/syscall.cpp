// Typed wrappers over raw_syscall6 (asm/syscall.asm). See runtime/syscall.h for the contract:
// -errno results, EINTR retried where a call is safe to repeat.
#include "syscall.h"

namespace gort::sys {

long read(int fd, void* buffer, size_t n) {
  long r;
  do r = syscall3(SYS_read, fd, long(buffer), long(n));
  while (r == -EINTR);
  return r;
}

long write(int fd, const void* buffer, size_t n) {
  long r;
  do r = syscall3(SYS_write, fd, long(buffer), long(n));
  while (r == -EINTR);
  return r;
}

long write_all(int fd, const void* buffer, size_t n) {
  const char* p = static_cast<const char*>(buffer);
  size_t done = 0;
  while (done < n) {
    long r = write(fd, p + done, n - done);
    if (r < 0) return r;
    if (r == 0) return -EAGAIN;  // a zero-byte write of a nonzero request: give up, do not spin
    done += size_t(r);
  }
  return long(n);
}

long open_read_only(const char* path) {
  long r;
  do r = syscall4(SYS_openat, AT_FDCWD, long(path), O_RDONLY | O_CLOEXEC, 0);
  while (r == -EINTR);
  return r;
}

long close(int fd) { return syscall1(SYS_close, fd); }
long pipe(int fds[2]) { return syscall2(SYS_pipe2, long(fds), 0); }

void* mmap(void* address, size_t length, long protection, long flags) {
  long r = syscall6(SYS_mmap, long(address), long(length), protection, flags, -1, 0);
  return failed(r) ? nullptr : reinterpret_cast<void*>(r);
}
long mmap_or_error(void* address, size_t length, long protection, long flags) {
  return syscall6(SYS_mmap, long(address), long(length), protection, flags, -1, 0);
}
long munmap(void* address, size_t length) { return syscall2(SYS_munmap, long(address), long(length)); }
long mprotect(void* address, size_t length, long protection) {
  return syscall3(SYS_mprotect, long(address), long(length), protection);
}
long madvise(void* address, size_t length, long advice) {
  return syscall3(SYS_madvise, long(address), long(length), advice);
}

long rt_sigaction(int signal, const KernelSigaction* action, KernelSigaction* old) {
  return syscall4(SYS_rt_sigaction, signal, long(action), long(old), sizeof(uint64_t));
}
long rt_sigprocmask(long how, const uint64_t* set, uint64_t* old) {
  return syscall4(SYS_rt_sigprocmask, how, long(set), long(old), sizeof(uint64_t));
}
long sigaltstack(const SignalStack* stack, SignalStack* old) {
  return syscall2(SYS_sigaltstack, long(stack), long(old));
}

void exit_group(int status) {
  for (;;) syscall1(SYS_exit_group, status);
}
void exit_thread(int status) {
  for (;;) syscall1(SYS_exit, status);
}
long getpid() { return syscall0(SYS_getpid); }
long gettid() { return syscall0(SYS_gettid); }
long kill(long pid, int signal) { return syscall2(SYS_kill, pid, signal); }
long tgkill(long pid, long tid, int signal) { return syscall3(SYS_tgkill, pid, tid, signal); }
long sched_yield() { return syscall0(SYS_sched_yield); }
long sched_getaffinity(long pid, size_t size, void* mask) {
  return syscall3(SYS_sched_getaffinity, pid, long(size), long(mask));
}
long prlimit(int resource, Rlimit* old) { return syscall4(SYS_prlimit64, 0, resource, 0, long(old)); }

long nanosleep(long nanoseconds) {
  // Sleep until an absolute deadline, so that an EINTR (a signal arrived) is retried with the
  // same deadline: time keeps passing even if signals arrive faster than a relative sleep
  // could make progress.
  Timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  long total = now.nanoseconds + nanoseconds % 1000000000;
  Timespec deadline{now.seconds + nanoseconds / 1000000000 + total / 1000000000, total % 1000000000};
  long r;
  do r = syscall4(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, long(&deadline), 0);
  while (r == -EINTR);
  return r;
}

long clock_gettime(long clock, Timespec* ts) { return syscall2(SYS_clock_gettime, clock, long(ts)); }

long futex_wait(uint32_t* address, uint32_t expected, long timeout_ns) {
  Timespec t{timeout_ns / 1000000000, timeout_ns % 1000000000};
  return syscall4(SYS_futex, long(address), FUTEX_WAIT_PRIVATE, expected, timeout_ns < 0 ? 0 : long(&t));
}

long futex_wake(uint32_t* address, int count) {
  return syscall3(SYS_futex, long(address), FUTEX_WAKE_PRIVATE, count);
}

}  // namespace gort::sys
