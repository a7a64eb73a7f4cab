// keel drift: compare new data with a reference (a model's training profile or a data file)
// feature by feature, and say which features, and whether the data set, drifted.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "command.h"
#include "core/log.h"
#include "core/number_format.h"
#include "core/stopwatch.h"
#include "data/ingest.h"
#include "drift/drift_detector.h"
#include "drift/model_profile.h"
#include "drift/table_drift.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct DriftFlags {
  CommonFlags common;
  std::string reference;
  std::string data;
  std::string target;
  std::string numeric_test = "auto";
  std::string categorical_test = "auto";
  std::string correction = "benjamini-hochberg";
  drift::DriftOptions options;
  uint32_t bins = 20;
  int threads = 0;
  char decimal = 0;  // --decimal
  bool histograms = false;
  bool fail_on_drift = false;
  std::string save_profile;
  double selection_threshold = 0.5;
};

// True when the file starts with the .keel artifact magic.
bool LooksLikeModel(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[5] = {};
  in.read(magic, 5);
  return in.gcount() == 5 && static_cast<unsigned char>(magic[0]) == 0x89 &&
         std::string_view(magic + 1, 4) == "KEEL";
}

std::string Cell(double v) {
  if (!std::isfinite(v)) return "-";
  if (v == 0) return "0.0000";  // also -0 (the score of p = 1), which would print "-0.0000"
  if (v != 0 && std::fabs(v) < 1e-3) return fmt::format("{:.2e}", v);
  return fmt::format("{:.4f}", v);
}

void PrintRow(const drift::FeatureDrift& f, const char* label) {
  std::printf("%-28s %-14s %10s %10s %10s %10s  %s%s\n", label, f.test.c_str(),
              Cell(f.statistic).c_str(), Cell(f.threshold).c_str(),
              Cell(f.p_value_adjusted).c_str(), Cell(f.score).c_str(),
              f.drifted ? "DRIFT" : (f.tested ? "ok" : "not tested"),
              f.reason.empty() ? "" : ("  (" + f.reason + ")").c_str());
}

void PrintText(const drift::DriftReport& r, const DriftFlags& f, bool model_ref) {
  std::printf("drift of %s (%llu rows) against %s (%s, %llu rows)\n", f.data.c_str(),
              static_cast<unsigned long long>(r.current_rows), f.reference.c_str(),
              model_ref ? "training profile" : "reference data",
              static_cast<unsigned long long>(r.reference_rows));
  std::printf("%-28s %-14s %10s %10s %10s %10s  %s\n", "feature", "test", "statistic", "threshold",
              "p (adj.)", "score", "verdict");
  for (const auto& x : r.features) {
    std::string label = x.feature;
    if (label.size() > 28) label = label.substr(0, 25) + "...";
    PrintRow(x, label.c_str());
    if (!x.new_categories.empty() || !x.missing_categories.empty()) {
      auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (size_t i = 0; i < v.size() && i < 8; ++i) s += (i ? ", " : "") + v[i];
        if (v.size() > 8) s += fmt::format(", ... ({} in all)", v.size());
        return s;
      };
      if (!x.new_categories.empty()) {
        std::printf("%-28s new categories: %s\n", "", list(x.new_categories).c_str());
      }
      if (!x.missing_categories.empty()) {
        std::printf("%-28s categories gone: %s\n", "", list(x.missing_categories).c_str());
      }
    }
  }
  if (r.prediction) PrintRow(*r.prediction, ("prediction " + r.prediction->feature).c_str());
  if (r.label) PrintRow(*r.label, ("label " + r.label->feature).c_str());
  const auto& v = r.verdict;
  std::printf("\n%llu of %llu features drifted (%.0f%%): %s (threshold %.0f%% of features)\n",
              static_cast<unsigned long long>(v.drifted_features),
              static_cast<unsigned long long>(v.tested_features), 100 * v.share_drifted,
              v.dataset_drift ? "DATASET DRIFT" : "no dataset drift", 100 * r.options.drift_share);
  std::printf("prediction drift: %s; label drift: %s\n",
              v.prediction_drift ? (*v.prediction_drift ? "yes" : "no") : "not checked",
              v.label_drift ? (*v.label_drift ? "yes" : "no") : "not checked");
  std::printf("p-values corrected with %s at alpha %s; all statistics: --json\n",
              std::string(drift::CorrectionName(r.options.correction)).c_str(),
              FormatDouble(r.options.alpha).c_str());
  for (const auto& s : r.skipped) std::printf("skipped %s\n", s.c_str());
  for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
}

