// Drift detection: per-feature tests between a reference and a current sample, a correction
// for testing many features at once, and a dataset-level verdict.
//
// Each side of a comparison is a NumericSample or a CategoricalSample, built from raw values
// (exact statistics) or from a profile (ColumnStats: exact value tables, histograms and
// category counts, or the quantile sketch when a numeric column has too many distinct
// values). Every statistic is always computed and reported; the verdict uses one of them,
// chosen by feature kind and sample size (docs/drift.md):
//
//   small samples (min(n_ref, n_cur) <= small_sample, default 1000):
//     numeric      ks           drifted when the BH-adjusted KS p-value < alpha
//     categorical  chi2         drifted when the BH-adjusted chi-square p-value < alpha
//   large samples (p-values flag negligible shifts there, so an effect size decides and the
//   p-value only guards against sampling noise):
//     numeric      wasserstein  drifted when Wasserstein / reference std > 0.1 and the
//                               adjusted KS p-value < alpha
//     categorical  jensen_shannon  drifted when JS distance (base 2) > 0.1 and the adjusted
//                               chi-square p-value < alpha
//
// A feature whose missing rate moves by more than `missing_rate_threshold` (and
// significantly) is also flagged. Categories present on one side only are listed
// (new_categories, missing_categories) and take part in every statistic.
// All functions are thread-safe (no shared state).
#pragma once

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "drift/multiple_testing.h"
#include "drift/profile.h"
#include "drift/step_distribution.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel::drift {

enum class DriftTest : uint8_t { kAuto, kKs, kChiSquare, kPsi, kJensenShannon, kWasserstein };

// "auto", "ks", "chi2", "psi", "jensen_shannon", "wasserstein".
std::string_view DriftTestName(DriftTest t);
bool ParseDriftTest(std::string_view text, DriftTest* t);

struct DriftOptions {
  DriftTest numeric_test = DriftTest::kAuto;      // ks, psi, jensen_shannon or wasserstein
  DriftTest categorical_test = DriftTest::kAuto;  // chi2, psi or jensen_shannon
  double alpha = 0.05;                            // significance level after correction
  Correction correction = Correction::kBenjaminiHochberg;
  double psi_threshold = 0.2;
  double js_threshold = 0.1;           // Jensen-Shannon distance, base 2
  double wasserstein_threshold = 0.1;  // Wasserstein distance in reference standard deviations
  uint64_t small_sample = 1000;        // p-value tests decide at or below this sample size
  double drift_share = 0.5;            // dataset drift when this share of features drifted
  double missing_rate_threshold = 0.1; // absolute change of the missing rate that flags
  uint32_t max_categories = 200;       // categorical buckets compared (the rest is "(other)")

  // InvalidArgument naming the option when a value is out of range or a test does not fit
  // its kind.
  Status Validate() const;
};

// One side of a numeric comparison.
struct NumericSample {
  StepDistribution values;         // the non-missing values
  std::vector<double> histogram;   // counts on the reference's edges
  std::vector<double> edges;       // the reference's bin edges
  uint64_t missing = 0;
  double mean = 0;
  double std_dev = 0;              // population standard deviation
};

// One side of a categorical comparison.
struct CategoricalSample {
  std::vector<std::pair<std::string, double>> counts;  // named categories
  double unnamed = 0;      // mass of categories a sketch could not name (folded into "(other)")
  uint64_t missing = 0;
  bool exact = true;       // false when a sketch dropped small categories
  double total() const;
};

// Raw values (NaN and infinities = missing) binned on `edges`.
NumericSample NumericSampleFromValues(std::span<const double> values, std::vector<double> edges);
// A profile column (numeric spec).
NumericSample NumericSampleFromStats(const ColumnSpec& spec, const ColumnStats& stats);
// Category texts with counts; "" is a value, missing values are counted separately.
CategoricalSample CategoricalSampleFromColumn(const Column& column);
// A profile column (categorical spec): tracked categories, then the others summary.
CategoricalSample CategoricalSampleFromStats(const ColumnSpec& spec, const ColumnStats& stats);

