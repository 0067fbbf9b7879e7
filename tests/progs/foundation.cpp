// Scenarios for the foundation: start-up, arguments and environment, exit status, output
// formatting, fault reports, GODEBUG parsing, the page layer. Run by
// tests/harness/test_foundation.cpp.
#include "scenario.h"
#include "testing.h"

namespace out = gort::fmt;

// Prints argc and each argument, one per line, so the harness can compare exactly.
TEST_SCENARIO(args) {
  out::println("argc", argc);
  for (int i = 0; i < argc; i++) out::println(i, argv[i]);
  return 0;
}

TEST_SCENARIO(env) {
  for (int i = 1; i < argc; i++) {
    const char* v = gort::getenv(argv[i]);
    out::println(argv[i], v ? v : "<unset>");
  }
  return 0;
}

TEST_SCENARIO(exit_status) { return int(scenario::parse_long(argv[1])); }

static void exit_from_deep_inside(int depth) {
  if (depth == 0) gort::exit(7);
  exit_from_deep_inside(depth - 1);
  out::println("unreachable");
}

TEST_SCENARIO(exit_call) {
  exit_from_deep_inside(10);
  return 0;
}

static int global_set_by_constructor = 0;
struct SetsGlobal {
  SetsGlobal() { global_set_by_constructor = 42; }
};
static SetsGlobal sets_global;

TEST_SCENARIO(static_constructor) {
  out::println("constructed", global_set_by_constructor);
  return 0;
}

TEST_SCENARIO(formats) {
  out::println(0, 7, -7, int64_t(INT64_MIN), uint64_t(UINT64_MAX));
  out::println(gort::hex(0), gort::hex(255), gort::hex(0xdeadbeefcafeULL));
  out::println(true, false, 'x', "str", static_cast<const char*>(nullptr), static_cast<void*>(nullptr));
  out::println(1.5, -0.25, 3.0, 1e-7, 123456.789, gort::fixed(3.14159, 2), gort::fixed(2.5, 0));
  out::print("no", "spaces", 1, 2, "\n");
  gort::println(1.5, -100.0, 0.0, 1e300);  // Go's builtin float format, to stderr
  return 0;
}

// 256 KiB in one print call: far more than a pipe holds, so the kernel returns short writes
// and the writer must loop until all of it is out.
TEST_SCENARIO(long_write) {
  static char block[256 * 1024 + 1];
  for (size_t i = 0; i < sizeof(block) - 1; i++) block[i] = char('a' + i % 26);
  gort::fmt::print(gort::Bytes{block, sizeof(block) - 1});
  return 0;
}

TEST_SCENARIO(nil_dereference) {
  volatile int* p = nullptr;
  *p = 1;
  return 0;
}

TEST_SCENARIO(wild_fault) {
  volatile int* p = reinterpret_cast<int*>(0xdead0000);
  return *p;
}

TEST_SCENARIO(divide_by_zero) {
  volatile int zero = 0;
  return 10 / zero;
}

TEST_SCENARIO(fatal) { gort::fatal("something impossible happened"); }

// Sends itself SIGINT: no handler is installed for it, so the process dies by SIGINT.
TEST_SCENARIO(interrupt) {
  gort::sys::kill(gort::sys::getpid(), gort::sys::SIGINT);
  return 0;
}

TEST_SCENARIO(godebug) {
  const gort::DebugSettings& d = gort::debug;
  out::println("schedtrace", d.schedtrace, "scheddetail", d.scheddetail, "gctrace", d.gctrace, "asyncpreemptoff",
          d.asyncpreemptoff);
  return 0;
}

