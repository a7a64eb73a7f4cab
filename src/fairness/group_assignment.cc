#include "fairness/group_assignment.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "core/number_format.h"

namespace keel::fairness {
namespace {

std::string BinLabel(const std::vector<double>& edges, size_t bin) {
  const std::string lo = bin == 0 ? std::string("-inf") : FormatDouble(edges[bin - 1]);
  const std::string hi = bin == edges.size() ? std::string("inf") : FormatDouble(edges[bin]);
  return fmt::format("{}{}, {})", bin == 0 ? "(" : "[", lo, hi);
}

std::vector<std::string> BinLabels(const std::vector<double>& edges) {
  std::vector<std::string> labels;
  for (size_t b = 0; b <= edges.size(); ++b) labels.push_back(BinLabel(edges, b));
  return labels;
}

int32_t BinOf(const std::vector<double>& edges, double x) {
  return static_cast<int32_t>(std::upper_bound(edges.begin(), edges.end(), x) - edges.begin());
}

bool ParseNumber(std::string_view text, double* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Builds an assignment from per-row value ids (-1 = missing) and the value names, ordering
// the groups by `less` over the names and appending the missing group when needed.
template <typename Less>
GroupAssignment FromValueIds(std::string name, const std::vector<int32_t>& ids,
                             const std::vector<std::string>& names, Less less) {
  std::vector<uint8_t> used(names.size(), 0);
  bool any_missing = false;
  for (int32_t id : ids) {
    if (id < 0) {
      any_missing = true;
    } else {
      used[static_cast<size_t>(id)] = 1;
    }
  }
  std::vector<int32_t> order;
  for (size_t i = 0; i < names.size(); ++i) {
    if (used[i]) order.push_back(static_cast<int32_t>(i));
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return less(names[a], names[b]); });
  std::vector<int32_t> remap(names.size(), -1);
  GroupAssignment out;
  out.name = name;
  out.definition.attribute = std::move(name);
  out.definition.kind = GroupDefinition::Kind::kValues;
  for (size_t k = 0; k < order.size(); ++k) {
    remap[static_cast<size_t>(order[k])] = static_cast<int32_t>(k);
    out.definition.labels.push_back(names[static_cast<size_t>(order[k])]);
  }
  out.labels = out.definition.labels;
  const int32_t missing_group = static_cast<int32_t>(out.labels.size());
  if (any_missing) out.labels.emplace_back(kMissingGroupLabel);
  out.codes.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    out.codes[i] = ids[i] < 0 ? missing_group : remap[static_cast<size_t>(ids[i])];
  }
  return out;
}

GroupAssignment GroupByText(const Column& column) {
  const size_t n = column.size();
  std::vector<int32_t> ids(n, -1);
  std::vector<std::string> names;
  if (column.kind() == ColumnKind::kCategorical) {
    auto codes = column.codes();
    names = column.dictionary();
    for (size_t i = 0; i < n; ++i) {
      const int32_t c = codes[i];
      ids[i] = (c >= 0 && static_cast<size_t>(c) < names.size()) ? c : -1;
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
  return FromValueIds(column.name(), ids, names, std::less<std::string>());
}

GroupAssignment GroupNumericByValue(const Column& column, const std::vector<double>& distinct) {
  std::vector<std::string> names;
  std::unordered_map<double, int32_t> index;
  for (double v : distinct) {
    index.emplace(v, static_cast<int32_t>(names.size()));
    names.push_back(FormatDouble(v));
  }
  auto values = column.numeric();
  std::vector<int32_t> ids(values.size(), -1);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) ids[i] = index.at(values[i]);
  }
  // `distinct` is sorted, so value ids are already in numeric order.
  return FromValueIds(column.name(), ids, names,
                      [](const std::string&, const std::string&) { return false; });
}

GroupAssignment GroupNumericByBins(const Column& column, std::vector<double> edges) {
  GroupAssignment out;
  out.name = column.name();
  out.definition.attribute = column.name();
  out.definition.kind = GroupDefinition::Kind::kBins;
  out.definition.labels = BinLabels(edges);
  out.definition.edges = std::move(edges);
  const auto& e = out.definition.edges;
  auto values = column.numeric();
  const int32_t num_bins = static_cast<int32_t>(e.size() + 1);
  std::vector<int32_t> bins(values.size());
  bool any_missing = false;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      bins[i] = -1;
      any_missing = true;
    } else {
      bins[i] = BinOf(e, values[i]);
    }
  }
  // Keep every bin the rule defines, even an empty one (user edges may leave one empty); the
  // group tables report its count of 0.
  out.labels = out.definition.labels;
  if (any_missing) out.labels.emplace_back(kMissingGroupLabel);
  for (auto& b : bins) {
    if (b < 0) b = num_bins;
  }
  out.codes = std::move(bins);
  return out;
}

}  // namespace

