// Context: what every use case and every long-running stage operation needs to know about the
// environment it runs in. One Context is built at the edge (the CLI from --threads, --quiet
// and --json; the server at start; the Python package per call) and passed down by const
// reference; stages read their thread count, seed, progress setting and cancellation from it
// instead of carrying their own copies of those settings.
//
// Logging is not part of it: core/log.h is one process-wide sink (stderr by default) whose
// level the edge sets. Nor are seeds: every random choice (split, subsampling, bootstrap) is
// seeded by a setting of its request, with its default declared there and recorded in the
// model's lineage or the result, so a run repeats from what it wrote down; a seed here would be
// a second, unrecorded source of the same choice.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "keel/status.h"

namespace keel {

// Number of hardware threads, at least 1.
int HardwareThreads();

// A flag one thread raises and workers poll. Copies of a Context share it.
class CancelFlag {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

struct Context {
  // Worker threads for parallel loops; values < 1 mean "all hardware threads".
  int num_threads = 0;
  // Draw progress bars on stderr (only when stderr is a terminal).
  bool progress = true;
  // Raised by the caller to stop the operation early; null = cannot be cancelled.
  std::shared_ptr<CancelFlag> cancel;

  // The resolved thread count, >= 1: the one place "0 = all cores" is decided.
  int threads() const { return num_threads > 0 ? num_threads : HardwareThreads(); }
  bool cancelled() const { return cancel != nullptr && cancel->cancelled(); }
  // OK, or Cancelled naming `what` was stopped: for loops to return at a safe point.
  Status CheckCancelled(const char* what) const;

  // A copy with another thread count (e.g. one thread per request inside a server).
  Context WithThreads(int n) const {
    Context c = *this;
    c.num_threads = n;
    return c;
  }
  // A copy with progress bars off (inner steps of a use case that draws its own).
  Context Quiet() const {
    Context c = *this;
    c.progress = false;
    return c;
  }
};

}  // namespace keel
