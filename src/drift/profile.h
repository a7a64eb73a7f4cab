// Profiles: per-column summaries of a data set, built in one pass and mergeable.
//
// A profile is what drift detection compares. The training profile is stored in the model
// artifact (model.sections["profile"], see docs/drift.md for the JSON format) so the training
// data is never read again; stream windows and parallel chunks build profiles of the same
// layout and merge them.
//
// The layout (ProfileLayout) is the fixed part two profiles must share to be merged or
// compared: which columns, the histogram bin edges of each numeric column (quantile edges of
// the reference data), the tracked categories of each categorical column (the reference's
// most frequent ones) and the sensitive-attribute groups. The accumulators (ColumnStats) hold
// per column:
//   count, missing        exact
//   mean, m2, min, max    numeric; merged with Chan's formula (equal up to rounding)
//   histogram             exact counts per bin (numeric: edges.size()+1 bins; categorical:
//                         one per tracked category)
//   sketch                numeric: KLL quantile sketch (rank error <= 2.5/k, see
//                         quantile_sketch.h)
//   exact                 numeric: every distinct value with its count while there are at
//                         most `exact_limit` of them (then KS/Wasserstein are exact)
//   others                categorical: Misra-Gries summary of categories outside the tracked
//                         list (new categories in a window appear here)
// and, when the layout has sensitive attributes, per group: rows, selected rows (prediction
// >= selection_threshold) and the sum of predictions.
//
// Missing values: NaN, infinities and missing category codes count in `missing` only.
// Thread-safety: a Profile is a value; build one per thread and Merge.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "drift/frequent_items.h"
#include "drift/probability_bins.h"
#include "drift/quantile_sketch.h"
#include "drift/value_counter.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel::drift {

// What a profiled column stands for.
enum class ProfileRole : uint8_t { kFeature, kPrediction, kLabel };
enum class ValueKind : uint8_t { kNumeric, kCategorical };

std::string_view ProfileRoleName(ProfileRole role);
std::string_view ValueKindName(ValueKind kind);

struct ColumnSpec {
  std::string name;
  ProfileRole role = ProfileRole::kFeature;
  ValueKind kind = ValueKind::kNumeric;
  // Kind of the data column the values come from (timestamps are profiled as epoch seconds).
  ColumnKind source_kind = ColumnKind::kNumeric;
  // Numeric: strictly increasing bin edges; value v falls in bin (number of edges <= v).
  std::vector<double> edges;

  size_t num_bins() const { return kind == ValueKind::kNumeric ? edges.size() + 1 : categories_.size(); }
  size_t BinOf(double v) const;

  // Categorical: the tracked categories, in bin order.
  const std::vector<std::string>& categories() const { return categories_; }
  void SetCategories(std::vector<std::string> categories);
  // Bin of a category text (exact match), or -1 when it is not tracked.
  int32_t CategoryIndex(std::string_view text) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> categories_;
  std::unordered_map<std::string, int32_t, Hash, std::equal_to<>> index_;
};

// One sensitive attribute and its groups (fairness drift).
struct GroupSpec {
  std::string attribute;
  ValueKind kind = ValueKind::kCategorical;
  std::vector<double> edges;        // numeric attribute: groups are the bins of these edges
  std::vector<std::string> groups;  // group names (categories, or "[lo, hi)" for bins)

  // Group of a numeric value (bin), or -1 for NaN.
  int32_t GroupOf(double v) const;
  // Group of a category text, or -1 when unknown.
  int32_t GroupOf(std::string_view text) const;
};

struct ProfileLayout {
  std::vector<ColumnSpec> columns;
  std::vector<GroupSpec> groups;
  // A prediction >= this counts as selected in the group statistics.
  double selection_threshold = 0.5;
  uint32_t sketch_k = QuantileSketch::kDefaultK;
  uint32_t exact_limit = ValueCounter::kDefaultLimit;
  uint32_t others_capacity = 100;

