#include "drift/drift_detector.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/number_format.h"
#include "drift/chi_square.h"
#include "drift/distances.h"
#include "drift/ks_test.h"

namespace keel::drift {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kOtherBucket = "(other)";
// Score given to a p-value of exactly 0 (log(0) is -inf): far past any threshold.
constexpr double kMaxScore = 1e6;

std::string Num(double v) {
  if (std::isnan(v)) return "nan";
  if (std::fabs(v) >= 1e-3 || v == 0) return fmt::format("{:.4g}", v);
  return fmt::format("{:.3e}", v);
}

std::vector<double> Shares(const std::vector<double>& counts) {
  double t = 0;
  for (double c : counts) t += c;
  std::vector<double> out(counts.size(), 0.0);
  if (t > 0) {
    for (size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] / t;
  }
  return out;
}

std::vector<std::string> EdgeLabels(const std::vector<double>& edges) {
  std::vector<std::string> labels;
  if (edges.empty()) {
    labels.push_back("all");
    return labels;
  }
  labels.push_back("< " + FormatDouble(edges.front()));
  for (size_t i = 0; i + 1 < edges.size(); ++i) {
    labels.push_back("[" + FormatDouble(edges[i]) + ", " + FormatDouble(edges[i + 1]) + ")");
  }
  labels.push_back(">= " + FormatDouble(edges.back()));
  return labels;
}

// Missing rate change: flagged when it moves by more than the threshold and a 2x2
// chi-square test says the move is not sampling noise.
bool MissingRateDrifted(uint64_t ref_n, uint64_t ref_missing, uint64_t cur_n,
                        uint64_t cur_missing, const DriftOptions& o) {
  const double rt = static_cast<double>(ref_n + ref_missing);
  const double ct = static_cast<double>(cur_n + cur_missing);
  if (rt <= 0 || ct <= 0) return false;
  const double rr = static_cast<double>(ref_missing) / rt;
  const double cr = static_cast<double>(cur_missing) / ct;
  if (std::fabs(cr - rr) <= o.missing_rate_threshold) return false;
  const double a[2] = {static_cast<double>(ref_missing), static_cast<double>(ref_n)};
  const double b[2] = {static_cast<double>(cur_missing), static_cast<double>(cur_n)};
  return ChiSquareHomogeneity(a, b).p_value < o.alpha;
}

double PScore(double p_adj, double alpha) {
  if (std::isnan(p_adj)) return 0;
  if (p_adj <= 0) return kMaxScore;
  return std::min(kMaxScore, std::log(p_adj) / std::log(alpha));
}

void SetIfFinite(nlohmann::json* j, const char* key, double v) {
  if (std::isfinite(v)) (*j)[key] = v;
}

}  // namespace

std::string_view DriftTestName(DriftTest t) {
  switch (t) {
    case DriftTest::kAuto: return "auto";
    case DriftTest::kKs: return "ks";
    case DriftTest::kChiSquare: return "chi2";
    case DriftTest::kPsi: return "psi";
    case DriftTest::kJensenShannon: return "jensen_shannon";
    case DriftTest::kWasserstein: return "wasserstein";
  }
  return "auto";
}

bool ParseDriftTest(std::string_view text, DriftTest* t) {
  for (DriftTest x : {DriftTest::kAuto, DriftTest::kKs, DriftTest::kChiSquare, DriftTest::kPsi,
                      DriftTest::kJensenShannon, DriftTest::kWasserstein}) {
    if (DriftTestName(x) == text) {
      *t = x;
      return true;
    }
  }
  if (text == "chi-square" || text == "chisquare") {
    *t = DriftTest::kChiSquare;
    return true;
  }
  if (text == "js" || text == "jensen-shannon") {
    *t = DriftTest::kJensenShannon;
    return true;
  }
  return false;
}

