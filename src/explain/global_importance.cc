#include "explain/global_importance.h"

#include <algorithm>
#include <cmath>

namespace keel {

void SplitImportance(const Model& model, std::vector<double>* gain, std::vector<uint64_t>* splits) {
  gain->assign(model.features.size(), 0.0);
  splits->assign(model.features.size(), 0);
  if (model.kind != Model::Kind::kForest) return;
  for (const Tree& tree : model.forest.trees) {
    for (const TreeNode& node : tree.nodes) {
      if (node.is_leaf()) continue;
      const auto f = static_cast<size_t>(node.feature);
      if (f >= gain->size()) continue;
      if (std::isfinite(node.gain)) (*gain)[f] += node.gain;
      ++(*splits)[f];
    }
  }
}

std::vector<FeatureImportance> ComputeImportance(const Model& model,
                                                 std::span<const double> attributions, size_t rows,
                                                 const std::vector<uint8_t>& used) {
  const size_t nf = model.features.size();
  const auto outputs = static_cast<size_t>(model.num_outputs);
  const size_t group = nf + 1;
  const size_t width = outputs * group;
  std::vector<double> gain;
  std::vector<uint64_t> splits;
  SplitImportance(model, &gain, &splits);
  std::vector<FeatureImportance> out(nf);
  std::vector<double> sums(outputs * nf, 0.0);
  for (size_t r = 0; r < rows; ++r) {
    const double* a = attributions.data() + r * width;
    for (size_t k = 0; k < outputs; ++k) {
      for (size_t f = 0; f < nf; ++f) sums[k * nf + f] += std::abs(a[k * group + f]);
    }
  }
  for (size_t f = 0; f < nf; ++f) {
    FeatureImportance& fi = out[f];
    fi.feature = static_cast<int32_t>(f);
    fi.name = model.features[f].name;
    fi.used = f < used.size() && used[f] != 0;
    fi.gain = gain[f];
    fi.splits = splits[f];
    fi.mean_abs_shap_by_output.resize(outputs, 0.0);
    for (size_t k = 0; k < outputs; ++k) {
      const double m = rows > 0 ? sums[k * nf + f] / static_cast<double>(rows) : 0.0;
      fi.mean_abs_shap_by_output[k] = m;
      fi.mean_abs_shap += m;
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const FeatureImportance& a, const FeatureImportance& b) {
                     if (a.mean_abs_shap != b.mean_abs_shap)
                       return a.mean_abs_shap > b.mean_abs_shap;
                     return a.gain > b.gain;
                   });
  return out;
}

nlohmann::json ImportanceToJson(const Model& model,
                                const std::vector<FeatureImportance>& importance) {
  nlohmann::json list = nlohmann::json::array();
  for (const FeatureImportance& fi : importance) {
    nlohmann::json j = {{"feature", fi.name},
                        {"mean_abs_shap", fi.mean_abs_shap},
                        {"gain", fi.gain},
                        {"splits", fi.splits},
                        {"used", fi.used}};
    if (model.num_outputs > 1) {
      nlohmann::json by = nlohmann::json::object();
      for (size_t k = 0; k < fi.mean_abs_shap_by_output.size(); ++k) {
        const std::string name =
            k < model.labels.classes.size() ? model.labels.classes[k] : std::to_string(k);
        by[name] = fi.mean_abs_shap_by_output[k];
      }
      j["mean_abs_shap_by_class"] = by;
    }
    list.push_back(std::move(j));
  }
  return list;
}

}  // namespace keel
