#include "rank/group_ranker.h"

#include <algorithm>
#include <cmath>

namespace keel::rank {
namespace {

// Scales v[0..n) in place per `mode`; statistics skip NaN values (which stay NaN).
void Normalize(Normalization mode, double* v, size_t n) {
  if (mode == Normalization::kNone || n == 0) return;
  double lo = INFINITY, hi = -INFINITY, sum = 0, amax = 0;
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) {
    const double x = v[i];
    if (std::isnan(x)) continue;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    amax = std::max(amax, std::fabs(x));
    sum += x;
    ++count;
  }
  if (count == 0) return;
  switch (mode) {
    case Normalization::kNone:
      break;
    case Normalization::kMax: {
      const double inv = amax > 0 ? 1 / amax : 0;
      for (size_t i = 0; i < n; ++i) v[i] *= inv;
      break;
    }
    case Normalization::kMinMax: {
      const double range = hi - lo;
      for (size_t i = 0; i < n; ++i) v[i] = range > 0 ? (v[i] - lo) / range : v[i] * 0;
      break;
    }
    case Normalization::kZScore: {
      const double mean = sum / static_cast<double>(count);
      double ss = 0;
      for (size_t i = 0; i < n; ++i) {
        if (!std::isnan(v[i])) ss += (v[i] - mean) * (v[i] - mean);
      }
      const double sd = std::sqrt(ss / static_cast<double>(count));
      for (size_t i = 0; i < n; ++i) v[i] = sd > 0 ? (v[i] - mean) / sd : v[i] * 0;
      break;
    }
  }
}

}  // namespace

void GroupRanker::Load(const ScoredCandidates& scored, std::span<const uint32_t> rows) {
  scored_ = &scored;
  rows_.clear();
  for (uint32_t r : rows) {
    if (scored.eligible[r] != 0) rows_.push_back(r);
  }
  const size_t n = rows_.size();
  const size_t nobj = scored.num_objectives;
  norm_.resize(nobj * n);
  for (size_t j = 0; j < nobj; ++j) {
    const double* v = scored.values.data() + j * scored.rows;
    double* out = norm_.data() + j * n;
    for (size_t i = 0; i < n; ++i) out[i] = v[rows_[i]];
    Normalize(scored.normalize[j], out, n);
  }
  const size_t ncaps = scored.cap_cardinality.size();
  cap_offsets_.resize(ncaps + 1);
  cap_offsets_[0] = 0;
  for (size_t c = 0; c < ncaps; ++c) {
    cap_offsets_[c + 1] = cap_offsets_[c] + static_cast<size_t>(scored.cap_cardinality[c]);
  }
  // Counts are zero between calls (Select resets what it touched), so only growth clears.
  if (cap_counts_.size() < cap_offsets_[ncaps]) cap_counts_.assign(cap_offsets_[ncaps], 0);
}

void GroupRanker::Select(std::span<const double> weights, size_t top,
                         std::vector<RankedItem>* out) {
  out->clear();
  const size_t n = rows_.size();
  const size_t nobj = scored_->num_objectives;
  scores_.assign(n, 0.0);
  for (size_t j = 0; j < nobj; ++j) {
    const double w = weights[j];
    if (w == 0) continue;
    const double* v = norm_.data() + j * n;
    for (size_t i = 0; i < n; ++i) scores_[i] += w * v[i];
  }
  order_.resize(n);
  for (size_t i = 0; i < n; ++i) order_[i] = static_cast<uint32_t>(i);
  const double* s = scores_.data();
  auto better = [s](uint32_t a, uint32_t b) {
    const bool na = std::isnan(s[a]);
    const bool nb = std::isnan(s[b]);
    if (na != nb) return nb;  // a number beats NaN
    if (!na && s[a] != s[b]) return s[a] > s[b];
    return a < b;
  };
  const size_t want = top == 0 ? n : std::min(top, n);
  const size_t ncaps = scored_->cap_cardinality.size();
  if (ncaps == 0) {
    // Without caps only the first `want` places matter.
    std::partial_sort(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(want),
                      order_.end(), better);
    for (size_t i = 0; i < want; ++i) out->push_back({rows_[order_[i]], s[order_[i]]});
    return;
  }
  std::sort(order_.begin(), order_.end(), better);
  const size_t rows_total = scored_->rows;
  const int32_t* keys = scored_->cap_keys.data();
  size_t visited = 0;
  for (; visited < n && out->size() < want; ++visited) {
    const uint32_t row = rows_[order_[visited]];
    bool fits = true;
    for (size_t c = 0; c < ncaps && fits; ++c) {
      const size_t slot = cap_offsets_[c] + static_cast<size_t>(keys[c * rows_total + row]);
      fits = cap_counts_[slot] < scored_->cap_limits[c];
    }
    if (!fits) continue;
    for (size_t c = 0; c < ncaps; ++c) {
      ++cap_counts_[cap_offsets_[c] + static_cast<size_t>(keys[c * rows_total + row])];
    }
    out->push_back({row, s[order_[visited]]});
  }
  // Reset only the counters this request touched.
  for (const RankedItem& item : *out) {
    for (size_t c = 0; c < ncaps; ++c) {
      cap_counts_[cap_offsets_[c] + static_cast<size_t>(keys[c * rows_total + item.row])] = 0;
    }
  }
}

}  // namespace keel::rank
