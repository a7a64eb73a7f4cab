// Exact counts of distinct numeric values, kept while there are few of them.
//
// Many numeric columns are discrete (hours, ages, counts, codes): for them the profile keeps
// every distinct value with its count, so KS and Wasserstein against a stored reference are
// exact rather than sketched. Once more than `limit` distinct values appear the counter
// gives up (overflowed(), memory released) and the quantile sketch takes over.
// Open addressing keyed on the value's bits: Add is a hash, a probe and an increment.
// Not thread-safe; merge per-thread counters.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "drift/step_distribution.h"

namespace keel::drift {

class ValueCounter {
 public:
  static constexpr uint32_t kDefaultLimit = 1024;

  explicit ValueCounter(uint32_t limit = kDefaultLimit);

  // Counts a finite value (callers skip NaN); -0.0 counts as 0.0.
  void Add(double v, uint64_t count = 1);
  void Merge(const ValueCounter& other);
  // Gives up: drops the counts and marks the counter overflowed.
  void MarkOverflowed();

  bool overflowed() const { return overflowed_; }
  uint32_t limit() const { return limit_; }
  size_t distinct() const { return size_; }

  // (value, count) pairs sorted by value; empty when overflowed.
  std::vector<std::pair<double, uint64_t>> Sorted() const;
  // The counts as an exact step distribution (empty when overflowed).
  StepDistribution ToDistribution() const;

 private:
  struct Slot {
    double value = 0;
    uint64_t count = 0;  // 0 = empty slot
  };
  void Grow();

  uint32_t limit_;
  bool overflowed_ = false;
  size_t size_ = 0;
  std::vector<Slot> slots_;  // power-of-two size, at most half full
};

}  // namespace keel::drift
