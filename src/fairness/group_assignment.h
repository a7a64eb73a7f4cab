// Groups for a sensitive attribute: which group each row belongs to, and the rule that says so.
//
// An audit compares a model's behaviour across the groups of a sensitive attribute (gender,
// age band, marital status). Text, categorical and boolean columns, and numeric columns with
// few distinct values (0/1 indicators), are grouped by value; other numeric columns (age) are
// cut into bins at user-set edges or at quantiles. Rows whose value is missing form their own
// group, "(missing)", so they are seen rather than dropped.
//
// The rule (GroupDefinition) is plain data that can be stored in a model artifact and applied
// to new rows at prediction time (group-specific thresholds need it).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"

namespace keel::fairness {

inline constexpr std::string_view kMissingGroupLabel = "(missing)";

struct GroupDefinition {
  enum class Kind : uint8_t { kValues, kBins };
  std::string attribute;  // the column's name
  Kind kind = Kind::kValues;
  // kValues: the value texts (as Column::CellText writes them), one group each.
  // kBins: the group labels "(-inf, e0)", "[e0, e1)", ..., "[ek, inf)".
  std::vector<std::string> labels;
  // kBins: strictly increasing cut points; group 0 is x < edges[0], group i is
  // edges[i-1] <= x < edges[i], the last group is x >= edges.back().
  std::vector<double> edges;
};

struct GroupingOptions {
  // User-set bin edges for a numeric column (sorted and deduplicated here); empty means
  // quantile edges, or grouping by value when the column has few distinct values.
  std::vector<double> edges;
  // Number of quantile bins for a numeric column without user edges.
  int quantile_bins = 4;
  // A numeric column with at most this many distinct values is grouped by value.
  int max_distinct_values = 10;
};

// Rows grouped for one attribute (or an intersection of two).
struct GroupAssignment {
  std::string name;  // the attribute name, or "A&B" for an intersection
  // Group of each row: an index into `labels`, always >= 0 (missing rows have their group).
  std::vector<int32_t> codes;
  // Group names; the missing group, if any row is missing, is labelled kMissingGroupLabel.
  std::vector<std::string> labels;
  // How the groups were formed (for a single attribute; empty attribute for intersections).
  GroupDefinition definition;
  // The number of groups, labels.size().
  size_t num_groups() const { return labels.size(); }
};

// Groups the rows of `column`. Value groups are ordered by their text (numerically for
// numeric columns); bins by their position. Errors: InvalidArgument for a timestamp column,
// non-finite or unsorted user edges, quantile_bins < 2, or a column with no non-missing value.
Result<GroupAssignment> AssignGroups(const Column& column, const GroupingOptions& options = {});

// Groups the rows of `column` by a stored definition. A value the definition does not list, and
// a missing value, gives -1 (the caller decides what such a row gets). Errors: InvalidArgument
// when a binned definition meets a non-numeric column.
Result<std::vector<int32_t>> ApplyGroupDefinition(const GroupDefinition& definition,
                                                  const Column& column);

// The group index of one value, written as text (what a request or a CSV cell holds); -1 when
// the definition does not know it or it is empty. Numeric text is parsed for binned definitions.
int32_t GroupOfText(const GroupDefinition& definition, std::string_view text);

// The intersection of two groupings over the same rows: one group per pair of groups that
// occurs, labelled "a & b", named "A&B". Both must have the same number of rows.
GroupAssignment IntersectGroups(const GroupAssignment& a, const GroupAssignment& b);

// Quantile cut points of the finite values of `values`: up to bins-1 distinct edges, each a
// value that occurs, chosen so that no bin is empty. Empty when fewer than two distinct values.
std::vector<double> QuantileEdges(std::span<const double> values, int bins);

// JSON form stored in artifacts: {"attribute", "kind": "values"|"bins", "labels", "edges"}.
nlohmann::json GroupDefinitionToJson(const GroupDefinition& definition);
// Errors: Corrupt naming the missing or mistyped key.
Result<GroupDefinition> GroupDefinitionFromJson(const nlohmann::json& j);

}  // namespace keel::fairness
