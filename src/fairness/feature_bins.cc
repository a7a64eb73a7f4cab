#include "fairness/feature_bins.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/number_format.h"
#include "fairness/group_assignment.h"

namespace keel::fairness {
namespace {

// Appends the "is missing" condition when any row is missing and points those rows at it.
void AddMissingCondition(const std::string& name, std::vector<int32_t>* codes,
                         std::vector<std::string>* conditions) {
  const int32_t missing = static_cast<int32_t>(conditions->size());
  bool any = false;
  for (auto& c : *codes) {
    if (c < 0) {
      c = missing;
      any = true;
    }
  }
  if (any) conditions->push_back(name + " is missing");
}

BinnedFeature BinNumeric(const Column& column, const BinningOptions& options) {
  BinnedFeature out;
  out.feature = column.name();
  const auto& name = column.name();
  auto values = column.numeric();
  std::vector<double> distinct;
  for (double v : values) {
    if (!std::isnan(v)) distinct.push_back(v);
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  out.codes.assign(values.size(), -1);
  if (distinct.size() <= static_cast<size_t>(options.numeric_bins)) {
    for (double v : distinct) out.conditions.push_back(name + " = " + FormatDouble(v));
    for (size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i])) continue;
      out.codes[i] = static_cast<int32_t>(
          std::lower_bound(distinct.begin(), distinct.end(), values[i]) - distinct.begin());
    }
  } else {
    const std::vector<double> edges = QuantileEdges(values, options.numeric_bins);
    for (size_t b = 0; b <= edges.size(); ++b) {
      if (b == 0) {
        out.conditions.push_back(name + " < " + FormatDouble(edges[0]));
      } else if (b == edges.size()) {
        out.conditions.push_back(name + " >= " + FormatDouble(edges[b - 1]));
      } else {
        out.conditions.push_back(FormatDouble(edges[b - 1]) + " <= " + name + " < " +
                                 FormatDouble(edges[b]));
      }
    }
    for (size_t i = 0; i < values.size(); ++i) {
      if (std::isnan(values[i])) continue;
      out.codes[i] = static_cast<int32_t>(
          std::upper_bound(edges.begin(), edges.end(), values[i]) - edges.begin());
    }
  }
  AddMissingCondition(name, &out.codes, &out.conditions);
  return out;
}

BinnedFeature BinByText(const Column& column, const BinningOptions& options) {
  BinnedFeature out;
  out.feature = column.name();
  const size_t n = column.size();
  // Value ids per row (-1 = missing), then keep the most frequent values.
  std::vector<int32_t> ids(n, -1);
  std::vector<std::string> names;
  if (column.kind() == ColumnKind::kCategorical) {
    names = column.dictionary();
    auto codes = column.codes();
    for (size_t i = 0; i < n; ++i) {
      if (codes[i] >= 0 && static_cast<size_t>(codes[i]) < names.size()) ids[i] = codes[i];
    }
  } else {
    std::unordered_map<std::string, int32_t> index;
    for (size_t i = 0; i < n; ++i) {
      if (column.IsMissing(i)) continue;
      std::string text = column.CellText(i);
      auto [it, inserted] = index.emplace(text, static_cast<int32_t>(names.size()));
      if (inserted) names.push_back(std::move(text));
      ids[i] = it->second;
    }
  }
  std::vector<uint64_t> freq(names.size(), 0);
  for (int32_t id : ids) {
    if (id >= 0) ++freq[static_cast<size_t>(id)];
  }
  std::vector<int32_t> order;
  for (size_t v = 0; v < names.size(); ++v) {
    if (freq[v] > 0) order.push_back(static_cast<int32_t>(v));
  }
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    if (freq[static_cast<size_t>(a)] != freq[static_cast<size_t>(b)]) {
      return freq[static_cast<size_t>(a)] > freq[static_cast<size_t>(b)];
    }
    return names[static_cast<size_t>(a)] < names[static_cast<size_t>(b)];
  });
  const size_t keep = order.size() <= static_cast<size_t>(options.max_categories)
                          ? order.size()
                          : static_cast<size_t>(options.max_categories - 1);
  std::vector<int32_t> remap(names.size(), -1);
  for (size_t k = 0; k < keep; ++k) {
    remap[static_cast<size_t>(order[k])] = static_cast<int32_t>(k);
    out.conditions.push_back(column.name() + " = " + names[static_cast<size_t>(order[k])]);
  }
  const int32_t other = static_cast<int32_t>(out.conditions.size());
  if (keep < order.size()) out.conditions.push_back(column.name() + " = (other)");
  out.codes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (ids[i] < 0) {
      out.codes[i] = -1;
    } else {
      const int32_t r = remap[static_cast<size_t>(ids[i])];
      out.codes[i] = r >= 0 ? r : other;
    }
  }
  AddMissingCondition(column.name(), &out.codes, &out.conditions);
  return out;
}

}  // namespace

Result<BinnedFeature> BinFeature(const Column& column, const BinningOptions& options) {
  if (options.numeric_bins < 2 || options.max_categories < 2) {
    return Status::InvalidArgument(
        "feature binning needs at least 2 numeric bins and 2 categories (got {} and {})",
        options.numeric_bins, options.max_categories);
  }
  switch (column.kind()) {
    case ColumnKind::kNumeric:
      return BinNumeric(column, options);
    case ColumnKind::kTimestamp:
      return Status::Unsupported("column '{}' is a timestamp; slice by a derived column",
                                 column.name());
    default:
      return BinByText(column, options);
  }
}

}  // namespace keel::fairness
