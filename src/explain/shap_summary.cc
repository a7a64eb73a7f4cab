#include "explain/shap_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "explain/reason_codes.h"

namespace keel {
namespace {

// Mid-ranks in [0, 1] of the non-missing values; NaN stays NaN.
std::vector<double> RankColors(const std::vector<double>& values) {
  std::vector<size_t> order;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> color(values.size(), NAN);
  const double denom = order.size() > 1 ? static_cast<double>(order.size() - 1) : 1.0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = order.size() > 1 ? (static_cast<double>(i + j) / 2) / denom : 0.5;
    for (size_t t = i; t <= j; ++t) color[order[t]] = rank;
    i = j + 1;
  }
  return color;
}

}  // namespace

ShapSummary BuildShapSummary(const Model& model, const Explainer& explainer, const FeatureMatrix& x,
                             std::span<const double> attributions,
                             const ShapSummaryOptions& options) {
  ShapSummary s;
  const size_t nf = model.features.size();
  const size_t group = nf + 1;
  const size_t width = explainer.row_width();
  s.output = std::clamp(options.output, 0, std::max(model.num_outputs - 1, 0));
  const auto out_offset = static_cast<size_t>(s.output) * group;
  s.output_name =
      model.num_outputs > 1 && static_cast<size_t>(s.output) < model.labels.classes.size()
          ? model.labels.classes[static_cast<size_t>(s.output)]
          : ScoreName(model, s.output);
  s.expected_value = explainer.expected_value()[static_cast<size_t>(s.output)];
  s.importance = ComputeImportance(model, attributions, x.rows, explainer.used_features());

  const size_t n = std::min(x.rows, std::max<size_t>(options.max_rows, 1));
  for (size_t i = 0; i < n; ++i) s.rows.push_back(n == x.rows ? i : i * x.rows / n);

  // Features ranked by mean |SHAP| of the plotted output.
  std::vector<double> mean_abs(nf, 0.0);
  for (size_t r = 0; r < x.rows; ++r) {
    const double* a = attributions.data() + r * width + out_offset;
    for (size_t f = 0; f < nf; ++f) mean_abs[f] += std::abs(a[f]);
  }
  for (double& m : mean_abs) m = x.rows > 0 ? m / static_cast<double>(x.rows) : 0.0;
  std::vector<size_t> order(nf);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return mean_abs[a] > mean_abs[b]; });
  const size_t shown = std::min(nf, static_cast<size_t>(std::max(options.max_features, 0)));
  for (size_t i = 0; i < shown; ++i) {
    const size_t f = order[i];
    ShapSummaryFeature sf;
    sf.feature = static_cast<int32_t>(f);
    sf.name = model.features[f].name;
    sf.categorical = model.features[f].kind == FeatureSpec::Kind::kCategorical;
    sf.mean_abs_shap = mean_abs[f];
    for (size_t r : s.rows) {
      sf.shap.push_back(attributions[r * width + out_offset + f]);
      sf.value.push_back(static_cast<double>(x.row(r)[f]));
    }
    sf.color = RankColors(sf.value);
    s.features.push_back(std::move(sf));
  }
  return s;
}

}  // namespace keel
