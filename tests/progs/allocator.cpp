// Scenarios for the allocator: randomized stress across goroutines with every object's
// contents checked, interior pointers, realloc, memory returned to the OS, the tiny
// allocator, statistics, and the fatal paths. Run by tests/harness/test_allocator.cpp.
#include <initializer_list>
#include <new>
#include <stdlib.h>

#include "scenario.h"
#include "measure.h"
#include "random.h"
#include "testing.h"

namespace out = gort::fmt;

namespace {

using testing_random::Random;

// Each object starts with its size and is filled with bytes derived from its address, so an
// overlap with another live object or a reuse of a live slot changes some byte.
void fill(unsigned char* p, size_t n) {
  __builtin_memcpy(p, &n, sizeof(n));
  for (size_t i = sizeof(n); i < n; i++) p[i] = (unsigned char)(i * 131 ^ (uintptr_t(p) >> 4));
}

bool intact(const unsigned char* p) {
  size_t n;
  __builtin_memcpy(&n, p, sizeof(n));
  for (size_t i = sizeof(n); i < n; i++)
    if (p[i] != (unsigned char)(i * 131 ^ (uintptr_t(p) >> 4))) return false;
  return true;
}

}  // namespace

// Workers allocate objects of random sizes (8 B .. 40 KiB, some large), check and free
// them at random, and pass some to the next worker to free (frees from another Processor).
TEST_SCENARIO(stress) {
  constexpr int workers = 8, slots = 256;
  long operations = scenario::argument(argc, argv, 1, 200000);
  static gort::Mutex handoff_lock;
  static unsigned char* handoff[workers][64];
  static int handoff_count[workers];
  static long corrupt = 0;
  gort::MemStats before = gort::read_mem_stats();
  gort::WaitGroup wg;
  wg.add(workers);
  for (int w = 0; w < workers; w++)
    gort::go([&wg, operations](int me) {
      Random r{uint64_t(me) * 0x9e3779b97f4a7c15ULL + 7};
      auto** mine = static_cast<unsigned char**>(calloc(slots, sizeof(unsigned char*)));
      for (long i = 0; i < operations / workers; i++) {
        uint64_t x = r.next();
        int k = int(x % slots);
        if (mine[k] != nullptr) {
          if (!intact(mine[k])) __atomic_add_fetch(&corrupt, 1, __ATOMIC_RELAXED);
          if (x % 7 == 0) {  // hand it to the next worker, which frees it
            int next = (me + 1) % workers;
            handoff_lock.lock();
            if (handoff_count[next] < 64) {
              handoff[next][handoff_count[next]++] = mine[k];
              mine[k] = nullptr;
            }
            handoff_lock.unlock();
          }
          if (mine[k] != nullptr) free(mine[k]);
          mine[k] = nullptr;
        } else {
          size_t n = x % 50 == 0 ? 8 + x % 40000 : 8 + x % 600;
          mine[k] = static_cast<unsigned char*>(malloc(n));
          fill(mine[k], n);
        }
        if (i % 64 == 0) {  // free what others handed us
          handoff_lock.lock();
          while (handoff_count[me] > 0) {
            unsigned char* p = handoff[me][--handoff_count[me]];
            if (!intact(p)) __atomic_add_fetch(&corrupt, 1, __ATOMIC_RELAXED);
            free(p);
          }
          handoff_lock.unlock();
        }
      }
      for (int k = 0; k < slots; k++) free(mine[k]);
      free(mine);
      wg.done();
    }, w);
  wg.wait();
  for (int w = 0; w < workers; w++)
    while (handoff_count[w] > 0) free(handoff[w][--handoff_count[w]]);
  gort::MemStats after = gort::read_mem_stats();
  out::println("corrupt", corrupt, "balanced", after.mallocs - before.mallocs == after.frees - before.frees,
               "live_bytes", after.heap_alloc - before.heap_alloc);
  return 0;
}

