// Goroutine stack segments; the design is in runtime/stack.h and docs/03-stacks.md.
//
// Where segments come from:
//   - first segments of ordinary goroutines: 2 KiB slots carved from 32 MiB mappings, each
//     with a guard page at its bottom (carve_slot(): the first mapping upper halves first,
//     leaving checked spare slots); a slot stays with its goroutine record for ever
//     (records and slots are reused together);
//   - main's first segment: 8 MiB above 16 MiB of inaccessible address space;
//   - larger segments: a pool of free lists, one per power-of-two size, mapped by
//     map_segment() with a guard below while the mapping budget allows. Segments of 64 KiB
//     and more give their physical pages back (MADV_DONTNEED) when returned to the pool;
//     those of 2 MiB and more ask for transparent huge pages, so deep recursion takes one
//     page fault per 2 MiB instead of one per 4 KiB. A pooled segment keeps its guard.
//   - segments a goroutine left come back to the pool when it exits
//     (release_extra_stack_segments), when GORT_STACK_RESERVE needs a larger one
//     (replace_next_segment), and when a collection finds them unused for a cycle
//     (shrink_stack, called by the collector with the goroutine stopped).
// Lock: stack_pool_lock guards the pool, the carving and the guard count; it is a leaf
// (docs/locking.md), held across a system call only to map a new region of first segments.
#include "stack.h"

#include <stddef.h>

#include "../arch/amd64/cpu.h"
#include "context.h"
#include "environment.h"
#include "fatal.h"
#include "goroutine.h"
#include "gort.h"
#include "lock.h"
#include "machine.h"
#include "os_memory.h"
#include "print.h"
#include "syscall.h"
#include "tunables.h"

