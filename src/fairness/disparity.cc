#include "fairness/disparity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.h"
#include "core/random.h"

namespace keel::fairness {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The highest and lowest value of one rate over the judged groups where it is defined.
struct Spread {
  double max = kNaN, min = kNaN;
  int argmax = -1, argmin = -1;
  int defined = 0;
  std::vector<int> undefined;
  double difference() const { return defined >= 2 ? max - min : kNaN; }
};

template <typename RateFn>
Spread SpreadOf(std::span<const ConfusionCounts> counts, std::span<const uint8_t> judged,
                RateFn rate) {
  Spread s;
  for (size_t g = 0; g < counts.size(); ++g) {
    if (!judged[g]) continue;
    const double r = rate(RatesOf(counts[g]));
    if (std::isnan(r)) {
      s.undefined.push_back(static_cast<int>(g));
      continue;
    }
    if (s.defined == 0 || r > s.max) s.max = r, s.argmax = static_cast<int>(g);
    if (s.defined == 0 || r < s.min) s.min = r, s.argmin = static_cast<int>(g);
    ++s.defined;
  }
  return s;
}

void Describe(const Spread& s, std::span<const std::string> labels, const char* rate,
              Disparity* d) {
  d->rate = rate;
  if (s.argmax >= 0) d->high_group = labels[static_cast<size_t>(s.argmax)];
  if (s.argmin >= 0) d->low_group = labels[static_cast<size_t>(s.argmin)];
  for (int g : s.undefined) d->undefined_groups.push_back(labels[static_cast<size_t>(g)]);
}

double MinOverMax(const Spread& s) {
  if (s.defined < 2) return kNaN;
  if (s.max == 0) return 1.0;  // every group selected at rate 0: no disparity
  return s.min / s.max;
}

double Percentile(std::vector<double>& sorted, double q) {
  // Linear interpolation between order statistics (numpy's default).
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

std::string_view DisparityName(DisparityMetric metric) {
  switch (metric) {
    case DisparityMetric::kDemographicParityDifference:
      return "demographic_parity_difference";
    case DisparityMetric::kDemographicParityRatio:
      return "demographic_parity_ratio";
    case DisparityMetric::kEqualizedOddsDifference:
      return "equalized_odds_difference";
    case DisparityMetric::kEqualOpportunityDifference:
      return "equal_opportunity_difference";
    case DisparityMetric::kPredictiveParityDifference:
      return "predictive_parity_difference";
    case DisparityMetric::kDisparateImpactRatio:
      return "disparate_impact_ratio";
  }
  return "unknown";
}

bool ParseDisparityMetric(std::string_view text, DisparityMetric* metric) {
  for (DisparityMetric m : kAllDisparityMetrics) {
    if (DisparityName(m) == text) {
      *metric = m;
      return true;
    }
  }
  return false;
}

bool IsRatio(DisparityMetric metric) {
  return metric == DisparityMetric::kDemographicParityRatio ||
         metric == DisparityMetric::kDisparateImpactRatio;
}

DisparitySet ComputeDisparities(std::span<const ConfusionCounts> counts,
                                std::span<const std::string> labels,
                                std::span<const uint8_t> judged, const DisparityOptions& options) {
  DisparitySet out;
  for (size_t m = 0; m < kNumDisparityMetrics; ++m) out[m].metric = kAllDisparityMetrics[m];
  auto& dp = out[static_cast<size_t>(DisparityMetric::kDemographicParityDifference)];
  auto& dpr = out[static_cast<size_t>(DisparityMetric::kDemographicParityRatio)];
  auto& eo = out[static_cast<size_t>(DisparityMetric::kEqualizedOddsDifference)];
  auto& eop = out[static_cast<size_t>(DisparityMetric::kEqualOpportunityDifference)];
  auto& pp = out[static_cast<size_t>(DisparityMetric::kPredictiveParityDifference)];
  auto& di = out[static_cast<size_t>(DisparityMetric::kDisparateImpactRatio)];

  const Spread sel =
      SpreadOf(counts, judged, [](const ConfusionRates& r) { return r.selection_rate; });
  const Spread tpr = SpreadOf(counts, judged, [](const ConfusionRates& r) { return r.tpr; });
  const Spread fpr = SpreadOf(counts, judged, [](const ConfusionRates& r) { return r.fpr; });
  const Spread prec = SpreadOf(counts, judged, [](const ConfusionRates& r) { return r.precision; });

  dp.value = sel.difference();
  Describe(sel, labels, "selection_rate", &dp);
  dpr.value = MinOverMax(sel);
  Describe(sel, labels, "selection_rate", &dpr);

  const double tpr_diff = tpr.difference();
  const double fpr_diff = fpr.difference();
  // Fairlearn: the larger of the two differences (TPR wins ties).
  const bool use_fpr = !std::isnan(fpr_diff) && (std::isnan(tpr_diff) || fpr_diff > tpr_diff);
  eo.value = use_fpr ? fpr_diff : tpr_diff;
  Describe(use_fpr ? fpr : tpr, labels, use_fpr ? "fpr" : "tpr", &eo);
  eo.undefined_groups.clear();
  for (const Spread* s : {&tpr, &fpr}) {
    for (int g : s->undefined) {
      const auto& name = labels[static_cast<size_t>(g)];
      if (std::find(eo.undefined_groups.begin(), eo.undefined_groups.end(), name) ==
          eo.undefined_groups.end()) {
        eo.undefined_groups.push_back(name);
      }
    }
  }

  eop.value = tpr_diff;
  Describe(tpr, labels, "tpr", &eop);
  pp.value = prec.difference();
  Describe(prec, labels, "precision", &pp);

  const int ref = options.reference_group;
  const bool ref_usable = ref >= 0 && static_cast<size_t>(ref) < counts.size() &&
                          judged[static_cast<size_t>(ref)] &&
                          counts[static_cast<size_t>(ref)].count() > 0;
  if (!ref_usable) {
    di.value = dpr.value;
    Describe(sel, labels, "selection_rate", &di);
  } else {
    di.rate = "selection_rate";
    di.high_group = labels[static_cast<size_t>(ref)];
    const double ref_rate = RatesOf(counts[static_cast<size_t>(ref)]).selection_rate;
    int others = 0;
    for (size_t g = 0; g < counts.size(); ++g) {
      if (!judged[g] || static_cast<int>(g) == ref) continue;
      const double r = RatesOf(counts[g]).selection_rate;
      if (std::isnan(r)) {
        di.undefined_groups.push_back(labels[g]);
        continue;
      }
      double ratio;
      if (ref_rate == 0) {
        ratio = r == 0 ? 1.0 : std::numeric_limits<double>::infinity();
      } else {
        ratio = r / ref_rate;
      }
      if (others == 0 || ratio < di.value) {
        di.value = ratio;
        di.low_group = labels[g];
      }
      ++others;
    }
  }
  return out;
}

DisparitySet ComputeDisparities(std::span<const GroupMetrics> groups,
                                const DisparityOptions& options) {
  std::vector<ConfusionCounts> counts;
  std::vector<std::string> labels;
  std::vector<uint8_t> judged;
  for (const auto& g : groups) {
    counts.push_back(g.counts);
    labels.push_back(g.group);
    judged.push_back(g.too_small ? 0 : 1);
  }
  return ComputeDisparities(counts, labels, judged, options);
}

Status AddBootstrapIntervals(std::span<const GroupMetrics> metrics,
                             const DisparityOptions& disparity_options,
                             const BootstrapOptions& options, const Context& ctx,
                             DisparitySet* disparities) {
  if (options.resamples < 1) {
    return Status::InvalidArgument("bootstrap needs at least 1 resample (got {})",
                                   options.resamples);
  }
  if (!(options.confidence > 0 && options.confidence < 1)) {
    return Status::InvalidArgument("confidence level must be in (0, 1) (got {})",
                                   options.confidence);
  }
  const size_t k = metrics.size();
  std::vector<std::string> labels;
  std::vector<uint8_t> judged;
  // A resampled row only matters through its confusion cell, so each replicate draws cell
  // counts: a uniform row index below n_g falls in the TP, FP, TN or FN block of the group.
  std::vector<ConfusionCounts> original;
  for (const auto& g : metrics) {
    labels.push_back(g.group);
    judged.push_back(g.too_small ? 0 : 1);
    original.push_back(g.counts);
  }
  const size_t b_count = static_cast<size_t>(options.resamples);
  // values[m * b_count + b]: metric m in replicate b.
  std::vector<double> values(kNumDisparityMetrics * b_count, kNaN);
  const Rng base(options.seed);
  Status s = ParallelFor(
      ctx.threads(), b_count,
      [&](size_t b) {
        Rng rng = base.Fork(b);
        std::vector<ConfusionCounts> counts(k);
        for (size_t g = 0; g < k; ++g) {
          if (!judged[g]) continue;
          const ConfusionCounts& c = original[g];
          const uint64_t n = c.count();
          const uint64_t e1 = c.tp, e2 = e1 + c.fp, e3 = e2 + c.tn;
          ConfusionCounts& r = counts[g];
          for (uint64_t i = 0; i < n; ++i) {
            const uint64_t u = rng.Below(n);
            if (u < e1) {
              ++r.tp;
            } else if (u < e2) {
              ++r.fp;
            } else if (u < e3) {
              ++r.tn;
            } else {
              ++r.fn;
            }
          }
        }
        const DisparitySet d = ComputeDisparities(counts, labels, judged, disparity_options);
        for (size_t m = 0; m < kNumDisparityMetrics; ++m) values[m * b_count + b] = d[m].value;
      },
      /*grain=*/16);
  KEEL_RETURN_IF_ERROR(s);

  const double alpha = 1 - options.confidence;
  for (size_t m = 0; m < kNumDisparityMetrics; ++m) {
    std::vector<double> finite;
    for (size_t b = 0; b < b_count; ++b) {
      const double v = values[m * b_count + b];
      if (std::isfinite(v)) finite.push_back(v);
    }
    Disparity& d = (*disparities)[m];
    if (finite.empty() || std::isnan(d.value)) {
      d.ci_low = d.ci_high = kNaN;
      continue;
    }
    std::sort(finite.begin(), finite.end());
    d.ci_low = Percentile(finite, alpha / 2);
    d.ci_high = Percentile(finite, 1 - alpha / 2);
  }
  return Status::OK();
}

}  // namespace keel::fairness
