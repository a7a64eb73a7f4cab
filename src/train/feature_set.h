// Choosing the model's features from a table and reading them as the model will.
//
// A column is a feature unless it is the target, the weight column, named in `exclude`,
// a text (string) or timestamp column, or its schema role is not `feature` (id, pii, time,
// ignore, weight; sensitive unless include_sensitive). Numeric columns are numeric
// features; booleans read as 0/1 (model/model.h); categorical
// columns are categorical features whose dictionary is the categories the training rows
// hold (a category seen only outside training is unseen, i.e. missing, for the model).
// Values are converted to float32 here exactly as predict/feature_matrix.h converts them,
// so training sees what prediction will see.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/schema.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "train/binning.h"

namespace keel {

struct FeatureOptions {
  std::string target;
  std::string weight_column;  // excluded from the features when set
  std::vector<std::string> exclude;
  bool include_sensitive = false;
};

struct ExcludedColumn {
  std::string name;
  std::string reason;
};

struct FeatureSet {
  std::vector<FeatureSpec> specs;
  // Per feature, its values for every table row (codes in the spec's dictionary).
  std::vector<RawFeature> raw;
  // Columns that are not features, and why (including features dropped because the
  // training rows hold a single value or none).
  std::vector<ExcludedColumn> excluded;
};

// Why `col` is not a feature ("target", "weight", a role, a kind...), or "" when it is one. The
// training rows may still rule a feature out (all missing or constant: BuildFeatures).
std::string FeatureExclusionReason(const Column& col, const Schema& schema,
                                   const FeatureOptions& options);

// Builds the features, with dictionaries and constant/all-missing checks taken from
// `train_rows`. Errors: NotFound for an --exclude name the table lacks; InvalidArgument
// when no usable feature remains (listing the excluded columns and why).
Result<FeatureSet> BuildFeatures(const Table& table, const Schema& schema,
                                 const FeatureOptions& options,
                                 std::span<const uint32_t> train_rows);

}  // namespace keel
