#include "usecase/explain.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/file_io.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/readable_number.h"
#include "core/stopwatch.h"
#include "explain/explainer.h"
#include "explain/linear_attribution.h"
#include "explain/partial_dependence.h"
#include "explain/table_explanation.h"

namespace keel::usecase {
namespace {

constexpr size_t kImportanceShown = 10;

// The output whose score reason codes explain: -1 = each row's predicted class.
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

Status CheckAlgorithm(const std::string& name) {
  if (name == "auto" || name == "table" || name == "polynomial") return Status::OK();
  return Status::InvalidArgument("--algorithm \"{}\": use auto, table or polynomial", name);
}

TreeShapAlgorithm AlgorithmOf(const std::string& name) {
  return name == "table"        ? TreeShapAlgorithm::kSubsetTable
         : name == "polynomial" ? TreeShapAlgorithm::kLeafPolynomial
                                : TreeShapAlgorithm::kAuto;
}

}  // namespace

Result<ExplainResult> Explain(const ExplainRequest& request, const Context& ctx) {
  Stopwatch total;
  ExplainResult r;
  r.request = request;
  r.threads = ctx.threads();
  KEEL_RETURN_IF_ERROR(CheckAlgorithm(request.algorithm));
  KEEL_ASSIGN_OR_RETURN(LoadedScoring s, LoadForScoring(request.input, ctx));
  const Model& model = s.model;
  r.seconds.load = s.load_seconds;
  r.seconds.read = s.read_seconds;
  KEEL_ASSIGN_OR_RETURN(const int reason_output, ReasonOutput(model, request.reason_class));
  int pd_feature = -1;
  if (!request.partial_dependence.empty()) {
    pd_feature = model.FeatureIndex(request.partial_dependence);
    if (pd_feature < 0) {
      return Status::InvalidArgument(
          "--partial-dependence \"{}\": the model has no such feature{}",
          request.partial_dependence,
          DidYouMean(request.partial_dependence, model.features, &FeatureSpec::name));
    }
  }

  // The explainer: its precomputation is what a server does once at load.
  Stopwatch build_time;
  r.tree_shap = model.kind == Model::Kind::kForest;
  Result<std::unique_ptr<Explainer>> explainer = BuildExplainer(model, request, &r.tree_shap_stats);
  if (!explainer.ok()) return explainer.status().WithContext(request.input.model_path);
  r.seconds.build = build_time.Seconds();

  TableExplanationOptions to;
  to.allow_absent_columns = request.input.allow_missing_columns;
  to.top_k = request.top;
  to.reason_output = reason_output;
  auto te = ExplainTable(model, **explainer, s.data.table, to, ctx);
  if (!te.ok()) return te.status().WithContext(request.input.data_path);
  const size_t rows = te->features.rows;
  r.seconds.encode = te->encode_seconds;
  r.seconds.explain = te->explain_seconds;
  r.seconds.reasons = te->reasons_seconds;

  Stopwatch write_time;
  const IngestReport& report = s.data.report;
  std::vector<uint64_t> rejected_lines;
  for (const auto& rec : report.rejected) rejected_lines.push_back(rec.line);
  std::string csv =
      ExplanationToCsv(model, *te, s.data.table, model.schema.FirstWithRole(Role::kId),
                       rejected_lines, request.top, r.threads);
  if (request.out_path == "-") {
    r.csv = std::move(csv);
  } else {
    KEEL_RETURN_IF_ERROR(WriteFileAtomic(request.out_path, csv));
  }
  r.seconds.write = write_time.Seconds();

  WarnRejected(report, request.input, "explained");
  for (const auto& name : te->encode.absent) {
    log::Warn("the data has no column '{}': it is treated as missing in every row", name);
  }
  for (size_t i = 0; i < model.features.size(); ++i) {
    if (te->encode.unseen[i] > 0)
      r.unseen_categories[model.features[i].name] = te->encode.unseen[i];
  }
  if (!r.unseen_categories.empty()) {
    log::Warn("categories the model never saw were treated as missing: {}",
              r.unseen_categories.dump());
  }

  const auto importance =
      ComputeImportance(model, te->attributions, rows, (*explainer)->used_features());
  r.importance = ImportanceToJson(model, importance);
  r.top_features.assign(importance.begin(),
                        importance.begin() + std::min(kImportanceShown, importance.size()));
  if (pd_feature >= 0) {
    PartialDependenceOptions po;
    po.grid_points = request.grid_points;
    po.threads = r.threads;
    KEEL_ASSIGN_OR_RETURN(
        PartialDependence pd,
        ComputePartialDependence(model, *s.predictor, te->features, pd_feature, po));
    r.partial_dependence = PartialDependenceJson(pd, model);
  }
  if (request.latency_calls > 0) {
    r.latency = MeasureRowLatency(**explainer, te->features, request.latency_calls);
  }

  r.task = std::string(TaskName(model.task));
  r.columns = ShapColumns(model);
  r.expected_value = (*explainer)->expected_value();
  r.id_column = IdColumnIn(model, s.data.table);
  r.rows_read = report.rows_read;
  r.rows_explained = rows;
  r.rows_rejected = report.rows_rejected;
  r.absent_columns = te->encode.absent;
  r.rows_per_second =
      te->explain_seconds > 0 ? static_cast<double>(rows) / te->explain_seconds : 0.0;
  r.seconds.total = total.Seconds();
  return r;
}

nlohmann::json ExplainResult::ToJson() const {
  nlohmann::json j = {
      {"ok", true},
      {"model", request.input.model_path},
      {"data", request.input.data_path},
      {"out", request.out_path},
      {"task", task},
      {"explainer", tree_shap ? "tree_shap" : "linear"},
      {"units", "raw margin"},
      {"columns", columns},
      {"expected_value", expected_value},
      {"id_column", id_column.empty() ? nlohmann::json(nullptr) : nlohmann::json(id_column)},
      {"rows_read", rows_read},
      {"rows_explained", rows_explained},
      {"rows_rejected", rows_rejected},
      {"threads", threads},
      {"top", request.top},
      {"importance", importance},
      {"unseen_categories", unseen_categories},
      {"absent_columns", absent_columns},
      {"rows_per_second", rows_per_second},
      {"seconds",
       {{"load", seconds.load},
        {"build", seconds.build},
        {"read", seconds.read},
        {"encode", seconds.encode},
        {"explain", seconds.explain},
        {"reasons", seconds.reasons},
        {"write", seconds.write},
        {"total", seconds.total}}}};
  if (tree_shap) {
    j["tree_shap"] = {{"algorithm", request.algorithm},
                      {"table_trees", tree_shap_stats.table_trees},
                      {"polynomial_trees", tree_shap_stats.polynomial_trees},
                      {"constant_trees", tree_shap_stats.constant_trees},
                      {"table_bytes", tree_shap_stats.table_bytes},
                      {"max_path_features", tree_shap_stats.max_path_features}};
  }
  if (!partial_dependence.is_null()) j["partial_dependence"] = partial_dependence;
  if (latency.calls > 0) {
    j["latency"] = {{"calls", latency.calls},
                    {"median_us", latency.median_us},
                    {"p99_us", latency.p99_us},
                    {"mean_us", latency.mean_us},
                    {"min_us", latency.min_us}};
  }
  return j;
}

std::string ExplainResult::ToText() const {
  std::string out = fmt::format(
      "explained {} of {} rows -> {} ({} rejected) in {:.3f} s (attributions: {:.3f} s, {:.0f} "
      "rows/s on {} threads)\n",
      rows_explained, rows_read, request.out_path, rows_rejected, seconds.total, seconds.explain,
      rows_per_second, threads);
  out += fmt::format("{:<32} {:>14} {:>14} {:>8}\n", "feature", "mean |SHAP|", "gain", "splits");
  for (const auto& fi : top_features) {
    out += fmt::format("{:<32} {:>14.6g} {:>14.6g} {:>8}\n", fi.name, fi.mean_abs_shap, fi.gain,
                       fi.splits);
  }
  if (!partial_dependence.is_null()) {
    out += fmt::format(
        "partial dependence on {} (mean prediction over {} rows, rounded; --json has every "
        "digit):\n",
        partial_dependence["feature"].get<std::string>(), ReadableJson(partial_dependence["rows"]));
    for (const auto& point : partial_dependence["points"]) {
      out += fmt::format("  {:<24} {}\n", point["value"].get<std::string>(),
                         ReadableJson(point["mean_prediction"]));
    }
  }
  if (latency.calls > 0) {
    out += fmt::format("single-row latency over {} calls: median {:.1f} us, p99 {:.1f} us\n",
                       latency.calls, latency.median_us, latency.p99_us);
  }
  return out;
}

Result<std::unique_ptr<Explainer>> BuildExplainer(const Model& model, const ExplainRequest& request,
                                                  TreeShapStats* stats) {
  KEEL_RETURN_IF_ERROR(CheckAlgorithm(request.algorithm));
  if (model.kind != Model::Kind::kForest) return CreateLinearAttribution(model);
  ExplainerOptions eo;
  eo.tree_algorithm = AlgorithmOf(request.algorithm);
  eo.max_table_bytes = request.max_table_mb << 20;
  return CreateTreeShap(model, eo, stats);
}

Result<ShapSummary> ExplainSample(const Model& model, const Table& table, size_t rows, int top,
                                  const Context& ctx) {
  std::vector<uint32_t> sample_rows;
  const size_t n = std::min(rows, table.num_rows());
  for (size_t i = 0; i < n; ++i) {
    sample_rows.push_back(static_cast<uint32_t>(i * table.num_rows() / n));
  }
  const Table sample = table.Take(sample_rows);
  KEEL_ASSIGN_OR_RETURN(auto explainer, BuildExplainer(model, ExplainRequest{}, nullptr));
  KEEL_ASSIGN_OR_RETURN(TableExplanation te,
                        ExplainTable(model, *explainer, sample, TableExplanationOptions{}, ctx));
  ShapSummaryOptions so;
  so.max_rows = n;
  so.max_features = top;
  return BuildShapSummary(model, *explainer, te.features, te.attributions, so);
}

}  // namespace keel::usecase
