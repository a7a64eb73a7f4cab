#include "core/context.h"

#include <thread>

namespace keel {

int HardwareThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

Status Context::CheckCancelled(const char* what) const {
  if (cancelled()) return Status::Cancelled("{} was cancelled", what);
  return Status::OK();
}

}  // namespace keel