Status DriftOptions::Validate() const {
  if (!(alpha > 0 && alpha < 1)) return Status::InvalidArgument("alpha must be in (0, 1), got {}", alpha);
  if (!(psi_threshold > 0)) return Status::InvalidArgument("psi threshold must be > 0, got {}", psi_threshold);
  if (!(js_threshold > 0 && js_threshold <= 1)) {
    return Status::InvalidArgument("Jensen-Shannon threshold must be in (0, 1], got {}", js_threshold);
  }
  if (!(wasserstein_threshold > 0)) {
    return Status::InvalidArgument("Wasserstein threshold must be > 0, got {}", wasserstein_threshold);
  }
  if (!(drift_share > 0 && drift_share <= 1)) {
    return Status::InvalidArgument("drift share must be in (0, 1], got {}", drift_share);
  }
  if (!(missing_rate_threshold > 0 && missing_rate_threshold <= 1)) {
    return Status::InvalidArgument("missing-rate threshold must be in (0, 1], got {}",
                                   missing_rate_threshold);
  }
  if (max_categories < 2) return Status::InvalidArgument("max categories must be >= 2");
  if (numeric_test == DriftTest::kChiSquare) {
    return Status::InvalidArgument("the chi-square test is for categorical features; numeric "
                                   "features take ks, psi, jensen_shannon or wasserstein");
  }
  if (categorical_test == DriftTest::kKs || categorical_test == DriftTest::kWasserstein) {
    return Status::InvalidArgument("{} needs ordered values; categorical features take chi2, psi "
                                   "or jensen_shannon",
                                   DriftTestName(categorical_test));
  }
  return Status::OK();
}

double CategoricalSample::total() const {
  double t = unnamed;
  for (const auto& [k, c] : counts) t += c;
  return t;
}

NumericSample NumericSampleFromValues(std::span<const double> values, std::vector<double> edges) {
  NumericSample s;
  s.values = StepDistribution::FromSample(values);
  s.missing = values.size() - static_cast<uint64_t>(s.values.total);
  s.edges = std::move(edges);
  s.histogram.assign(s.edges.size() + 1, 0.0);
  for (size_t i = 0; i < s.values.values.size(); ++i) {
    const auto bin = static_cast<size_t>(
        std::upper_bound(s.edges.begin(), s.edges.end(), s.values.values[i]) - s.edges.begin());
    s.histogram[bin] += s.values.weights[i];
  }
  s.mean = s.values.Mean();
  s.std_dev = s.values.StdDev();
  return s;
}

NumericSample NumericSampleFromStats(const ColumnSpec& spec, const ColumnStats& stats) {
  NumericSample s;
  s.values = stats.Distribution();
  s.missing = stats.missing;
  s.edges = spec.edges;
  s.histogram.assign(stats.histogram.begin(), stats.histogram.end());
  s.mean = stats.mean;
  s.std_dev = stats.StdDev();
  return s;
}

CategoricalSample CategoricalSampleFromColumn(const Column& column) {
  CategoricalSample s;
  const size_t n = column.size();
  if (column.kind() == ColumnKind::kCategorical) {
    const auto& dict = column.dictionary();
    std::vector<uint64_t> counts(dict.size(), 0);
    for (int32_t c : column.codes()) {
      if (c == kMissingCode || c < 0 || static_cast<size_t>(c) >= dict.size()) {
        ++s.missing;
      } else {
        ++counts[static_cast<size_t>(c)];
      }
    }
    for (size_t i = 0; i < dict.size(); ++i) {
      if (counts[i] > 0) s.counts.emplace_back(dict[i], static_cast<double>(counts[i]));
    }
    return s;
  }
  std::unordered_map<std::string, uint64_t> counts;
  for (size_t r = 0; r < n; ++r) {
    if (column.IsMissing(r)) {
      ++s.missing;
      continue;
    }
    ++counts[column.CellText(r)];
  }
  for (auto& [k, c] : counts) s.counts.emplace_back(k, static_cast<double>(c));
  std::sort(s.counts.begin(), s.counts.end());
  return s;
}

CategoricalSample CategoricalSampleFromStats(const ColumnSpec& spec, const ColumnStats& stats) {
  CategoricalSample s;
  s.missing = stats.missing;
  for (size_t i = 0; i < spec.categories().size(); ++i) {
    if (stats.histogram[i] > 0) {
      s.counts.emplace_back(spec.categories()[i], static_cast<double>(stats.histogram[i]));
    }
  }
  double named_others = 0;
  for (const auto& [k, c] : stats.others.Items()) {
    s.counts.emplace_back(k, static_cast<double>(c));
    named_others += static_cast<double>(c);
  }
  s.unnamed = static_cast<double>(stats.others.total()) - named_others;
  s.exact = stats.others.max_error() == 0;
  return s;
}

