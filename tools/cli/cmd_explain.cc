// keel explain: per-row attributions (exact TreeSHAP or linear) of a model on a data file,
// with reason codes on request and global importance in the summary.
#include <algorithm>
#include <cstdio>

#include "command.h"
#include "core/context.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/stopwatch.h"
#include "data/ingest.h"
#include "explain/explain_latency.h"
#include "explain/explainer.h"
#include "explain/global_importance.h"
#include "explain/linear_attribution.h"
#include "explain/partial_dependence.h"
#include "explain/table_explanation.h"
#include "explain/tree_shap.h"
#include "model/model_io.h"
#include "predict/predictor.h"
#include "reader_flags.h"

namespace keel::cli {
namespace {

struct ExplainFlags {
  CommonFlags common;
  std::string model;
  std::string data;
  std::string out;
  std::string rejects;
  int top = 0;
  std::string reason_class;
  int threads = 0;
  char decimal = 0;  // --decimal
  bool allow_missing_columns = false;
  std::string algorithm = "auto";
  size_t max_table_mb = 256;
  std::string partial_dependence;
  int grid_points = 20;
  size_t latency_calls = 0;
};

constexpr size_t kRejectsShown = 20;
constexpr size_t kImportanceShown = 10;

Result<int> ReasonOutput(const Model& model, const std::string& name) {
  if (name.empty()) return -1;
  if (model.num_outputs < 2) {
    return Status::InvalidArgument("--class applies to multiclass models; this one is {}",
                                   TaskName(model.task));
  }
  for (size_t k = 0; k < model.labels.classes.size(); ++k) {
    if (model.labels.classes[k] == name) return static_cast<int>(k);
  }
  for (int k = 0; k < model.num_outputs; ++k) {
    if (std::to_string(k) == name) return k;
  }
  std::string known;
  for (const auto& c : model.labels.classes) known += (known.empty() ? "" : ", ") + c;
  return Status::InvalidArgument(
      "--class \"{}\": the model's classes are {}", name,
      known.empty() ? "0.." + std::to_string(model.num_outputs - 1) : known);
}

nlohmann::json PartialDependenceJson(const PartialDependence& pd, const Model& model) {
  nlohmann::json points = nlohmann::json::array();
  const auto k = static_cast<size_t>(pd.num_outputs);
  for (size_t g = 0; g < pd.grid.size(); ++g) {
    nlohmann::json p = {{"value", pd.labels[g]}};
    if (k == 1) {
      p["mean_prediction"] = pd.mean_prediction[g];
      p["mean_margin"] = pd.mean_margin[g];
    } else {
      nlohmann::json pred = nlohmann::json::object();
      nlohmann::json margin = nlohmann::json::object();
      for (size_t c = 0; c < k; ++c) {
        const std::string name =
            c < model.labels.classes.size() ? model.labels.classes[c] : std::to_string(c);
        pred[name] = pd.mean_prediction[g * k + c];
        margin[name] = pd.mean_margin[g * k + c];
      }
      p["mean_prediction"] = pred;
      p["mean_margin"] = margin;
    }
    points.push_back(std::move(p));
  }
  return {
      {"feature", pd.name}, {"categorical", pd.categorical}, {"rows", pd.rows}, {"points", points}};
}

int Run(const ExplainFlags& f) {
  ApplyCommonFlags(f.common);
  Stopwatch total;
  const int threads = f.threads > 0 ? f.threads : HardwareThreads();
  auto model = LoadModel(f.model);
  if (!model.ok()) return ReportError(model.status(), f.common);
  const double load_seconds = total.Seconds();
  auto reason_output = ReasonOutput(*model, f.reason_class);
  if (!reason_output.ok()) return ReportError(reason_output.status(), f.common);
  int pd_feature = -1;
  if (!f.partial_dependence.empty()) {
    pd_feature = model->FeatureIndex(f.partial_dependence);
    if (pd_feature < 0) {
      return ReportError(
          Status::InvalidArgument(
              "--partial-dependence \"{}\": the model has no such feature{}", f.partial_dependence,
              DidYouMean(f.partial_dependence, model->features, &FeatureSpec::name)),
          f.common);
    }
  }

  // The explainer: its precomputation is what a server does once at load.
  Stopwatch build_time;
  ExplainerOptions eo;
  eo.tree_algorithm = f.algorithm == "table"        ? TreeShapAlgorithm::kSubsetTable
                      : f.algorithm == "polynomial" ? TreeShapAlgorithm::kLeafPolynomial
                                                    : TreeShapAlgorithm::kAuto;
  eo.max_table_bytes = f.max_table_mb << 20;
  TreeShapStats stats;
  Result<std::unique_ptr<Explainer>> explainer = model->kind == Model::Kind::kForest
                                                     ? CreateTreeShap(*model, eo, &stats)
                                                     : CreateLinearAttribution(*model);
  if (!explainer.ok()) return ReportError(explainer.status().WithContext(f.model), f.common);
  const double build_seconds = build_time.Seconds();

  Stopwatch read_time;
  ReadOptions ro;
  ro.schema = &model->schema;
  ro.decimal = f.decimal;
  ro.allow_missing_columns = f.allow_missing_columns;
  auto data = ReadTable(f.data, ro, CommandContext(f.common, f.threads));
  if (!data.ok()) return ReportError(data.status(), f.common);
  const double read_seconds = read_time.Seconds();
  const IngestReport& report = data->report;

  TableExplanationOptions to;
  to.threads = threads;
  to.allow_absent_columns = f.allow_missing_columns;
  to.top_k = f.top;
  to.reason_output = *reason_output;
  auto te = ExplainTable(*model, **explainer, data->table, to);
  if (!te.ok()) return ReportError(te.status().WithContext(f.data), f.common);
  const size_t rows = te->features.rows;

  Stopwatch write_time;
  std::vector<uint64_t> rejected_lines;
  for (const auto& r : report.rejected) rejected_lines.push_back(r.line);
  const std::string id_column = model->schema.FirstWithRole(Role::kId);
  const std::string csv =
      ExplanationToCsv(*model, *te, data->table, id_column, rejected_lines, f.top, threads);
  if (f.out == "-") {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
    std::fflush(stdout);
  } else {
    Status st = WriteFileAtomic(f.out, csv);
    if (!st.ok()) return ReportError(st, f.common);
  }
  if (!f.rejects.empty()) {
    Status st = WriteRejectsCsv(report, f.rejects);
    if (!st.ok()) return ReportError(st, f.common);
  }
  const double write_seconds = write_time.Seconds();

  size_t shown = 0;
  for (const auto& r : report.rejected) {
    if (shown++ == kRejectsShown) {
      log::Warn("... and {} more rejected records{}", report.rejected.size() - kRejectsShown,
                f.rejects.empty() ? " (--rejects FILE lists them all)" : "");
      break;
    }
    log::Warn("{}:{}: record not explained (empty cells in the output): {}", f.data, r.line,
              r.reason);
  }
  for (const auto& name : te->encode.absent) {
    log::Warn("the data has no column '{}': it is treated as missing in every row", name);
  }
  nlohmann::json unseen = nlohmann::json::object();
  for (size_t i = 0; i < model->features.size(); ++i) {
    if (te->encode.unseen[i] > 0) unseen[model->features[i].name] = te->encode.unseen[i];
  }
  if (!unseen.empty()) {
    log::Warn("categories the model never saw were treated as missing: {}", unseen.dump());
  }

  const auto importance =
      ComputeImportance(*model, te->attributions, rows, (*explainer)->used_features());
  nlohmann::json pd_json = nullptr;
  if (pd_feature >= 0) {
    auto predictor = Predictor::Create(*model);
    if (!predictor.ok()) return ReportError(predictor.status().WithContext(f.model), f.common);
    PartialDependenceOptions po;
    po.grid_points = f.grid_points;
    po.threads = threads;
    auto pd = ComputePartialDependence(*model, **predictor, te->features, pd_feature, po);
    if (!pd.ok()) return ReportError(pd.status(), f.common);
    pd_json = PartialDependenceJson(*pd, *model);
  }

  LatencyStats latency;
  if (f.latency_calls > 0) latency = MeasureRowLatency(**explainer, te->features, f.latency_calls);

  const double rows_per_second =
      te->explain_seconds > 0 ? static_cast<double>(rows) / te->explain_seconds : 0.0;
  if (f.common.json) {
    nlohmann::json j = {{"ok", true},
                        {"model", f.model},
                        {"data", f.data},
                        {"out", f.out},
                        {"task", std::string(TaskName(model->task))},
                        {"explainer", model->kind == Model::Kind::kForest ? "tree_shap" : "linear"},
                        {"units", "raw margin"},
                        {"columns", ShapColumns(*model)},
                        {"expected_value", (*explainer)->expected_value()},
                        {"id_column", id_column.empty() || data->table.Find(id_column) == nullptr
                                          ? nlohmann::json(nullptr)
                                          : nlohmann::json(id_column)},
                        {"rows_read", report.rows_read},
                        {"rows_explained", rows},
                        {"rows_rejected", report.rows_rejected},
                        {"threads", threads},
                        {"top", f.top},
                        {"importance", ImportanceToJson(*model, importance)},
                        {"unseen_categories", unseen},
                        {"absent_columns", te->encode.absent},
                        {"rows_per_second", rows_per_second},
                        {"seconds",
                         {{"load", load_seconds},
                          {"build", build_seconds},
                          {"read", read_seconds},
                          {"encode", te->encode_seconds},
                          {"explain", te->explain_seconds},
                          {"reasons", te->reasons_seconds},
                          {"write", write_seconds},
                          {"total", total.Seconds()}}}};
    if (model->kind == Model::Kind::kForest) {
      j["tree_shap"] = {{"algorithm", f.algorithm},
                        {"table_trees", stats.table_trees},
                        {"polynomial_trees", stats.polynomial_trees},
                        {"constant_trees", stats.constant_trees},
                        {"table_bytes", stats.table_bytes},
                        {"max_path_features", stats.max_path_features}};
    }
    if (!pd_json.is_null()) j["partial_dependence"] = pd_json;
    if (latency.calls > 0) {
      j["latency"] = {{"calls", latency.calls},
                      {"median_us", latency.median_us},
                      {"p99_us", latency.p99_us},
                      {"mean_us", latency.mean_us},
                      {"min_us", latency.min_us}};
    }
    PrintJson(j);
  } else {
    std::FILE* to_file = f.out == "-" ? stderr : stdout;
    std::fprintf(to_file,
                 "explained %zu of %llu rows -> %s (%llu rejected) in %.3f s (attributions: "
                 "%.3f s, %.0f rows/s on %d threads)\n",
                 rows, static_cast<unsigned long long>(report.rows_read), f.out.c_str(),
                 static_cast<unsigned long long>(report.rows_rejected), total.Seconds(),
                 te->explain_seconds, rows_per_second, threads);
    std::fprintf(to_file, "%-32s %14s %14s %8s\n", "feature", "mean |SHAP|", "gain", "splits");
    for (size_t i = 0; i < std::min(kImportanceShown, importance.size()); ++i) {
      const auto& fi = importance[i];
      std::fprintf(to_file, "%-32s %14.6g %14.6g %8llu\n", fi.name.c_str(), fi.mean_abs_shap,
                   fi.gain, static_cast<unsigned long long>(fi.splits));
    }
    if (!pd_json.is_null()) {
      std::fprintf(to_file,
                   "partial dependence on %s (mean prediction over %s rows, rounded; "
                   "--json has every digit):\n",
                   pd_json["feature"].get<std::string>().c_str(),
                   ReadableJson(pd_json["rows"]).c_str());
      for (const auto& point : pd_json["points"]) {
        std::fprintf(to_file, "  %-24s %s\n", point["value"].get<std::string>().c_str(),
                     ReadableJson(point["mean_prediction"]).c_str());
      }
    }
    if (latency.calls > 0) {
      std::fprintf(to_file, "single-row latency over %zu calls: median %.1f us, p99 %.1f us\n",
                   latency.calls, latency.median_us, latency.p99_us);
    }
  }
  return kExitOk;
}

}  // namespace

Command AddExplainCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "explain",
      "Explain a model's predictions on a data file: exact TreeSHAP (forests) or linear "
      "attributions per row, in raw margin units, with optional reason codes");
  auto f = std::make_shared<ExplainFlags>();
  sub->add_option("--model", f->model, "Model file (.keel, from `keel train` or `keel import`)")
      ->required();
  sub->add_option("--data", f->data,
                  "Data to explain (.csv, .tsv, .jsonl). Columns are read with the model's "
                  "schema; extra columns are ignored")
      ->required();
  sub->add_option("--out", f->out,
                  "SHAP CSV to write, or - for stdout. Columns: the id column (if the schema has "
                  "one), one per model feature named as the feature, and `bias` (the expected "
                  "value); multiclass: `<class>:<feature>` and `<class>:bias` per class. Each "
                  "row sums to the raw margin. Rejected records get a line of empty cells")
      ->required();
  sub->add_option("--top", f->top,
                  "Also write reason codes: the K features that raised and lowered each row's "
                  "score most (columns up_<i>_feature/_value/_shap, down_<i>_..., and a "
                  "`reason` sentence). Default: 0 (none); 4 is the usual adverse-action count")
      ->check(CLI::Range(0, 1000));
  sub->add_option("--class", f->reason_class,
                  "Multiclass: the class whose score reason codes explain (default: each row's "
                  "predicted class)");
  AddDecimalFlag(sub, &f->decimal);
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--rejects", f->rejects,
                  "Write the records the reader rejected (line, column, kind, reason, raw text) "
                  "to this CSV (default: no file; they are always listed on stderr)");
  sub->add_flag("--allow-missing-columns", f->allow_missing_columns,
                "Treat a feature column absent from the data as missing in every row instead "
                "of failing (default: fail)");
  sub->add_option("--algorithm", f->algorithm,
                  "TreeSHAP form: auto (subset tables within the memory cap, leaf polynomials "
                  "elsewhere), table, or polynomial. All give the same values (default: auto)")
      ->check(CLI::IsMember({"auto", "table", "polynomial"}));
  sub->add_option("--max-table-mb", f->max_table_mb,
                  "Memory cap for TreeSHAP's precomputed subset tables, in MiB; trees beyond it "
                  "use leaf polynomials (default: 256)");
  sub->add_option("--partial-dependence", f->partial_dependence,
                  "Also compute the partial dependence of the predictions on this feature "
                  "(in the --json summary, or printed; default: none)");
  sub->add_option("--grid-points", f->grid_points,
                  "Partial dependence: quantile grid points of a numeric feature (default: 20)")
      ->check(CLI::Range(2, 1000));
  sub->add_option("--latency-calls", f->latency_calls,
                  "Also time N single-row explanations (one row per call on one thread, as a "
                  "server answers a request; cycling over the data's rows) and report median "
                  "and p99 microseconds (default: 0, not measured)");
  AddCommonFlags(sub, &f->common);
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
