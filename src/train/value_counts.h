// The distinct values of one numeric feature with their row counts, gathered a value at a time
// (training straight from a file, train/stream_bins.h) for BinMapper::FitNumericCounts.
//
// Exact while the feature has at most `exact_limit` distinct values: then the counts, and so
// the bin edges, are those BinMapper::FitNumeric finds on the same rows. Beyond that the counts
// become a weighted quantile summary of about `summary_size` points: each point is a value that
// occurs in the data and carries the rows from the previous point (exclusive) to it
// (inclusive), so every cut between two points still lies between two real values, and a value
// holding many rows keeps its own point. Summaries are merged buffer by buffer in the order
// values arrive, so the result does not depend on threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace keel {

class ValueCounts {
 public:
  explicit ValueCounts(size_t exact_limit = size_t{1} << 16, size_t summary_size = size_t{1} << 13)
      : exact_limit_(exact_limit), summary_size_(summary_size) {}

  void Add(float v);  // NaN counts as missing; -0 as +0
  // Sorted distinct values (or summary points) and their counts; call once, at the end.
  void Finish(std::vector<float>* values, std::vector<uint64_t>* counts);

  uint64_t missing() const { return missing_; }
  bool exact() const { return exact_; }

 private:
  void Flush();

  size_t exact_limit_;
  size_t summary_size_;
  uint64_t missing_ = 0;
  bool exact_ = true;
  std::vector<float> pending_;
  std::vector<float> values_;
  std::vector<uint64_t> counts_;
};

}  // namespace keel
