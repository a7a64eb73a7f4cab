#include "predict/compiled_linear.h"

#include <algorithm>
#include <cmath>

#include "model/split_rule.h"

namespace keel {

Result<std::unique_ptr<CompiledLinear>> CompiledLinear::Compile(const Model& model) {
  std::unique_ptr<CompiledLinear> out(new CompiledLinear());
  out->num_outputs_ = model.num_outputs;
  out->base_ = model.base_margin;
  out->weights_ = model.linear.weights;
  const auto& terms = model.linear.terms;
  if (terms.size() >= (size_t{1} << 31)) {
    return Status::ResourceExhausted("linear model with {} terms", terms.size());
  }
  // Explicit category codes of each feature, sorted, for the "other category" terms.
  std::vector<std::vector<int32_t>> codes(model.features.size());
  for (const LinearTerm& t : terms) {
    if (t.kind == LinearTerm::Kind::kCategory)
      codes[static_cast<size_t>(t.feature)].push_back(t.category);
  }
  for (auto& c : codes) std::sort(c.begin(), c.end());
  std::vector<int64_t> offset(model.features.size(), -1);
  for (const LinearTerm& t : terms) {
    Term c{t.kind, static_cast<uint32_t>(t.feature), t.category, t.center, t.scale, 0, 0};
    if (t.kind == LinearTerm::Kind::kOtherCategory) {
      const auto f = static_cast<size_t>(t.feature);
      if (offset[f] < 0) {
        offset[f] = static_cast<int64_t>(out->others_.size());
        out->others_.insert(out->others_.end(), codes[f].begin(), codes[f].end());
        if (out->others_.size() >= (size_t{1} << 31)) {
          return Status::ResourceExhausted("linear model too large to compile");
        }
      }
      c.others_offset = static_cast<uint32_t>(offset[f]);
      c.others_count = static_cast<uint32_t>(codes[f].size());
    }
    out->terms_.push_back(c);
  }
  return out;
}

void CompiledLinear::RawRow(const float* x, double* margins) const {
  const size_t k = static_cast<size_t>(num_outputs_);
  for (size_t o = 0; o < k; ++o) margins[o] = base_[o];
  for (size_t t = 0; t < terms_.size(); ++t) {
    const Term& term = terms_[t];
    const float v = x[term.feature];
    double value = 0;
    switch (term.kind) {
      case LinearTerm::Kind::kNumeric:
        value = std::isnan(v) ? 0.0 : (static_cast<double>(v) - term.center) / term.scale;
        break;
      case LinearTerm::Kind::kMissingIndicator:
        value = std::isnan(v) ? 1.0 : 0.0;
        break;
      case LinearTerm::Kind::kCategory: {
        const int64_t code = CategoryCodeOf(v);
        value = code >= 0 && code == term.category ? 1.0 : 0.0;
        break;
      }
      case LinearTerm::Kind::kOtherCategory: {
        if (std::isnan(v)) break;
        const int64_t code = CategoryCodeOf(v);
        const int32_t* b = others_.data() + term.others_offset;
        const bool listed =
            code >= 0 && std::binary_search(b, b + term.others_count, static_cast<int32_t>(code));
        value = listed ? 0.0 : 1.0;
        break;
      }
    }
    if (value == 0.0) continue;
    const double* w = weights_.data() + t * k;
    for (size_t o = 0; o < k; ++o) margins[o] += value * w[o];
  }
}

}  // namespace keel
