// The prediction distribution of one variant (champion or challenger) of a served model,
// against the training profile of the model that made the predictions: its mean, and per
// tumbling window of `window_rows` predictions the PSI and the Jensen-Shannon distance (base
// 2) of the window's prediction histogram against the profile's (drift/distances.h), on the
// profile's own bins (binary: P(positive class) on its quantile edges; regression: the value;
// multiclass: the predicted class over the class names).
//
// The counts restart when the variant's model changes (a reload or a new registry version: a
// new ServedModel serial), since the reference is that model's. A model without a training
// profile (imported, or trained before profiles), or window_rows 0, gives a mean but no drift
// (has_reference false).
//
// Thread-safety: every method may be called from any thread (a mutex; Observe is called once
// per request).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "drift/profile.h"
#include "serve/served_model.h"

namespace keel::serve {

struct VariantDriftSnapshot {
  uint64_t predictions = 0;  // rows observed since the model was installed
  double mean = 0;           // their mean prediction (binary: P(positive); multiclass: 0)
  bool has_reference = false;
  uint64_t windows = 0;  // completed windows
  double last_psi = 0;   // of the last completed window (0 before the first)
  double last_js = 0;
  double last_mean = 0;  // mean prediction of the last completed window
};

class VariantDrift {
 public:
  explicit VariantDrift(uint64_t window_rows) : window_rows_(window_rows) {}

  // `n` rows of `model`'s predictions, num_values() per row (what Predict wrote).
  void Observe(const ServedModel& model, const double* values, size_t n);
  VariantDriftSnapshot Snapshot() const;

 private:
  void Reset(const ServedModel& model);  // under mu_

  const uint64_t window_rows_;
  mutable std::mutex mu_;
  uint64_t serial_ = 0;  // of the model the counts are for; 0 = none yet
  bool multiclass_ = false;
  bool has_reference_ = false;
  drift::ColumnSpec spec_;          // the profile's prediction column (edges, categories)
  std::vector<int32_t> class_bin_;  // multiclass: class index -> profile category bin (-1)
  std::vector<double> reference_;   // the profile's counts per bin
  std::vector<double> window_;      // this window's counts per bin
  uint64_t window_n_ = 0;
  double window_sum_ = 0;
  VariantDriftSnapshot snap_;
  double sum_ = 0;
};

}  // namespace keel::serve