FeatureDrift CompareNumeric(std::string_view name, const NumericSample& ref,
                            const NumericSample& cur, const DriftOptions& options) {
  FeatureDrift f;
  f.feature = std::string(name);
  f.kind = ValueKind::kNumeric;
  f.reference_count = static_cast<uint64_t>(std::llround(ref.values.total));
  f.current_count = static_cast<uint64_t>(std::llround(cur.values.total));
  f.reference_missing = ref.missing;
  f.current_missing = cur.missing;
  f.exact = ref.values.exact && cur.values.exact;
  f.missing_rate_drifted = MissingRateDrifted(f.reference_count, f.reference_missing,
                                              f.current_count, f.current_missing, options);
  f.bin_labels = EdgeLabels(ref.edges);
  f.reference_shares = Shares(ref.histogram);
  f.current_shares = Shares(cur.histogram);
  if (ref.values.empty() || cur.values.empty()) {
    f.tested = false;
    f.reason = ref.values.empty() ? "no values in the reference" : "no values in the current data";
    return f;
  }
  const KsResult ks = KsTwoSample(ref.values, cur.values);
  f.ks = ks.statistic;
  f.ks_p_value = ks.p_value;
  f.ks_method = ks.method == KsMethod::kExact ? "exact" : "asymptotic";
  f.p_value = ks.p_value;
  f.wasserstein = Wasserstein1(ref.values, cur.values);
  double scale = ref.std_dev;
  if (!(scale > 0)) scale = cur.std_dev;
  if (!(scale > 0)) scale = std::max(std::fabs(ref.mean), 1.0);
  f.wasserstein_normed = f.wasserstein / scale;
  if (ref.histogram.size() == cur.histogram.size()) {
    f.psi = PopulationStabilityIndex(ref.histogram, cur.histogram);
    f.jensen_shannon = JensenShannonDistance(ref.histogram, cur.histogram);
  }
  f.reference_mean = ref.mean;
  f.current_mean = cur.mean;
  return f;
}

FeatureDrift CompareCategorical(std::string_view name, const CategoricalSample& ref,
                                const CategoricalSample& cur, const DriftOptions& options) {
  FeatureDrift f;
  f.feature = std::string(name);
  f.kind = ValueKind::kCategorical;
  f.source_kind = ColumnKind::kCategorical;
  const double ref_total = ref.total();
  const double cur_total = cur.total();
  f.reference_count = static_cast<uint64_t>(std::llround(ref_total));
  f.current_count = static_cast<uint64_t>(std::llround(cur_total));
  f.reference_missing = ref.missing;
  f.current_missing = cur.missing;
  f.exact = ref.exact && cur.exact;
  f.missing_rate_drifted = MissingRateDrifted(f.reference_count, f.reference_missing,
                                              f.current_count, f.current_missing, options);

  // Union of the named categories, in reference-frequency order.
  struct Bucket {
    std::string name;
    double a = 0, b = 0;
  };
  std::vector<Bucket> buckets;
  std::unordered_map<std::string, size_t> index;
  auto bucket = [&](const std::string& k) -> Bucket& {
    auto [it, inserted] = index.emplace(k, buckets.size());
    if (inserted) buckets.push_back({k, 0, 0});
    return buckets[it->second];
  };
  for (const auto& [k, c] : ref.counts) bucket(k).a += c;
  for (const auto& [k, c] : cur.counts) bucket(k).b += c;
  for (const Bucket& b : buckets) {
    if (b.a == 0 && b.b > 0) f.new_categories.push_back(b.name);
    if (b.a > 0 && b.b == 0) f.missing_categories.push_back(b.name);
  }
  const double ra = ref_total > 0 ? ref_total : 1;
  const double rb = cur_total > 0 ? cur_total : 1;
  std::stable_sort(buckets.begin(), buckets.end(), [&](const Bucket& x, const Bucket& y) {
    const double sx = x.a / ra + x.b / rb, sy = y.a / ra + y.b / rb;
    return sx != sy ? sx > sy : x.name < y.name;
  });
  Bucket other{kOtherBucket, ref.unnamed, cur.unnamed};
  const size_t keep = options.max_categories - 1;
  if (buckets.size() > keep) {
    for (size_t i = keep; i < buckets.size(); ++i) {
      other.a += buckets[i].a;
      other.b += buckets[i].b;
    }
    buckets.resize(keep);
  }
  if (other.a > 0 || other.b > 0) buckets.push_back(other);
  std::vector<double> a, b;
  for (const Bucket& x : buckets) {
    f.bin_labels.push_back(x.name);
    a.push_back(x.a);
    b.push_back(x.b);
  }
  f.reference_shares = Shares(a);
  f.current_shares = Shares(b);
  if (ref_total <= 0 || cur_total <= 0) {
    f.tested = false;
    f.reason = ref_total <= 0 ? "no values in the reference" : "no values in the current data";
    return f;
  }
  const ChiSquareResult chi = ChiSquareHomogeneity(a, b);
  f.chi2 = chi.statistic;
  f.chi2_p_value = chi.p_value;
  f.chi2_dof = chi.dof;
  f.p_value = chi.p_value;
  f.psi = PopulationStabilityIndex(a, b);
  f.jensen_shannon = JensenShannonDistance(a, b);
  return f;
}