Result<drift::DriftReport> AgainstModel(const DriftFlags& f, const drift::TableDriftOptions& to) {
  KEEL_ASSIGN_OR_RETURN(Model model, LoadModel(f.reference));
  KEEL_ASSIGN_OR_RETURN(drift::Profile profile, drift::LoadReferenceProfile(model));
  ReadOptions ro;
  ro.schema = &model.schema;
  ro.allow_missing_columns = true;
  ro.decimal = f.decimal;
  KEEL_ASSIGN_OR_RETURN(IngestResult data,
                        ReadTable(f.data, ro, CommandContext(f.common, f.threads)));
  if (data.report.rows_rejected > 0) {
    log::Warn("{} of {} records of {} were rejected by the reader and are not compared",
              data.report.rows_rejected, data.report.rows_read, f.data);
  }
  std::vector<double> predictions;
  bool has_prediction = false;
  for (const auto& c : profile.layout().columns) {
    has_prediction |= c.role == drift::ProfileRole::kPrediction;
  }
  if (has_prediction && data.table.num_rows() > 0) {
    EncodeOptions eo;
    eo.allow_absent_columns = true;
    eo.threads = f.threads;
    KEEL_ASSIGN_OR_RETURN(FeatureMatrix x, EncodeFeatures(model, data.table, eo));
    KEEL_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(model));
    predictions.resize(x.rows * static_cast<size_t>(predictor->num_outputs()));
    KEEL_RETURN_IF_ERROR(predictor->PredictBatch(x, predictions, false, f.threads));
  }
  return drift::CompareTableToProfile(profile, model, data.table, predictions, to);
}

Result<drift::DriftReport> AgainstData(const DriftFlags& f, const drift::TableDriftOptions& to) {
  ReadOptions ro;
  ro.decimal = f.decimal;
  KEEL_ASSIGN_OR_RETURN(IngestResult ref,
                        ReadTable(f.reference, ro, CommandContext(f.common, f.threads)));
  // The new file is read with the reference's schema, so a column means the same on both sides.
  ReadOptions co = ro;
  co.schema = &ref.schema;
  co.allow_missing_columns = true;
  KEEL_ASSIGN_OR_RETURN(IngestResult cur,
                        ReadTable(f.data, co, CommandContext(f.common, f.threads)));
  for (const auto* d : {&ref, &cur}) {
    if (d->report.rows_rejected > 0) {
      log::Warn("{} of {} records of {} were rejected by the reader and are not compared",
                d->report.rows_rejected, d->report.rows_read, d == &ref ? f.reference : f.data);
    }
  }
  return drift::CompareTables(ref.table, cur.table, ref.schema, to);
}

