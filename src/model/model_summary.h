// What `keel inspect` shows of a model: everything except the bulk tree arrays and linear
// weights, plus statistics of the trees (count, depth, nodes, leaves, per output) and the
// container's checksums and sections.
#pragma once

#include <nlohmann/json.hpp>

#include "model/model.h"
#include "model/model_io.h"

namespace keel {

struct ForestStats {
  size_t trees = 0;
  size_t nodes = 0;
  size_t leaves = 0;
  size_t categorical_splits = 0;
  int min_depth = 0;
  int max_depth = 0;
  double mean_depth = 0;
  std::vector<size_t> trees_per_output;
  // Per feature: how many splits use it, and the sum of their gains.
  std::vector<size_t> feature_splits;
  std::vector<double> feature_gain;
};

ForestStats ComputeForestStats(const Model& model);

// The summary object: format (from `info`, when given), task, objective, kind, outputs,
// base_margin, target, labels, features (with split counts), schema, forest statistics or
// linear term counts, and every section in full.
nlohmann::json ModelSummaryJson(const Model& model, const ArtifactInfo* info);

}  // namespace keel