namespace {

void DecideOne(FeatureDrift* f, const DriftOptions& o, bool corrected) {
  if (!f->tested) {
    f->test = "none";
    f->drifted = f->missing_rate_drifted;
    if (f->drifted) f->reason += "; missing rate changed";
    return;
  }
  const bool small = std::min(f->reference_count, f->current_count) <= o.small_sample;
  DriftTest t = f->kind == ValueKind::kNumeric ? o.numeric_test : o.categorical_test;
  const bool automatic = t == DriftTest::kAuto;
  if (automatic) {
    if (f->kind == ValueKind::kNumeric) {
      t = small ? DriftTest::kKs : DriftTest::kWasserstein;
    } else {
      t = small ? DriftTest::kChiSquare : DriftTest::kJensenShannon;
    }
  }
  const double p_adj = f->p_value_adjusted;
  const std::string p_name = f->kind == ValueKind::kNumeric ? "KS" : "chi-square";
  const std::string adj = corrected ? " adjusted" : "";
  f->test = std::string(DriftTestName(t));
  const bool significant = p_adj < o.alpha;
  auto distance = [&](double stat, double thr, const std::string& what) {
    f->statistic = stat;
    f->threshold = thr;
    f->score = thr > 0 ? stat / thr : 0;
    const bool past = stat > thr;
    // Automatic choice: the p-value guards the effect size against sampling noise.
    f->drifted = past && (!automatic || significant);
    if (f->drifted) {
      f->reason = what + " " + Num(stat) + " > " + Num(thr);
      if (automatic) f->reason += " and " + p_name + adj + " p " + Num(p_adj) + " < " + Num(o.alpha);
    } else if (past) {
      f->reason = what + " " + Num(stat) + " > " + Num(thr) + " but " + p_name + adj + " p " +
                  Num(p_adj) + " is not significant";
    }
  };
  switch (t) {
    case DriftTest::kKs:
    case DriftTest::kChiSquare:
      f->statistic = t == DriftTest::kKs ? f->ks : f->chi2;
      f->threshold = o.alpha;
      f->score = PScore(p_adj, o.alpha);
      f->drifted = significant;
      if (f->drifted) f->reason = p_name + adj + " p " + Num(p_adj) + " < " + Num(o.alpha);
      break;
    case DriftTest::kWasserstein:
      distance(f->wasserstein_normed, o.wasserstein_threshold, "Wasserstein (reference sd)");
      break;
    case DriftTest::kPsi: distance(f->psi, o.psi_threshold, "PSI"); break;
    case DriftTest::kJensenShannon:
      distance(f->jensen_shannon, o.js_threshold, "Jensen-Shannon");
      break;
    case DriftTest::kAuto: break;
  }
  if (f->missing_rate_drifted) {
    f->drifted = true;
    f->reason += (f->reason.empty() ? "" : "; ") + std::string("missing rate changed");
    f->score = std::max(f->score, 1.0);
  }
}

}  // namespace