// --save-profile: builds the model's training profile from --data and writes the model with it.
int SaveProfile(const DriftFlags& f) {
  Stopwatch clock;
  auto model = LoadModel(f.reference);
  if (!model.ok()) return ReportError(model.status(), f.common);
  ReadOptions ro;
  ro.schema = &model->schema;
  ro.decimal = f.decimal;
  auto data = ReadTable(f.data, ro, CommandContext(f.common, f.threads));
  if (!data.ok()) return ReportError(data.status(), f.common);
  const double read_seconds = clock.Seconds();
  Stopwatch predict_clock;
  EncodeOptions eo;
  eo.threads = f.threads;
  auto x = EncodeFeatures(*model, data->table, eo);
  if (!x.ok()) return ReportError(x.status().WithContext(f.data), f.common);
  auto predictor = Predictor::Create(*model);
  if (!predictor.ok()) return ReportError(predictor.status(), f.common);
  std::vector<double> predictions(x->rows * static_cast<size_t>((*predictor)->num_outputs()));
  Status st = (*predictor)->PredictBatch(*x, predictions, false, f.threads);
  if (!st.ok()) return ReportError(st, f.common);
  const double predict_seconds = predict_clock.Seconds();
  drift::ReferenceProfileOptions po;
  po.threads = f.threads;
  po.selection_threshold = f.selection_threshold;
  Stopwatch profile_clock;
  st = drift::AttachReferenceProfile(&*model, data->table, {}, predictions, po);
  const double profile_seconds = profile_clock.Seconds();
  if (st.ok()) st = SaveModel(*model, f.save_profile);
  if (!st.ok()) return ReportError(st, f.common);
  const nlohmann::json& p = model->sections[drift::kProfileSection];
  if (f.common.json) {
    PrintJson({{"ok", true},
               {"model", f.save_profile},
               {"rows", p["rows"]},
               {"columns", p["columns"].size()},
               {"seconds",
                {{"read", read_seconds},
                 {"predict", predict_seconds},
                 {"profile", profile_seconds},
                 {"total", clock.Seconds()}}},
               {"profile_rows_per_second",
                profile_seconds > 0 ? static_cast<double>(data->table.num_rows()) / profile_seconds
                                    : 0.0}});
  } else {
    std::printf("training profile of %s (%s rows, %zu columns) written with the model to %s\n",
                f.data.c_str(), p["rows"].dump().c_str(), p["columns"].size(),
                f.save_profile.c_str());
  }
  return kExitOk;
}

int Run(DriftFlags& f) {
  ApplyCommonFlags(f.common);
  if (!f.save_profile.empty()) {
    if (!LooksLikeModel(f.reference)) {
      return ReportError(Status::InvalidArgument("--save-profile needs a model as --reference, not "
                                                 "{}",
                                                 f.reference),
                         f.common);
    }
    return SaveProfile(f);
  }
  // The three names were checked when the flags were parsed (ChoiceCheck).
  drift::ParseDriftTest(f.numeric_test, &f.options.numeric_test);
  drift::ParseDriftTest(f.categorical_test, &f.options.categorical_test);
  drift::ParseCorrection(f.correction, &f.options.correction);
  Status valid = f.options.Validate();
  if (!valid.ok()) return ReportError(valid, f.common);
  drift::TableDriftOptions to;
  to.drift = f.options;
  to.numeric_bins = f.bins;
  to.target = f.target;
  to.threads = f.threads;

  Stopwatch clock;
  const bool model_ref = LooksLikeModel(f.reference);
  auto report = model_ref ? AgainstModel(f, to) : AgainstData(f, to);
  if (!report.ok()) return ReportError(report.status(), f.common);
  if (f.common.json) {
    nlohmann::json j = drift::DriftReportToJson(*report, f.histograms);
    j["ok"] = true;
    j["reference"] = f.reference;
    j["reference_kind"] = model_ref ? "model" : "data";
    j["data"] = f.data;
    j["seconds"] = clock.Seconds();
    PrintJson(j);
  } else {
    PrintText(*report, f, model_ref);
  }
  const auto& v = report->verdict;
  const bool any =
      v.dataset_drift || v.prediction_drift.value_or(false) || v.label_drift.value_or(false);
  return f.fail_on_drift && any ? 3 : kExitOk;
}

}  // namespace

