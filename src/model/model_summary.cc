#include "model/model_summary.h"

#include <algorithm>

#include "model/model_json.h"

namespace keel {

ForestStats ComputeForestStats(const Model& model) {
  ForestStats s;
  s.trees = model.forest.trees.size();
  s.trees_per_output.assign(static_cast<size_t>(std::max(model.num_outputs, 1)), 0);
  s.feature_splits.assign(model.features.size(), 0);
  s.feature_gain.assign(model.features.size(), 0.0);
  double depth_sum = 0;
  s.min_depth = s.trees > 0 ? INT32_MAX : 0;
  for (const Tree& tree : model.forest.trees) {
    if (tree.class_index >= 0 &&
        static_cast<size_t>(tree.class_index) < s.trees_per_output.size()) {
      ++s.trees_per_output[static_cast<size_t>(tree.class_index)];
    }
    s.nodes += tree.nodes.size();
    int depth = 0;
    std::vector<std::pair<int32_t, int>> stack = {{0, 0}};
    while (!stack.empty() && !tree.nodes.empty()) {
      auto [i, d] = stack.back();
      stack.pop_back();
      const TreeNode& n = tree.nodes[static_cast<size_t>(i)];
      if (n.is_leaf()) {
        ++s.leaves;
        depth = std::max(depth, d);
        continue;
      }
      if (n.is_categorical) ++s.categorical_splits;
      if (n.feature >= 0 && static_cast<size_t>(n.feature) < s.feature_splits.size()) {
        ++s.feature_splits[static_cast<size_t>(n.feature)];
        s.feature_gain[static_cast<size_t>(n.feature)] += n.gain;
      }
      stack.push_back({n.left, d + 1});
      stack.push_back({n.right, d + 1});
    }
    s.min_depth = std::min(s.min_depth, depth);
    s.max_depth = std::max(s.max_depth, depth);
    depth_sum += depth;
  }
  if (s.trees > 0) s.mean_depth = depth_sum / static_cast<double>(s.trees);
  return s;
}

nlohmann::json ModelSummaryJson(const Model& model, const ArtifactInfo* info) {
  nlohmann::json j = ModelMetadataToJson(model);
  if (info != nullptr) {
    nlohmann::json sections = nlohmann::json::array();
    for (const auto& s : info->sections) {
      sections.push_back(
          {{"tag", s.tag}, {"required", s.required}, {"offset", s.offset}, {"bytes", s.length}});
    }
    j["file"] = {{"format_version", info->format_version},
                 {"bytes", info->file_size},
                 {"sha256", info->sha256},
                 {"sections", sections}};
  }
  if (model.kind == Model::Kind::kForest) {
    const ForestStats s = ComputeForestStats(model);
    j["forest"] = {{"trees", s.trees},
                   {"trees_per_output", s.trees_per_output},
                   {"nodes", s.nodes},
                   {"leaves", s.leaves},
                   {"categorical_splits", s.categorical_splits},
                   {"depth", {{"min", s.min_depth}, {"mean", s.mean_depth}, {"max", s.max_depth}}}};
    for (size_t f = 0; f < model.features.size(); ++f) {
      j["features"][f]["splits"] = s.feature_splits[f];
      j["features"][f]["gain"] = s.feature_gain[f];
    }
  } else {
    j["linear"] = {{"terms", model.linear.terms.size()}, {"l2", model.linear.l2}};
  }
  j["sections"] = nlohmann::json::object();
  for (const auto& [name, value] : model.sections) j["sections"][name] = value;
  return j;
}

}  // namespace keel
