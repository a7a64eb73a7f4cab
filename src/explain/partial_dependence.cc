#include "explain/partial_dependence.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "explain/feature_value_text.h"
#include "model/split_rule.h"

namespace keel {
namespace {

std::vector<float> NumericGrid(const std::vector<float>& values, int points) {
  std::vector<float> sorted;
  for (float v : values) {
    if (!std::isnan(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<float> grid;
  if (sorted.empty()) return grid;
  const int n = std::max(points, 2);
  for (int g = 0; g < n; ++g) {
    // Nearest-rank quantile g / (n - 1): the minimum and the maximum are grid points.
    const double q = static_cast<double>(g) / (n - 1);
    const auto i = static_cast<size_t>(std::llround(q * static_cast<double>(sorted.size() - 1)));
    if (grid.empty() || grid.back() != sorted[i]) grid.push_back(sorted[i]);
  }
  return grid;
}

}  // namespace

Result<PartialDependence> ComputePartialDependence(const Model& model, const Predictor& predictor,
                                                   const FeatureMatrix& x, int feature,
                                                   const PartialDependenceOptions& options) {
  if (feature < 0 || static_cast<size_t>(feature) >= model.features.size()) {
    return Status::InvalidArgument("partial dependence: feature {} of {}", feature,
                                   model.features.size());
  }
  if (x.cols != model.features.size() || predictor.num_features() != x.cols) {
    return Status::InvalidArgument("partial dependence: the matrix has {} columns, the model {}",
                                   x.cols, model.features.size());
  }
  if (x.rows == 0) return Status::FailedPrecondition("partial dependence needs at least one row");
  const FeatureSpec& spec = model.features[static_cast<size_t>(feature)];
  const auto f = static_cast<size_t>(feature);

  // The rows averaged: all, or max_rows evenly spaced ones.
  const size_t n = std::min(x.rows, std::max<size_t>(options.max_rows, 1));
  std::vector<float> sample(n * x.cols);
  std::vector<float> column(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t r = n == x.rows ? i : i * x.rows / n;
    std::copy(x.row(r), x.row(r) + x.cols, sample.data() + i * x.cols);
    column[i] = x.row(r)[f];
  }

  PartialDependence pd;
  pd.feature = feature;
  pd.name = spec.name;
  pd.categorical = spec.kind == FeatureSpec::Kind::kCategorical;
  pd.num_outputs = model.num_outputs;
  pd.rows = n;
  if (pd.categorical && !spec.categories.empty()) {
    for (size_t c = 0; c < spec.categories.size(); ++c) pd.grid.push_back(static_cast<float>(c));
  } else if (pd.categorical) {
    std::set<int64_t> codes;
    for (float v : column) {
      const int64_t c = CategoryCodeOf(v);
      if (c >= 0) codes.insert(c);
    }
    for (int64_t c : codes) {
      if (pd.grid.size() == static_cast<size_t>(std::max(options.max_categories, 1))) break;
      pd.grid.push_back(static_cast<float>(c));
    }
  } else {
    pd.grid = NumericGrid(column, options.grid_points);
  }
  if (options.include_missing) pd.grid.push_back(NAN);
  for (float v : pd.grid) pd.labels.push_back(EncodedValueText(spec, v));

  const auto outputs = static_cast<size_t>(model.num_outputs);
  std::vector<double> margins(n * outputs);
  std::vector<double> preds(outputs);
  pd.mean_margin.assign(pd.grid.size() * outputs, 0.0);
  pd.mean_prediction.assign(pd.grid.size() * outputs, 0.0);
  for (size_t g = 0; g < pd.grid.size(); ++g) {
    for (size_t i = 0; i < n; ++i) sample[i * x.cols + f] = pd.grid[g];
    KEEL_RETURN_IF_ERROR(predictor.PredictBatch(sample, n, margins, true, options.threads));
    double* mm = pd.mean_margin.data() + g * outputs;
    double* mp = pd.mean_prediction.data() + g * outputs;
    for (size_t i = 0; i < n; ++i) {
      const double* m = margins.data() + i * outputs;
      predictor.Finalize(m, preds.data());
      for (size_t k = 0; k < outputs; ++k) {
        mm[k] += m[k];
        mp[k] += preds[k];
      }
    }
    for (size_t k = 0; k < outputs; ++k) {
      mm[k] /= static_cast<double>(n);
      mp[k] /= static_cast<double>(n);
    }
  }
  return pd;
}

}  // namespace keel
