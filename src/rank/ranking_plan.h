// RankingPlan: objectives bound to one model and one set of candidate fields, ready to score
// candidates.
//
// Create() resolves every name of every objective, outcome and constraint once: model
// outputs first (ModelOutputNames), then candidate fields. An unknown name, or arithmetic on
// a field that is not a number, is an error naming the file, line, objective and name, and
// listing what is available. A categorical field may be compared with a text literal
// (country == "US"); comparing a number with a text is an error here. Score() then predicts a table
// of candidates and evaluates all expressions over its columns in blocks (expression.h), allocating
// per call, never per candidate. A plan is immutable: concurrent Score() calls are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "predict/predictor.h"
#include "rank/objectives.h"

namespace keel::rank {

// A candidate (or request) field expressions may read: its name and column kind.
struct FieldInfo {
  std::string name;
  ColumnKind kind = ColumnKind::kNumeric;
};

// The fields of every column of `table`.
std::vector<FieldInfo> FieldsOf(const Table& table);

// Names of the model outputs expressions may read, in slot order: binary `p` (probability
// of classes[1]), prob_<classes[0]>, prob_<classes[1]>; multiclass prob_<class> per class;
// regression `prediction`.
std::vector<std::string> ModelOutputNames(const Model& model);

struct PlanOptions {
  // Also bind each objective's `outcome` expression (keel tradeoff on logged data). When
  // false, outcomes are ignored.
  bool outcomes = false;
};

// Everything Score() computes for a table of candidates. Arrays are objective-major:
// values[j * rows + r] is objective j of row r.
struct ScoredCandidates {
  size_t rows = 0;
  size_t num_objectives = 0;
  std::vector<double> values;
  // Same layout; empty unless the plan binds outcomes. NaN for objectives without one.
  std::vector<double> outcomes;
  // 1 when row r satisfies every condition constraint (a NaN comparison fails).
  std::vector<uint8_t> eligible;
  // For each max_per constraint c: cap_keys[c * rows + r] is row r's group, a dense id in
  // [0, cap_cardinality[c]); missing values share one id of their own.
  std::vector<int32_t> cap_keys;
  std::vector<int32_t> cap_cardinality;
  std::vector<uint32_t> cap_limits;  // the constraint's count, per max_per constraint
  // Each objective's normalisation (from the objectives), for GroupRanker.
  std::vector<Normalization> normalize;
  // The model's outputs in slot order (ModelOutputNames), output-major.
  std::vector<double> model_outputs;
};

class RankingPlan {
 public:
  // Binds `objectives` to `model` and `fields`. Errors: NotFound "<source>:<line>:
  // objective \"x\": unknown name 'y' ..." for an unknown name; InvalidArgument when an
  // expression reads a categorical or text field, or a max_per field is not a field.
  static Result<std::unique_ptr<RankingPlan>> Create(const Objectives& objectives,
                                                     const Model& model,
                                                     std::span<const FieldInfo> fields,
                                                     const PlanOptions& options = {});

  const Objectives& objectives() const { return objectives_; }
  size_t num_objectives() const { return objectives_.objectives.size(); }
  const std::vector<std::string>& output_names() const { return output_names_; }
  // Candidate fields the plan reads (expressions and max_per), in first-use order.
  const std::vector<std::string>& used_fields() const { return used_fields_; }
  bool binds_outcomes() const { return options_.outcomes; }

  // Predicts every row of `table` with `predictor` (compiled from the plan's `model`) and
  // evaluates objectives, outcomes and constraints, on ctx.threads() threads. `table` must
  // hold every used field (NotFound otherwise) and the model's feature columns (absent ones
  // are all-missing when `allow_absent_features`).
  Result<ScoredCandidates> Score(const Model& model, const Predictor& predictor, const Table& table,
                                 const Context& ctx, bool allow_absent_features = false) const;

 private:
  RankingPlan() = default;

  Objectives objectives_;
  PlanOptions options_;
  std::vector<std::string> output_names_;
  // Slots [0, outputs) are model outputs; slot outputs + i is used_fields_[i].
  std::vector<std::string> used_fields_;
  std::vector<ColumnKind> used_kinds_;
  // Per used field: 1 when an expression compares it with text literals, and those
  // literals (a literal's index is the value Score() gives rows holding that text).
  std::vector<uint8_t> used_text_;
  std::vector<std::vector<std::string>> used_literals_;
  size_t scratch_size_ = 0;
};

}  // namespace keel::rank
