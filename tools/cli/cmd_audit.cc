// keel audit: the fairness audit of a binary classifier on labelled data. Per group of each
// sensitive attribute (and each intersection of two): counts, rates, AUC, log loss and
// calibration; the disparities with bootstrap intervals; the worst slices; proxy features.
// Optionally fits group-specific decision thresholds (post-processing mitigation) and writes
// them into a copy of the model.
#include <cstdio>

#include "command.h"
#include "core/context.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/readable_number.h"
#include "data/ingest.h"
#include "eval/labeled_predictions.h"
#include "fairness/audit.h"
#include "fairness/group_thresholds.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct AuditFlags {
  CommonFlags common;
  std::string model;
  std::string data;
  std::vector<std::string> sensitive;
  double threshold = 0.5;
  bool ignore_group_thresholds = false;
  size_t min_group_size = 30;
  std::vector<std::string> bins;
  int quantile_bins = 4;
  std::vector<std::string> references;
  int bootstrap = 1000;
  double confidence = 0.95;
  uint64_t seed = 42;
  bool no_intersections = false;
  bool no_slices = false;
  size_t slice_min_rows = 50;
  std::string slice_loss = "error_rate";
  size_t slice_top = 10;
  int slice_bins = 4;
  double fdr = 0.05;
  bool no_proxies = false;
  double proxy_auc = 0.8;
  double proxy_nmi = 0.25;
  std::string fit_thresholds;
  std::string fit_attribute;
  double bound = 0.02;
  std::string out;
  int threads = 0;
  char decimal = 0;  // --decimal
};

