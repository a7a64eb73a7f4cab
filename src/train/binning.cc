#include "train/binning.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/parallel.h"

namespace keel {

float CutBetween(float a, float b) {
  const double mid = (static_cast<double>(a) + static_cast<double>(b)) / 2.0;
  const float t = static_cast<float>(mid);
  if (t > a && t <= b && std::isfinite(t)) return t;
  if (std::isfinite(b)) return b;
  if (std::isfinite(a)) {
    const float up = std::nextafter(a, std::numeric_limits<float>::infinity());
    if (std::isfinite(up)) return up;
  }
  if (a < 0.0f && 0.0f <= b) return 0.0f;
  return b;  // a = FLT_MAX, b = +inf: no finite float lies between
}

namespace {

// Greedy quantile binning of sorted distinct values with counts: values holding at least a
// bin's share of rows get a bin of their own, the rest fill bins of about equal count.
// Returns the index of the last distinct value of each bin.
std::vector<size_t> GreedyBins(std::span<const uint64_t> counts, uint64_t total, int max_bins) {
  const size_t n = counts.size();
  std::vector<size_t> ends;
  if (n <= static_cast<size_t>(max_bins)) {
    ends.resize(n);
    std::iota(ends.begin(), ends.end(), size_t{0});
    return ends;
  }
  const double mean_size = static_cast<double>(total) / max_bins;
  std::vector<uint8_t> big(n, 0);
  int rest_bins = max_bins;
  uint64_t rest_rows = total;
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<double>(counts[i]) >= mean_size) {
      big[i] = 1;
      --rest_bins;
      rest_rows -= counts[i];
    }
  }
  double target = rest_bins > 0 ? static_cast<double>(rest_rows) / rest_bins : 1.0;
  uint64_t cur = 0;
  int bins_left = max_bins;
  for (size_t i = 0; i < n; ++i) {
    if (!big[i]) {
      rest_rows -= counts[i];
    }
    cur += counts[i];
    const bool last = i + 1 == n;
    const bool close = last || big[i] || static_cast<double>(cur) >= target ||
                       (big[i + 1] && static_cast<double>(cur) >= std::max(1.0, target * 0.5)) ||
                       // as many values left as bins: one value per bin from here on
                       n - (i + 1) <= static_cast<size_t>(bins_left - 1);
    if (close) {
      ends.push_back(i);
      cur = 0;
      --bins_left;
      if (!big[i]) --rest_bins;
      if (bins_left <= 1) {
        // The last bin takes everything left.
        if (!last) ends.push_back(n - 1);
        break;
      }
      if (rest_bins > 0) target = static_cast<double>(rest_rows) / rest_bins;
    }
  }
  return ends;
}

}  // namespace

BinMapper BinMapper::FitNumeric(const RawFeature& feature, std::span<const uint32_t> rows,
                                int max_bins) {
  uint64_t missing = 0;
  std::vector<float> vals;
  vals.reserve(rows.size());
  for (uint32_t r : rows) {
    const float v = feature.values[r];
    if (std::isnan(v)) {
      ++missing;
    } else {
      vals.push_back(v == 0.0f ? 0.0f : v);  // -0 and +0 are one value
    }
  }
  std::sort(vals.begin(), vals.end());
  std::vector<float> distinct;
  std::vector<uint64_t> counts;
  for (size_t i = 0; i < vals.size();) {
    size_t j = i;
    while (j < vals.size() && vals[j] == vals[i]) ++j;
    distinct.push_back(vals[i]);
    counts.push_back(j - i);
    i = j;
  }
  return FitNumericCounts(distinct, counts, missing, max_bins);
}

BinMapper BinMapper::FitNumericCounts(std::span<const float> distinct,
                                      std::span<const uint64_t> counts, uint64_t missing,
                                      int max_bins) {
  BinMapper m;
  m.categorical_ = false;
  max_bins = std::clamp(max_bins, 1, kMaxBinsPerFeature - 1);
  m.missing_count_ = missing;
  for (uint64_t c : counts) m.value_count_ += c;
  m.distinct_ = static_cast<int>(distinct.size());
  if (!distinct.empty()) {
    const std::vector<size_t> ends = GreedyBins(counts, m.value_count_, max_bins);
    for (size_t k = 0; k + 1 < ends.size(); ++k) {
      m.cuts_.push_back(CutBetween(distinct[ends[k]], distinct[ends[k] + 1]));
    }
  }
  m.num_bins_ = static_cast<int>(m.cuts_.size()) + 2;  // value bins + missing
  if (distinct.empty()) m.num_bins_ = 2;               // an empty value bin keeps shapes simple
  return m;
}

