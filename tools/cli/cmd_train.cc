// keel train: train a GBDT or the linear baseline on a data file, print per-split metrics,
// and save the model.
//
// Training itself lives in src/train (Train). This command reads the data, saves the
// model, and computes the reported metrics of every split from the model IR through the
// predictor (EncodeFeatures + Predictor), i.e. exactly what `keel predict` gives for those
// rows; the train stage never links the predictor (DESIGN.md layering).
#include <cmath>
#include <cstdio>

#include "command.h"
#include "core/json_number.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "data/ingest.h"
#include "data/schema_yaml.h"
#include "fairness/group_assignment.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "reader_flags.h"
#include "train/fair_reduction.h"
#include "train/metrics.h"
#include "train/params.h"
#include "train/reweighing.h"
#include "train/trainer.h"

namespace keel::cli {
namespace {

struct TrainFlags {
  CommonFlags common;
  std::string data;
  std::string target;
  std::string schema_path;
  std::string positive;
  std::vector<std::string> exclude;
  bool include_sensitive = false;
  std::string weight;
  std::string out;
  std::vector<std::string> kinds;
  char decimal = 0;  // --decimal
  // Fairness (docs/fairness.md): declared sensitive columns and the training mitigations.
  std::vector<std::string> sensitive;
  std::string reweigh;
  std::string fair_attribute;
  std::string fair_constraint = "demographic_parity";
  double fair_bound = 0.05;
  int fair_iterations = 15;
  // One text slot per parameter of the table, in table order (stable addresses for CLI11).
  std::vector<std::string> param_values;
  std::vector<CLI::Option*> param_options;
};

std::vector<std::string> SplitCommas(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t comma = item.find(',', start);
      if (comma == std::string::npos) comma = item.size();
      if (comma > start) out.push_back(item.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

// Metrics of one split computed from the model IR, as `keel predict` would.
Result<std::vector<std::pair<std::string, double>>> IrMetrics(
    const Model& model, const Predictor& predictor, const Table& table,
    const std::vector<uint32_t>& rows, const std::vector<double>& labels, int threads) {
  Table part = table.Take(rows);
  EncodeOptions eo;
  eo.threads = threads;
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix x, EncodeFeatures(model, part, eo));
  std::vector<double> margins(rows.size() * static_cast<size_t>(model.num_outputs));
  KEEL_RETURN_IF_ERROR(predictor.PredictBatch(x, margins, /*raw=*/true, threads));
  std::vector<double> y(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) y[i] = labels[rows[i]];
  return SplitMetrics(model.objective, model.num_outputs, margins, y);
}

void PrintText(const TrainReport& r, const std::string& target, const Model& model,
               const std::string& out) {
  std::printf("trained %s (%s, %s) on target '%s' in %.3f s (fit %.3f s)\n", r.algo.c_str(),
              std::string(TaskName(r.task)).c_str(),
              std::string(ObjectiveName(r.objective)).c_str(), target.c_str(), r.seconds,
              r.fit_seconds);
  if (r.task == Task::kBinary) {
    std::printf("positive class: %s\n", model.labels.classes[1].c_str());
  }
  std::printf("features: %zu; split %s", model.features.size(), r.split_method.c_str());
  if (r.algo == "gbdt") {
    std::printf("; trees: %d per output", r.iterations);
    if (r.best_iteration >= 0) std::printf(" (best validation iteration %d)", r.best_iteration + 1);
  } else {
    std::printf("; solver iterations: %d%s", r.iterations, r.converged ? "" : " (not converged)");
  }
  std::printf("\n\n%-6s %9s", "split", "rows");
  if (!r.splits.empty()) {
    for (const auto& [name, v] : r.splits[0].metrics) std::printf(" %10s", name.c_str());
  }
  std::printf("\n");
  for (const SplitResult& s : r.splits) {
    std::printf("%-6s %9llu", s.name.c_str(), static_cast<unsigned long long>(s.rows));
    for (const auto& [name, v] : s.metrics) {
      if (std::isfinite(v)) {
        std::printf(" %10.6f", v);
      } else {
        std::printf(" %10s", "-");
      }
    }
    std::printf("\n");
  }
  if (r.leakage.test_rows_in_train > 0 || r.leakage.valid_rows_in_train > 0) {
    std::printf(
        "\nleakage: %llu test rows and %llu validation rows repeat a training row's "
        "features exactly",
        static_cast<unsigned long long>(r.leakage.test_rows_in_train),
        static_cast<unsigned long long>(r.leakage.valid_rows_in_train));
    if (!r.leakage.examples.empty()) {
      std::printf(" (e.g. line %llu = training line %llu)",
                  static_cast<unsigned long long>(r.leakage.examples[0].first),
                  static_cast<unsigned long long>(r.leakage.examples[0].second));
    }
    std::printf("\n");
  }
  if (!r.excluded.empty()) {
    std::printf("\nnot used as features:\n");
    for (const auto& e : r.excluded) std::printf("  %s: %s\n", e.name.c_str(), e.reason.c_str());
  }
  for (const std::string& w : r.warnings) std::printf("warning: %s\n", w.c_str());
  if (!out.empty()) std::printf("\nmodel written to %s\n", out.c_str());
}

int Run(TrainFlags& f) {
  ApplyCommonFlags(f.common);
  TrainOptions options;
  options.target = f.target;
  options.positive = f.positive;
  options.exclude = SplitCommas(f.exclude);
  options.include_sensitive = f.include_sensitive;
  options.weight_column = f.weight;
  const auto table_spec = ParamTable();
  for (size_t i = 0; i < table_spec.size(); ++i) {
    if (f.param_options[i]->count() == 0) continue;
    Status s = SetParam(table_spec[i], f.param_values[i], &options.params);
    if (!s.ok()) return ReportUsageError(s, f.common);
  }
  // Each value passed its check when parsed; what is left are rules across parameters.
  Status s = ValidateParams(options.params);
  if (!s.ok()) return ReportUsageError(s, f.common);

  ReadOptions ro;
  ro.decimal = f.decimal;
  Schema given_schema;
  if (!f.schema_path.empty()) {
    auto loaded = LoadSchemaYaml(f.schema_path);
    if (!loaded.ok()) return ReportError(loaded.status(), f.common);
    given_schema = std::move(*loaded);
    ro.schema = &given_schema;
  }
  for (const auto& k : f.kinds) {
    const size_t eq = k.rfind('=');
    ColumnKind kind;
    if (eq == std::string::npos || !ParseColumnKind(k.substr(eq + 1), &kind)) {
      return ReportUsageError(
          Status::InvalidArgument("--kind \"{}\": expected COLUMN=KIND with KIND one of numeric, "
                                  "categorical, boolean, timestamp, string",
                                  k),
          f.common);
    }
    ro.kind_overrides[k.substr(0, eq)] = kind;
  }
  Context ctx = CommandContext(f.common, options.params.threads);
  auto ingested = ReadTable(f.data, ro, ctx);
  if (!ingested.ok()) return ReportError(ingested.status(), f.common);
  const IngestReport& ir = ingested->report;
  if (ir.rows_rejected > 0) {
    log::Warn(
        "{} of {} records of {} were rejected and are not used (see `keel ingest {} "
        "--rejects FILE`)",
        ir.rows_rejected, ir.rows_read, f.data, f.data);
  }
  options.data_path = f.data;
  options.data_info = {{"rows_read", ir.rows_read},
                       {"rows_used", ir.rows_used},
                       {"rows_rejected", ir.rows_rejected}};

  // Fairness: --sensitive, --reweigh and --fair-attribute columns get the sensitive role (not
  // features unless --include-sensitive); the mitigations group them as `keel audit` does.
  std::vector<std::string> sensitive = SplitCommas(f.sensitive);
  for (const std::string* c : {&f.reweigh, &f.fair_attribute}) {
    if (!c->empty()) sensitive.push_back(*c);
  }
  std::vector<std::vector<int32_t>> group_codes;
  for (const std::string& name : sensitive) {
    ColumnSchema* c = ingested->schema.Find(name);
    const Column* col = ingested->table.Find(name);
    if (c == nullptr || col == nullptr) {
      return ReportError(
          Status::NotFound("sensitive column '{}' is not in {}{}", name, f.data,
                           DidYouMean(name, ingested->table.columns(), &Column::name)),
          f.common);
    }
    c->role = Role::kSensitive;
    auto groups = fairness::AssignGroups(*col);
    if (!groups.ok()) return ReportError(groups.status(), f.common);
    group_codes.push_back(std::move(groups->codes));
  }
  if (!f.reweigh.empty()) {
    const size_t at = sensitive.size() - (f.fair_attribute.empty() ? 1 : 2);
    s = AddReweighingWeights(group_codes[at], ingested->schema, &ingested->table, &options);
    if (!s.ok()) return ReportError(s.WithContext("--reweigh " + f.reweigh), f.common);
  }
  FairReductionOptions fair;
  ParseFairConstraint(f.fair_constraint, &fair.constraint);  // checked when parsed
  fair.bound = f.fair_bound;
  fair.iterations = f.fair_iterations;
  FairReductionReport fair_report;
  auto trained = f.fair_attribute.empty()
                     ? Train(ingested->table, ingested->schema, options, ctx)
                     : TrainFairReduction(ingested->table, ingested->schema, options,
                                          group_codes.back(), fair, ctx, &fair_report);
  if (!trained.ok()) {
    return ReportError(trained.status().WithContext("training on " + f.data), f.common);
  }
  TrainResult& tr = *trained;
  const int threads = ctx.threads();

  // Final metrics from the model IR, through the predictor: what `keel predict` gives.
  auto predictor = Predictor::Create(tr.model);
  if (!predictor.ok()) return ReportError(predictor.status(), f.common);
  nlohmann::json metrics_section = nlohmann::json::object();
  for (SplitResult& split : tr.report.splits) {
    const std::vector<uint32_t>& rows = split.name == "train"   ? tr.split.train
                                        : split.name == "valid" ? tr.split.valid
                                                                : tr.split.test;
    auto m = IrMetrics(tr.model, **predictor, ingested->table, rows, tr.labels, threads);
    if (!m.ok()) return ReportError(m.status(), f.common);
    for (size_t i = 0; i < m->size() && i < split.metrics.size(); ++i) {
      const double a = (*m)[i].second;
      const double b = split.metrics[i].second;
      if (std::abs(a - b) > 1e-9 * std::max(1.0, std::abs(a)) &&
          !(std::isnan(a) && std::isnan(b))) {
        log::Warn("{} {}: training-form value {} differs from the model's {}", split.name,
                  (*m)[i].first, FormatDouble(b), FormatDouble(a));
      }
    }
    split.metrics = std::move(*m);
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : split.metrics) j[k] = JsonNumber(v);
    j["rows"] = split.rows;
    metrics_section[split.name] = std::move(j);
  }
  tr.model.sections["metrics"] = std::move(metrics_section);

  if (!f.out.empty()) {
    s = SaveModel(tr.model, f.out);
    if (!s.ok()) return ReportError(s, f.common);
  }
  if (f.common.json) {
    nlohmann::json j = ReportToJson(tr.report);
    j["ok"] = true;
    j["target"] = f.target;
    if (tr.model.task != Task::kRegression) j["classes"] = tr.model.labels.classes;
    if (tr.model.task == Task::kBinary) j["positive"] = tr.model.labels.classes[1];
    nlohmann::json feats = nlohmann::json::array();
    for (const auto& fs : tr.model.features) feats.push_back(fs.name);
    j["features"] = std::move(feats);
    j["parameters"] = ParamsToJson(options.params);
    if (!f.out.empty()) j["model"] = f.out;
    if (tr.model.sections.count("fairness")) j["fairness"] = tr.model.sections["fairness"];
    if (!f.reweigh.empty()) j["reweighed_by"] = f.reweigh;
    PrintJson(j);
  } else {
    PrintText(tr.report, f.target, tr.model, f.out);
    if (!f.reweigh.empty())
      std::printf("rows reweighed by '%s' (Kamiran-Calders)\n", f.reweigh.c_str());
    if (!f.fair_attribute.empty()) {
      std::printf(
          "fairness reduction on '%s' (%s <= %s): %s chosen on the %s rows; accuracy "
          "%.4f -> %.4f, disparity %.4f -> %.4f%s\n",
          f.fair_attribute.c_str(), f.fair_constraint.c_str(), FormatDouble(f.fair_bound).c_str(),
          fair_report.chosen.c_str(), fair_report.selected_on.c_str(), fair_report.accuracy_before,
          fair_report.accuracy_after, fair_report.disparity_before, fair_report.disparity_after,
          fair_report.bound_met ? "" : " (bound NOT met)");
    }
  }
  return kExitOk;
}

}  // namespace

Command AddTrainCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "train",
      "Train a gradient-boosted tree ensemble (or the linear baseline) on a data file, print "
      "the metrics of each split (train/validation/test) and save the model");
  auto f = std::make_shared<TrainFlags>();
  sub->add_option("--data", f->data, "Training data (.csv, .tsv, .jsonl)")->required();
  sub->add_option("--target", f->target, "The column to predict")->required();
  sub->add_option("--out", f->out, "Write the model here (.keel); default: not saved");
  sub->add_option("--schema", f->schema_path,
                  "Schema YAML: column kinds, roles (id, time, sensitive, weight, ignore are not "
                  "features) and the target's label mapping (default: inferred)");
  sub->add_option("--positive", f->positive,
                  "Positive class of a binary target (default: the schema's label mapping, "
                  "else the minority class)");
  sub->add_option("--exclude", f->exclude,
                  "Columns not to use as features, comma-separated or repeated (default: "
                  "none)");
  sub->add_flag("--include-sensitive", f->include_sensitive,
                "Also train on columns whose schema role is sensitive (default: excluded)");
  sub->add_option("--weight", f->weight,
                  "Sample weight column (default: the schema's weight-role column, else none)");
  sub->add_option("--kind", f->kinds,
                  "Force a column's kind when reading, COLUMN=numeric|categorical|boolean|"
                  "timestamp|string (repeatable; default: inferred)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--sensitive", f->sensitive,
                  "Sensitive columns, comma-separated or repeated: not used as features (unless "
                  "--include-sensitive) and audited by `keel audit` (default: the schema's)");
  sub->add_option("--reweigh", f->reweigh,
                  "Reweigh training rows so the label is independent of this sensitive column "
                  "(Kamiran-Calders; multiplies any sample weights; default: off)");
  sub->add_option("--fair-attribute", f->fair_attribute,
                  "Train under a fairness constraint on this sensitive column (exponentiated-"
                  "gradient reduction; the model does not need the column to predict; default: "
                  "off). See docs/fairness.md");
  sub->add_option("--fair-constraint", f->fair_constraint,
                  "demographic_parity or equalized_odds (default: demographic_parity)")
      ->check(ChoiceCheck(&ParseFairConstraint, "demographic_parity or equalized_odds"));
  sub->add_option("--fair-bound", f->fair_bound,
                  "Largest allowed demographic parity / equalized odds difference, judged on the "
                  "validation split if any, else the training rows (default: 0.05)")
      ->check(CLI::Range(0.001, 1.0));
  sub->add_option("--fair-iterations", f->fair_iterations,
                  "Models trained by the reduction (default: 15)")
      ->check(CLI::Range(1, 200));
  // Every training parameter from the table: its flag and its keel.yaml name with dashes
  // (--trees, --num-trees), its value checked when the flags are parsed (a bad one is a usage
  // error, exit 2).
  const auto table_spec = ParamTable();
  f->param_values.resize(table_spec.size());
  for (size_t i = 0; i < table_spec.size(); ++i) {
    const ParamSpec& spec = table_spec[i];
    std::string names;
    for (const std::string& flag : ParamFlags(spec)) names += (names.empty() ? "--" : ",--") + flag;
    f->param_options.push_back(sub->add_option(names, f->param_values[i], ParamHelp(spec))
                                   ->type_name(spec.type == ParamSpec::Type::kInt      ? "INT"
                                               : spec.type == ParamSpec::Type::kDouble ? "FLOAT"
                                                                                       : "TEXT")
                                   ->check(StatusCheck([&spec](const std::string& text) {
                                     TrainParams scratch = DefaultParams();
                                     return SetParam(spec, text, &scratch);
                                   })));
  }
  AddCommonFlags(sub, &f->common);
  sub->footer(
      "Parameters are documented in docs/params.md; each also takes its keel.yaml name as a "
      "flag (--num-trees for --trees).");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
