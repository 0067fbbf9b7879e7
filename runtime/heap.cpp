// The page heap; see runtime/heap.h for the design.
#include "heap.h"

#include "fatal.h"
#include "lock.h"
#include "os_memory.h"
#include "print.h"
#include "syscall.h"
#include "time.h"
#include "tunables.h"

namespace gort {

uint32_t heap_sweep_generation = 0;
uintptr_t committed_end = heap_arena_start;  // written under heap_lock; read atomically by heap_span_of
Span** span_map = nullptr;                   // one entry per arena page; entries written under heap_lock

namespace {

constexpr uint32_t exact_lists = 128;  // free_runs[n] holds runs of exactly n pages; [0]: longer

RankedLock<LockRank::Heap> heap_lock;
SpanList free_runs[exact_lists + 1];  // heap_lock
Span* spare_records = nullptr;     // heap_lock: Span records for reuse
uint64_t bytes_committed = 0, bytes_in_use = 0, bytes_idle = 0, bytes_released = 0;  // heap_lock
// heap_lock: the end of the highest run ever handed out (Go's zeroedBase). Pages from here
// to committed_end came fresh from mmap and were never written: they read as zero, so a
// span cut there needs no zeroing (Span::dirty_pages), and calloc of fresh memory touches
// nothing.
uintptr_t used_high_water = heap_arena_start;

uintptr_t page_index(uintptr_t address) { return (address - heap_arena_start) / heap_page_size; }

// The page-class map (heap.h), one entry per arena page, at its fixed address; an entry is
// written by the span's owner.
uint32_t* page_classes() { return reinterpret_cast<uint32_t*>(heap_page_class_map_address); }

Span* new_record() {
  Span* s = spare_records;
  if (s != nullptr) spare_records = s->next;
  else s = persistent_new<Span>();
  *s = Span{};
  return s;
}

SpanList& free_list_for(const Span* s) { return free_runs[s->pages <= exact_lists ? s->pages : 0]; }
void list_insert(Span* s) { free_list_for(s).push(s); }
void list_remove(Span* s) { free_list_for(s).remove(s); }

// A free run is found through the span map at its first and last page (enough to merge).
void map_ends(Span* s) {
  span_map[page_index(s->start)] = s;
  span_map[page_index(s->start) + s->pages - 1] = s;
}

void map_all(Span* s) {
  uintptr_t first = page_index(s->start);
  for (uint32_t i = 0; i < s->pages; i++) span_map[first + i] = s;
}

// Adds a free run, merging it with free neighbours. Caller holds heap_lock.
void insert_free_run(Span* s, int64_t now) {
  s->in_use = false;
  s->freed_at = now;
  uintptr_t first = page_index(s->start);
  if (first > 0) {
    Span* left = span_map[first - 1];
    if (left != nullptr && !left->in_use && left->start + left->pages * heap_page_size == s->start) {
      list_remove(left);
      if (left->scavenged != s->scavenged) {  // merged run counts as not released
        if (left->scavenged) bytes_released -= left->pages * heap_page_size;
        else bytes_released -= s->pages * heap_page_size;
        left->scavenged = s->scavenged = false;
      }
      left->pages += s->pages;
      left->freed_at = now;
      s->next = spare_records;
      spare_records = s;
      s = left;
    }
  }
  uintptr_t after = page_index(s->start) + s->pages;
  if (s->start + s->pages * heap_page_size < committed_end) {
    Span* right = span_map[after];
    if (right != nullptr && !right->in_use && right->start == s->start + s->pages * heap_page_size) {
      list_remove(right);
      if (right->scavenged != s->scavenged) {
        if (right->scavenged) bytes_released -= right->pages * heap_page_size;
        else bytes_released -= s->pages * heap_page_size;
        right->scavenged = s->scavenged = false;
      }
      s->pages += right->pages;
      right->next = spare_records;
      spare_records = right;
    }
  }
  map_ends(s);
  list_insert(s);
}

// Commits more of the arena: at least `pages`, and at least tunables::heap_growth_bytes.
void grow(uint32_t pages) {
  uintptr_t bytes = uintptr_t(pages) * heap_page_size;
  if (bytes < tunables::heap_growth_bytes) bytes = tunables::heap_growth_bytes;
  if (committed_end + bytes > heap_arena_end) {
    if (committed_end + uintptr_t(pages) * heap_page_size > heap_arena_end)
      out_of_memory(uintptr_t(pages) * heap_page_size);
    bytes = heap_arena_end - committed_end;
  }
  if (!os_commit_at(committed_end, bytes)) {  // refused: try once more with only what is needed
    bytes = uintptr_t(pages) * heap_page_size;
    if (!os_commit_at(committed_end, bytes)) out_of_memory(bytes);
  }
  Span* s = new_record();
  s->start = committed_end;
  s->pages = uint32_t(bytes / heap_page_size);
  __atomic_store_n(&committed_end, committed_end + bytes, __ATOMIC_RELEASE);  // heap_span_of reads it unlocked
  bytes_committed += bytes;
  bytes_idle += bytes;
  insert_free_run(s, nanotime());
}

Span* find_run(uint32_t pages) {
  for (uint32_t n = pages; n <= exact_lists; n++)
    if (free_runs[n].head != nullptr) return free_runs[n].head;
  Span* best = nullptr;  // longer runs: the shortest that fits
  for (Span* s = free_runs[0].head; s != nullptr; s = s->next)
    if (s->pages >= pages && (best == nullptr || s->pages < best->pages)) best = s;
  return best;
}

}  // namespace

void heap_init() {
  // The arena itself is not reserved: grow() maps each step at committed_end, so address
  // space is taken only as the heap grows (the whole 64 GiB reserved at start made every
  // program fail under ulimit -v below that).
  size_t map_bytes = tunables::heap_arena_bytes / heap_page_size * sizeof(Span*);
  span_map = static_cast<Span**>(os_reserve(map_bytes));
  os_commit_sparse(span_map, map_bytes);  // pages appear only as entries are written
  os_reserve_at(heap_page_class_map_address, heap_page_class_map_bytes);
  os_commit_sparse(page_classes(), heap_page_class_map_bytes);
}

Span* heap_allocate(uint32_t pages) {
  if (pages == 0 || pages > tunables::heap_arena_bytes / heap_page_size) out_of_memory(uintptr_t(pages) * heap_page_size);
  LockGuard guard(heap_lock);
  Span* s = find_run(pages);
  if (s == nullptr) {
    grow(pages);
    s = find_run(pages);
  }
  list_remove(s);
  if (s->pages > pages) {  // split: the tail stays free
    Span* rest = new_record();
    rest->start = s->start + uintptr_t(pages) * heap_page_size;
    rest->pages = s->pages - pages;
    rest->scavenged = s->scavenged;
    rest->freed_at = s->freed_at;
    if (s->scavenged) bytes_released -= uintptr_t(pages) * heap_page_size;
    s->pages = pages;
    map_ends(rest);
    list_insert(rest);
  } else if (s->scavenged) {
    bytes_released -= uintptr_t(pages) * heap_page_size;
  }
  s->scavenged = false;
  s->in_use = true;
  uintptr_t end = s->start + uintptr_t(pages) * heap_page_size;
  uintptr_t dirty_end = end < used_high_water ? end : used_high_water;
  s->dirty_pages = dirty_end > s->start ? uint32_t((dirty_end - s->start) / heap_page_size) : 0;
  if (end > used_high_water) used_high_water = end;
  // Every slot starts free and unmarked (not freed), and the collector's fields (span.h)
  // clear, for every span cut from the heap: the record may have served another span before.
  s->collected = false;
  __builtin_memset(s->slot_bits, 0, sizeof s->slot_bits);
  s->sweep_generation = __atomic_load_n(&heap_sweep_generation, __ATOMIC_ACQUIRE);  // a new span is swept
  map_all(s);
  bytes_in_use += uintptr_t(pages) * heap_page_size;
  bytes_idle -= uintptr_t(pages) * heap_page_size;
  return s;
}

void heap_set_page_classes(const Span* s, uint32_t span_class, bool careful) {
  if (span_class == 0 || span_class > 0xffff || s->pages > 0x8000) fatal("heap_set_page_classes: bad span");
  uintptr_t first = page_index(s->start);
  for (uint32_t i = 0; i < s->pages; i++) {
    uint32_t entry = span_class | (i << 16) | (careful ? page_class_careful : 0);
    __atomic_store_n(&page_classes()[first + i], entry, __ATOMIC_RELEASE);
  }
}

void heap_clear_page_classes(const Span* s) {
  uintptr_t first = page_index(s->start);
  for (uint32_t i = 0; i < s->pages; i++) __atomic_store_n(&page_classes()[first + i], 0u, __ATOMIC_RELEASE);
}

void heap_free(Span* s) {
  heap_clear_page_classes(s);
  int64_t now = nanotime();
  LockGuard guard(heap_lock);
  bytes_in_use -= uintptr_t(s->pages) * heap_page_size;
  bytes_idle += uintptr_t(s->pages) * heap_page_size;
  s->scavenged = false;
  s->place = SpanPlace::Heap;
  insert_free_run(s, now);
}

uint64_t heap_scavenge(int64_t older_than_ns) {
  int64_t now = nanotime();
  uint64_t released = 0;
  LockGuard guard(heap_lock);
  for (SpanList& list : free_runs)
    for (Span* s = list.head; s != nullptr; s = s->next) {
      if (s->scavenged || now - s->freed_at < older_than_ns) continue;
      os_release(reinterpret_cast<void*>(s->start), s->pages * heap_page_size);
      s->scavenged = true;
      released += s->pages * heap_page_size;
    }
  bytes_released += released;
  return released;
}

HeapStats heap_stats() {
  LockGuard guard(heap_lock);
  return HeapStats{bytes_committed, bytes_in_use, bytes_idle, bytes_released};
}

}  // namespace gort
