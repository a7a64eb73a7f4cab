#include "data/column_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "core/hash.h"
#include "data/distinct_count.h"

namespace keel {
namespace {

// Distinct values of a column that is sorted apart from missing values (time columns,
// ids): one streaming pass, no table. Returns false when the values are not sorted.
template <typename T, typename IsMissing>
bool CountDistinctSorted(std::span<const T> values, IsMissing is_missing, uint64_t* out) {
  uint64_t distinct = 0;
  bool have = false;
  T last{};
  for (const T v : values) {
    if (is_missing(v)) continue;
    if (have && v < last) return false;
    if (!have || v != last) ++distinct;
    last = v;
    have = true;
  }
  *out = distinct;
  return true;
}

uint64_t CountDistinct(std::span<const double> values) {
  uint64_t sorted;
  if (CountDistinctSorted(
          values, [](double v) { return std::isnan(v); }, &sorted))
    return sorted;
  return CountDistinctKeys(
      [values](auto&& add) {
        for (double v : values) {
          if (std::isnan(v)) continue;
          if (!add(std::bit_cast<uint64_t>(v == 0 ? 0.0 : v))) return;  // -0 is 0
        }
      },
      values.size());
}

uint64_t CountDistinctTimes(std::span<const int64_t> values) {
  uint64_t sorted;
  if (CountDistinctSorted(
          values, [](int64_t v) { return v == kMissingTime; }, &sorted)) {
    return sorted;
  }
  return CountDistinctKeys(
      [values](auto&& add) {
        for (int64_t v : values) {
          if (v != kMissingTime && !add(static_cast<uint64_t>(v))) return;
        }
      },
      values.size());
}

}  // namespace

ColumnStats ComputeColumnStats(const Column& col, bool inferred) {
  ColumnStats s;
  s.name = col.name();
  s.kind = col.kind();
  s.inferred = inferred;
  const size_t n = col.size();
  switch (col.kind()) {
    case ColumnKind::kNumeric: {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
      uint64_t count = 0;
      for (double v : col.numeric()) {
        if (std::isnan(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += v;
        ++count;
      }
      s.count = count;
      if (count > 0) {
        s.min = lo;
        s.max = hi;
        s.mean = sum / static_cast<double>(count);
      }
      s.distinct = CountDistinct(col.numeric());
      break;
    }
    case ColumnKind::kBoolean: {
      uint64_t ones = 0, count = 0;
      for (int8_t v : col.booleans()) {
        if (v == kMissingBool) continue;
        ++count;
        ones += v == 1 ? 1 : 0;
      }
      s.count = count;
      if (count > 0) {
        s.min = ones == count ? 1.0 : 0.0;
        s.max = ones > 0 ? 1.0 : 0.0;
        s.mean = static_cast<double>(ones) / static_cast<double>(count);
      }
      s.distinct = (ones > 0 ? 1 : 0) + (ones < count ? 1 : 0);
      break;
    }
    case ColumnKind::kTimestamp: {
      int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
      double sum = 0;
      uint64_t count = 0;
      for (int64_t v : col.timestamps()) {
        if (v == kMissingTime) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += static_cast<double>(v) / 1e6;
        ++count;
      }
      s.count = count;
      if (count > 0) {
        s.min = static_cast<double>(lo) / 1e6;
        s.max = static_cast<double>(hi) / 1e6;
        s.mean = sum / static_cast<double>(count);
      }
      s.distinct = CountDistinctTimes(col.timestamps());
      break;
    }
    case ColumnKind::kCategorical: {
      std::vector<uint64_t> counts(col.dictionary().size(), 0);
      uint64_t count = 0;
      for (int32_t c : col.codes()) {
        if (c == kMissingCode) continue;
        ++counts[static_cast<size_t>(c)];
        ++count;
      }
      s.count = count;
      std::vector<size_t> order;
      for (size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] > 0) order.push_back(i);
      }
      s.distinct = order.size();
      std::stable_sort(order.begin(), order.end(),
                       [&](size_t a, size_t b) { return counts[a] > counts[b]; });
      for (size_t i = 0; i < order.size() && i < 10; ++i) {
        s.top_values.emplace_back(col.dictionary()[order[i]], counts[order[i]]);
      }
      break;
    }
    case ColumnKind::kString: {
      // Distinct by 64-bit hash: a collision among n values has probability ~n^2 / 2^65.
      const auto& values = col.strings();
      uint64_t count = 0;
      for (size_t i = 0; i < n; ++i) count += col.IsMissing(i) ? 0 : 1;
      s.count = count;
      s.distinct = CountDistinctKeys(
          [&](auto&& add) {
            for (size_t i = 0; i < n; ++i) {
              if (!col.IsMissing(i) && !add(FastHash(values[i]))) return;
            }
          },
          n);
      break;
    }
  }
  s.missing = n - s.count;
  s.missing_rate = n == 0 ? 0.0 : static_cast<double>(s.missing) / static_cast<double>(n);
  return s;
}

}  // namespace keel
