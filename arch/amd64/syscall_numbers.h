// Linux x86-64 system call numbers and the flag values gort passes to them.
// Values come from the kernel's uapi headers (arch/x86/entry/syscalls/syscall_64.tbl);
// gort has no libc, so it keeps its own copy of the few it uses.
#pragma once

namespace gort::sys {

enum Number : long {
  SYS_read = 0,
  SYS_write = 1,
  SYS_close = 3,
  SYS_mmap = 9,
  SYS_mprotect = 10,
  SYS_munmap = 11,
  SYS_rt_sigaction = 13,
  SYS_rt_sigprocmask = 14,
  SYS_rt_sigreturn = 15,
  SYS_sched_yield = 24,
  SYS_madvise = 28,
  SYS_nanosleep = 35,
  SYS_getpid = 39,
  SYS_clone = 56,
  SYS_exit = 60,
  SYS_kill = 62,
  SYS_sigaltstack = 131,
  SYS_arch_prctl = 158,
  SYS_gettid = 186,
  SYS_futex = 202,
  SYS_sched_getaffinity = 204,
  SYS_clock_gettime = 228,
  SYS_clock_nanosleep = 230,
  SYS_exit_group = 231,
  SYS_tgkill = 234,
  SYS_openat = 257,
  SYS_pipe2 = 293,
  SYS_prlimit64 = 302,
};

// arch_prctl codes.
constexpr long ARCH_SET_FS = 0x1002;
constexpr long ARCH_GET_FS = 0x1003;

// mmap / mprotect / madvise.
constexpr long PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
constexpr long MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000,
               MAP_STACK = 0x20000, MAP_FIXED_NOREPLACE = 0x100000;
constexpr long MADV_DONTNEED = 4, MADV_FREE = 8, MADV_HUGEPAGE = 14;

// Signals and sigaction flags.
constexpr int SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10,
              SIGSEGV = 11, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGURG = 23;
constexpr unsigned long SA_SIGINFO = 0x4, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000,
                        SA_NODEFER = 0x40000000, SA_RESTORER = 0x04000000;
constexpr long SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

// Error numbers (returned negated by the raw syscall layer).
constexpr long EPERM = 1, ENOENT = 2, EINTR = 4, EAGAIN = 11, ENOMEM = 12, EFAULT = 14, EEXIST = 17, EINVAL = 22,
               EPIPE = 32, ETIMEDOUT = 110;

// futex operations.
constexpr long FUTEX_WAIT_PRIVATE = 128, FUTEX_WAKE_PRIVATE = 129;

// clone flags for a thread that shares everything with its creator.
constexpr unsigned long CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
                        CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000;

// Auxiliary vector entry types (see getauxval(3)).
constexpr unsigned long AT_NULL = 0, AT_PAGESZ = 6, AT_HWCAP = 16, AT_CLKTCK = 17, AT_RANDOM = 25,
                        AT_SYSINFO_EHDR = 33;

constexpr long AT_FDCWD = -100, O_RDONLY = 0, O_CLOEXEC = 0x80000;

constexpr int RLIMIT_STACK = 3, RLIMIT_AS = 9;
constexpr unsigned long RLIM_INFINITY = ~0UL;

constexpr long CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1;
constexpr long TIMER_ABSTIME = 1;

}  // namespace gort::sys
