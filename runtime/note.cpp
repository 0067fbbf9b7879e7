// Note implementation over futex; see runtime/note.h.
#include "note.h"

#include "fatal.h"
#include "syscall.h"
#include "timer.h"
#include "time.h"

namespace gort {

void Note::wake() {
  if (__atomic_exchange_n(&key_, 1, __ATOMIC_RELEASE) != 0) fatal("Note::wake: double wakeup");
  sys::futex_wake(&key_, 1);
}

void Note::sleep() {
  while (__atomic_load_n(&key_, __ATOMIC_ACQUIRE) == 0) sys::futex_wait(&key_, 0, -1);
}

bool Note::sleep_for(int64_t nanoseconds) {
  int64_t deadline = deadline_after(nanoseconds);  // saturates: no overflow for huge waits
  while (__atomic_load_n(&key_, __ATOMIC_ACQUIRE) == 0) {
    int64_t left = deadline - nanotime();
    if (left <= 0) return false;
    sys::futex_wait(&key_, 0, left);
  }
  return true;
}

}  // namespace gort