// m0's scheduler stack (the OS stack) has real bounds: at least a megabyte below where the
// scheduler restarts, under the default 8 MiB RLIMIT_STACK. main itself runs as goroutine 1
// on a goroutine stack, and FS points at m0's block.
TEST_SCENARIO(m0_stack) {
  gort::Goroutine* g = gort::cpu::current_goroutine();
  gort::Machine* m = gort::cpu::current_machine();
  gort::Goroutine* g0 = &gort::runtime_g0;
  uintptr_t sp = gort::detail::stack_pointer();
  out::println("main_goroutine", g->id, "on_g0", g == m->g0, "m0_g0", gort::runtime_m0.g0 == g0);
  out::println("sp_inside", g->stack_lo < sp && sp < g->stack_hi, "guard_above_lo", g0->stack_guard > g0->stack_lo);
  uintptr_t restart = gort::runtime_m0.scheduler_sp;
  out::println("g0_room_mib", restart > g0->stack_lo && restart < g0->stack_hi ? (restart - g0->stack_lo) >> 20 : 0);
  out::println("signal_stack", m->signal_stack_size);
  return 0;
}

TEST_SCENARIO(auxv) {
  const gort::AuxiliaryFacts& aux = gort::process.aux;
  out::println("page_size", aux.page_size, "random", aux.random != nullptr, "vdso", aux.vdso_base != 0);
  return 0;
}

// The persistent allocator hands out zeroed, aligned, disjoint memory: every block is
// filled with 0xff after the check, so an overlapping later block would not read as zero.
TEST_SCENARIO(persistent_alloc) {
  for (int i = 0; i < 20000; i++) {
    size_t size = 1 + (i * 37) % 300, align = size_t(1) << (i % 7);
    auto* p = static_cast<uint8_t*>(gort::persistent_alloc(size, align));
    if (reinterpret_cast<uintptr_t>(p) % align != 0) return out::println("misaligned"), 1;
    for (size_t j = 0; j < size; j++)
      if (p[j] != 0) return out::println("not zeroed"), 1;
    for (size_t j = 0; j < size; j++) p[j] = 0xff;
  }
  out::println("ok");
  return 0;
}

TEST_SCENARIO(out_of_memory) {
  gort::os_alloc(size_t(1) << 62);
  out::println("unreachable");
  return 0;
}

// memcpy, memmove and memset (asm/memory.asm) for every length up to 100 at every alignment,
// against byte-by-byte reference results; overlapping memmove both ways.
extern "C" void* memcpy(void*, const void*, size_t);
extern "C" void* memmove(void*, const void*, size_t);
extern "C" void* memset(void*, int, size_t);

TEST_SCENARIO(memory_routines) {
  static unsigned char src[256], dst[256], ref[256];
  long bad = 0;
  for (int i = 0; i < 256; i++) src[i] = (unsigned char)(i * 7 + 3);
  auto* volatile copy = &memcpy;  // through a pointer: the compiler cannot inline them away
  auto* volatile move = &memmove;
  auto* volatile fill = &memset;
  for (size_t n = 0; n <= 100; n++)
    for (size_t off = 0; off < 8; off++) {
      for (int i = 0; i < 256; i++) dst[i] = ref[i] = 0xEE;
      bad += copy(dst + off, src + 3, n) != dst + off;
      for (size_t i = 0; i < n; i++) ref[off + i] = src[3 + i];
      for (int i = 0; i < 256; i++) bad += dst[i] != ref[i];
      bad += fill(dst + off, 0x5A, n) != dst + off;
      for (size_t i = 0; i < n; i++) ref[off + i] = 0x5A;
      for (int i = 0; i < 256; i++) bad += dst[i] != ref[i];
      for (int i = 0; i < 256; i++) dst[i] = ref[i] = (unsigned char)i;
      move(dst + off + 5, dst + 5, n);  // overlapping, forward
      for (size_t i = n; i-- > 0;) ref[off + 5 + i] = ref[5 + i];
      for (int i = 0; i < 256; i++) bad += dst[i] != ref[i];
      move(dst + 5, dst + off + 5, n);  // overlapping, backward
      for (size_t i = 0; i < n; i++) ref[5 + i] = ref[off + 5 + i];
      for (int i = 0; i < 256; i++) bad += dst[i] != ref[i];
    }
  out::println("bad", bad);
  return 0;
}
