// Channels and select; the design is in runtime/channel.h and docs/05-channels.md.
//
// Every operation takes the channel's lock; select takes the locks of all its channels in
// address order, so two selects over the same channels cannot deadlock. A goroutine that must
// wait enqueues a waiter record from its own stack and parks; the park's commit step (run on
// the scheduler stack once the goroutine is off its stack) releases the lock(s), so a waker,
// which needs the lock to find the waiter, always finds the goroutine parked.
#include "channel.h"

#include "../arch/amd64/cpu.h"
#include "allocator.h"
#include "fatal.h"
#include "os_memory.h"
#include "machine.h"
#include "preempt.h"
#include "scheduler.h"
#include "marker.h"

namespace gort {

void WaiterQueue::push(ChannelWaiter* w) {
  w->next = nullptr;
  w->previous = tail;
  if (tail != nullptr) tail->next = w;
  else head = w;
  tail = w;
}

void WaiterQueue::remove(ChannelWaiter* w) {
  if (w->previous != nullptr) w->previous->next = w->next;
  else head = w->next;
  if (w->next != nullptr) w->next->previous = w->previous;
  else tail = w->previous;
  w->next = w->previous = nullptr;
  w->channel = nullptr;  // no longer queued
}

ChannelWaiter* WaiterQueue::take() {
  while (ChannelWaiter* w = head) {
    remove(w);
    if (w->select != nullptr) {
      // A select waits on several channels; only the first to reach it may wake it.
      uint32_t open = 0;
      if (!__atomic_compare_exchange_n(&w->select->done, &open, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        continue;  // someone else won: this waiter is stale, skip it
      w->select->winner = w->case_index;
    }
    return w;
  }
  return nullptr;
}

namespace {

uint8_t* slot(ChannelCore* c, uint32_t index) { return c->buffer + size_t(index) * c->element_size; }

// Element copies: the common sizes as single moves, not a call to memcpy (a buffered
// channel's whole cost per value is a few dozen instructions).
void copy_element(ChannelCore* c, void* to, const void* from) {
  if (to == nullptr) return;
  switch (c->element_size) {
    case 0: return;
    case 1: __builtin_memcpy(to, from, 1); return;
    case 2: __builtin_memcpy(to, from, 2); return;
    case 4: __builtin_memcpy(to, from, 4); return;
    case 8: __builtin_memcpy(to, from, 8); return;
    case 16: __builtin_memcpy(to, from, 16); return;
    default: __builtin_memcpy(to, from, c->element_size);
  }
}

// The value leaving a buffer slot, during a mark: the buffer may not be scanned yet, and the
// value goes to a receiver whose stack already is (every running stack is black), so it is
// shaded as the write barrier shades a deleted pointer (runtime/marker.cpp). Without it a
// value whose one reference was a collected channel's buffer is lost: moved_pointer channel
// (buffer_take's shade) and channel_full (receive_from_sender's) in tests/progs/gc_mark.cpp
// each fail without theirs.
inline void shade_slot_if_marking(ChannelCore* c, const uint8_t* at) {
  shade_range_if_marking(uintptr_t(at), uintptr_t(at) + c->element_size);
}

void zero_element(ChannelCore* c, void* to) {
  if (to == nullptr) return;
  switch (c->element_size) {
    case 0: return;
    case 8: __builtin_memset(to, 0, 8); return;
    default: __builtin_memset(to, 0, c->element_size);
  }
}

// The next ring index; no division (a divide costs more than the rest of a buffered send).
uint32_t next_index(ChannelCore* c, uint32_t index) { return index + 1 == c->capacity ? 0 : index + 1; }

void unlock_channel(Goroutine*, void* lock) { static_cast<decltype(ChannelCore::lock)*>(lock)->unlock(); }

[[noreturn]] void block_forever(WaitReason reason) {
  park(reason, nullptr, nullptr);
  fatal("block_forever: woken");
}

// Buffered: take the oldest element; then move a waiting sender's element into the freed
// slot. Unbuffered: take the sender's element directly. Caller holds c->lock.
void receive_from_sender(ChannelCore* c, ChannelWaiter* sender, void* element) {
  if (c->capacity == 0) {
    copy_element(c, element, sender->element);
  } else {
    shade_slot_if_marking(c, slot(c, c->recv_index));
    copy_element(c, element, slot(c, c->recv_index));
    copy_element(c, slot(c, c->recv_index), sender->element);
    c->recv_index = next_index(c, c->recv_index);
    c->send_index = c->recv_index;  // the buffer stays full
  }
  sender->success = true;
}

void send_to_receiver(ChannelCore* c, ChannelWaiter* receiver, const void* element) {
  copy_element(c, receiver->element, element);
  receiver->success = true;
}

void buffer_put(ChannelCore* c, const void* element) {
  copy_element(c, slot(c, c->send_index), element);
  c->send_index = next_index(c, c->send_index);
  c->count++;
}

void buffer_take(ChannelCore* c, void* element) {
  shade_slot_if_marking(c, slot(c, c->recv_index));
  copy_element(c, element, slot(c, c->recv_index));
  zero_element(c, slot(c, c->recv_index));
  c->recv_index = next_index(c, c->recv_index);
  c->count--;
}

// Performs a send (is_send) or receive on c if it can proceed now, calling unlock() (which
// releases c's lock and, in a select, the others) when it does; otherwise returns false with
// every lock still held. The one body of channel_send, channel_receive and each case of
// select; inlined, so that in channel_send and channel_receive the direction and the unlock
// are constants.
template <class Unlock>
__attribute__((always_inline)) inline bool try_operation(ChannelCore* c, bool is_send, void* element, bool* ok,
                                                         Unlock unlock) {
  if (is_send) {
    if (c->closed) {
      unlock();
      panic("send on closed channel");
    }
    if (ChannelWaiter* receiver = c->receivers.take()) {
      send_to_receiver(c, receiver, element);
      unlock();
      ready(receiver->g);
      return true;
    }
    if (c->count < c->capacity) {
      buffer_put(c, element);
      unlock();
      return true;
    }
    return false;
  }
  if (ChannelWaiter* sender = c->senders.take()) {
    receive_from_sender(c, sender, element);
    unlock();
    ready(sender->g);
    if (ok) *ok = true;
    return true;
  }
  if (c->count > 0) {
    buffer_take(c, element);
    unlock();
    if (ok) *ok = true;
    return true;
  }
  if (c->closed) {
    unlock();
    zero_element(c, element);
    if (ok) *ok = false;
    return true;
  }
  return false;
}

}  // namespace

// Every channel made and not yet freed, so the collector can scan their buffers.
static RankedLock<LockRank::ChannelList> live_channels_lock;
static ChannelCore* live_channels = nullptr;  // live_channels_lock

void for_each_channel(void (*visit)(ChannelCore* c, void* arg), void* arg) {
  LockGuard guard(live_channels_lock);
  for (ChannelCore* c = live_channels; c != nullptr; c = c->next_live) visit(c, arg);
}

ChannelCore* channel_make(uint32_t element_size, uint32_t capacity) {
  auto* c = static_cast<ChannelCore*>(allocate(sizeof(ChannelCore), false));
  *c = ChannelCore{};
  c->element_size = element_size;
  c->capacity = capacity;
  size_t bytes;
  if (__builtin_mul_overflow(size_t(element_size), size_t(capacity), &bytes)) out_of_memory(SIZE_MAX);
  if (bytes > 0) {
    c->buffer = static_cast<uint8_t*>(allocate_zeroed(bytes, false));  // fresh pages stay untouched
  }
  LockGuard guard(live_channels_lock);
  c->next_live = live_channels;
  if (live_channels != nullptr) live_channels->previous_live = c;
  live_channels = c;
  return c;
}

void* (*collected_allocate)(size_t bytes, size_t alignment, bool noscan) = nullptr;

// The core and its buffer in one collected object (see channel.h): the buffer starts at the
// first 16-byte boundary after the core, so elements keep the alignment explicit buffers get.
// No list, no destructor: unreachable, the collector reclaims it. From a goroutine holding
// no runtime lock (the allocation may start a collection).
ChannelCore* channel_make_collected(uint32_t element_size, uint32_t capacity, bool noscan) {
  auto allocate_collected_object = __atomic_load_n(&collected_allocate, __ATOMIC_ACQUIRE);
  if (allocate_collected_object == nullptr) fatal("channel: a collected channel before the collector's first use");
  constexpr size_t header = (sizeof(ChannelCore) + 15) & ~size_t(15);
  size_t bytes;
  if (__builtin_mul_overflow(size_t(element_size), size_t(capacity), &bytes) || bytes > SIZE_MAX - header)
    out_of_memory(SIZE_MAX);
  auto* c = static_cast<ChannelCore*>(allocate_collected_object(header + bytes, 16, noscan));  // zeroed
  ::new (c) ChannelCore{};
  c->element_size = element_size;
  c->capacity = capacity;
  c->collected = true;
  if (bytes > 0) c->buffer = reinterpret_cast<uint8_t*>(c) + header;
  return c;
}

void channel_free(ChannelCore* c, void (*destroy)(void* element)) {
  if (c == nullptr || c->collected) return;  // a collected core is the collector's to reclaim
  c->lock.lock();
  bool waited_on = c->senders.head != nullptr || c->receivers.head != nullptr;
  c->lock.unlock();
  // Goroutines still wait on it (typically: main is returning, and the process ends with it).
  // Freeing the channel would leave their waiter records pointing into freed memory, so it
  // stays allocated and they stay blocked, exactly as they would have been.
  if (waited_on) return;
  // Nobody else may use a channel being freed, so its buffer is read without the lock (and
  // the destructors the caller passes run outside it).
  if (destroy != nullptr) {
    for (uint32_t i = 0, index = c->recv_index; i < c->count; i++, index = next_index(c, index)) destroy(slot(c, index));
  }
  {
    LockGuard guard(live_channels_lock);
    if (c->previous_live != nullptr) c->previous_live->next_live = c->next_live;
    else live_channels = c->next_live;
    if (c->next_live != nullptr) c->next_live->previous_live = c->previous_live;
  }
  if (c->buffer != nullptr) release(c->buffer);
  release(c);
}

bool channel_send(ChannelCore* c, const void* element, bool block) {
  preemption_point();  // a loop of try_ forms or of hand-offs must still yield its slice
  if (c == nullptr) {
    if (!block) return false;
    block_forever(WaitReason::ChanSendNil);
  }
  c->lock.lock();
  if (try_operation(c, true, const_cast<void*>(element), nullptr, [c] { c->lock.unlock(); })) return true;
  if (!block) {
    c->lock.unlock();
    return false;
  }
  ChannelWaiter me{cpu::current_goroutine(), const_cast<void*>(element), nullptr, nullptr, c, nullptr, 0, false};
  c->senders.push(&me);
  park(WaitReason::ChanSend, unlock_channel, &c->lock);
  if (!me.success) panic("send on closed channel");  // woken by close
  return true;
}

bool channel_receive(ChannelCore* c, void* element, bool* ok, bool block) {
  preemption_point();  // a loop of try_ forms or of hand-offs must still yield its slice
  if (c == nullptr) {
    if (!block) return false;
    block_forever(WaitReason::ChanReceiveNil);
  }
  c->lock.lock();
  if (try_operation(c, false, element, ok, [c] { c->lock.unlock(); })) return true;
  if (!block) {
    c->lock.unlock();
    return false;
  }
  ChannelWaiter me{cpu::current_goroutine(), element, nullptr, nullptr, c, nullptr, 0, false};
  c->receivers.push(&me);
  park(WaitReason::ChanReceive, unlock_channel, &c->lock);
  if (ok) *ok = me.success;  // false: woken by close, element already zeroed
  return true;
}

void channel_close(ChannelCore* c) {
  if (c == nullptr) panic("close of nil channel");
  c->lock.lock();
  if (c->closed) {
    c->lock.unlock();
    panic("close of closed channel");
  }
  c->closed = true;
  // Everyone waiting is woken: receivers get the zero value and ok = false; senders panic.
  ChannelWaiter* woken = nullptr;
  while (ChannelWaiter* w = c->receivers.take()) {
    zero_element(c, w->element);
    w->success = false;
    w->next = woken;
    woken = w;
  }
  while (ChannelWaiter* w = c->senders.take()) {
    w->success = false;
    w->next = woken;
    woken = w;
  }
  c->lock.unlock();
  while (woken != nullptr) {
    ChannelWaiter* next = woken->next;  // read before ready: the record lives on that stack
    ready(woken->g);
    woken = next;
  }
}

uint32_t channel_length(ChannelCore* c) {
  if (c == nullptr) return 0;
  return __atomic_load_n(&c->count, __ATOMIC_RELAXED);
}

// --- select ---

namespace {

// The channel locks a select holds, in address order.
struct LockSet {
  ChannelCore** channels;  // count entries, in address order
  int count;
  void lock_all() {
    for (int i = 0; i < count; i++) channels[i]->lock.lock();
  }
  void unlock_all() {
    for (int i = count - 1; i >= 0; i--) channels[i]->lock.unlock();
  }
};

void unlock_lock_set(Goroutine*, void* set) { static_cast<LockSet*>(set)->unlock_all(); }

// The channels of the cases, each once, in address order: the global lock order.
void collect_locks(const SelectCase* cases, int count, LockSet& set) {
  set.count = 0;
  for (int i = 0; i < count; i++) {
    ChannelCore* c = cases[i].channel;
    if (c == nullptr) continue;
    bool seen = false;
    for (int j = 0; j < set.count; j++) seen = seen || set.channels[j] == c;
    if (seen) continue;
    int j = set.count++;
    while (j > 0 && set.channels[j - 1] > c) {
      set.channels[j] = set.channels[j - 1];
      j--;
    }
    set.channels[j] = c;
  }
}

// Per-case records of one select: a waiter, a channel slot of the lock set, a place in the
// polling order, the element the runtime copies to or from, and for a boxed element type
// the box (see ElementBoxing in runtime/gort.h).
struct SelectScratch {
  ChannelWaiter* waiters;
  ChannelCore** channels;
  uint16_t* order;
  void** elements;
  void** boxes;
};

// The per-case element: the caller's value or variable, or for a boxed type the box (made
// here for a send, before any lock is taken, as Go evaluates every send value first).
void prepare_elements(const SelectCase* cases, int count, SelectScratch scratch) {
  for (int i = 0; i < count; i++) {
    const SelectCase& s = cases[i];
    if (s.boxing == nullptr || s.channel == nullptr) {
      scratch.elements[i] = s.element;
      continue;
    }
    scratch.boxes[i] = s.is_send ? s.boxing->box(s.element) : nullptr;
    scratch.elements[i] = &scratch.boxes[i];
  }
}

// After the select, with no lock held: the chosen receive unboxes into the caller's variable
// (a null box, from a closed channel, gives the zero value); send boxes not taken are freed.
void finish_elements(const SelectCase* cases, int count, int chosen, SelectScratch scratch) {
  for (int i = 0; i < count; i++) {
    const SelectCase& s = cases[i];
    if (s.boxing == nullptr || s.channel == nullptr) continue;
    if (s.is_send && i != chosen) s.boxing->discard(scratch.boxes[i]);
    else if (!s.is_send && i == chosen) s.boxing->unbox(scratch.boxes[i], s.element);
  }
}

int run_select(const SelectCase* cases, int count, bool has_default, SelectScratch scratch) {
  LockSet locks{scratch.channels, 0};
  collect_locks(cases, count, locks);
  if (locks.count == 0) {
    if (has_default) return -1;
    block_forever(WaitReason::SelectNoCases);
  }
  // Poll the cases in a random order, so that no ready case is favoured.
  uint16_t* order = scratch.order;
  for (int i = 0; i < count; i++) {
    int j = int(fastrandn(uint32_t(i + 1)));
    order[i] = order[j];
    order[j] = uint16_t(i);
  }
  // Every channel locked, in address order: the first case in the random order that can
  // proceed is chosen.
  locks.lock_all();
  for (int k = 0; k < count; k++) {
    int i = order[k];
    const SelectCase& s = cases[i];
    if (s.channel != nullptr && try_operation(s.channel, s.is_send, scratch.elements[i], s.ok, [&locks] { locks.unlock_all(); }))
      return i;
  }
  if (has_default) {
    locks.unlock_all();
    return -1;
  }
  // Nothing ready: wait on every case at once.
  SelectState state{0, -1};
  ChannelWaiter* waiters = scratch.waiters;
  Goroutine* g = cpu::current_goroutine();
  for (int i = 0; i < count; i++) {
    ChannelCore* c = cases[i].channel;
    if (c == nullptr) continue;
    waiters[i] = ChannelWaiter{g, scratch.elements[i], nullptr, nullptr, c, &state, int32_t(i), false};
    (cases[i].is_send ? c->senders : c->receivers).push(&waiters[i]);
  }
  park(WaitReason::Select, unlock_lock_set, &locks);
  // Woken by the winning case, whose waiter the waker took off its queue. Take the others off.
  locks.lock_all();
  for (int i = 0; i < count; i++) {
    if (cases[i].channel == nullptr || i == state.winner || waiters[i].channel == nullptr) continue;
    (cases[i].is_send ? cases[i].channel->senders : cases[i].channel->receivers).remove(&waiters[i]);
  }
  locks.unlock_all();
  int i = state.winner;
  if (cases[i].is_send) {
    if (!waiters[i].success) panic("send on closed channel");
  } else if (cases[i].ok) {
    *cases[i].ok = waiters[i].success;
  }
  return i;
}

}  // namespace

// Runs on the goroutine's stack, which may be a fresh 2 KiB segment: the stack check gives
// this frame and its callees room (at most 928 bytes, docs/03-stacks.md), so the records of
// up to four cases live here and those of larger selects on the heap.
int select_cases(const SelectCase* cases, int count, bool has_default) {
  GORT_STACK_CHECK();
  if (count > 65536) fatal("select: more than 65536 cases");  // Go's limit too
  if (count < 0) fatal("select: negative case count");
  constexpr int inline_cases = 4;
  ChannelWaiter inline_waiters[inline_cases];
  ChannelCore* inline_channels[inline_cases];
  uint16_t inline_order[inline_cases];
  void* inline_elements[inline_cases];
  void* inline_boxes[inline_cases];
  SelectScratch scratch{inline_waiters, inline_channels, inline_order, inline_elements, inline_boxes};
  uint8_t* block = nullptr;
  bool collected_block = false;
  if (count > inline_cases) {
    // Pointer-sized arrays first, then the 16-bit order: every array stays aligned.
    size_t waiters = sizeof(ChannelWaiter) * size_t(count), words = sizeof(void*) * size_t(count);
    size_t bytes = waiters + 3 * words + sizeof(uint16_t) * size_t(count);
    // Collected boxes held only here must stay visible to the collector: then the block is a
    // collected object (found from this frame, scanned, reclaimed after the select).
    for (int i = 0; i < count && !collected_block; i++) collected_block = cases[i].boxing != nullptr && cases[i].boxing->collected;
    block = static_cast<uint8_t*>(collected_block ? collected_allocate(bytes, 16, false) : allocate(bytes, false));
    scratch = SelectScratch{reinterpret_cast<ChannelWaiter*>(block), reinterpret_cast<ChannelCore**>(block + waiters),
                            reinterpret_cast<uint16_t*>(block + waiters + 3 * words),
                            reinterpret_cast<void**>(block + waiters + words),
                            reinterpret_cast<void**>(block + waiters + 2 * words)};
  }
  prepare_elements(cases, count, scratch);
  int chosen = run_select(cases, count, has_default, scratch);
  finish_elements(cases, count, chosen, scratch);
  if (block != nullptr && !collected_block) release(block);
  return chosen;
}

}  // namespace gort
