// keel drift: compare new data with a reference (a model's training profile or a data file)
// feature by feature and say which features, and whether the data set, drifted; or, with
// --save-profile, store a model's training profile (usecase/drift.h). This file binds flags and
// prints.
#include <cstdio>

#include "command.h"
#include "reader_flags.h"
#include "usecase/drift.h"

namespace keel::cli {
namespace {

struct DriftFlags {
  CommonFlags common;
  usecase::DriftRequest request;
  usecase::SaveProfileRequest profile;  // --save-profile: its out_path set
  int threads = 0;
  bool fail_on_drift = false;
};

int SaveProfile(DriftFlags& f) {
  // --reference is the model and --data its training data.
  f.profile.input.model_path = f.request.reference_path;
  f.profile.input.data_path = f.request.data_path;
  f.profile.input.decimal = f.request.decimal;
  auto result = usecase::SaveProfile(f.profile, CommandContext(f.common, f.threads));
  return PrintResult(result, f.common);
}

int Run(DriftFlags& f) {
  ApplyCommonFlags(f.common);
  if (!f.profile.out_path.empty()) return SaveProfile(f);
  auto result = usecase::Drift(f.request, CommandContext(f.common, f.threads));
  if (!result.ok()) return ReportError(result.status(), f.common);
  PrintOutput(*result, f.common);
  return f.fail_on_drift && result->drifted() ? 3 : kExitOk;
}

}  // namespace

Command AddDriftCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "drift",
      "Compare new data with a reference (a model's training profile, or a data file) feature "
      "by feature: KS, chi-square, PSI, Jensen-Shannon and Wasserstein, features ranked by "
      "drift, and a dataset verdict");
  auto f = std::make_shared<DriftFlags>();
  usecase::DriftRequest& r = f->request;
  drift::DriftOptions& o = r.options.drift;
  sub->add_option("--reference", r.reference_path,
                  "A model (.keel: its stored training profile is the reference and the new "
                  "data's predictions are compared too), or a data file (.csv, .tsv, .jsonl: "
                  "its inferred schema is used to read --data)")
      ->required();
  sub->add_option("--data", r.data_path, "The new data to check (.csv, .tsv, .jsonl)")->required();
  sub->add_option("--target", r.options.target,
                  "Label column compared as label drift (default: the model's target, or the "
                  "schema's target-role column; none otherwise)");
  sub->add_option_function<std::string>(
         "--numeric-test",
         [&o](const std::string& t) { drift::ParseDriftTest(t, &o.numeric_test); },
         "Test that decides numeric features: auto, ks, psi, jensen_shannon, wasserstein "
         "(default: auto = KS p-value up to --small-sample values per side, else Wasserstein in "
         "reference standard deviations guarded by the KS p-value)")
      ->check(ChoiceCheck(
          [](const std::string& t) {
            drift::DriftTest test;
            return drift::ParseDriftTest(t, &test) && test != drift::DriftTest::kChiSquare;
          },
          "auto, ks, psi, jensen_shannon or wasserstein"));
  sub->add_option_function<std::string>(
         "--categorical-test",
         [&o](const std::string& t) { drift::ParseDriftTest(t, &o.categorical_test); },
         "Test that decides categorical features: auto, chi2, psi, jensen_shannon (default: "
         "auto = chi-square p-value up to --small-sample values, else Jensen-Shannon distance "
         "guarded by the chi-square p-value)")
      ->check(ChoiceCheck(
          [](const std::string& t) {
            drift::DriftTest test;
            return drift::ParseDriftTest(t, &test) && test != drift::DriftTest::kKs &&
                   test != drift::DriftTest::kWasserstein;
          },
          "auto, chi2, psi or jensen_shannon"));
  sub->add_option("--alpha", o.alpha,
                  "Significance level of the corrected p-values (default: 0.05)")
      ->check(Interval(usecase::ranges::kOpenUnit));
  sub->add_option_function<std::string>(
         "--correction", [&o](const std::string& t) { drift::ParseCorrection(t, &o.correction); },
         "Multiple-testing correction over the features' p-values: benjamini-hochberg, "
         "bonferroni, none (default: benjamini-hochberg)")
      ->check(ChoiceCheck(&drift::ParseCorrection, "benjamini-hochberg, bonferroni or none"));
  sub->add_option("--psi-threshold", o.psi_threshold,
                  "PSI above which a feature drifted, with --*-test psi (default: 0.2)");
  sub->add_option("--js-threshold", o.js_threshold,
                  "Jensen-Shannon distance (base 2, in [0, 1]) above which a feature drifted "
                  "(default: 0.1)")
      ->check(Interval(usecase::ranges::kPositiveFraction));
  sub->add_option("--wasserstein-threshold", o.wasserstein_threshold,
                  "Wasserstein distance, in reference standard deviations, above which a numeric "
                  "feature drifted (default: 0.1)");
  sub->add_option("--small-sample", o.small_sample,
                  "Largest sample (non-missing values on the smaller side) decided by p-values "
                  "alone in auto mode (default: 1000)");
  sub->add_option("--drift-share", o.drift_share,
                  "Share of drifted features at which the data set counts as drifted "
                  "(default: 0.5)")
      ->check(Interval(usecase::ranges::kPositiveFraction));
  sub->add_option("--missing-threshold", o.missing_rate_threshold,
                  "Change of a feature's missing rate (absolute, and significant) that flags it "
                  "(default: 0.1)")
      ->check(Interval(usecase::ranges::kPositiveFraction));
  sub->add_option("--max-categories", o.max_categories,
                  "Categories compared per feature; rarer ones are pooled as \"(other)\" "
                  "(default: 200)");
  sub->add_option("--bins", r.options.numeric_bins,
                  "Quantile bins of the reference for PSI and Jensen-Shannon on numeric "
                  "features of a data-file reference (default: 20; a model's profile has its "
                  "own)");
  sub->add_flag("--histograms", r.histograms,
                "With --json, add each feature's reference and current histogram (default: off)");
  AddDecimalFlag(sub, &r.decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--save-profile", f->profile.out_path,
                  "Instead of comparing: build the training profile of the --reference model from "
                  "--data (its training data) and write the model with it to this file; for "
                  "models trained or imported without one (default: off)");
  sub->add_option("--selection-threshold", f->profile.options.selection_threshold,
                  "With --save-profile: a prediction at or above this counts as selected in the "
                  "per-group rates of sensitive attributes (default: 0.5)");
  sub->add_flag("--fail-on-drift", f->fail_on_drift,
                "Exit with status 3 when the data set, the predictions or the labels drifted "
                "(default: exit 0 whatever the verdict)");
  AddCommonFlags(sub, &f->common);
  sub->footer("Tests, defaults and thresholds are explained in docs/drift.md.");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