  // Index of the column with this name and role, or -1.
  int32_t Find(std::string_view name, ProfileRole role) const;
  // OK when `other` has the same columns (names, roles, kinds, edges, categories) and groups;
  // FailedPrecondition naming the first difference otherwise.
  Status CheckSameAs(const ProfileLayout& other) const;
};

struct ColumnStats {
  uint64_t count = 0;
  uint64_t missing = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::vector<uint64_t> histogram;
  QuantileSketch sketch;
  ValueCounter exact;
  FrequentItems others;

  // Population standard deviation (ddof = 0).
  double StdDev() const;
  // Best available distribution of the non-missing values: the exact value counts while
  // they are kept, else the sketch (exact only before its first compaction).
  StepDistribution Distribution() const;
};

struct GroupStats {
  std::vector<uint64_t> rows;
  std::vector<uint64_t> selected;
  std::vector<double> score_sum;
};

class Profile {
 public:
  explicit Profile(std::shared_ptr<const ProfileLayout> layout);
  Profile(Profile&&) noexcept = default;
  Profile& operator=(Profile&&) noexcept = default;
  Profile(const Profile&) = default;
  Profile& operator=(const Profile&) = default;

  const ProfileLayout& layout() const { return *layout_; }
  std::shared_ptr<const ProfileLayout> shared_layout() const { return layout_; }
  uint64_t rows() const { return rows_; }
  const ColumnStats& column(size_t i) const { return columns_[i]; }
  const GroupStats& group(size_t attribute) const { return groups_[attribute]; }

  // Accumulation. `col` indexes layout().columns; out-of-range indices are our bug (asserted).
  void AddRows(uint64_t n) { rows_ += n; }
  // A numeric value; NaN and infinities count as missing.
  void AddNumber(size_t col, double v);
  // A tracked category by bin (>= 0), or missing (kMissingCode).
  void AddCategory(size_t col, int32_t bin);
  // A category text: its bin when tracked, else the others summary. Empty text is a value.
  void AddCategoryText(size_t col, std::string_view text);
  // One row of a sensitive attribute's group (-1 = unknown: ignored) with its prediction.
  void AddGroupRow(size_t attribute, int32_t group, double prediction);

  // A binary classifier's predicted probability, for the window's label-free performance
  // estimate (stream windows; the training profile keeps none).
  void AddProbability(double p) { probabilities_.Add(p); }
  const ProbabilityBins& probabilities() const { return probabilities_; }

  // Adds `other`'s rows. FailedPrecondition when the layouts differ.
  Status Merge(const Profile& other);

  nlohmann::json ToJson() const;
  // Errors: Corrupt naming the field when the JSON is not a valid profile.
  static Result<Profile> FromJson(const nlohmann::json& j);

 private:
  void InitColumns();

  std::shared_ptr<const ProfileLayout> layout_;
  uint64_t rows_ = 0;
  std::vector<ColumnStats> columns_;
  std::vector<GroupStats> groups_;
  ProbabilityBins probabilities_;  // empty unless AddProbability was called
};

// Options for building a layout from reference data.
struct LayoutOptions {
  uint32_t numeric_bins = 20;       // quantile bins per numeric column (fewer if fewer values)
  uint32_t max_categories = 200;    // tracked categories per categorical column
  uint32_t sketch_k = QuantileSketch::kDefaultK;
  uint32_t exact_limit = ValueCounter::kDefaultLimit;
  uint32_t others_capacity = 100;
  uint32_t group_bins = 4;          // bins for a numeric sensitive attribute (quartiles)
};

// Histogram edges for reference values (NaN skipped): the distinct values themselves when
// there are at most `bins` of them (one bin per value), else the distinct quantiles
// q(i / bins), i = 1..bins-1, of the sorted values (lower value at index floor(i n / bins)).
std::vector<double> QuantileEdges(std::span<const double> values, uint32_t bins);

}  // namespace keel::drift
