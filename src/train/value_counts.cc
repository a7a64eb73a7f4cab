#include "train/value_counts.h"

#include <algorithm>
#include <cmath>

namespace keel {
namespace {

constexpr size_t kPendingValues = size_t{1} << 16;

}  // namespace

void ValueCounts::Add(float v) {
  if (std::isnan(v)) {
    ++missing_;
    return;
  }
  pending_.push_back(v == 0.0f ? 0.0f : v);
  if (pending_.size() >= kPendingValues) Flush();
}

void ValueCounts::Flush() {
  if (pending_.empty()) return;
  std::sort(pending_.begin(), pending_.end());
  // Merge the sorted pending values (run-length) with the sorted points.
  std::vector<float> values;
  std::vector<uint64_t> counts;
  values.reserve(values_.size() + pending_.size());
  counts.reserve(values_.size() + pending_.size());
  auto push = [&](float v, uint64_t c) {
    if (!values.empty() && values.back() == v) {
      counts.back() += c;
    } else {
      values.push_back(v);
      counts.push_back(c);
    }
  };
  size_t i = 0;
  size_t j = 0;
  while (i < values_.size() || j < pending_.size()) {
    if (j == pending_.size() || (i < values_.size() && values_[i] <= pending_[j])) {
      push(values_[i], counts_[i]);
      ++i;
    } else {
      push(pending_[j], 1);
      ++j;
    }
  }
  pending_.clear();
  if (values.size() > (exact_ ? exact_limit_ : 2 * summary_size_)) {
    // Compress: one point per summary_size-th of the rows, each the largest value of its rows;
    // a value holding at least that share stays a point of its own (with any rows before it).
    exact_ = false;
    uint64_t total = 0;
    for (uint64_t c : counts) total += c;
    const double step = static_cast<double>(total) / static_cast<double>(summary_size_);
    std::vector<float> pv;
    std::vector<uint64_t> pc;
    uint64_t acc = 0;
    uint64_t cum = 0;
    double next = step;
    for (size_t k = 0; k < values.size(); ++k) {
      acc += counts[k];
      cum += counts[k];
      const bool heavy_next = k + 1 < values.size() && static_cast<double>(counts[k + 1]) >= step;
      if (static_cast<double>(cum) >= next || heavy_next || k + 1 == values.size()) {
        pv.push_back(values[k]);
        pc.push_back(acc);
        acc = 0;
        while (next <= static_cast<double>(cum)) next += step;
      }
    }
    values = std::move(pv);
    counts = std::move(pc);
  }
  values_ = std::move(values);
  counts_ = std::move(counts);
}

void ValueCounts::Finish(std::vector<float>* values, std::vector<uint64_t>* counts) {
  Flush();
  *values = std::move(values_);
  *counts = std::move(counts_);
  values_.clear();
  counts_.clear();
}

}  // namespace keel
