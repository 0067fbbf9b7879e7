// Channels and select (Go's chan.go and select.go). Book: docs/05-channels.md.
//
// A channel is a ring buffer of `capacity` elements (none for an unbuffered channel) plus two
// queues of waiting goroutines, senders and receivers, all under one lock:
//
//   receivers: [w]->[w]          buffer: | e | e | e |   |   |      senders: [w]->[w]
//                                          ^recv_index  ^send_index
//
// Invariants: while goroutines wait to receive, the buffer is empty; while goroutines wait to
// send, the buffer is full. So a sender that finds a waiting receiver copies its element
// straight to the receiver's variable (no copy through the buffer), and a receiver that finds
// a waiting sender takes the oldest buffered element and moves the sender's element into the
// freed slot (or, unbuffered, takes the sender's element directly).
//
// A waiter record (Go's sudog) lives on the waiting goroutine's own stack, which stays put
// while it is parked. A goroutine in select has one waiter on each channel it waits on; all
// share one SelectState, and whoever wakes it first claims it with a compare-and-swap, so it
// is woken exactly once.
//
// Two kinds of channel, decided once when the Channel<T> is constructed (runtime/gort.h):
//   - explicit (the Channel lives on a stack, in a global, or in new'd memory): the core and
//     its buffer are explicit heap blocks, freed by ~Channel, and the core is on the list of
//     live channels (for_each_channel), whose buffers the collector scans as roots;
//   - collected (the Channel's own storage is collected: gc::make<Channel<T>>, or a member of
//     a collected object): channel_make_collected makes the core and the buffer one collected
//     object, on no list, scanned as heap (noscan when the element holds no pointers). So the
//     buffer's pointers keep their targets alive only while the channel is reachable, and a
//     cycle through a channel dies with it. A goroutine blocked on it keeps it alive: its
//     waiter record, on its stack (a root), points to the core. Boxes of such a channel are
//     collected too (ElementBoxing::collected).
// The operations do not tell the two apart: the same lock, buffer and queues.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "gort.h"
#include "spin_lock.h"

namespace gort {

struct Goroutine;
struct ChannelCore;

struct SelectState {
  uint32_t done;  // atomic: 0 until one case claims the select
  int32_t winner;  // the case that claimed it
};

struct ChannelWaiter {
  Goroutine* g;
  void* element;           // sender: the value to send; receiver: where to put it
  ChannelWaiter* next;
  ChannelWaiter* previous;
  ChannelCore* channel;
  SelectState* select;     // null for a plain send or receive
  int32_t case_index;
  bool success;            // false: woken because the channel was closed
};

struct WaiterQueue {
  ChannelWaiter* head = nullptr;
  ChannelWaiter* tail = nullptr;
  void push(ChannelWaiter* w);
  void remove(ChannelWaiter* w);
  // The first waiter whose goroutine can still be woken (claims a select), or null.
  ChannelWaiter* take();
};

struct ChannelCore {
  SpinLock<LockRank::Channel> lock;  // guards everything below; lock order: by address (select)
  uint32_t element_size;
  uint32_t capacity;
  uint32_t count;
  uint32_t send_index;
  uint32_t recv_index;
  bool closed;
  // Set once, at making: a collected core (channel_make_collected), whose buffer follows
  // it in the same collected object and which is on no list; never freed by hand.
  bool collected;
  uint8_t* buffer;  // capacity * element_size bytes: gort's explicit heap, or (collected) just after this core
  WaiterQueue senders;
  WaiterQueue receivers;
  // The list of live explicit channels the collector scans as roots (live_channels_lock in
  // channel.cpp); null in a collected core.
  ChannelCore* next_live;
  ChannelCore* previous_live;
};

// Calls visit(c, arg) for every explicit channel made and not yet freed (collected channels
// are heap objects, not roots), under live_channels_lock
// (visit may take no lock). For the collector, with the world stopped.
void for_each_channel(void (*visit)(ChannelCore* c, void* arg), void* arg);

// The operations are declared once, in gort.h (Channel<T> calls them). Their contracts:
//   channel_send returns false only when !block and the send could not proceed at once;
//   channel_receive returns false only when !block and nothing could be received at once,
//     and sets *ok to false when the channel is closed and drained (the element is zeroed);
//   select_cases returns the index of the case that proceeded, or -1 if none could proceed
//     at once and has_default is set. A SelectCase with a null channel never proceeds, as a
//     nil channel in Go; a receive case's element may be null.

}  // namespace gort
