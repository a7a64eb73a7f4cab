#include "explain/linear_attribution.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/split_rule.h"

namespace keel {
namespace {

class LinearAttribution final : public Explainer {
 public:
  static Result<std::unique_ptr<LinearAttribution>> Build(const Model& model);

  void ExplainRows(const float* rows, size_t n, size_t stride, double* out,
                   ExplainScratch* scratch) const override;

 private:
  struct Term {
    int32_t feature = 0;
    LinearTerm::Kind kind = LinearTerm::Kind::kNumeric;
    int64_t category = 0;
    double center = 0;
    double scale = 1;
    double reference = 0;
    // kOtherCategory: the feature's one-hot codes, sorted.
    int32_t codes_begin = 0;
    int32_t codes_count = 0;
  };

  LinearAttribution() = default;
  double TermValue(const Term& term, float xf) const;

  std::vector<Term> terms_;
  std::vector<int64_t> codes_;
  std::vector<double> weights_;  // weights_[t * num_outputs + k]
};

// The term's value as model.h defines it (the same as LinearTermValue in
// predict/reference_evaluator.h, with the one-hot codes of a feature gathered once).
double LinearAttribution::TermValue(const Term& term, float x) const {
  const bool missing = std::isnan(x);
  switch (term.kind) {
    case LinearTerm::Kind::kNumeric:
      return missing ? 0.0 : (static_cast<double>(x) - term.center) / term.scale;
    case LinearTerm::Kind::kMissingIndicator:
      return missing ? 1.0 : 0.0;
    case LinearTerm::Kind::kCategory: {
      const int64_t code = CategoryCodeOf(x);
      return code >= 0 && code == term.category ? 1.0 : 0.0;
    }
    case LinearTerm::Kind::kOtherCategory: {
      if (missing) return 0.0;
      const int64_t code = CategoryCodeOf(x);
      const int64_t* begin = codes_.data() + term.codes_begin;
      return code >= 0 && std::binary_search(begin, begin + term.codes_count, code) ? 0.0 : 1.0;
    }
  }
  return 0.0;
}

void LinearAttribution::ExplainRows(const float* rows, size_t n, size_t stride, double* out,
                                    ExplainScratch*) const {
  const size_t width = row_width();
  const size_t group = static_cast<size_t>(num_features_) + 1;
  const auto outputs = static_cast<size_t>(num_outputs_);
  for (size_t r = 0; r < n; ++r) {
    const float* row = rows + r * stride;
    double* o = out + r * width;
    std::fill(o, o + width, 0.0);
    for (size_t k = 0; k < outputs; ++k) o[k * group + group - 1] = expected_value_[k];
    for (size_t t = 0; t < terms_.size(); ++t) {
      const Term& term = terms_[t];
      const double delta = TermValue(term, row[term.feature]) - term.reference;
      if (delta == 0) continue;
      const double* w = weights_.data() + t * outputs;
      for (size_t k = 0; k < outputs; ++k) {
        o[k * group + static_cast<size_t>(term.feature)] += w[k] * delta;
      }
    }
  }
}

Result<std::unique_ptr<LinearAttribution>> LinearAttribution::Build(const Model& model) {
  if (model.kind != Model::Kind::kLinear) {
    return Status::InvalidArgument("linear attributions need a linear model");
  }
  const LinearModel& lin = model.linear;
  const auto outputs = static_cast<size_t>(model.num_outputs);
  if (model.num_outputs < 1 || lin.weights.size() != lin.terms.size() * outputs) {
    return Status::InvalidArgument("linear model has {} weights for {} terms x {} outputs",
                                   lin.weights.size(), lin.terms.size(), model.num_outputs);
  }
  std::unique_ptr<LinearAttribution> la(new LinearAttribution());
  la->num_features_ = static_cast<int>(model.features.size());
  la->num_outputs_ = model.num_outputs;
  la->expected_value_ = model.base_margin;
  la->expected_value_.resize(outputs, 0.0);
  la->used_features_.assign(model.features.size(), 0);
  la->weights_ = lin.weights;
  for (size_t t = 0; t < lin.terms.size(); ++t) {
    const LinearTerm& src = lin.terms[t];
    if (src.feature < 0 || src.feature >= la->num_features_) {
      return Status::InvalidArgument("linear term {} refers to feature {} of {}", t, src.feature,
                                     la->num_features_);
    }
    Term term;
    term.feature = src.feature;
    term.kind = src.kind;
    term.category = src.category;
    term.center = src.center;
    term.scale = src.kind == LinearTerm::Kind::kNumeric ? src.scale : 1.0;
    term.reference = src.kind == LinearTerm::Kind::kNumeric ? 0.0 : src.center;
    if (src.kind == LinearTerm::Kind::kOtherCategory) {
      term.codes_begin = static_cast<int32_t>(la->codes_.size());
      for (const LinearTerm& other : lin.terms) {
        if (other.feature == src.feature && other.kind == LinearTerm::Kind::kCategory) {
          la->codes_.push_back(other.category);
        }
      }
      std::sort(la->codes_.begin() + term.codes_begin, la->codes_.end());
      term.codes_count = static_cast<int32_t>(la->codes_.size()) - term.codes_begin;
    }
    for (size_t k = 0; k < outputs; ++k) {
      const double w = lin.weights[t * outputs + k];
      la->expected_value_[k] += w * term.reference;
      if (w != 0) la->used_features_[static_cast<size_t>(src.feature)] = 1;
    }
    la->terms_.push_back(term);
  }
  return la;
}

}  // namespace

Result<std::unique_ptr<Explainer>> CreateLinearAttribution(const Model& model) {
  KEEL_ASSIGN_OR_RETURN(auto la, LinearAttribution::Build(model));
  return std::unique_ptr<Explainer>(std::move(la));
}

}  // namespace keel
