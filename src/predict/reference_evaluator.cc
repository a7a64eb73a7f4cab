#include "predict/reference_evaluator.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/split_rule.h"

namespace keel {

double LinearTermValue(const Model& model, const LinearTerm& term, const float* x) {
  const float v = x[term.feature];
  switch (term.kind) {
    case LinearTerm::Kind::kNumeric:
      return std::isnan(v) ? 0.0 : (static_cast<double>(v) - term.center) / term.scale;
    case LinearTerm::Kind::kMissingIndicator:
      return std::isnan(v) ? 1.0 : 0.0;
    case LinearTerm::Kind::kCategory:
      // A value that stands for no category (NaN, negative) matches no term.
      return CategoryCodeOf(v) >= 0 && CategoryCodeOf(v) == term.category ? 1.0 : 0.0;
    case LinearTerm::Kind::kOtherCategory: {
      if (std::isnan(v)) return 0.0;
      const int64_t code = CategoryCodeOf(v);
      for (const LinearTerm& t : model.linear.terms) {
        if (code >= 0 && t.feature == term.feature && t.kind == LinearTerm::Kind::kCategory &&
            t.category == code) {
          return 0.0;
        }
      }
      return 1.0;
    }
  }
  return 0.0;
}

void ReferenceRawMargins(const Model& model, const float* x, double* margins) {
  const int k = model.num_outputs;
  for (int o = 0; o < k; ++o) margins[o] = model.base_margin[static_cast<size_t>(o)];
  if (model.kind == Model::Kind::kForest) {
    const bool f64 = model.input_precision == InputPrecision::kFloat64;
    std::vector<double> wide(f64 ? model.features.size() : 0);
    std::copy(x, x + wide.size(), wide.begin());
    for (const Tree& tree : model.forest.trees) {
      const int32_t leaf = f64 ? LeafIndex64(tree, wide.data()) : LeafIndex(tree, x);
      margins[tree.class_index] += tree.nodes[static_cast<size_t>(leaf)].value;
    }
    return;
  }
  const auto& lin = model.linear;
  for (size_t t = 0; t < lin.terms.size(); ++t) {
    const double v = LinearTermValue(model, lin.terms[t], x);
    if (v == 0.0) continue;
    for (int o = 0; o < k; ++o) margins[o] += v * lin.weights[t * static_cast<size_t>(k) + o];
  }
}

void ReferenceRawMargins64(const Model& model, const double* x, double* margins) {
  if (model.kind != Model::Kind::kForest || model.input_precision != InputPrecision::kFloat64) {
    std::vector<float> narrow(model.features.size());
    for (size_t f = 0; f < narrow.size(); ++f) narrow[f] = static_cast<float>(x[f]);
    ReferenceRawMargins(model, narrow.data(), margins);
    return;
  }
  for (int o = 0; o < model.num_outputs; ++o)
    margins[o] = model.base_margin[static_cast<size_t>(o)];
  for (const Tree& tree : model.forest.trees) {
    margins[tree.class_index] += tree.nodes[static_cast<size_t>(LeafIndex64(tree, x))].value;
  }
}

}  // namespace keel
