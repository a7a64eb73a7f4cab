#include "predict/reference_evaluator.h"

#include <cmath>

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
    for (const Tree& tree : model.forest.trees) {
      margins[tree.class_index] += tree.nodes[static_cast<size_t>(LeafIndex(tree, x))].value;
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

}  // namespace keel