// For objects of every class and several large sizes, every byte's address leads back to
// the object's start.
TEST_SCENARIO(interior_pointers) {
  long wrong = 0, checked = 0;
  for (uint32_t c = 1; c < gort::size_classes::count; c++) {
    size_t size = gort::size_classes::class_size[c];
    for (int copy = 0; copy < 3; copy++) {
      auto* p = static_cast<unsigned char*>(malloc(size));
      for (size_t i = 0; i < size; i++, checked++) wrong += gort::object_base(p + i) != p;
    }
  }
  for (size_t size : {size_t(32769), size_t(100000), size_t(1) << 20, size_t(5) << 20}) {
    auto* p = static_cast<unsigned char*>(malloc(size));
    for (size_t i = 0; i < size; i += 61, checked++) wrong += gort::object_base(p + i) != p;
    wrong += gort::object_base(p + size - 1) != p;
    free(p);
  }
  int local = 0;
  wrong += gort::object_base(&local) != nullptr;  // not a heap address
  out::println("checked_over_100000", checked > 100000, "wrong", wrong);
  return 0;
}

// realloc keeps the contents through growth across classes into large objects, and back.
TEST_SCENARIO(realloc_keeps_contents) {
  auto* p = static_cast<unsigned char*>(malloc(1));
  p[0] = 0;
  size_t size = 1;
  long bad = 0;
  for (size_t next : {size_t(7), size_t(100), size_t(1000), size_t(5000), size_t(40000), size_t(300000),
                      size_t(2000000), size_t(100), size_t(3)}) {
    size_t keep = size < next ? size : next;
    p = static_cast<unsigned char*>(realloc(p, next));
    for (size_t i = 0; i < keep; i++) bad += p[i] != (unsigned char)(i * 7);
    for (size_t i = 0; i < next; i++) p[i] = (unsigned char)(i * 7);
    size = next;
  }
  free(p);
  out::println("bad", bad);
  return 0;
}

// realloc of a collected object is fatal at any size, as free() of one is: `fits` asks for the
// size it has (which realloc would hand back unchanged), `grow` for more (a copy and a free),
// `zero` for nothing (a free), `large` grows a large collected object. The address is printed
// first, so the harness can check that the message names it.
TEST_SCENARIO(realloc_collected) {
  const char* how = argc > 1 ? argv[1] : "fits";
  bool large = scenario::same_string(how, "large");
  void* volatile p = large ? gort::gc::make_array<uint64_t>(100000) : gort::gc::make_array<uint64_t>(4);
  size_t size = scenario::same_string(how, "fits") ? 32 : scenario::same_string(how, "zero") ? 0 : large ? 2000000 : 1000;
  out::println("object", p);
  void* volatile q = realloc(p, size);
  out::println("unreachable", q != nullptr);
  return 0;
}

// Allocates about 400 MB (large and small objects), frees it, and gives it back: the
// resident set must fall to near where it started, first with free_os_memory, then (second
// round) by the background scavenger alone.
TEST_SCENARIO(memory_returned) {
  long start = measure::resident_bytes();
  long results[2][2];
  for (int round = 0; round < 2; round++) {
    constexpr int large = 100, small = 200000;
    static void* large_objects[large];
    static void* small_objects[small];
    for (auto& p : large_objects) __builtin_memset(p = malloc(2 << 20), 1, 2 << 20);
    for (auto& p : small_objects) __builtin_memset(p = malloc(1000), 1, 1000);
    long peak = measure::resident_bytes();
    for (auto& p : large_objects) free(p);
    for (auto& p : small_objects) free(p);
    long after = 0;
    if (round == 0) {
      gort::free_os_memory();
      after = measure::resident_bytes();
    } else {
      for (int i = 0; i < 60 && (after = measure::resident_bytes()) - start > (peak - start) / 4; i++)
        gort::os::sleep_thread(100 * 1000 * 1000);  // the scavenger runs about once a second
    }
    results[round][0] = (peak - start) >> 20;
    results[round][1] = (after - start) >> 20;
  }
  out::println("grew_mb_over_300", results[0][0] > 300, "returned_now", results[0][1] < results[0][0] / 4,
               "returned_in_background", results[1][1] < results[1][0] / 4);
  return 0;
}