struct FeatureDrift {
  std::string feature;
  ProfileRole role = ProfileRole::kFeature;
  ValueKind kind = ValueKind::kNumeric;
  ColumnKind source_kind = ColumnKind::kNumeric;

  // The verdict: which test, its statistic and threshold (alpha for p-value tests).
  std::string test;
  double statistic = std::numeric_limits<double>::quiet_NaN();
  double threshold = std::numeric_limits<double>::quiet_NaN();
  bool drifted = false;
  std::string reason;  // why it drifted (or why it was not tested)
  // statistic relative to its threshold (>= 1 means past it), for ranking.
  double score = 0;

  // Every statistic (NaN = does not apply). p_value is the verdict's p-value (KS for
  // numeric, chi-square for categorical) and p_value_adjusted its corrected value.
  double ks = NAN, ks_p_value = NAN;
  std::string ks_method;
  double wasserstein = NAN, wasserstein_normed = NAN;
  double psi = NAN, jensen_shannon = NAN;
  double chi2 = NAN, chi2_p_value = NAN;
  int chi2_dof = 0;
  double p_value = NAN, p_value_adjusted = NAN;
  bool exact = true;  // false when a side came from a quantile sketch

  uint64_t reference_count = 0, current_count = 0;  // non-missing values
  uint64_t reference_missing = 0, current_missing = 0;
  bool missing_rate_drifted = false;
  double reference_mean = NAN, current_mean = NAN;  // numeric
  std::vector<std::string> new_categories;       // in current, not in reference
  std::vector<std::string> missing_categories;   // in reference, not in current

  // Histograms on shared bins for charts: labels and shares (each side sums to 1).
  std::vector<std::string> bin_labels;
  std::vector<double> reference_shares, current_shares;

  bool counted = true;  // counts towards the dataset share (false for timestamp features)
  bool tested = true;   // false when a side had no values
};

// Statistics of one feature; the verdict is set by Decide once p-values are corrected.
FeatureDrift CompareNumeric(std::string_view name, const NumericSample& reference,
                            const NumericSample& current, const DriftOptions& options);
FeatureDrift CompareCategorical(std::string_view name, const CategoricalSample& reference,
                                const CategoricalSample& current, const DriftOptions& options);

struct DatasetVerdict {
  bool dataset_drift = false;
  uint64_t tested_features = 0;
  uint64_t drifted_features = 0;
  double share_drifted = 0;
  std::optional<bool> prediction_drift;  // unset when no predictions were compared
  std::optional<bool> label_drift;       // unset when no labels were compared
};

struct DriftReport {
  std::vector<FeatureDrift> features;      // ranked: drifted first, then by score
  std::optional<FeatureDrift> prediction;
  std::optional<FeatureDrift> label;
  DatasetVerdict verdict;
  DriftOptions options;
  uint64_t reference_rows = 0;
  uint64_t current_rows = 0;
  std::vector<std::string> skipped;        // columns not compared, with the reason
  std::vector<std::string> notes;          // e.g. that a reference came from a sketch
};

// Corrects the features' p-values, decides every verdict, ranks the features and computes
// the dataset verdict. Features, prediction and label are taken by value and moved in.
DriftReport Decide(std::vector<FeatureDrift> features, std::optional<FeatureDrift> prediction,
                   std::optional<FeatureDrift> label, const DriftOptions& options);

// Compares two profiles of the same layout (stream windows against the training profile).
// Errors: FailedPrecondition when the layouts differ.
Result<DriftReport> CompareProfiles(const Profile& reference, const Profile& current,
                                    const DriftOptions& options);

// The report as JSON: {"features": [...], "prediction": {...}|null, "label": {...}|null,
// "dataset": {...verdict...}, "correction", "alpha", ...}. Each feature object carries
// "feature", "test", "statistic", "threshold", "drifted", every statistic by name ("ks",
// "ks_p_value", "psi", "chi2", "chi2_p_value", "wasserstein", "jensen_shannon", ...; absent
// when it does not apply), counts and category changes. `with_histograms` adds the chart
// bins.
nlohmann::json DriftReportToJson(const DriftReport& report, bool with_histograms = false);

}  // namespace keel::drift