std::vector<double> QuantileEdges(std::span<const double> values, int bins) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::vector<double> edges;
  if (sorted.size() < 2 || bins < 2) return edges;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  for (int k = 1; k < bins; ++k) {
    double e = sorted[n * static_cast<size_t>(k) / static_cast<size_t>(bins)];
    if (edges.empty() && e <= sorted.front()) {
      // The minimum is tied across this quantile: cut just above it, so the tied minimum gets
      // a bin of its own rather than no cut at all.
      auto next = std::upper_bound(sorted.begin(), sorted.end(), sorted.front());
      if (next == sorted.end()) break;
      e = *next;
    }
    if (!edges.empty() && e <= edges.back()) continue;
    edges.push_back(e);
  }
  return edges;
}

Result<GroupAssignment> AssignGroups(const Column& column, const GroupingOptions& options) {
  if (column.kind() == ColumnKind::kTimestamp) {
    return Status::InvalidArgument(
        "sensitive attribute '{}' is a timestamp column; group by a derived column instead",
        column.name());
  }
  if (column.CountMissing() == column.size()) {
    return Status::InvalidArgument("sensitive attribute '{}' has no non-missing value",
                                   column.name());
  }
  if (column.kind() != ColumnKind::kNumeric) {
    if (!options.edges.empty()) {
      return Status::InvalidArgument(
          "bin edges were given for sensitive attribute '{}', but it is a {} column, not numeric",
          column.name(), ColumnKindName(column.kind()));
    }
    return GroupByText(column);
  }
  std::vector<double> edges = options.edges;
  for (double e : edges) {
    if (!std::isfinite(e)) {
      return Status::InvalidArgument("bin edge {} for sensitive attribute '{}' is not finite",
                                     FormatDouble(e), column.name());
    }
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  if (!edges.empty()) return GroupNumericByBins(column, std::move(edges));

  std::vector<double> distinct;
  for (double v : column.numeric()) {
    if (!std::isnan(v)) distinct.push_back(v);
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= static_cast<size_t>(std::max(options.max_distinct_values, 1))) {
    return GroupNumericByValue(column, distinct);
  }
  if (options.quantile_bins < 2) {
    return Status::InvalidArgument(
        "sensitive attribute '{}' needs at least 2 quantile bins (got {})", column.name(),
        options.quantile_bins);
  }
  return GroupNumericByBins(column, QuantileEdges(column.numeric(), options.quantile_bins));
}

int32_t GroupOfText(const GroupDefinition& definition, std::string_view text) {
  if (text.empty()) return -1;
  if (definition.kind == GroupDefinition::Kind::kBins) {
    double x;
    if (!ParseNumber(text, &x) || std::isnan(x)) return -1;
    return BinOf(definition.edges, x);
  }
  for (size_t g = 0; g < definition.labels.size(); ++g) {
    if (definition.labels[g] == text) return static_cast<int32_t>(g);
  }
  double x;
  if (ParseNumber(text, &x)) {
    const std::string canonical = FormatDouble(x);
    for (size_t g = 0; g < definition.labels.size(); ++g) {
      if (definition.labels[g] == canonical) return static_cast<int32_t>(g);
    }
  }
  return -1;
}

Result<std::vector<int32_t>> ApplyGroupDefinition(const GroupDefinition& definition,
                                                  const Column& column) {
  const size_t n = column.size();
  std::vector<int32_t> out(n, -1);
  if (definition.kind == GroupDefinition::Kind::kBins) {
    if (column.kind() != ColumnKind::kNumeric && column.kind() != ColumnKind::kBoolean) {
      return Status::InvalidArgument(
          "sensitive attribute '{}' was binned by numeric edges, but the data's column is {}",
          definition.attribute, ColumnKindName(column.kind()));
    }
    for (size_t i = 0; i < n; ++i) {
      const double x = column.AsDouble(i);
      if (!std::isnan(x)) out[i] = BinOf(definition.edges, x);
    }
    return out;
  }
  if (column.kind() == ColumnKind::kCategorical) {
    // Map the dictionary once, then each row is one lookup.
    const auto& dict = column.dictionary();
    std::vector<int32_t> map(dict.size());
    for (size_t d = 0; d < dict.size(); ++d) map[d] = GroupOfText(definition, dict[d]);
    auto codes = column.codes();
    for (size_t i = 0; i < n; ++i) {
      const int32_t c = codes[i];
      if (c >= 0 && static_cast<size_t>(c) < map.size()) out[i] = map[static_cast<size_t>(c)];
    }
    return out;
  }
  std::unordered_map<std::string, int32_t> cache;
  for (size_t i = 0; i < n; ++i) {
    if (column.IsMissing(i)) continue;
    std::string text = column.CellText(i);
    auto it = cache.find(text);
    if (it == cache.end()) {
      const int32_t g = GroupOfText(definition, text);
      it = cache.emplace(std::move(text), g).first;
    }
    out[i] = it->second;
  }
  return out;
}

GroupAssignment IntersectGroups(const GroupAssignment& a, const GroupAssignment& b) {
  const size_t n = a.codes.size();
  const size_t nb = b.num_groups();
  std::map<size_t, int32_t> pair_index;  // ordered by (a group, b group)
  for (size_t i = 0; i < n; ++i) {
    pair_index.emplace(static_cast<size_t>(a.codes[i]) * nb + static_cast<size_t>(b.codes[i]),
                       0);
  }
  GroupAssignment out;
  out.name = a.name + "&" + b.name;
  for (auto& [key, index] : pair_index) {
    index = static_cast<int32_t>(out.labels.size());
    out.labels.push_back(a.labels[key / nb] + " & " + b.labels[key % nb]);
  }
  out.codes.resize(n);
  for (size_t i = 0; i < n; ++i) {
    out.codes[i] =
        pair_index.at(static_cast<size_t>(a.codes[i]) * nb + static_cast<size_t>(b.codes[i]));
  }
  return out;
}

nlohmann::json GroupDefinitionToJson(const GroupDefinition& definition) {
  nlohmann::json j;
  j["attribute"] = definition.attribute;
  j["kind"] = definition.kind == GroupDefinition::Kind::kBins ? "bins" : "values";
  j["labels"] = definition.labels;
  j["edges"] = definition.edges;
  return j;
}

Result<GroupDefinition> GroupDefinitionFromJson(const nlohmann::json& j) {
  GroupDefinition d;
  if (!j.is_object()) return Status::Corrupt("group definition is not a JSON object");
  auto attr = j.find("attribute");
  auto kind = j.find("kind");
  auto labels = j.find("labels");
  auto edges = j.find("edges");
  if (attr == j.end() || !attr->is_string()) {
    return Status::Corrupt("group definition lacks a string 'attribute'");
  }
  d.attribute = attr->get<std::string>();
  if (kind == j.end() || !kind->is_string() ||
      (kind->get<std::string>() != "values" && kind->get<std::string>() != "bins")) {
    return Status::Corrupt("group definition of '{}' lacks 'kind' (values or bins)", d.attribute);
  }
  d.kind = kind->get<std::string>() == "bins" ? GroupDefinition::Kind::kBins
                                              : GroupDefinition::Kind::kValues;
  if (labels == j.end() || !labels->is_array()) {
    return Status::Corrupt("group definition of '{}' lacks a 'labels' array", d.attribute);
  }
  for (const auto& l : *labels) {
    if (!l.is_string()) {
      return Status::Corrupt("group definition of '{}' has a non-string label", d.attribute);
    }
    d.labels.push_back(l.get<std::string>());
  }
  if (edges != j.end()) {
    if (!edges->is_array()) {
      return Status::Corrupt("group definition of '{}' has non-array 'edges'", d.attribute);
    }
    for (const auto& e : *edges) {
      if (!e.is_number()) {
        return Status::Corrupt("group definition of '{}' has a non-numeric edge", d.attribute);
      }
      d.edges.push_back(e.get<double>());
    }
  }
  if (d.kind == GroupDefinition::Kind::kBins) {
    if (!std::is_sorted(d.edges.begin(), d.edges.end()) ||
        std::adjacent_find(d.edges.begin(), d.edges.end()) != d.edges.end()) {
      return Status::Corrupt("group definition of '{}' has edges that are not increasing",
                             d.attribute);
    }
    if (d.labels.size() != d.edges.size() + 1) {
      return Status::Corrupt("group definition of '{}' has {} labels for {} edges", d.attribute,
                             d.labels.size(), d.edges.size());
    }
  }
  return d;
}

}  // namespace keel::fairness