BinMapper BinMapper::FitCategorical(const RawFeature& feature, std::span<const uint32_t> rows,
                                    int max_cat_bins) {
  const size_t nc = static_cast<size_t>(std::max(feature.num_codes, 0));
  std::vector<uint64_t> count(nc, 0);
  uint64_t missing = 0;
  for (uint32_t r : rows) {
    const int32_t c = feature.codes[r];
    if (c < 0 || static_cast<size_t>(c) >= nc) {
      ++missing;
    } else {
      ++count[static_cast<size_t>(c)];
    }
  }
  return FitCategoricalCounts(count, missing, max_cat_bins);
}

BinMapper BinMapper::FitCategoricalCounts(std::span<const uint64_t> count, uint64_t missing,
                                          int max_cat_bins) {
  BinMapper m;
  m.categorical_ = true;
  max_cat_bins = std::clamp(max_cat_bins, 1, kMaxBinsPerFeature - 2);
  const size_t nc = count.size();
  m.missing_count_ = missing;
  std::vector<int32_t> seen;
  for (size_t c = 0; c < nc; ++c) {
    m.value_count_ += count[c];
    if (count[c] > 0) seen.push_back(static_cast<int32_t>(c));
  }
  m.distinct_ = static_cast<int>(seen.size());
  std::stable_sort(seen.begin(), seen.end(),
                   [&](int32_t a, int32_t b) { return count[a] > count[b]; });
  const size_t own = std::min(seen.size(), static_cast<size_t>(max_cat_bins));
  const bool has_other = seen.size() > own;
  const int value_bins = static_cast<int>(own) + (has_other ? 1 : 0);
  m.num_bins_ = std::max(value_bins, 1) + 1;
  m.bin_of_code_.assign(nc, static_cast<uint8_t>(m.num_bins_ - 1));
  m.codes_of_bin_.assign(static_cast<size_t>(m.num_bins_), {});
  for (size_t i = 0; i < own; ++i) {
    m.bin_of_code_[static_cast<size_t>(seen[i])] = static_cast<uint8_t>(i);
    m.codes_of_bin_[i].push_back(seen[i]);
  }
  if (has_other) {
    m.other_bin_ = static_cast<int>(own);
    for (size_t i = own; i < seen.size(); ++i) {
      m.bin_of_code_[static_cast<size_t>(seen[i])] = static_cast<uint8_t>(own);
      m.codes_of_bin_[own].push_back(seen[i]);
    }
    std::sort(m.codes_of_bin_[own].begin(), m.codes_of_bin_[own].end());
  }
  return m;
}

uint8_t BinMapper::BinOfValue(float v) const {
  if (std::isnan(v)) return static_cast<uint8_t>(missing_bin());
  // Number of cuts <= v.
  return static_cast<uint8_t>(std::upper_bound(cuts_.begin(), cuts_.end(), v) - cuts_.begin());
}

uint8_t BinMapper::BinOfCode(int32_t code) const {
  if (code < 0 || static_cast<size_t>(code) >= bin_of_code_.size()) {
    return static_cast<uint8_t>(missing_bin());
  }
  return bin_of_code_[static_cast<size_t>(code)];
}

Result<BinnedMatrix> BinRows(std::span<const RawFeature> features,
                             std::span<const BinMapper> mappers, std::span<const uint32_t> rows,
                             int threads) {
  if (features.size() != mappers.size()) {
    return Status::Internal("BinRows: {} features but {} bin mappers", features.size(),
                            mappers.size());
  }
  BinnedMatrix m;
  m.rows = rows.size();
  m.cols = features.size();
  m.bins.resize(m.rows * m.cols);
  const size_t cols = m.cols;
  // Row blocks, all features per block: each worker writes whole cache lines of the
  // row-major output instead of striding across it.
  constexpr size_t kBlock = 4096;
  const size_t blocks = (m.rows + kBlock - 1) / kBlock;
  KEEL_RETURN_IF_ERROR(ParallelFor(threads, blocks, [&](size_t blk) {
    const size_t begin = blk * kBlock;
    const size_t end = std::min(m.rows, begin + kBlock);
    for (size_t f = 0; f < cols; ++f) {
      const RawFeature& feat = features[f];
      const BinMapper& map = mappers[f];
      uint8_t* out = m.bins.data() + f;
      if (feat.categorical) {
        for (size_t i = begin; i < end; ++i) out[i * cols] = map.BinOfCode(feat.codes[rows[i]]);
      } else {
        for (size_t i = begin; i < end; ++i) out[i * cols] = map.BinOfValue(feat.values[rows[i]]);
      }
    }
  }));
  return m;
}

}  // namespace keel
