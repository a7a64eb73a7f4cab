#include "serve/live_drift.h"

#include <cmath>

#include "drift/model_profile.h"

namespace keel::serve {

std::unique_ptr<LiveDrift> LiveDrift::Create(const Model& model, const LiveDriftOptions& options,
                                             std::string* why) {
  if (options.window_rows == 0) {
    *why = "live drift windows are off (--drift-window-rows 0)";
    return nullptr;
  }
  auto profile = drift::LoadReferenceProfile(model);
  if (!profile.ok()) {
    *why = profile.status().message();
    return nullptr;
  }
  std::unique_ptr<LiveDrift> d(new LiveDrift());
  d->options_ = options;
  d->nf_ = model.features.size();
  d->task_ = model.task;
  d->nv_ = model.task == Task::kBinary ? 2 : static_cast<size_t>(model.num_outputs);
  d->reference_ = std::make_shared<const drift::Profile>(std::move(profile).value());
  const drift::ProfileLayout& layout = d->reference_->layout();
  for (const FeatureSpec& f : model.features) {
    const int32_t c = layout.Find(f.name, drift::ProfileRole::kFeature);
    if (c < 0) {
      *why = "the training profile has no column for feature '" + f.name + "'";
      return nullptr;
    }
    d->feature_column_.push_back(c);
    d->feature_categorical_.push_back(layout.columns[static_cast<size_t>(c)].kind ==
                                      drift::ValueKind::kCategorical);
    d->categories_.push_back(f.categories);
  }
  d->prediction_column_ =
      layout.Find(drift::PredictionColumnName(model), drift::ProfileRole::kPrediction);
  if (d->prediction_column_ >= 0) {
    d->prediction_categorical_ = layout.columns[static_cast<size_t>(d->prediction_column_)].kind ==
                                 drift::ValueKind::kCategorical;
  }
  drift::WindowOptions wo;
  wo.mode = drift::WindowOptions::Mode::kCount;
  wo.size_rows = options.window_rows;
  wo.slide_rows = options.window_rows;
  wo.min_rows = std::min(options.min_rows, options.window_rows);
  if (Status st = wo.Validate(); !st.ok()) {
    *why = st.message();
    return nullptr;
  }
  LiveDrift* raw = d.get();
  d->monitor_ = std::make_unique<drift::WindowMonitor>(
      d->reference_, wo, [raw](const drift::WindowResult& w) { raw->OnWindow(w); });
  return d;
}

LiveDrift::~LiveDrift() = default;

void LiveDrift::Enqueue(const float* rows, size_t n, const double* values) {
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (queued_rows_.size() / std::max<size_t>(nf_, 1) + n > options_.max_queued_rows) {
    dropped_.fetch_add(n, std::memory_order_relaxed);
    return;
  }
  queued_rows_.insert(queued_rows_.end(), rows, rows + n * nf_);
  queued_values_.insert(queued_values_.end(), values, values + n * nv_);
}

void LiveDrift::Drain() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    std::swap(queued_rows_, draining_rows_);
    std::swap(queued_values_, draining_values_);
  }
  const size_t n = draining_values_.size() / std::max<size_t>(nv_, 1);
  for (size_t i = 0; i < n; ++i) {
    drift::Profile& pane = monitor_->BeginRow(kMissingTime);
    const float* x = draining_rows_.data() + i * nf_;
    for (size_t f = 0; f < nf_; ++f) {
      const auto c = static_cast<size_t>(feature_column_[f]);
      const float v = x[f];
      if (!feature_categorical_[f]) {
        pane.AddNumber(c, v);
      } else if (std::isnan(v) || v < 0 || static_cast<size_t>(v) >= categories_[f].size()) {
        pane.AddCategory(c, kMissingCode);
      } else {
        pane.AddCategoryText(c, categories_[f][static_cast<size_t>(v)]);
      }
    }
    if (prediction_column_ >= 0) {
      const double* p = draining_values_.data() + i * nv_;
      const auto c = static_cast<size_t>(prediction_column_);
      if (prediction_categorical_) {
        size_t best = 0;
        for (size_t k = 1; k < nv_; ++k) {
          if (p[k] > p[best]) best = k;
        }
        pane.AddCategory(c, static_cast<int32_t>(best));
      } else {
        // Binary: P(classes[1]); regression: the value.
        pane.AddNumber(c, task_ == Task::kBinary ? p[1] : p[0]);
      }
    }
    monitor_->EndRow();
  }
  fed_.fetch_add(n, std::memory_order_relaxed);
  draining_rows_.clear();
  draining_values_.clear();
}

void LiveDrift::OnWindow(const drift::WindowResult& w) {
  std::lock_guard<std::mutex> lock(result_mu_);
  ++result_.windows;
  if (w.drifted) ++result_.drifted_windows;
  result_.has_last = true;
  result_.last_drifted = w.drifted;
  result_.last_share_drifted = w.report.verdict.share_drifted;
  result_.last_features.clear();
  for (const auto& f : w.report.features) result_.last_features.emplace_back(f.feature, f.drifted);
  last_json_ = drift::WindowResultToJson(w);
}

LiveDrift::Snapshot LiveDrift::snapshot() const {
  std::lock_guard<std::mutex> lock(result_mu_);
  Snapshot s = result_;
  s.rows = fed_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  return s;
}

nlohmann::json LiveDrift::LastWindowJson() const {
  std::lock_guard<std::mutex> lock(result_mu_);
  return last_json_;
}

}  // namespace keel::serve