std::vector<std::string> SplitList(const std::vector<std::string>& items, char sep) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t end = item.find(sep, start);
      if (end == std::string::npos) end = item.size();
      if (end > start) out.push_back(item.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

Result<std::vector<double>> ParseEdges(const std::string& flag, const std::string& text) {
  std::vector<double> edges;
  for (const auto& part : SplitList({text}, ',')) {
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (end == part.c_str() || *end != '\0' || !std::isfinite(v)) {
      return Status::InvalidArgument("--bins \"{}\": '{}' is not a number", flag, part);
    }
    edges.push_back(v);
  }
  if (edges.empty()) return Status::InvalidArgument("--bins \"{}\": no edges given", flag);
  return edges;
}

// The sensitive attributes: --sensitive, else the schema's sensitive-role columns; with their
// bin edges and reference groups.
Result<std::vector<fairness::AttributeSpec>> BuildSpecs(const AuditFlags& f, const Model& model,
                                                        const Table& table) {
  std::vector<std::string> names = SplitList(f.sensitive, ',');
  if (names.empty()) {
    for (const auto& c : model.schema.columns) {
      if (c.role == Role::kSensitive) names.push_back(c.name);
    }
  }
  if (names.empty()) {
    return Status::InvalidArgument(
        "no sensitive attribute: pass --sensitive COL[,COL], or train with a schema that gives "
        "columns the role 'sensitive'");
  }
  std::vector<fairness::AttributeSpec> specs;
  for (const auto& n : names) {
    if (table.Find(n) == nullptr) {
      return Status::NotFound("sensitive attribute '{}' is not a column of {}{}", n, f.data,
                              DidYouMean(n, table.columns(), &Column::name));
    }
    fairness::AttributeSpec s;
    s.column = n;
    s.grouping.quantile_bins = f.quantile_bins;
    specs.push_back(std::move(s));
  }
  auto find = [&](const std::string& name) -> fairness::AttributeSpec* {
    for (auto& s : specs) {
      if (s.column == name) return &s;
    }
    return nullptr;
  };
  for (const auto& b : f.bins) {
    const size_t eq = b.find('=');
    fairness::AttributeSpec* target = nullptr;
    std::string edges_text = b;
    if (eq != std::string::npos) {
      target = find(b.substr(0, eq));
      if (target == nullptr) {
        return Status::InvalidArgument("--bins \"{}\": '{}' is not a sensitive attribute", b,
                                       b.substr(0, eq));
      }
      edges_text = b.substr(eq + 1);
    } else {
      // Without a name the edges go to the one numeric sensitive attribute.
      for (auto& s : specs) {
        if (table.Find(s.column)->kind() != ColumnKind::kNumeric) continue;
        if (target != nullptr) {
          return Status::InvalidArgument(
              "--bins \"{}\": several sensitive attributes are numeric; write COL=EDGES", b);
        }
        target = &s;
      }
      if (target == nullptr) {
        return Status::InvalidArgument("--bins \"{}\": no sensitive attribute is numeric", b);
      }
    }
    KEEL_ASSIGN_OR_RETURN(target->grouping.edges, ParseEdges(b, edges_text));
  }
  for (const auto& r : f.references) {
    const size_t eq = r.find('=');
    fairness::AttributeSpec* target = eq == std::string::npos ? nullptr : find(r.substr(0, eq));
    if (target == nullptr) {
      return Status::InvalidArgument(
          "--reference \"{}\": expected COL=GROUP with COL a sensitive attribute", r);
    }
    target->reference_group = r.substr(eq + 1);
  }
  return specs;
}

nlohmann::json FitJson(const fairness::ThresholdFit& fit, const std::string& attribute) {
  nlohmann::json groups = nlohmann::json::array();
  const auto& t = fit.thresholds;
  for (size_t g = 0; g < t.thresholds.size(); ++g) {
    groups.push_back({{"group", t.groups.labels[g]}, {"threshold", t.thresholds[g]}});
  }
  return {{"attribute", attribute},
          {"constraint", std::string(fairness::ThresholdConstraintName(t.constraint))},
          {"bound", t.bound},
          {"thresholds", std::move(groups)},
          {"missing_threshold", t.missing_threshold},
          {"default_threshold", t.default_threshold},
          {"accuracy_before", fit.accuracy_before},
          {"accuracy_after", fit.accuracy_after},
          {"disparity_before", JsonNumber(fit.disparity_before)},
          {"disparity_after", JsonNumber(fit.disparity_after)}};
}

int Run(const AuditFlags& f) {
  ApplyCommonFlags(f.common);
  const int threads = f.threads > 0 ? f.threads : HardwareThreads();
  auto model = LoadModel(f.model);
  if (!model.ok()) return ReportError(model.status(), f.common);
  if (model->task != Task::kBinary) {
    return ReportError(
        Status::Unsupported("{} is a {} model; the fairness audit compares yes/no decisions and "
                            "needs a binary classifier",
                            f.model, TaskName(model->task)),
        f.common);
  }
  // --threshold, --fit-thresholds and --slice-loss were checked when the flags were parsed.
  fairness::ThresholdConstraint constraint{};
  if (!f.fit_thresholds.empty()) {
    fairness::ParseThresholdConstraint(f.fit_thresholds, &constraint);
    if (f.out.empty()) {
      return ReportUsageError(
          Status::InvalidArgument("--fit-thresholds needs --out FILE for the mitigated model"),
          f.common);
    }
  }
  fairness::SliceLoss slice_loss;
  fairness::ParseSliceLoss(f.slice_loss, &slice_loss);

  ReadOptions ro;
  ro.schema = &model->schema;
  ro.decimal = f.decimal;
  auto data = ReadTable(f.data, ro, CommandContext(f.common, f.threads));
  if (!data.ok()) return ReportError(data.status(), f.common);
  if (data->report.rows_rejected > 0) {
    log::Warn("{} of {} records of {} were rejected by the reader and are not audited",
              data->report.rows_rejected, data->report.rows_read, f.data);
  }
  auto truth = ReadLabels(*model, data->table);
  if (!truth.ok()) return ReportError(truth.status().WithContext(f.data), f.common);
  if (truth->rows_missing_label > 0) {
    log::Warn("{} rows of {} have no '{}' value and are not audited", truth->rows_missing_label,
              f.data, model->target);
  }
  auto predictor = Predictor::Create(*model);
  if (!predictor.ok()) return ReportError(predictor.status().WithContext(f.model), f.common);
  EncodeOptions eo;
  eo.threads = threads;
  auto features = EncodeFeatures(*model, data->table, eo);
  if (!features.ok()) return ReportError(features.status().WithContext(f.data), f.common);
  auto preds = PredictLabeled(**predictor, *features, *truth, threads);
  if (!preds.ok()) return ReportError(preds.status(), f.common);

  // The audited rows: those with a label, in table order.
  const Table table = data->table.Take(truth->rows);
  std::vector<uint8_t> labels(truth->labels.size());
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = truth->labels[i] == 1 ? 1 : 0;
  const std::vector<double>& scores = preds->predictions;

  auto specs = BuildSpecs(f, *model, table);
  if (!specs.ok()) return ReportError(specs.status(), f.common);

  // Decisions: the model's group thresholds when it has them (and the data has the column),
  // else one threshold.
  std::vector<uint8_t> decisions = fairness::ThresholdDecisions(scores, f.threshold);
  std::string rule = "score >= " + FormatDouble(f.threshold);
  auto stored = fairness::LoadGroupThresholds(*model);
  if (!stored.ok()) return ReportError(stored.status().WithContext(f.model), f.common);
  if (stored->has_value() && !f.ignore_group_thresholds) {
    const auto& gt = **stored;
    const Column* col = table.Find(gt.groups.attribute);
    if (col == nullptr) {
      log::Warn("{} has group thresholds on '{}', which {} lacks: using one threshold {}", f.model,
                gt.groups.attribute, f.data, FormatDouble(f.threshold));
    } else {
      auto d = fairness::ApplyGroupThresholds(gt, scores, *col);
      if (!d.ok()) return ReportError(d.status(), f.common);
      decisions = std::move(*d);
      rule =
          fmt::format("group thresholds of the model on '{}' ({} within {})", gt.groups.attribute,
                      fairness::ThresholdConstraintName(gt.constraint), FormatDouble(gt.bound));
    }
  }

  fairness::AuditOptions options;
  options.min_group_size = f.min_group_size;
  options.intersections = !f.no_intersections;
  options.bootstrap.resamples = f.bootstrap;
  options.bootstrap.confidence = f.confidence;
  options.bootstrap.seed = f.seed;
  options.bootstrap.threads = threads;
  options.decision_rule = rule;
  std::vector<std::string> feature_names;
  for (const auto& fs : model->features) {
    if (table.Find(fs.name) != nullptr) feature_names.push_back(fs.name);
  }
  if (!f.no_slices) {
    options.slice_columns = feature_names;
    for (const auto& s : *specs) {
      if (std::find(options.slice_columns.begin(), options.slice_columns.end(), s.column) ==
          options.slice_columns.end()) {
        options.slice_columns.push_back(s.column);
      }
    }
    options.slices.min_rows = f.slice_min_rows;
    options.slices.loss = slice_loss;
    options.slices.top_k = f.slice_top;
    options.slices.binning.numeric_bins = f.slice_bins;
    options.slices.alpha = f.fdr;
    options.slices.threads = threads;
  }
  if (!f.no_proxies) {
    options.proxy_features = feature_names;
    options.proxies.auc_threshold = f.proxy_auc;
    options.proxies.nmi_threshold = f.proxy_nmi;
    options.proxies.seed = f.seed;
    options.proxies.threads = threads;
  }
  const fairness::BinaryOutcomes outcomes{scores, labels, decisions};
  auto audit = fairness::RunAudit(table, outcomes, *specs, options);
  if (!audit.ok()) return ReportError(audit.status(), f.common);

  nlohmann::json j = {{"ok", true}, {"model", f.model}, {"data", f.data}};
  j["positive_class"] = model->labels.classes[1];
  j["rows_audited"] = table.num_rows();
  j["rows_without_label"] = truth->rows_missing_label;
  j["rows_rejected"] = data->report.rows_rejected;
  j.update(fairness::AuditToJson(*audit));
  std::string text = fairness::AuditToText(*audit);

  if (!f.fit_thresholds.empty()) {
    const std::string attr = f.fit_attribute.empty() ? (*specs)[0].column : f.fit_attribute;
    const fairness::AttributeSpec* spec = nullptr;
    for (const auto& s : *specs) {
      if (s.column == attr) spec = &s;
    }
    if (spec == nullptr) {
      return ReportError(Status::InvalidArgument(
                             "--fit-attribute '{}' is not one of the sensitive attributes", attr),
                         f.common);
    }
    auto groups = fairness::AssignGroups(*table.Find(attr), spec->grouping);
    if (!groups.ok()) return ReportError(groups.status(), f.common);
    fairness::ThresholdFitOptions fo;
    fo.constraint = constraint;
    fo.bound = f.bound;
    fo.min_group_size = f.min_group_size;
    fo.default_threshold = f.threshold;
    auto fit = fairness::FitGroupThresholds(scores, labels, *groups, fo);
    if (!fit.ok()) return ReportError(fit.status(), f.common);
    Model mitigated = *model;
    fairness::StoreGroupThresholds(*fit, &mitigated);
    Status st = SaveModel(mitigated, f.out);
    if (!st.ok()) return ReportError(st, f.common);
    auto after_decisions =
        fairness::ApplyGroupThresholds(fit->thresholds, scores, *table.Find(attr));
    if (!after_decisions.ok()) return ReportError(after_decisions.status(), f.common);
    fairness::AuditOptions after_options = options;
    after_options.slice_columns.clear();
    after_options.proxy_features.clear();
    after_options.decision_rule =
        fmt::format("group thresholds on '{}' ({} within {})", attr,
                    fairness::ThresholdConstraintName(constraint), FormatDouble(f.bound));
    const fairness::BinaryOutcomes after_outcomes{scores, labels, *after_decisions};
    auto after = fairness::RunAudit(table, after_outcomes, *specs, after_options);
    if (!after.ok()) return ReportError(after.status(), f.common);
    nlohmann::json m = FitJson(*fit, attr);
    m["out"] = f.out;
    m["note"] =
        "thresholds fitted on this data; audit the mitigated model on held-out data to judge it";
    m["audit_after"] = fairness::AuditToJson(*after);
    j["mitigation"] = std::move(m);
    text += fmt::format(
        "\n== mitigation: group thresholds on '{}' for {} within {} ==\n"
        "accuracy {} -> {}, {} difference {} -> {} (on this data); model written to {}\n",
        attr, fairness::ThresholdConstraintName(constraint), FormatDouble(f.bound),
        ReadableNumber(fit->accuracy_before), ReadableNumber(fit->accuracy_after),
        fairness::ThresholdConstraintName(constraint), ReadableNumber(fit->disparity_before),
        ReadableNumber(fit->disparity_after), f.out);
    for (size_t g = 0; g < fit->thresholds.thresholds.size(); ++g) {
      text += fmt::format("  {}: threshold {}\n", fit->thresholds.groups.labels[g],
                          ReadableNumber(fit->thresholds.thresholds[g]));
    }
    text += "\nafter mitigation:\n" + fairness::AuditToText(*after);
  }

  if (f.common.json) {
    PrintJson(j);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return kExitOk;
}

}  // namespace

Command AddAuditCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "audit",
      "Fairness audit of a binary classifier on labelled data: per-group metrics, disparities "
      "with bootstrap intervals, worst slices and proxy features; optionally fit group "
      "thresholds that mitigate a disparity");
  auto f = std::make_shared<AuditFlags>();
  sub->add_option("--model", f->model, "Model file (.keel), a binary classifier")->required();
  sub->add_option("--data", f->data,
                  "Labelled data to audit (.csv, .tsv, .jsonl): the model's target column and "
                  "the sensitive attributes, read with the model's schema; rows without a label "
                  "are skipped and counted")
      ->required();
  sub->add_option("--sensitive", f->sensitive,
                  "Sensitive attributes, comma-separated or repeated (default: the columns "
                  "whose schema role is sensitive). Text, categorical, boolean and 0/1 columns "
                  "are grouped by value; other numeric columns are binned (see --bins); "
                  "intersections of every two are audited too");
  sub->add_option("--threshold", f->threshold,
                  "Decision threshold: a row is predicted positive when its positive-class "
                  "probability is >= this (default: 0.5)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_flag("--ignore-group-thresholds", f->ignore_group_thresholds,
                "Audit the single --threshold even when the model carries group thresholds "
                "(default: a model's group thresholds are applied)");
  sub->add_option("--min-group-size", f->min_group_size,
                  "Groups with fewer rows are listed and flagged but left out of the "
                  "disparities (default: 30)");
  sub->add_option("--bins", f->bins,
                  "Bin edges of a numeric sensitive attribute, COL=E1,E2,... (or E1,E2,... when "
                  "only one attribute is numeric); repeatable (default: quantile bins)");
  sub->add_option("--quantile-bins", f->quantile_bins,
                  "Quantile bins for a numeric sensitive attribute without --bins (default: 4); "
                  "a numeric column with at most 10 distinct values is grouped by value")
      ->check(CLI::Range(2, 100));
  sub->add_option("--reference", f->references,
                  "Reference group of the disparate impact ratio, COL=GROUP (repeatable; "
                  "default: the most-selected group, as the four-fifths rule compares)");
  sub->add_option("--bootstrap", f->bootstrap,
                  "Bootstrap resamples for the intervals, stratified by group (default: 1000)")
      ->check(CLI::Range(1, 1000000));
  sub->add_option("--confidence", f->confidence, "Interval confidence level (default: 0.95)")
      ->check(CLI::Range(0.5, 0.999));
  sub->add_option("--seed", f->seed, "Seed of the bootstrap and proxy folds (default: 42)");
  sub->add_flag("--no-intersections", f->no_intersections,
                "Do not audit intersections of two attributes (default: audited)");
  sub->add_flag("--no-slices", f->no_slices, "Skip the worst-slice search (default: run)");
  sub->add_option("--slice-min-rows", f->slice_min_rows, "Smallest slice tested (default: 50)")
      ->check(CLI::Range(2, 1 << 30));
  sub->add_option("--slice-loss", f->slice_loss,
                  "Per-row error the slices are judged by: error_rate (0/1 error of the "
                  "decision) or logloss (also rewards the model's most confident mistakes; "
                  "for calibration failures) (default: error_rate)")
      ->check(ChoiceCheck(&fairness::ParseSliceLoss, "logloss or error_rate"));
  sub->add_option("--slice-top", f->slice_top, "Worst slices listed (default: 10)");
  sub->add_option("--slice-bins", f->slice_bins,
                  "Quantile bins of a numeric feature in slice conditions (default: 4)")
      ->check(CLI::Range(2, 100));
  sub->add_option("--fdr", f->fdr,
                  "False discovery rate of the slice tests, Benjamini-Hochberg (default: 0.05)")
      ->check(CLI::Range(0.0001, 0.5));
  sub->add_flag("--no-proxies", f->no_proxies, "Skip proxy detection (default: run)");
  sub->add_option("--proxy-auc", f->proxy_auc,
                  "A feature predicting a two-group attribute with at least this AUC is a strong "
                  "proxy (default: 0.8)")
      ->check(CLI::Range(0.5, 1.0));
  sub->add_option("--proxy-nmi", f->proxy_nmi,
                  "For attributes of more groups: at least this share of the attribute's "
                  "entropy explained (default: 0.25)")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--fit-thresholds", f->fit_thresholds,
                  "Fit group-specific thresholds on this data meeting demographic_parity or "
                  "equalized_odds within --bound at the least accuracy cost, store them in the "
                  "model written to --out, and audit the result (default: off)")
      ->check(
          ChoiceCheck(&fairness::ParseThresholdConstraint, "demographic_parity or equalized_odds"));
  sub->add_option("--fit-attribute", f->fit_attribute,
                  "Sensitive attribute the thresholds are fitted for (default: the first)");
  sub->add_option("--bound", f->bound,
                  "Largest disparity the fitted thresholds allow (default: 0.02)")
      ->check(CLI::Range(0.0001, 1.0));
  sub->add_option("--out", f->out, "Where --fit-thresholds writes the mitigated model (.keel)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
