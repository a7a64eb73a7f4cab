#include "fairness/group_thresholds.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/number_format.h"
#include "fairness/disparity.h"
#include "fairness/group_metrics.h"

namespace keel::fairness {
namespace {

// One way to threshold a group: select its k highest-scoring rows.
struct OperatingPoint {
  double threshold;
  double sel, tpr, fpr;
  double correct;  // rows decided correctly
};

// Range maximum of `correct` over a group's staircase (sparse table, O(1) queries).
class RangeMax {
 public:
  explicit RangeMax(const std::vector<OperatingPoint>& pts) {
    const size_t n = pts.size();
    levels_.emplace_back(n);
    for (size_t i = 0; i < n; ++i) levels_[0][i] = static_cast<uint32_t>(i);
    for (size_t w = 1; (size_t{1} << w) <= n; ++w) {
      const auto& prev = levels_[w - 1];
      std::vector<uint32_t> cur(n - (size_t{1} << w) + 1);
      for (size_t i = 0; i < cur.size(); ++i) {
        const uint32_t a = prev[i], b = prev[i + (size_t{1} << (w - 1))];
        cur[i] = pts[b].correct > pts[a].correct ? b : a;
      }
      levels_.push_back(std::move(cur));
    }
  }
  // Index of the most accurate point in [lo, hi] (lo <= hi).
  uint32_t Query(const std::vector<OperatingPoint>& pts, size_t lo, size_t hi) const {
    const size_t len = hi - lo + 1;
    const size_t w = static_cast<size_t>(std::bit_width(len)) - 1;
    const uint32_t a = levels_[w][lo], b = levels_[w][hi + 1 - (size_t{1} << w)];
    return pts[b].correct > pts[a].correct ? b : a;
  }