namespace gort {

static_assert(offsetof(ThreadLocal, stack_guard) == 16, "GORT_STACK_CHECK reads the guard at fs:[16]");

namespace {

constexpr uint64_t canary_pattern = 0x57ac4ca9a7d0f00dULL;
constexpr int max_size_classes = 48;

RankedLock<LockRank::StackPool> stack_pool_lock;
StackSegment* free_segments[max_size_classes];  // guarded by stack_pool_lock; linked by `next`
uintptr_t slot_region_start = 0;                // guarded by stack_pool_lock: the region being carved
size_t slot_region_carved = 0;                  // guarded by stack_pool_lock: slots handed out from it
int64_t slot_regions = 0;                       // guarded by stack_pool_lock: regions mapped so far
size_t max_stack_bytes = tunables::default_max_stack_bytes;  // atomic
uint64_t guarded_segments = 0;  // guarded by stack_pool_lock: extra segments given a guard page

// First segments whose lower neighbour, the other half of their page, is still an unused
// "spare" slot filled with canaries: [spare_slots_lo, spare_slots_hi). Written under
// stack_pool_lock (release), read by any thread at a switch (acquire). The first region
// hands out the upper half of each page first (its first pass), then the lower halves; when
// the second pass begins the range is emptied, before any spare is handed out.
uintptr_t spare_slots_lo = 0;
uintptr_t spare_slots_hi = 0;

uint64_t canary_at(uintptr_t address) { return canary_pattern ^ address; }

void write_canaries(uintptr_t from, size_t bytes) {
  for (uintptr_t a = from; a < from + bytes; a += 8) *reinterpret_cast<uint64_t*>(a) = canary_at(a);
}

bool canaries_intact(uintptr_t from, size_t bytes) {
  for (uintptr_t a = from; a < from + bytes; a += 8)
    if (*reinterpret_cast<uint64_t*>(a) != canary_at(a)) return false;
  return true;
}

uintptr_t bottom_canary(const StackSegment* s) { return s->base; }
uintptr_t top_canary(const StackSegment* s) { return s->base + s->size - stack_top_canary_bytes; }

int size_class(size_t bytes) { return 63 - __builtin_clzll(bytes); }

// Makes s the segment g runs on. The guard keeps a pending preemption request.
void use_segment(Goroutine* g, StackSegment* s) {
  g->segment = s;
  g->stack_lo = s->base + stack_bottom_canary_bytes;
  g->stack_hi = s->base + s->size - stack_top_canary_bytes;
  refresh_stack_guard(g);
}

// Runs on the scheduler stack (it may take locks and map memory).
struct SegmentRequest {
  size_t bytes;
  StackSegment* result;
};

uint64_t segments_taken = 0;  // atomic: segments handed out by allocate_segment, ever

// A new extra segment of `bytes`. While the mapping budget allows
// (tunables::max_guarded_segments), the memory just below it is inaccessible: a page for
// segments below 2 MiB, a whole huge page for larger ones (their base stays 2 MiB-aligned).
// An overrun of the segment then faults and is reported as a stack overflow. Each guard
// costs the kernel about two mappings (VMAs), whose number a process may not raise past
// vm.max_map_count (65,530 by default); beyond the budget a segment has only its canaries.
uintptr_t map_segment(size_t bytes) {
  bool guard;
  {
    LockGuard lock(stack_pool_lock);
    guard = guarded_segments < tunables::max_guarded_segments;
    if (guard) guarded_segments++;
  }
  size_t page = process.aux.page_size;
  if (bytes >= tunables::huge_page_segment_bytes) {
    // Aligned, so that giving it back later frees whole huge pages at once.
    size_t below = guard ? tunables::huge_page_segment_bytes : 0;
    auto start = reinterpret_cast<uintptr_t>(os_alloc_aligned(below + bytes, tunables::huge_page_segment_bytes));
    if (guard) sys::mprotect(reinterpret_cast<void*>(start), below, sys::PROT_NONE);
    sys::madvise(reinterpret_cast<void*>(start + below), bytes, sys::MADV_HUGEPAGE);
    return start + below;
  }
  size_t below = guard ? page : 0;
  auto start = reinterpret_cast<uintptr_t>(os_alloc(below + bytes));
  if (guard) sys::mprotect(reinterpret_cast<void*>(start), below, sys::PROT_NONE);
  return start + below;
}

void allocate_segment(void* arg) {
  auto* request = static_cast<SegmentRequest*>(arg);
  int index = size_class(request->bytes);
  StackSegment* s = nullptr;
  {
    LockGuard guard(stack_pool_lock);
    s = free_segments[index];
    if (s != nullptr) free_segments[index] = s->next;
  }
  if (s == nullptr) {
    s = persistent_new<StackSegment>();
    s->size = request->bytes;
    s->base = map_segment(request->bytes);
  }
  s->next = nullptr;
  s->previous = nullptr;
  s->return_address = 0;
  s->patched_frame = 0;
  s->left_sp = 0;
  s->used = false;
  write_canaries(bottom_canary(s), stack_bottom_canary_bytes);
  write_canaries(top_canary(s), stack_top_canary_bytes);
  request->result = s;
  __atomic_add_fetch(&segments_taken, 1, __ATOMIC_RELAXED);
}

// The segment after g's current one: the cached one, or a new one (next_segment_bytes).
// `here`: allocate on the current stack (the signal stack, which has
// room); otherwise on the scheduler stack, since a goroutine in its guard reserve has none.
// The size of the segment after `current`: the second is tunables::second_segment_bytes, each
// later one twice the one before, up to max_segment_bytes.
size_t next_segment_bytes(const StackSegment* current, bool current_is_first) {
  size_t bytes = current_is_first ? tunables::second_segment_bytes : current->size * 2;
  return bytes > tunables::max_segment_bytes ? tunables::max_segment_bytes : bytes;
}

// Chains `next` (fresh from allocate_segment) after `current`, as the segment g moves to next.
StackSegment* link_next_segment(StackSegment* current, StackSegment* next) {
  next->previous = current;
  current->next = next;
  return next;
}

StackSegment* next_segment(Goroutine* g, bool here) {
  StackSegment* current = g->segment;
  if (current->next != nullptr) return current->next;
  SegmentRequest request{next_segment_bytes(current, current == &g->first_segment), nullptr};
  if (here) allocate_segment(&request);
  else run_on_scheduler_stack(allocate_segment, &request);
  return link_next_segment(current, request.result);
}

// g continues on `next`, the segment after its current one, leaving its current one at
// `left_sp` (every live word of it lies at or above). Only the slow paths come here, so
// marking the segment used costs the check's fast path nothing (shrink_stack).
void enter_next_segment(Goroutine* g, StackSegment* next, uintptr_t left_sp) {
  g->stack_in_use += next->size;
  next->used = true;
  g->segment->left_sp = left_sp;
  use_segment(g, next);
}

uint64_t segments_returned = 0;  // atomic: segments given back to the pool, ever

void free_segment(StackSegment* s) {
  __atomic_add_fetch(&segments_returned, 1, __ATOMIC_RELAXED);
  if (s->size >= tunables::release_segment_bytes) os_release(reinterpret_cast<void*>(s->base), s->size);
  int index = size_class(s->size);
  LockGuard guard(stack_pool_lock);
  s->next = free_segments[index];
  free_segments[index] = s;
}

// What segment_with_room hands the scheduler stack: the goroutine's current segment and the
// room its next one needs.
struct RoomRequest {
  StackSegment* current;
  bool first;  // current is the goroutine's first segment
  size_t bytes;
};

// Runs on the scheduler stack. Makes current->next a segment of at least request->bytes: the
// cached chain below current (segments no frame uses: current is the deepest in use) goes back
// to the pool if its first is too small, and a new one of the power of two that fits (at least
// the size next_segment would have taken, which is itself a power of two) takes its place.
void replace_next_segment(void* arg) {
  auto* request = static_cast<RoomRequest*>(arg);
  StackSegment* current = request->current;
  for (StackSegment* s = current->next; s != nullptr;) {
    StackSegment* after = s->next;
    free_segment(s);
    s = after;
  }
  current->next = nullptr;
  size_t bytes = next_segment_bytes(current, request->first);
  while (bytes < request->bytes) bytes *= 2;
  SegmentRequest segment{bytes, nullptr};
  allocate_segment(&segment);
  link_next_segment(current, segment.result);
}

// The segment after g's current one with at least `bytes` in all: the cached one if it is
// that large, otherwise a new one (replace_next_segment). GORT_STACK_RESERVE's slow path.
StackSegment* segment_with_room(Goroutine* g, size_t bytes) {
  StackSegment* cached = g->segment->next;
  if (cached != nullptr && cached->size >= bytes) return cached;
  RoomRequest request{g->segment, g->segment == &g->first_segment, bytes};
  run_on_scheduler_stack(replace_next_segment, &request);
  return g->segment->next;
}

}  // namespace

void print_stack_overflow_tail(const Goroutine* g, uintptr_t sp) {
  print("runtime: sp=", hex(sp), " stack=[", hex(g->stack_lo), ", ", hex(g->stack_hi), "]\n");
  print("fatal error: stack overflow\n");
}

namespace {

// The report Go prints when a goroutine's stack reaches its limit. Runs on the scheduler
// stack: the goroutine's own stack has only its guard reserve left.
struct OverflowReport {
  Goroutine* g;
  uintptr_t sp;
  uintptr_t pc;
  uintptr_t fp;
  const char* kind;  // null: the size limit; otherwise a canary or frame-size violation
};

void report_overflow(void* arg) {
  auto* r = static_cast<OverflowReport*>(arg);
  begin_crash();
  if (r->kind == nullptr) {
    print("runtime: goroutine stack exceeds ", __atomic_load_n(&max_stack_bytes, __ATOMIC_RELAXED), "-byte limit\n");
  } else {
    print("runtime: ", r->kind, "\n");
  }
  print_stack_overflow_tail(r->g, r->sp);
  finish_crash(r->g, r->pc, r->fp);
}

[[noreturn]] void stack_overflow(Goroutine* g, uintptr_t sp, const char* kind) {
  auto* frame = static_cast<uintptr_t*>(__builtin_frame_address(0));
  OverflowReport report{g, sp, reinterpret_cast<uintptr_t>(__builtin_return_address(0)), frame[0], kind};
  run_on_scheduler_stack(report_overflow, &report);
  sys::exit_group(2);  // not reached: report_overflow exits
}

}  // namespace

namespace {

// Sampled words of a spare slot: one every tunables::spare_slot_stride bytes, so that an
// overrun writing that many contiguous bytes into the spare breaks at least one.
void write_spare_canaries(uintptr_t spare) {
  for (uintptr_t a = spare; a < spare + tunables::initial_stack_bytes; a += tunables::spare_slot_stride)
    *reinterpret_cast<uint64_t*>(a) = canary_at(a);
}

bool spare_canaries_intact(uintptr_t spare) {
  for (uintptr_t a = spare; a < spare + tunables::initial_stack_bytes; a += tunables::spare_slot_stride)
    if (*reinterpret_cast<const uint64_t*>(a) != canary_at(a)) return false;
  return true;
}

// The next 2 KiB slot. Caller holds stack_pool_lock.
//   - Each region (tunables::stack_region_bytes) starts with one inaccessible page: the
//     lowest slot's overflow faults (and is reported) instead of writing into whatever
//     mapping lies below.
//   - The first region is carved in two passes: first the upper half of every page, whose
//     lower half then stays an unused spare, filled with sampled canaries and checked at
//     every switch of the goroutine above it (check_stack_canaries); then the lower halves.
//     A program with fewer goroutines than half a region (8,192) thus has an unused, checked
//     slot under every first segment. Later regions are carved in address order: by then a
//     program has tens of thousands of goroutines, and memory per goroutine comes first.
uintptr_t carve_slot() {
  size_t bytes = tunables::initial_stack_bytes;
  size_t slots = tunables::stack_region_bytes / bytes;
  if (slot_region_start == 0 || slot_region_carved == slots) {
    size_t page = process.aux.page_size;
    auto region = reinterpret_cast<uintptr_t>(os_alloc(tunables::stack_region_bytes + page));
    sys::mprotect(reinterpret_cast<void*>(region), page, sys::PROT_NONE);
    slot_region_start = region + page;
    slot_region_carved = 0;
    if (slot_regions++ == 0) {
      __atomic_store_n(&spare_slots_lo, slot_region_start, __ATOMIC_RELAXED);
      __atomic_store_n(&spare_slots_hi, slot_region_start + tunables::stack_region_bytes, __ATOMIC_RELEASE);
    }
  }
  size_t k = slot_region_carved++;
  if (slot_regions > 1) return slot_region_start + k * bytes;
  if (k < slots / 2) {
    uintptr_t spare = slot_region_start + 2 * k * bytes;
    write_spare_canaries(spare);
    return spare + bytes;
  }
  if (k == slots / 2) __atomic_store_n(&spare_slots_hi, uintptr_t(0), __ATOMIC_RELEASE);  // spares go now
  return slot_region_start + 2 * (k - slots / 2) * bytes;
}

}  // namespace

void allocate_initial_stack(Goroutine* g, size_t bytes) {
  StackSegment& s = g->first_segment;
  s.size = bytes;
  if (bytes == tunables::initial_stack_bytes) {
    LockGuard guard(stack_pool_lock);
    s.base = carve_slot();
  } else {
    // The main goroutine's stack: below it, tunables::main_stack_guard_bytes of inaccessible
    // address space (one mapping, no memory), so that running off it, even by a large local
    // that skips pages, faults instead of writing into the mappings below.
    size_t guard = tunables::main_stack_guard_bytes;
    auto start = reinterpret_cast<uintptr_t>(os_alloc(guard + bytes));
    sys::mprotect(reinterpret_cast<void*>(start), guard, sys::PROT_NONE);
    s.base = start + guard;
  }
  s.previous = s.next = nullptr;
  s.used = false;
  s.return_address = s.patched_frame = 0;  // a first segment is never left
  s.left_sp = 0;                           // until a deeper segment is entered
  write_canaries(bottom_canary(&s), stack_bottom_canary_bytes);
  write_canaries(top_canary(&s), stack_top_canary_bytes);
  g->stack_in_use = bytes;
  use_segment(g, &s);
}

void release_extra_stack_segments(Goroutine* g) {
  StackSegment* s = g->first_segment.next;
  while (s != nullptr) {
    StackSegment* next = s->next;
    free_segment(s);
    s = next;
  }
  g->first_segment.next = nullptr;
  g->stack_in_use = g->first_segment.size;
  use_segment(g, &g->first_segment);
}

uintptr_t stack_top_for_start(const Goroutine* g) {
  return g->first_segment.base + g->first_segment.size - stack_top_canary_bytes;
}

bool is_stack_overflow_fault(const Goroutine* g, uintptr_t address, uintptr_t sp) {
  // A runaway without checks that has left its segment altogether (writing through the
  // stacks below it) faults next to its own stack pointer, far below its segment.
  if (g->segment != nullptr && sp < g->stack_lo && address < sp + 4096 && address + 65536 >= sp) return true;
  // Below the current segment's usable range, within its guard: the main stack's guard
  // region, a huge segment's guard, or (for the others) the largest frame we expect.
  uintptr_t reach = 256 * 1024;
  if (g->segment != nullptr && g->segment->size >= tunables::huge_page_segment_bytes)
    reach = tunables::huge_page_segment_bytes;
  if (g->segment == &g->first_segment && g->segment->size > tunables::initial_stack_bytes)
    reach = tunables::main_stack_guard_bytes;
  uintptr_t bottom = g->segment != nullptr ? g->segment->base : g->stack_lo - process.aux.page_size;
  uintptr_t top = g->segment != nullptr ? g->segment->base + stack_bottom_canary_bytes : g->stack_lo;
  return address < top && address + reach >= bottom;
}

namespace {
[[noreturn]] void report_broken_canary(Goroutine* g, const char* broken) {
  OverflowReport report{g, g->saved_sp, 0, 0, broken};
  run_on_scheduler_stack(report_overflow, &report);  // calls it directly on the scheduler stack
  sys::exit_group(2);
}
}  // namespace

// On every switch only the canary word nearest the usable stack is compared: an overflow
// writes downward from the stack into the canary, so it reaches that word first. (Code that
// skips over it, writing only far below, is caught by the full comparison at segment
// changes, or not at all: the budget is documented, and this is the cheap tripwire.)
static bool nearest_bottom_word_intact(const StackSegment* s) {
  uintptr_t word = s->base + stack_bottom_canary_bytes - 8;
  return *reinterpret_cast<const uint64_t*>(word) == canary_at(word);
}

static bool nearest_top_word_intact(const StackSegment* s) {
  uintptr_t word = s->base + s->size - 8;
  return *reinterpret_cast<const uint64_t*>(word) == canary_at(word);
}

// The spare slot below g's first segment was written. It may just have stopped being a
// spare (another thread began the first region's second pass and a goroutine is using it):
// under the lock that decides it, the range tells which.
static bool spare_really_broken(uintptr_t base) {
  LockGuard guard(stack_pool_lock);
  return base >= spare_slots_lo && base < spare_slots_hi;
}

void check_stack_canaries(Goroutine* g) {
  if (!nearest_bottom_word_intact(g->segment))
    report_broken_canary(g, "stack overflow in code without a stack check (the canary at the bottom of the stack segment was overwritten)");
}

// Not at yields: its sixteen words lie on sixteen cache lines, which cost a gosched round
// about 10 ns (a third) when measured at every switch; parks and exits pay about 2 ns.
void check_spare_slot(Goroutine* g) {
  uintptr_t base = g->first_segment.base;
  if (base < __atomic_load_n(&spare_slots_hi, __ATOMIC_ACQUIRE) && base >= __atomic_load_n(&spare_slots_lo, __ATOMIC_RELAXED) &&
      !spare_canaries_intact(base - tunables::initial_stack_bytes) && spare_really_broken(base))
    report_broken_canary(g, "stack overflow in code without a stack check (the unused slot below the goroutine's first stack segment was written)");
}

void check_stack_top_canary(Goroutine* g) {
  if (!nearest_top_word_intact(&g->first_segment))
    report_broken_canary(g, "another stack overflowed into this goroutine's stack (the canary at its top was overwritten)");
}

uint64_t stack_segments_taken() { return __atomic_load_n(&segments_taken, __ATOMIC_RELAXED); }
uint64_t stack_segments_returned() { return __atomic_load_n(&segments_returned, __ATOMIC_RELAXED); }

void shrink_stack(Goroutine* g) {
  StackSegment* keep = g->segment;
  if (keep == nullptr) return;
  // The segments in use count as used in this cycle: once left, they stay cached through
  // the next one.
  for (StackSegment* s = keep; s != nullptr; s = s->previous) s->used = true;
  // The cached chain is kept down to its first segment unused since the last call; that one
  // and everything deeper go back (a deeper one is reached only through it).
  StackSegment* s = keep->next;
  for (; s != nullptr && s->used; s = s->next) {
    s->used = false;
    keep = s;
  }
  keep->next = nullptr;
  while (s != nullptr) {
    StackSegment* deeper = s->next;
    free_segment(s);
    s = deeper;
  }
}

size_t set_max_stack_bytes(size_t bytes) {
  if (bytes < tunables::initial_stack_bytes) bytes = tunables::initial_stack_bytes;
  return __atomic_exchange_n(&max_stack_bytes, bytes, __ATOMIC_ACQ_REL);
}

uintptr_t reserve_async_preempt_frame(Goroutine* g, uintptr_t sp, size_t bytes) {
  // The stub writes the jump slot below sp (arch/amd64/registers.h), so that much must be in
  // the current segment.
  if (sp <= g->stack_lo + arch::preempt_entry_gap || sp > g->stack_hi) return 0;
  uintptr_t frame = ((sp - arch::preempt_entry_gap) & ~uintptr_t(15)) - sizeof(arch::PreemptEntry);
  if (frame >= g->stack_lo + bytes) return frame;
  // Not enough room: continue on the next segment, as a stack check would. Runs on the
  // signal stack, at a point where the goroutine holds no runtime lock.
  StackSegment* next = next_segment(g, true);  // the signal stack has room to allocate
  if (g->stack_in_use + next->size > __atomic_load_n(&max_stack_bytes, __ATOMIC_RELAXED)) return 0;
  if (next->size < bytes + 128) return 0;
  next->patched_frame = 0;  // entered without patching a frame: async_preempt_yield leaves it
  // The interrupted code may be a leaf using the red zone below sp: that is live too.
  enter_next_segment(g, next, sp - arch::red_zone_bytes);
  g->async_preempt_segment = true;
  return ((g->stack_hi - 64) & ~uintptr_t(15)) - 16;
}

namespace detail {

// Both slow paths: GORT_STACK_CHECK's (reserve 0) and GORT_STACK_RESERVE's (the callees need
// `reserve` bytes above the guard reserve). Runs on the goroutine's stack, in its guard
// reserve: keep it small. `frame_too_large` is the report for a frame below the segment.
static size_t enter_segment_for(uintptr_t caller_sp, void* frame, size_t reserve, const char* frame_too_large) {
  Goroutine* g = cpu::current_goroutine();
  if (__builtin_expect(caller_sp - reserve >= g->stack_guard || __atomic_load_n(&g->preempt_requested, __ATOMIC_RELAXED), 0)) {
    // Not a full stack: a preemption request (or a thread guard poisoned for the goroutine
    // this thread ran before, which preempt_at_stack_check just refreshes).
    preempt_at_stack_check(g);
    if (caller_sp - reserve >= g->stack_guard) return 0;
  }
  StackSegment* current = g->segment;
  if (current == nullptr) fatal("GORT_STACK_CHECK: used on the scheduler stack");
  if (!canaries_intact(bottom_canary(current), stack_bottom_canary_bytes))
    stack_overflow(g, caller_sp, "stack overflow in code without a stack check (the canary at the bottom of the stack segment was overwritten)");
  if (caller_sp < g->stack_lo) stack_overflow(g, caller_sp, frame_too_large);

  StackSegment* next;  // allocating needs the scheduler stack
  if (reserve == 0) {
    next = next_segment(g, false);
  } else {
    // Room for the callees' bytes, the guard reserve, the canaries and the 64 bytes at the top.
    size_t needed = reserve + tunables::stack_guard_bytes + stack_bottom_canary_bytes + stack_top_canary_bytes + 64 + 16;
    if (g->stack_in_use + needed > __atomic_load_n(&max_stack_bytes, __ATOMIC_RELAXED)) stack_overflow(g, caller_sp, nullptr);
    next = segment_with_room(g, needed);
  }
  if (g->stack_in_use + next->size > __atomic_load_n(&max_stack_bytes, __ATOMIC_RELAXED))
    stack_overflow(g, caller_sp, nullptr);
  // The function returns through segment_return_trampoline, which leaves `next` again: its
  // frame record's return address moves into the segment's record (docs/03-stacks.md).
  auto* return_slot = static_cast<uintptr_t*>(frame) + 1;
  next->return_address = *return_slot;
  next->patched_frame = reinterpret_cast<uintptr_t>(frame);
  *return_slot = reinterpret_cast<uintptr_t>(&segment_return_trampoline);
  // Nothing below caller_sp is live: the check runs before the function's body, and it
  // called this function, whose own frame is dead once the macro moves the stack pointer.
  enter_next_segment(g, next, caller_sp);
  uintptr_t new_sp = (g->stack_hi - 64) & ~uintptr_t(15);
  return caller_sp - new_sp;  // what alloca subtracts; wraps when the new segment lies above
}

size_t enter_stack_segment(uintptr_t caller_sp, void* frame) {
  return enter_segment_for(caller_sp, frame, 0,
                           "stack frame too large for GORT_STACK_CHECK (move large locals to a callee or the heap)");
}

// GORT_STACK_RESERVE's slow path (through reserve_stack_slow<bytes>, gort.h): the segment the
// callees move to has room for `bytes` above the reserve; a cached segment too small for that
// is replaced (segment_with_room).
size_t enter_stack_reserve(uintptr_t caller_sp, void* frame, size_t bytes) {
  return enter_segment_for(caller_sp, frame, bytes,
                           "stack frame too large for GORT_STACK_RESERVE (move large locals to a callee or the heap)");
}

}  // namespace detail

void leave_stack_segment() {
  Goroutine* g = cpu::current_goroutine();
  StackSegment* s = g->segment;
  if (!canaries_intact(bottom_canary(s), stack_bottom_canary_bytes))
    stack_overflow(g, detail::stack_pointer(), "stack overflow in code without a stack check (the canary at the bottom of the stack segment was overwritten)");
  if (s->previous == nullptr) fatal("leave_stack_segment: already on the first segment");
  g->stack_in_use -= s->size;
  use_segment(g, s->previous);  // s stays cached as previous->next
}

uintptr_t frame_return_address(const Goroutine* g, uintptr_t fp) {
  uintptr_t pc = reinterpret_cast<const uintptr_t*>(fp)[1];
  if (pc != reinterpret_cast<uintptr_t>(&segment_return_trampoline) || g->segment == nullptr) return pc;
  for (const StackSegment* s = g->segment; s != nullptr; s = s->previous)
    if (s->patched_frame == fp) return s->return_address;
  return pc;  // not one of g's frames (a walk gone astray): print what is there
}

}  // namespace gort

// Called by segment_return_trampoline on the old segment, at the stack pointer the
// function's return left, with its return values saved: the real return address goes into
// the trampoline's frame first (so a traceback from a failed check below names the caller),
// then the goroutine leaves its current segment. Keep it free of x87 code (asm/stack.asm).
extern "C" void leave_stack_segment_on_return(uintptr_t* return_slot) {
  gort::Goroutine* g = gort::cpu::current_goroutine();
  *return_slot = g->segment->return_address;
  gort::leave_stack_segment();
}
