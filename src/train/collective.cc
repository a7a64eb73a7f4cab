#include "train/collective.h"

#include <algorithm>

namespace keel {

Status SingleProcess::ChainReceive(std::span<double> buf) {
  std::fill(buf.begin(), buf.end(), 0.0);
  return Status::OK();
}

}  // namespace keel