Command AddDriftCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "drift",
      "Compare new data with a reference (a model's training profile, or a data file) feature "
      "by feature: KS, chi-square, PSI, Jensen-Shannon and Wasserstein, features ranked by "
      "drift, and a dataset verdict");
  auto f = std::make_shared<DriftFlags>();
  sub->add_option("--reference", f->reference,
                  "A model (.keel: its stored training profile is the reference and the new "
                  "data's predictions are compared too), or a data file (.csv, .tsv, .jsonl: "
                  "its inferred schema is used to read --data)")
      ->required();
  sub->add_option("--data", f->data, "The new data to check (.csv, .tsv, .jsonl)")->required();
  sub->add_option("--target", f->target,
                  "Label column compared as label drift (default: the model's target, or the "
                  "schema's target-role column; none otherwise)");
  sub->add_option("--numeric-test", f->numeric_test,
                  "Test that decides numeric features: auto, ks, psi, jensen_shannon, wasserstein "
                  "(default: auto = KS p-value up to --small-sample values per side, else "
                  "Wasserstein in reference standard deviations guarded by the KS p-value)")
      ->check(ChoiceCheck(
          [](const std::string& t) {
            drift::DriftTest test;
            return drift::ParseDriftTest(t, &test) && test != drift::DriftTest::kChiSquare;
          },
          "auto, ks, psi, jensen_shannon or wasserstein"));
  sub->add_option("--categorical-test", f->categorical_test,
                  "Test that decides categorical features: auto, chi2, psi, jensen_shannon "
                  "(default: auto = chi-square p-value up to --small-sample values, else "
                  "Jensen-Shannon distance guarded by the chi-square p-value)")
      ->check(ChoiceCheck(
          [](const std::string& t) {
            drift::DriftTest test;
            return drift::ParseDriftTest(t, &test) && test != drift::DriftTest::kKs &&
                   test != drift::DriftTest::kWasserstein;
          },
          "auto, chi2, psi or jensen_shannon"));
  sub->add_option("--alpha", f->options.alpha,
                  "Significance level of the corrected p-values (default: 0.05)")
      ->check(Interval(0, 1, true, true));
  sub->add_option("--correction", f->correction,
                  "Multiple-testing correction over the features' p-values: benjamini-hochberg, "
                  "bonferroni, none (default: benjamini-hochberg)")
      ->check(ChoiceCheck(
          [](const std::string& t) {
            drift::Correction c;
            return drift::ParseCorrection(t, &c);
          },
          "benjamini-hochberg, bonferroni or none"));
  sub->add_option("--psi-threshold", f->options.psi_threshold,
                  "PSI above which a feature drifted, with --*-test psi (default: 0.2)");
  sub->add_option("--js-threshold", f->options.js_threshold,
                  "Jensen-Shannon distance (base 2, in [0, 1]) above which a feature drifted "
                  "(default: 0.1)")
      ->check(Interval(0, 1, true, false));
  sub->add_option("--wasserstein-threshold", f->options.wasserstein_threshold,
                  "Wasserstein distance, in reference standard deviations, above which a numeric "
                  "feature drifted (default: 0.1)");
  sub->add_option("--small-sample", f->options.small_sample,
                  "Largest sample (non-missing values on the smaller side) decided by p-values "
                  "alone in auto mode (default: 1000)");
  sub->add_option("--drift-share", f->options.drift_share,
                  "Share of drifted features at which the data set counts as drifted "
                  "(default: 0.5)")
      ->check(Interval(0, 1, true, false));
  sub->add_option("--missing-threshold", f->options.missing_rate_threshold,
                  "Change of a feature's missing rate (absolute, and significant) that flags it "
                  "(default: 0.1)")
      ->check(Interval(0, 1, true, false));
  sub->add_option("--max-categories", f->options.max_categories,
                  "Categories compared per feature; rarer ones are pooled as \"(other)\" "
                  "(default: 200)");
  sub->add_option("--bins", f->bins,
                  "Quantile bins of the reference for PSI and Jensen-Shannon on numeric "
                  "features of a data-file reference (default: 20; a model's profile has its "
                  "own)");
  sub->add_flag("--histograms", f->histograms,
                "With --json, add each feature's reference and current histogram (default: off)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--save-profile", f->save_profile,
                  "Instead of comparing: build the training profile of the --reference model from "
                  "--data (its training data) and write the model with it to this file; for "
                  "models trained or imported without one (default: off)");
  sub->add_option("--selection-threshold", f->selection_threshold,
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
