#include "drift/column_values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace keel::drift {
namespace {
size_t RowAt(std::span<const uint32_t> rows, size_t i) { return rows.empty() ? i : rows[i]; }
}  // namespace

double ParseNumberText(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return v;
}

std::vector<double> NumericValues(const Column& col, std::span<const uint32_t> rows) {
  const size_t n = rows.empty() ? col.size() : rows.size();
  std::vector<double> v(n);
  if (col.kind() == ColumnKind::kCategorical) {
    std::vector<double> dict;
    dict.reserve(col.dictionary().size());
    for (const auto& t : col.dictionary()) dict.push_back(ParseNumberText(t));
    const auto codes = col.codes();
    for (size_t i = 0; i < n; ++i) {
      const int32_t c = codes[RowAt(rows, i)];
      v[i] = c < 0 ? std::numeric_limits<double>::quiet_NaN() : dict[static_cast<size_t>(c)];
    }
  } else if (col.kind() == ColumnKind::kNumeric) {
    const auto x = col.numeric();
    for (size_t i = 0; i < n; ++i) v[i] = x[RowAt(rows, i)];
  } else {
    for (size_t i = 0; i < n; ++i) v[i] = col.AsDouble(RowAt(rows, i));
  }
  return v;
}

std::vector<std::pair<std::string, uint64_t>> CountTexts(const Column& col,
                                                         std::span<const uint32_t> rows) {
  std::vector<std::pair<std::string, uint64_t>> out;
  const size_t n = rows.empty() ? col.size() : rows.size();
  if (col.kind() == ColumnKind::kCategorical) {
    std::vector<uint64_t> counts(col.dictionary().size(), 0);
    const auto codes = col.codes();
    for (size_t i = 0; i < n; ++i) {
      const int32_t c = codes[RowAt(rows, i)];
      if (c >= 0) ++counts[static_cast<size_t>(c)];
    }
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] > 0) out.emplace_back(col.dictionary()[i], counts[i]);
    }
  } else {
    std::unordered_map<std::string, uint64_t> counts;
    for (size_t i = 0; i < n; ++i) {
      const size_t r = RowAt(rows, i);
      if (!col.IsMissing(r)) ++counts[col.CellText(r)];
    }
    out.assign(counts.begin(), counts.end());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return out;
}

}  // namespace keel::drift
