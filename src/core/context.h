// Context: what every long-running operation needs to know about its environment.
#pragma once

#include <cstdint>

namespace keel {

// Number of hardware threads, at least 1.
int HardwareThreads();

struct Context {
  // Worker threads for parallel loops; values < 1 mean "all hardware threads".
  int num_threads = 0;
  // Seed for every random choice (splits, subsampling, bootstrap); runs with one seed repeat.
  uint64_t seed = 42;
  // Show a progress bar on stderr (only drawn when stderr is a terminal).
  bool progress = true;

  int threads() const { return num_threads > 0 ? num_threads : HardwareThreads(); }
};

}  // namespace keel
