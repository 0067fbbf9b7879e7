// Goroutines: making them (Go's newproc, malg, gfget), ending them (goexit0, gfput), and
// the first C++ function every goroutine runs, goroutine_main(). Also scheduler_start(),
// which turns the program's main into goroutine 1.
//
// A new goroutine's stack, right after start_goroutine() (addresses grow upward):
//
//   stack_hi ->  +--------------------------------+
//                | closure: the function and its  |  copied here by gort::go()
//                | captured arguments              |
//   closure ->   +--------------------------------+  (16-byte aligned)
//                | (first_frame_padding)           |
//                | &goroutine_start                |  "return address" of the first resume
//                | rbp = 0, rbx, r12..r15 = 0      |  popped by resume_goroutine
//   saved_sp ->  | MXCSR 0x1f80 | x87 CW 0x037f    |  the ABI's default FP control words
//                  (an arch::SwitchFrame, arch/amd64/registers.h: arch::first_switch_frame)
//                +--------------------------------+
//                | free stack ...                  |
//   stack_lo ->  +--------------------------------+
//
// Goroutine records and their stacks are never freed: a dead goroutine keeps its stack and
// waits on its Processor's free list (or the global one) for the next `go`.
#include "../arch/amd64/cpu.h"
#include "context.h"
#include "fatal.h"
#include "gort.h"
#include "lock.h"
#include "os_memory.h"
#include "preempt.h"
#include "scheduler.h"
#include "syscall.h"
#include "tunables.h"

