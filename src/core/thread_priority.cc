#include "core/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

namespace keel {

void LowerCurrentThreadPriority() {
#if defined(__linux__)
  // On Linux setpriority(PRIO_PROCESS, tid) sets one thread's nice value.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
}

void RunAtBackgroundPriority(const std::function<void()>& fn) {
  std::thread worker([&fn] {
    LowerCurrentThreadPriority();
    fn();
  });
  worker.join();
}

}  // namespace keel