// Tiny pointer-free objects share 16-byte blocks; freeing them all frees the blocks.
TEST_SCENARIO(tiny_objects) {
  constexpr int n = 10000;
  static void* objects[n];
  gort::MemStats before = gort::read_mem_stats();
  long shared = 0;
  for (int i = 0; i < n; i++) {
    objects[i] = gort::alloc_noscan(1 + i % 7);
    __builtin_memset(objects[i], 0xab, 1 + i % 7);
    if (i > 0 && (uintptr_t(objects[i]) & ~uintptr_t(15)) == (uintptr_t(objects[i - 1]) & ~uintptr_t(15))) shared++;
  }
  for (void* p : objects) free(p);
  gort::MemStats after = gort::read_mem_stats();
  out::println("blocks_shared", shared > n / 2, "balanced", after.mallocs - before.mallocs == after.frees - before.frees);
  return 0;
}

struct alignas(256) Aligned {
  char data[100];
};

// operator new and delete (plain, array, aligned) use gort's heap.
TEST_SCENARIO(new_delete) {
  long bad = 0;
  for (int i = 0; i < 1000; i++) {
    int* a = new int[i + 1];
    a[i] = i;
    bad += gort::object_base(a) != a;
    delete[] a;
    Aligned* x = new Aligned;
    bad += (uintptr_t(x) % 256) != 0;
    delete x;
    if (i % 100 == 0) {  // alignment above a page: an aligned address inside a large object
      void* big = aligned_alloc(size_t(1) << 16, 1000 + size_t(i));
      bad += (uintptr_t(big) % (1 << 16)) != 0;
      free(big);
    }
  }
  out::println("bad", bad);
  return 0;
}

TEST_SCENARIO(absurd_size) {
  void* volatile p = malloc(size_t(1) << 62);
  out::println("unreachable", p != nullptr);
  return 0;
}

TEST_SCENARIO(calloc_overflow) {
  void* volatile p = calloc(size_t(1) << 40, size_t(1) << 40);
  out::println("unreachable", p != nullptr);
  return 0;
}

TEST_SCENARIO(double_free) {
  void* volatile p = malloc(100);
  free(p);
  free(p);
  out::println("unreachable");
  return 0;
}

// free() of a pointer into an object, not its start. `small`: 16 bytes into a 48-byte object
// (a class whose size is not a power of two); `straddle`: the part, in a span's second page,
// of a 1408-byte object that starts in the first; `large`: 4 KiB into a 100,000-byte object.
TEST_SCENARIO(interior_free) {
  const char* kind = argc > 1 ? argv[1] : "small";
  unsigned char* inside = nullptr;
  if (scenario::same_string(kind, "small")) {
    inside = static_cast<unsigned char*>(malloc(48)) + 16;
  } else if (scenario::same_string(kind, "straddle")) {
    for (int i = 0; i < 64 && inside == nullptr; i++) {
      auto* p = static_cast<unsigned char*>(malloc(1408));
      uintptr_t last = reinterpret_cast<uintptr_t>(p) + 1408 - 8;
      if ((reinterpret_cast<uintptr_t>(p) >> 13) != (last >> 13)) inside = p + 1408 - 8;
    }
    if (inside == nullptr) {
      out::println("no 1408-byte object crosses a page");
      return 1;
    }
  } else {
    inside = static_cast<unsigned char*>(malloc(100000)) + 4096;
  }
  free(inside);
  out::println("unreachable");
  return 0;
}

TEST_SCENARIO(foreign_free) {
  static int not_heap;
  int* volatile laundered = &not_heap;  // hides the mistake from the compiler's warning
  free(laundered);
  out::println("unreachable");
  return 0;
}