namespace gort {

namespace {

constexpr uint64_t goroutine_id_batch = 16;

Goroutine* take_free_goroutine(Processor* p) {
  if (p->free_goroutines.count == 0 && __atomic_load_n(&scheduler.free_goroutines.count, __ATOMIC_RELAXED) > 0) {
    // Take the whole global list at once: O(1), where walking it would cost a cache miss
    // per goroutine (they were freed on other CPUs). A Processor that keeps spawning is
    // exactly the one that needs them; it spills back if it ever holds too many.
    LockGuard guard(scheduler.lock);
    p->free_goroutines.append(scheduler.free_goroutines);
  }
  return p->free_goroutines.pop();
}

Goroutine* make_goroutine(size_t stack_bytes) {
  Goroutine* g = persistent_new<Goroutine>();
  allocate_initial_stack(g, stack_bytes);
  g->status = GoroutineStatus::Dead;
  LockGuard guard(scheduler.all_lock);
  if (scheduler.all_goroutines_tail != nullptr) scheduler.all_goroutines_tail->next_in_all = g;
  else scheduler.all_goroutines = g;
  scheduler.all_goroutines_tail = g;
  __atomic_add_fetch(&scheduler.all_count, 1, __ATOMIC_RELEASE);
  return g;
}

uint64_t next_goroutine_id(Processor* p) {
  if (p->next_goroutine_id == p->end_goroutine_id) {
    uint64_t base = __atomic_fetch_add(&scheduler.goroutine_id_generator, goroutine_id_batch, __ATOMIC_RELAXED);
    p->next_goroutine_id = base + 1;
    p->end_goroutine_id = base + 1 + goroutine_id_batch;
  }
  return p->next_goroutine_id++;
}

// On the scheduler stack, after the goroutine's function has returned (Go's goexit0).
void exit_on_scheduler_stack(Goroutine* g) {
  Machine* m = cpu::current_machine();
  check_stack_canaries(g);
  check_spare_slot(g);
  release_extra_stack_segments(g);  // deep stacks give their memory back here
  if (g->locked_machine != nullptr) {  // exiting while wired: the thread is free again
    m->locked_goroutine = nullptr;
    g->locked_machine = nullptr;
    g->thread_lock_count = 0;
  }
  g->status = GoroutineStatus::Dead;  // entry, closure and destroy_closure: new_goroutine resets them
  g->machine = nullptr;
  g->wait_reason = WaitReason::None;
  m->current_goroutine = nullptr;
  free_goroutine(m->processor, g);
  schedule();
}

}  // namespace

Goroutine* new_goroutine(GoroutineEntry entry) {
  Processor* p = cpu::current_machine()->processor;
  if (p == nullptr) fatal("go: no processor");
  Goroutine* g = take_free_goroutine(p);
  if (g == nullptr) g = make_goroutine(tunables::initial_stack_bytes);
  if (g->status != GoroutineStatus::Dead) fatal("go: reused goroutine is not dead");
  g->id = next_goroutine_id(p);
  g->entry = entry;
  g->closure = nullptr;
  g->destroy_closure = nullptr;
  g->saved_sp = stack_top_for_start(g);
  return g;
}

void* allocate_closure(Goroutine* g, size_t bytes, size_t align) {
  if (bytes > tunables::max_closure_bytes) fatal("go: closure too large");
  if (align < 16) align = 16;
  uintptr_t at = (stack_top_for_start(g) - bytes) & ~(uintptr_t(align) - 1);
  g->closure = reinterpret_cast<void*>(at);
  g->saved_sp = at;
  return g->closure;
}

void start_goroutine(Goroutine* g) {
  uintptr_t top = g->saved_sp & ~uintptr_t(15);
  auto* frame = reinterpret_cast<arch::SwitchFrame*>(top - arch::first_frame_padding - sizeof(arch::SwitchFrame));
  *frame = arch::first_switch_frame(reinterpret_cast<uintptr_t>(&goroutine_start));
  g->saved_sp = reinterpret_cast<uintptr_t>(frame);
  g->status = GoroutineStatus::Runnable;
  run_queue_put(cpu::current_machine()->processor, g, true);
  if (scheduler.main_started) wake_processor();
}

void GoroutineList::push(Goroutine* g) {
  g->next_in_queue = head;
  head = g;
  if (tail == nullptr) tail = g;
  __atomic_store_n(&count, count + 1, __ATOMIC_RELAXED);  // read racily by num_goroutine
}

Goroutine* GoroutineList::pop() {
  Goroutine* g = head;
  if (g == nullptr) return nullptr;
  head = g->next_in_queue;
  if (head == nullptr) tail = nullptr;
  g->next_in_queue = nullptr;
  __atomic_store_n(&count, count - 1, __ATOMIC_RELAXED);
  return g;
}

void GoroutineList::append(GoroutineList& other) {
  if (other.head == nullptr) return;
  if (tail != nullptr) tail->next_in_queue = other.head;
  else head = other.head;
  tail = other.tail;
  __atomic_store_n(&count, count + other.count, __ATOMIC_RELAXED);
  other.head = other.tail = nullptr;
  __atomic_store_n(&other.count, 0, __ATOMIC_RELAXED);
}

void GoroutineList::split_after(int32_t keep, GoroutineList& rest) {
  rest = GoroutineList{};
  if (keep >= count) return;
  if (keep == 0) {
    rest = *this;
    *this = GoroutineList{};
    return;
  }
  Goroutine* last_kept = head;
  for (int32_t i = 1; i < keep; i++) last_kept = last_kept->next_in_queue;
  rest.head = last_kept->next_in_queue;
  rest.tail = tail;
  rest.count = count - keep;
  last_kept->next_in_queue = nullptr;
  tail = last_kept;
  __atomic_store_n(&count, keep, __ATOMIC_RELAXED);
}

void free_goroutine(Processor* p, Goroutine* g) {
  p->free_goroutines.push(g);
  if (p->free_goroutines.count < tunables::processor_free_goroutines) return;
  // Keep the most recently freed half (their memory is warm here) and hand the rest over.
  GoroutineList spill;
  p->free_goroutines.split_after(tunables::processor_free_goroutines / 2, spill);
  LockGuard guard(scheduler.lock);
  scheduler.free_goroutines.append(spill);
}

bool stopped_registers(const Goroutine* g, arch::StoppedRegisters* out) {
  switch (g->status) {
    case GoroutineStatus::Runnable:
    case GoroutineStatus::Waiting:
      *out = arch::registers_of(reinterpret_cast<const arch::SwitchFrame*>(g->saved_sp));
      return true;
    case GoroutineStatus::Syscall:
      if (g->machine == nullptr) return false;  // not yet announced, or already back
      *out = arch::registers_of(&g->machine->syscall_context);
      return true;
    default:
      return false;
  }
}

// Runtime goroutines that never end (is_system: the collector's forced-cycle helper), left
// out of the count as Go's gcount leaves out its own.
int32_t system_goroutine_count = 0;  // atomic

int32_t count_goroutines() {
  int32_t free = __atomic_load_n(&scheduler.free_goroutines.count, __ATOMIC_RELAXED) +
                 __atomic_load_n(&system_goroutine_count, __ATOMIC_RELAXED);
  int32_t count = __atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_ACQUIRE);
  for (int32_t i = 0; i < count; i++) free += __atomic_load_n(&scheduler.processors[i]->free_goroutines.count, __ATOMIC_RELAXED);
  int32_t n = int32_t(__atomic_load_n(&scheduler.all_count, __ATOMIC_ACQUIRE)) - free;
  return n < 1 ? 1 : n;  // counts are read racily; there is always at least the caller
}