 private:
  std::vector<std::vector<uint32_t>> levels_;
};

// The staircase of one group: selecting the top k rows for every k at a distinct-score boundary.
std::vector<OperatingPoint> Staircase(std::span<const double> scores,
                                      std::span<const uint8_t> labels,
                                      std::vector<uint32_t> rows) {
  std::sort(rows.begin(), rows.end(),
            [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
  double pos = 0;
  for (uint32_t r : rows) pos += labels[r] ? 1 : 0;
  const double n = static_cast<double>(rows.size());
  const double neg = n - pos;
  std::vector<OperatingPoint> pts;
  auto add = [&](double threshold, double k, double tp) {
    const double fp = k - tp;
    pts.push_back({threshold, k / n, pos > 0 ? tp / pos : 0, neg > 0 ? fp / neg : 0,
                   tp + (neg - fp)});
  };
  // Select none: a threshold above every score (probabilities are at most 1).
  const double top = rows.empty() ? 1.0 : std::max(1.0, scores[rows[0]]);
  add(std::nextafter(top, std::numeric_limits<double>::infinity()), 0, 0);
  double tp = 0;
  size_t i = 0;
  while (i < rows.size()) {
    const double s = scores[rows[i]];
    while (i < rows.size() && scores[rows[i]] == s) tp += labels[rows[i++]] ? 1 : 0;
    double threshold = s;
    if (i < rows.size()) {
      // Halfway to the next lower score generalises better than the score itself, as long as
      // the midpoint still lies above that score in double precision.
      const double mid = s + (scores[rows[i]] - s) / 2;
      if (mid > scores[rows[i]] && mid <= s) threshold = mid;
    } else {
      threshold = std::min(0.0, s);  // select all
    }
    add(threshold, static_cast<double>(i), tp);
  }
  return pts;
}

// Indices [lo, hi] of the staircase points whose coordinate lies in [a, b]; the coordinate is
// nondecreasing along the staircase. Returns false when the run is empty.
template <typename Coord>
bool RunWithin(const std::vector<OperatingPoint>& pts, Coord coord, double a, double b,
               size_t* lo, size_t* hi) {
  auto first = std::partition_point(pts.begin(), pts.end(),
                                    [&](const OperatingPoint& p) { return coord(p) < a; });
  auto last = std::partition_point(pts.begin(), pts.end(),
                                   [&](const OperatingPoint& p) { return coord(p) <= b; });
  if (first >= last) return false;
  *lo = static_cast<size_t>(first - pts.begin());
  *hi = static_cast<size_t>(last - pts.begin()) - 1;
  return true;
}

struct GroupCurve {
  size_t group;
  std::vector<OperatingPoint> pts;
  RangeMax rmq;
};

// Best deterministic thresholds within `bound`, or false when none meet it.
bool Search(const std::vector<GroupCurve>& curves, ThresholdConstraint constraint, double bound,
            std::vector<double>* thresholds, double* best_correct) {
  // A small tolerance so rates that differ by exactly `bound` count as within it.
  const double width = bound + 1e-12;
  *best_correct = -1;
  std::vector<double> chosen(curves.size());
  auto try_window = [&](double a_lo, double a_hi, double b_lo, double b_hi) {
    double total = 0;
    for (size_t c = 0; c < curves.size(); ++c) {
      const auto& pts = curves[c].pts;
      size_t lo, hi;
      if (constraint == ThresholdConstraint::kDemographicParity) {
        if (!RunWithin(pts, [](const OperatingPoint& p) { return p.sel; }, a_lo, a_hi, &lo, &hi)) {
          return;
        }
      } else {
        size_t lo2, hi2;
        if (!RunWithin(pts, [](const OperatingPoint& p) { return p.fpr; }, a_lo, a_hi, &lo, &hi) ||
            !RunWithin(pts, [](const OperatingPoint& p) { return p.tpr; }, b_lo, b_hi, &lo2,
                       &hi2)) {
          return;
        }
        lo = std::max(lo, lo2);
        hi = std::min(hi, hi2);
        if (lo > hi) return;
      }
      const uint32_t best = curves[c].rmq.Query(pts, lo, hi);
      chosen[c] = pts[best].threshold;
      total += pts[best].correct;
    }
    if (total > *best_correct) {
      *best_correct = total;
      *thresholds = chosen;
    }
  };
  if (constraint == ThresholdConstraint::kDemographicParity) {
    // An optimal window can be slid up until its lower edge meets some group's rate.
    std::vector<double> edges;
    for (const auto& c : curves) {
      for (const auto& p : c.pts) edges.push_back(p.sel);
    }
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    for (double a : edges) try_window(a, a + width, 0, 0);
  } else {
    const double step = std::max(bound / 10, 1e-3);  // at most ~10^6 windows
    const int cells = static_cast<int>(std::ceil(1.0 / step));
    for (int i = 0; i <= cells; ++i) {
      const double a = std::min(1.0, i * step);
      for (int j = 0; j <= cells; ++j) {
        const double b = std::min(1.0, j * step);
        try_window(a, a + width, b, b + width);
      }
    }
  }
  return *best_correct >= 0;
}

double DisparityOf(const std::vector<ConfusionCounts>& counts, const std::vector<uint8_t>& judged,
                   ThresholdConstraint constraint) {
  std::vector<std::string> labels(counts.size());
  const DisparitySet d = ComputeDisparities(counts, labels, judged);
  return d[static_cast<size_t>(constraint == ThresholdConstraint::kDemographicParity
                                   ? DisparityMetric::kDemographicParityDifference
                                   : DisparityMetric::kEqualizedOddsDifference)]
      .value;
}

}  // namespace

std::string_view ThresholdConstraintName(ThresholdConstraint c) {
  return c == ThresholdConstraint::kDemographicParity ? "demographic_parity" : "equalized_odds";
}

bool ParseThresholdConstraint(std::string_view text, ThresholdConstraint* c) {
  if (text == "demographic_parity" || text == "dp") {
    *c = ThresholdConstraint::kDemographicParity;
  } else if (text == "equalized_odds" || text == "eo") {
    *c = ThresholdConstraint::kEqualizedOdds;
  } else {
    return false;
  }
  return true;
}

double GroupThresholds::ThresholdOf(int32_t group) const {
  if (group < 0) return default_threshold;
  if (static_cast<size_t>(group) < thresholds.size()) {
    return thresholds[static_cast<size_t>(group)];
  }
  return missing_threshold;
}

Result<ThresholdFit> FitGroupThresholds(std::span<const double> scores,
                                        std::span<const uint8_t> labels,
                                        const GroupAssignment& groups,
                                        const ThresholdFitOptions& options) {
  const size_t n = scores.size();
  if (labels.size() != n || groups.codes.size() != n) {
    return Status::InvalidArgument("threshold fit: {} scores, {} labels, {} group codes", n,
                                   labels.size(), groups.codes.size());
  }
  if (!(options.bound > 0 && options.bound <= 1)) {
    return Status::InvalidArgument("threshold fit: bound must be in (0, 1] (got {})",
                                   FormatDouble(options.bound));
  }
  const size_t k = groups.num_groups();
  std::vector<std::vector<uint32_t>> rows(k);
  std::vector<double> positives(k, 0);
  for (size_t i = 0; i < n; ++i) {
    const size_t g = static_cast<size_t>(groups.codes[i]);
    rows[g].push_back(static_cast<uint32_t>(i));
    positives[g] += labels[i] ? 1 : 0;
  }
  std::vector<GroupCurve> curves;
  std::vector<uint8_t> judged(k, 0);
  for (size_t g = 0; g < k; ++g) {
    if (rows[g].size() < options.min_group_size || rows[g].empty()) continue;
    const double pos = positives[g], neg = static_cast<double>(rows[g].size()) - pos;
    if (options.constraint == ThresholdConstraint::kEqualizedOdds && (pos == 0 || neg == 0)) {
      continue;  // TPR or FPR undefined: the audit cannot judge it either
    }
    judged[g] = 1;
    auto pts = Staircase(scores, labels, rows[g]);
    RangeMax rmq(pts);
    curves.push_back({g, std::move(pts), std::move(rmq)});
  }
  if (curves.size() < 2) {
    return Status::InvalidArgument(
        "threshold fit on '{}': fewer than two groups with at least {} rows{}", groups.name,
        options.min_group_size,
        options.constraint == ThresholdConstraint::kEqualizedOdds ? " and both classes" : "");
  }

  std::vector<double> best;
  double best_correct = -1;
  if (!Search(curves, options.constraint, options.bound, &best, &best_correct)) {
    // Unreachable: selecting nobody in every group meets both constraints exactly.
    return Status::Internal("threshold search found no window for '{}'", groups.name);
  }

  ThresholdFit fit;
  GroupThresholds& t = fit.thresholds;
  t.groups = groups.definition;
  t.constraint = options.constraint;
  t.bound = options.bound;
  t.default_threshold = options.default_threshold;
  t.missing_threshold = options.default_threshold;
  std::vector<double> per_group(k, options.default_threshold);
  for (size_t c = 0; c < curves.size(); ++c) per_group[curves[c].group] = best[c];
  t.thresholds.assign(per_group.begin(),
                      per_group.begin() + static_cast<ptrdiff_t>(t.groups.labels.size()));
  if (k > t.groups.labels.size()) t.missing_threshold = per_group[t.groups.labels.size()];

  std::vector<ConfusionCounts> before(k), after(k);
  double correct_before = 0, correct_after = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t g = static_cast<size_t>(groups.codes[i]);
    const bool y = labels[i] != 0;
    const bool d0 = scores[i] >= options.default_threshold;
    const bool d1 = scores[i] >= per_group[g];
    auto count = [y](bool d, ConfusionCounts* c) {
      if (y) {
        ++(d ? c->tp : c->fn);
      } else {
        ++(d ? c->fp : c->tn);
      }
    };
    count(d0, &before[g]);
    count(d1, &after[g]);
    correct_before += d0 == y ? 1 : 0;
    correct_after += d1 == y ? 1 : 0;
  }
  fit.accuracy_before = n > 0 ? correct_before / static_cast<double>(n) : 0;
  fit.accuracy_after = n > 0 ? correct_after / static_cast<double>(n) : 0;
  fit.disparity_before = DisparityOf(before, judged, options.constraint);
  fit.disparity_after = DisparityOf(after, judged, options.constraint);
  return fit;
}

Result<std::vector<uint8_t>> ApplyGroupThresholds(const GroupThresholds& thresholds,
                                                  std::span<const double> scores,
                                                  const Column& attribute) {
  if (attribute.size() != scores.size()) {
    return Status::InvalidArgument("group thresholds: {} scores but {} values of '{}'",
                                   scores.size(), attribute.size(), attribute.name());
  }
  KEEL_ASSIGN_OR_RETURN(auto groups, ApplyGroupDefinition(thresholds.groups, attribute));
  std::vector<uint8_t> out(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    const int32_t g = attribute.IsMissing(i)
                          ? static_cast<int32_t>(thresholds.groups.labels.size())
                          : groups[i];
    out[i] = scores[i] >= thresholds.ThresholdOf(g) ? 1 : 0;
  }
  return out;
}

nlohmann::json GroupThresholdsToJson(const GroupThresholds& t) {
  return {{"groups", GroupDefinitionToJson(t.groups)},
          {"constraint", std::string(ThresholdConstraintName(t.constraint))},
          {"bound", t.bound},
          {"thresholds", t.thresholds},
          {"missing_threshold", t.missing_threshold},
          {"default_threshold", t.default_threshold}};
}

Result<GroupThresholds> GroupThresholdsFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::Corrupt("group_thresholds is not a JSON object");
  GroupThresholds t;
  auto groups = j.find("groups");
  if (groups == j.end()) return Status::Corrupt("group_thresholds lacks 'groups'");
  KEEL_ASSIGN_OR_RETURN(t.groups, GroupDefinitionFromJson(*groups));
  auto constraint = j.find("constraint");
  if (constraint == j.end() || !constraint->is_string() ||
      !ParseThresholdConstraint(constraint->get<std::string>(), &t.constraint)) {
    return Status::Corrupt("group_thresholds has no valid 'constraint'");
  }
  auto number = [&](const char* key, double* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
      return Status::Corrupt("group_thresholds lacks the number '{}'", key);
    }
    *out = it->get<double>();
    return Status::OK();
  };
  KEEL_RETURN_IF_ERROR(number("bound", &t.bound));
  KEEL_RETURN_IF_ERROR(number("missing_threshold", &t.missing_threshold));
  KEEL_RETURN_IF_ERROR(number("default_threshold", &t.default_threshold));
  auto th = j.find("thresholds");
  if (th == j.end() || !th->is_array()) {
    return Status::Corrupt("group_thresholds lacks the 'thresholds' array");
  }
  for (const auto& v : *th) {
    if (!v.is_number()) return Status::Corrupt("group_thresholds has a non-numeric threshold");
    t.thresholds.push_back(v.get<double>());
  }
  if (t.thresholds.size() != t.groups.labels.size()) {
    return Status::Corrupt("group_thresholds has {} thresholds for {} groups", t.thresholds.size(),
                           t.groups.labels.size());
  }
  return t;
}

void StoreGroupThresholds(const ThresholdFit& fit, Model* model) {
  nlohmann::json& section = model->sections["fairness"];
  if (!section.is_object()) section = nlohmann::json::object();
  nlohmann::json t = GroupThresholdsToJson(fit.thresholds);
  t["fit"] = {{"accuracy_before", fit.accuracy_before},
              {"accuracy_after", fit.accuracy_after},
              {"disparity_before", fit.disparity_before},
              {"disparity_after", fit.disparity_after}};
  section["group_thresholds"] = std::move(t);
}

Result<std::optional<GroupThresholds>> LoadGroupThresholds(const Model& model) {
  auto it = model.sections.find("fairness");
  if (it == model.sections.end() || !it->second.is_object()) {
    return std::optional<GroupThresholds>();
  }
  auto t = it->second.find("group_thresholds");
  if (t == it->second.end()) return std::optional<GroupThresholds>();
  auto parsed = GroupThresholdsFromJson(*t);
  if (!parsed.ok()) return parsed.status().WithContext("model section fairness");
  return std::optional<GroupThresholds>(std::move(parsed).value());
}

}  // namespace keel::fairness