DriftReport Decide(std::vector<FeatureDrift> features, std::optional<FeatureDrift> prediction,
                   std::optional<FeatureDrift> label, const DriftOptions& options) {
  DriftReport r;
  r.options = options;
  std::vector<double> p;
  for (const FeatureDrift& f : features) p.push_back(f.tested ? f.p_value : kNaN);
  const std::vector<double> adj = AdjustPValues(p, options.correction);
  for (size_t i = 0; i < features.size(); ++i) {
    features[i].p_value_adjusted = adj[i];
    DecideOne(&features[i], options, options.correction != Correction::kNone);
  }
  // Predictions and labels are single tests: no correction.
  for (auto* f : {&prediction, &label}) {
    if (!f->has_value()) continue;
    (*f)->p_value_adjusted = (*f)->p_value;
    DecideOne(&**f, options, false);
  }
  std::stable_sort(features.begin(), features.end(), [](const FeatureDrift& a, const FeatureDrift& b) {
    if (a.drifted != b.drifted) return a.drifted;
    if (a.score != b.score) return a.score > b.score;
    return a.feature < b.feature;
  });
  for (const FeatureDrift& f : features) {
    if (!f.counted || (!f.tested && !f.drifted)) continue;
    ++r.verdict.tested_features;
    if (f.drifted) ++r.verdict.drifted_features;
  }
  if (r.verdict.tested_features > 0) {
    r.verdict.share_drifted = static_cast<double>(r.verdict.drifted_features) /
                              static_cast<double>(r.verdict.tested_features);
    r.verdict.dataset_drift = r.verdict.share_drifted >= options.drift_share;
  }
  if (prediction) r.verdict.prediction_drift = prediction->drifted;
  if (label) r.verdict.label_drift = label->drifted;
  r.features = std::move(features);
  r.prediction = std::move(prediction);
  r.label = std::move(label);
  return r;
}

Result<DriftReport> CompareProfiles(const Profile& reference, const Profile& current,
                                    const DriftOptions& options) {
  KEEL_RETURN_IF_ERROR(options.Validate());
  KEEL_RETURN_IF_ERROR(reference.layout().CheckSameAs(current.layout()));
  std::vector<FeatureDrift> features;
  std::optional<FeatureDrift> prediction, label;
  const ProfileLayout& layout = reference.layout();
  for (size_t c = 0; c < layout.columns.size(); ++c) {
    const ColumnSpec& spec = layout.columns[c];
    const ColumnStats& rs = reference.column(c);
    const ColumnStats& cs = current.column(c);
    if (spec.role != ProfileRole::kFeature && cs.count + cs.missing == 0) continue;
    FeatureDrift f =
        spec.kind == ValueKind::kNumeric
            ? CompareNumeric(spec.name, NumericSampleFromStats(spec, rs),
                             NumericSampleFromStats(spec, cs), options)
            : CompareCategorical(spec.name, CategoricalSampleFromStats(spec, rs),
                                 CategoricalSampleFromStats(spec, cs), options);
    f.role = spec.role;
    f.source_kind = spec.source_kind;
    f.counted = spec.source_kind != ColumnKind::kTimestamp;
    if (spec.role == ProfileRole::kPrediction) {
      prediction = std::move(f);
    } else if (spec.role == ProfileRole::kLabel) {
      label = std::move(f);
    } else {
      features.push_back(std::move(f));
    }
  }
  DriftReport r = Decide(std::move(features), std::move(prediction), std::move(label), options);
  r.reference_rows = reference.rows();
  r.current_rows = current.rows();
  return r;
}

