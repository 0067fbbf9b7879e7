// gort::exit: the program-facing way to end the process (Go's os.Exit). No buffers to
// flush: every print call has already written its output whole.
#include "gort.h"
#include "syscall.h"

namespace gort {

void exit(int status) { sys::exit_group(status); }

}  // namespace gort
