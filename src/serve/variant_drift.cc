#include "serve/variant_drift.h"

#include <algorithm>
#include <cmath>

#include "drift/distances.h"
#include "drift/model_profile.h"

namespace keel::serve {

void VariantDrift::Reset(const ServedModel& model) {
  serial_ = model.serial();
  multiclass_ = model.model().task == Task::kMulticlass;
  has_reference_ = false;
  spec_ = {};
  class_bin_.clear();
  reference_.clear();
  window_n_ = 0;
  window_sum_ = 0;
  sum_ = 0;
  snap_ = {};
  auto profile = drift::LoadReferenceProfile(model.model());
  if (!profile.ok()) return;  // no drift without a reference: the mean is still kept
  const drift::ProfileLayout& layout = profile->layout();
  const int32_t col =
      layout.Find(drift::PredictionColumnName(model.model()), drift::ProfileRole::kPrediction);
  if (col < 0) return;
  const drift::ColumnSpec& spec = layout.columns[static_cast<size_t>(col)];
  const drift::ColumnStats& stats = profile->column(static_cast<size_t>(col));
  spec_ = spec;
  if (multiclass_) {
    for (const std::string& c : model.model().labels.classes) {
      class_bin_.push_back(spec.CategoryIndex(c));
    }
  }
  reference_.assign(stats.histogram.begin(), stats.histogram.end());
  window_.assign(reference_.size(), 0);
  has_reference_ = window_rows_ > 0 && !reference_.empty();
  snap_.has_reference = has_reference_;
}

void VariantDrift::Observe(const ServedModel& model, const double* values, size_t n) {
  const size_t nv = model.num_values();
  std::lock_guard<std::mutex> lock(mu_);
  if (serial_ != model.serial()) Reset(model);
  for (size_t i = 0; i < n; ++i) {
    const double* v = values + i * nv;
    size_t bin = 0;
    double p = 0;
    if (multiclass_) {
      const size_t k = static_cast<size_t>(std::max_element(v, v + nv) - v);
      const int32_t b = k < class_bin_.size() ? class_bin_[k] : -1;
      if (has_reference_ && b < 0) continue;  // a class the profile does not track
      bin = static_cast<size_t>(std::max(b, 0));
    } else {
      p = model.model().task == Task::kBinary ? v[1] : v[0];
      if (!std::isfinite(p)) continue;
      bin = spec_.BinOf(p);
    }
    ++snap_.predictions;
    sum_ += p;
    if (!has_reference_) continue;
    window_[bin] += 1;
    window_sum_ += p;
    if (++window_n_ < window_rows_) continue;
    snap_.windows += 1;
    snap_.last_psi = drift::PopulationStabilityIndex(reference_, window_);
    snap_.last_js = drift::JensenShannonDistance(reference_, window_);
    snap_.last_mean = window_sum_ / static_cast<double>(window_n_);
    std::fill(window_.begin(), window_.end(), 0.0);
    window_n_ = 0;
    window_sum_ = 0;
  }
  snap_.mean = snap_.predictions == 0 ? 0 : sum_ / static_cast<double>(snap_.predictions);
}

VariantDriftSnapshot VariantDrift::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snap_;
}

}  // namespace keel::serve