namespace {

nlohmann::json FeatureJson(const FeatureDrift& f, bool with_histograms) {
  nlohmann::json j = {{"feature", f.feature},
                      {"role", ProfileRoleName(f.role)},
                      {"kind", ValueKindName(f.kind)},
                      {"test", f.test},
                      {"drifted", f.drifted},
                      {"tested", f.tested},
                      {"exact", f.exact},
                      {"reference_count", f.reference_count},
                      {"current_count", f.current_count},
                      {"reference_missing", f.reference_missing},
                      {"current_missing", f.current_missing},
                      {"missing_rate_drifted", f.missing_rate_drifted},
                      {"counted", f.counted}};
  const double rt = static_cast<double>(f.reference_count + f.reference_missing);
  const double ct = static_cast<double>(f.current_count + f.current_missing);
  if (rt > 0) j["reference_missing_rate"] = static_cast<double>(f.reference_missing) / rt;
  if (ct > 0) j["current_missing_rate"] = static_cast<double>(f.current_missing) / ct;
  if (!f.reason.empty()) j["reason"] = f.reason;
  SetIfFinite(&j, "statistic", f.statistic);
  SetIfFinite(&j, "threshold", f.threshold);
  SetIfFinite(&j, "score", f.score);
  SetIfFinite(&j, "ks", f.ks);
  SetIfFinite(&j, "ks_p_value", f.ks_p_value);
  if (!f.ks_method.empty()) j["ks_method"] = f.ks_method;
  SetIfFinite(&j, "wasserstein", f.wasserstein);
  SetIfFinite(&j, "wasserstein_normed", f.wasserstein_normed);
  SetIfFinite(&j, "psi", f.psi);
  SetIfFinite(&j, "jensen_shannon", f.jensen_shannon);
  SetIfFinite(&j, "chi2", f.chi2);
  SetIfFinite(&j, "chi2_p_value", f.chi2_p_value);
  if (std::isfinite(f.chi2)) j["chi2_dof"] = f.chi2_dof;
  SetIfFinite(&j, "p_value", f.p_value);
  SetIfFinite(&j, "p_value_adjusted", f.p_value_adjusted);
  SetIfFinite(&j, "reference_mean", f.reference_mean);
  SetIfFinite(&j, "current_mean", f.current_mean);
  if (f.kind == ValueKind::kCategorical) {
    j["new_categories"] = f.new_categories;
    j["missing_categories"] = f.missing_categories;
  }
  if (with_histograms) {
    j["histogram"] = {{"bins", f.bin_labels},
                      {"reference", f.reference_shares},
                      {"current", f.current_shares}};
  }
  return j;
}

}  // namespace

nlohmann::json DriftReportToJson(const DriftReport& r, bool with_histograms) {
  nlohmann::json features = nlohmann::json::array();
  for (const FeatureDrift& f : r.features) features.push_back(FeatureJson(f, with_histograms));
  const DatasetVerdict& v = r.verdict;
  nlohmann::json dataset = {{"dataset_drift", v.dataset_drift},
                            {"tested_features", v.tested_features},
                            {"drifted_features", v.drifted_features},
                            {"share_drifted", v.share_drifted},
                            {"drift_share_threshold", r.options.drift_share}};
  dataset["prediction_drift"] =
      v.prediction_drift ? nlohmann::json(*v.prediction_drift) : nlohmann::json();
  dataset["label_drift"] = v.label_drift ? nlohmann::json(*v.label_drift) : nlohmann::json();
  nlohmann::json j = {
      {"features", std::move(features)},
      {"dataset", std::move(dataset)},
      {"prediction", r.prediction ? FeatureJson(*r.prediction, with_histograms) : nlohmann::json()},
      {"label", r.label ? FeatureJson(*r.label, with_histograms) : nlohmann::json()},
      {"correction", CorrectionName(r.options.correction)},
      {"alpha", r.options.alpha},
      {"thresholds",
       {{"psi", r.options.psi_threshold},
        {"jensen_shannon", r.options.js_threshold},
        {"wasserstein_normed", r.options.wasserstein_threshold},
        {"small_sample", r.options.small_sample},
        {"missing_rate", r.options.missing_rate_threshold}}},
      {"reference_rows", r.reference_rows},
      {"current_rows", r.current_rows},
      {"skipped", r.skipped},
      {"notes", r.notes}};
  return j;
}

}  // namespace keel::drift