// Ends the current goroutine (Go's goexit1): its closure is destroyed on its own stack,
// then the scheduler recycles it.
[[noreturn]] void exit_goroutine() {
  Goroutine* g = cpu::current_goroutine();
  if (g->destroy_closure != nullptr) g->destroy_closure(g->closure);
  switch_to_scheduler(exit_on_scheduler_stack);
  fatal("exit_goroutine: resumed a dead goroutine");
}

extern "C" [[noreturn]] void goroutine_main() {
  Goroutine* g = cpu::current_goroutine();
  g->entry(g->closure);
  exit_goroutine();
}

void scheduler_start(void (*main_function)()) {
  // main gets a large first segment of its own (tunables::main_stack_bytes); it is never
  // freed, so it never lands on a free list where an ordinary goroutine could take it.
  Processor* p = cpu::current_machine()->processor;
  Goroutine* g = make_goroutine(tunables::main_stack_bytes);
  g->id = next_goroutine_id(p);
  g->entry = [](void* f) { reinterpret_cast<void (*)()>(f)(); };
  g->saved_sp = stack_top_for_start(g);
  g->closure = reinterpret_cast<void*>(main_function);
  start_goroutine(g);
  // m0's scheduler stack restarts just below this frame on every switch to it; everything
  // above (runtime_start, _start's frame, argv and envp) is kept.
  runtime_m0.scheduler_sp = (detail::stack_pointer() - 256) & ~uintptr_t(15);
  schedule();
}

namespace detail {

Goroutine* go_begin(GoroutineEntry entry) { return new_goroutine(entry); }
void* go_closure_storage(Goroutine* g, size_t bytes, size_t align) { return allocate_closure(g, bytes, align); }
void go_launch(Goroutine* g, void (*destroy)(void*)) {
  g->destroy_closure = destroy;
  start_goroutine(g);
  // A goroutine spawning in a loop is preempted like any other: otherwise main spawning a
  // million goroutines on one Processor keeps them all alive at once. And it yields while the
  // global queue has a backlog (tunables::spawn_backlog_per_processor): the relaxed load of
  // queue_size is a line that only changes when goroutines move to or from the global queue.
  uint32_t backlog = tunables::spawn_backlog_per_processor * uint32_t(__atomic_load_n(&scheduler.gomaxprocs, __ATOMIC_RELAXED));
  if (__builtin_expect(__atomic_load_n(&scheduler.queue_size, __ATOMIC_RELAXED) > backlog, 0)) yield_to_global_queue();
  else preemption_point();
}

}  // namespace detail

void gosched() { yield_processor(); }
// Stopping the world may park (a second changer waits for the first), so it runs on the
// caller's goroutine stack; make stack-report shows that its frames fit in the reserve.
int32_t gomaxprocs(int32_t n) { return set_gomaxprocs(n); }
int32_t num_goroutine() { return count_goroutines(); }
size_t set_max_stack(size_t bytes) { return set_max_stack_bytes(bytes); }

}  // namespace gort
