#include "usecase/train.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/json_number.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/stopwatch.h"
#include "drift/model_profile.h"
#include "fairness/group_assignment.h"
#include "model/model_io.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"
#include "train/metrics.h"
#include "train/reweighing.h"
#include "train/tune.h"
#include "usecase/held_out_fit.h"

namespace keel::usecase {
namespace {

// Outputs of `predictor` for `rows` of `table`: margins when `raw`, else probabilities.
Result<std::vector<double>> PredictRows(const Model& model, const Predictor& predictor,
                                        const Table& table, const std::vector<uint32_t>& rows,
                                        bool raw, int threads) {
  const Table part = table.Take(rows);
  EncodeOptions eo;
  eo.threads = threads;
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix x, EncodeFeatures(model, part, eo));
  std::vector<double> out(rows.size() * static_cast<size_t>(predictor.num_outputs()));
  KEEL_RETURN_IF_ERROR(predictor.PredictBatch(x, out, raw, threads));
  return out;
}

// The sensitive columns get the sensitive role (not features unless include_sensitive) and
// are grouped as `keel audit` groups them; codes are in `names` order.
Result<std::vector<std::vector<int32_t>>> GroupSensitive(const std::vector<std::string>& names,
                                                         const std::string& data_name,
                                                         const Table& table, Schema* schema) {
  std::vector<std::vector<int32_t>> codes;
  for (const std::string& name : names) {
    ColumnSchema* c = schema->Find(name);
    const Column* col = table.Find(name);
    if (c == nullptr || col == nullptr) {
      return Status::NotFound("sensitive column '{}' is not in {}{}", name, data_name,
                              DidYouMean(name, table.columns(), &Column::name));
    }
    c->role = Role::kSensitive;
    KEEL_ASSIGN_OR_RETURN(fairness::GroupAssignment groups, fairness::AssignGroups(*col));
    codes.push_back(std::move(groups.codes));
  }
  return codes;
}

std::string MetricCell(double v) {
  return std::isfinite(v) ? fmt::format(" {:10.6f}", v) : fmt::format(" {:>10}", "-");
}

// "0.0812 -> 0.0345" for the ECE before and after of one split of the calibration report.
std::string EceChange(const nlohmann::json& split) {
  auto ece = [&](const char* when) {
    const nlohmann::json& e = split[when]["ece"];
    return e.is_number() ? fmt::format("{:.4f}", e.get<double>()) : std::string("-");
  };
  return ece("before") + " -> " + ece("after");
}

// The calibration and conformal-coverage lines of the text report (usecase/held_out_fit.h).
std::string HeldOutText(const TrainReport& r) {
  std::string out;
  if (r.calibration.is_object()) {
    const nlohmann::json& c = r.calibration;
    const std::string held = c["fitted_on"].get<std::string>();
    out += fmt::format("\ncalibration {} fitted on {} {}: ECE (10 bins) {} {}",
                       c["method"].get<std::string>(), c["rows"].get<uint64_t>(),
                       held == "cv" ? "out-of-fold predictions" : "validation rows", held,
                       EceChange(c[held]));
    if (c.contains("test")) out += fmt::format(", test {}", EceChange(c["test"]));
    out += "\n";
  }
  if (r.intervals.is_object() && r.intervals.contains("test")) {
    const nlohmann::json& iv = r.intervals;
    out += fmt::format("\nconformal {} scores of {} {}; test coverage (95% interval):",
                       iv["score"].get<std::string>(), iv["held_out_rows"].get<uint64_t>(),
                       iv["held_out"] == "cv" ? "out-of-fold predictions" : "validation rows");
    for (const nlohmann::json& l : iv["test"]) {
      if (!l["coverage"].is_number()) continue;
      out +=
          fmt::format("\n  level {}: {:.3f} [{:.3f}, {:.3f}] of {} rows", l["level"].get<double>(),
                      l["coverage"].get<double>(), l["lower"].get<double>(),
                      l["upper"].get<double>(), l["rows"].get<uint64_t>());
      if (!l.contains("groups")) continue;
      for (const auto& [attr, groups] : l["groups"].items()) {
        for (const nlohmann::json& g : groups) {
          out += fmt::format("; {}={} {:.3f}{}", attr, g["group"].get<std::string>(),
                             g["coverage"].get<double>(),
                             g["below_target"].get<bool>() ? " (below)" : "");
        }
      }
    }
    out += "\n";
  }
  return out;
}

// The search of --tune: its summary and its best trials, highest rung first.
std::string TuningText(const nlohmann::json& t) {
  if (!t.is_object() || t.contains("skipped")) return "";  // the warnings say why
  std::string out = "\ntuned " + TuneSummaryText(t) + "\n";
  std::vector<const nlohmann::json*> trials;
  for (const nlohmann::json& trial : t["trials"]) trials.push_back(&trial);
  auto loss = [](const nlohmann::json* x) {
    return (*x)["loss"].is_number() ? (*x)["loss"].get<double>() : HUGE_VAL;
  };
  std::stable_sort(trials.begin(), trials.end(),
                   [&](const nlohmann::json* a, const nlohmann::json* b) {
                     const int ra = (*a)["rung"].get<int>(), rb = (*b)["rung"].get<int>();
                     return ra != rb ? ra > rb : loss(a) < loss(b);
                   });
  constexpr size_t kShown = 10;
  out += fmt::format("{:>6} {:>4} {:>6} {:>10} {:>6} {:>6} {:>6} {:>8} {:>8} {:>9} {:>10}\n",
                     "config", "rung", "trees", t["metric"].get<std::string>(), "kept", "lr",
                     "leaves", "min_data", "l2", "colsample", "min_hess");
  for (size_t i = 0; i < std::min(kShown, trials.size()); ++i) {
    const nlohmann::json& x = *trials[i];
    out += fmt::format(
        "{:>6} {:>4} {:>6} {:>10.5f} {:>6} {:>6.4g} {:>6} {:>8} {:>8.3g} {:>9.3g} "
        "{:>10.3g}\n",
        x["config"].get<int>(), x["rung"].get<int>(), x["num_trees"].get<int>(), loss(&x),
        x["trees"].get<int>(), x["learning_rate"].get<double>(), x["num_leaves"].get<int>(),
        x["min_data_in_leaf"].get<int>(), x["lambda_l2"].get<double>(),
        x["colsample"].get<double>(), x["min_sum_hessian"].get<double>());
  }
  if (trials.size() > kShown) {
    out += fmt::format("({} more trials in --json)\n", trials.size() - kShown);
  }
  return out;
}

}  // namespace

nlohmann::json IngestLineage(const IngestReport& ir, const std::string& path) {
  if (ir.rows_rejected > 0) {
    log::Warn(
        "{} of {} records of {} were rejected and are not used (see `keel ingest {} "
        "--rejects FILE`)",
        ir.rows_rejected, ir.rows_read, path, path);
  }
  return {{"rows_read", ir.rows_read},
          {"rows_used", ir.rows_used},
          {"rows_rejected", ir.rows_rejected}};
}

Status FinishTrainedModel(const Table& table, const TrainParams& params, const Context& ctx,
                          keel::TrainResult* trained) {
  Model& model = trained->model;
  const int threads = ctx.threads();
  KEEL_ASSIGN_OR_RETURN(auto predictor, Predictor::Create(model));
  SplitMarginMap split_margins;
  // k-fold: the out-of-fold margins came from the folds' models, not this one.
  if (!trained->oof_margins.empty()) split_margins["cv"] = trained->oof_margins;
  for (SplitResult& split : trained->report.splits) {
    if (split.name == "cv") continue;
    const std::vector<uint32_t>& rows = split.name == "train"   ? trained->split.train
                                        : split.name == "valid" ? trained->split.valid
                                                                : trained->split.test;
    KEEL_ASSIGN_OR_RETURN(std::vector<double> margins,
                          PredictRows(model, *predictor, table, rows, /*raw=*/true, threads));
    std::vector<double> y(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) y[i] = trained->labels[rows[i]];
    auto m = SplitMetrics(ObjectiveConfigOf(model), margins, y);
    for (size_t i = 0; i < m.size() && i < split.metrics.size(); ++i) {
      const double a = m[i].second;
      const double b = split.metrics[i].second;
      if (std::abs(a - b) > 1e-9 * std::max(1.0, std::abs(a)) &&
          !(std::isnan(a) && std::isnan(b))) {
        log::Warn("{} {}: training-form value {} differs from the model's {}", split.name,
                  m[i].first, FormatDouble(b), FormatDouble(a));
      }
    }
    split.metrics = std::move(m);
    split_margins[split.name] = std::move(margins);
  }
  return FinishFromMargins(table, params, std::move(split_margins), {table, trained->split.train},
                           ctx, trained);
}

Status FinishFromMargins(const Table& table, const TrainParams& params,
                         SplitMarginMap split_margins, const ProfileRows& profile,
                         const Context& ctx, keel::TrainResult* trained) {
  Model& model = trained->model;
  // Calibration and conformal scores from the validation rows; the split metrics become the
  // calibrated model's.
  KEEL_RETURN_IF_ERROR(FitHeldOut(table, params, split_margins, trained));
  nlohmann::json metrics_section = nlohmann::json::object();
  for (const SplitResult& split : trained->report.splits) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : split.metrics) j[k] = JsonNumber(v);
    j["rows"] = split.rows;
    metrics_section[split.name] = std::move(j);
  }
  model.sections["metrics"] = std::move(metrics_section);

  // The training profile (what drift checks compare new data and predictions with): the
  // training rows with the model's predictions, which are the train split's margins through
  // the link (and the calibration), exactly as PredictBatch gives them.
  Stopwatch profile_time;
  KEEL_ASSIGN_OR_RETURN(auto final_predictor, Predictor::Create(model));
  const std::vector<double>& all_train = split_margins["train"];
  const auto k = static_cast<size_t>(model.num_outputs);
  std::vector<double> train_margins;
  if (profile.train_index.empty()) {
    train_margins = all_train;
  } else {
    train_margins.reserve(profile.train_index.size() * k);
    for (uint32_t i : profile.train_index) {
      train_margins.insert(train_margins.end(), all_train.begin() + i * k,
                           all_train.begin() + (i + 1) * k);
    }
  }
  for (size_t i = 0; i + k <= train_margins.size(); i += k) {
    final_predictor->Finalize(&train_margins[i], &train_margins[i]);
  }
  KEEL_RETURN_IF_ERROR(drift::AttachReferenceProfile(&model, profile.data, profile.rows,
                                                     train_margins, {}, ctx.Quiet())
                           .WithContext("building the training profile"));
  log::Debug("training profile of {} rows in {:.3f} s",
             train_margins.size() / std::max<size_t>(k, 1), profile_time.Seconds());
  return Status::OK();
}

Result<TrainModelResult> TrainModel(const TrainRequest& request, const Context& ctx) {
  KEEL_RETURN_IF_ERROR(ValidateParams(request.params));
  KEEL_ASSIGN_OR_RETURN(const std::string refusal, StreamRefusal(request));
  if (refusal.empty()) return TrainModelFromFile(request, ctx);
  log::Debug("training from the table of values: {}", refusal);
  const std::string& data_path = request.input.path;
  KEEL_ASSIGN_OR_RETURN(IngestResult data, ReadInput(request.input, ctx));
  TrainingTable input;
  input.name = data_path;
  input.path = data_path;
  input.lineage = IngestLineage(data.report, data_path);
  input.table = std::move(data.table);
  input.schema = std::move(data.schema);
  return TrainModelOnTable(request, std::move(input), ctx);
}

TrainOptions TrainOptionsOf(const TrainRequest& request, const std::string& path,
                            nlohmann::json data_lineage) {
  TrainOptions options;
  options.target = request.target;
  options.positive = request.positive;
  options.exclude = request.exclude;
  options.include_sensitive = request.include_sensitive;
  options.weight_column = request.weight_column;
  options.params = request.params;
  options.data_path = path;
  options.data_info = std::move(data_lineage);
  options.collective = request.collective;
  return options;
}

Result<TrainModelResult> TrainModelOnTable(const TrainRequest& request, TrainingTable data,
                                           const Context& ctx) {
  KEEL_RETURN_IF_ERROR(ValidateParams(request.params));
  TrainOptions options = TrainOptionsOf(request, data.path, std::move(data.lineage));
  // Ranks would each hold out their own validation rows and stop at different trees: a
  // distributed run has no automatic validation split (an explicit one is refused).
  if (request.collective != nullptr && options.params.valid_size == kAutoParam) {
    options.params.valid_size = 0;
  }
  // Nor k-fold cross-validation, which the fairness reduction's models do not have either:
  // "auto" folds are off for both, asking for folds is refused.
  if (request.collective != nullptr || !request.fair_attribute.empty()) {
    if (options.params.folds >= 2) {
      return Status::Unsupported(
          "--folds is not supported with {} yet",
          request.collective != nullptr ? "distributed training" : "--fair-attribute");
    }
    options.params.folds = 0;
  }
  if (request.collective != nullptr &&
      !(request.reweigh.empty() && request.fair_attribute.empty())) {
    return Status::Unsupported(
        "distributed training does not support --reweigh or --fair-attribute yet");
  }

  if (!request.fair_attribute.empty() && request.params.tune != "off") {
    return Status::Unsupported(
        "--tune with --fair-attribute is not supported yet: tune first, "
        "then train the reduction with the chosen parameters");
  }

  // --sensitive, --reweigh and --fair-attribute columns, in that order.
  std::vector<std::string> sensitive = request.sensitive;
  for (const std::string* c : {&request.reweigh, &request.fair_attribute}) {
    if (!c->empty()) sensitive.push_back(*c);
  }
  KEEL_ASSIGN_OR_RETURN(auto group_codes,
                        GroupSensitive(sensitive, data.name, data.table, &data.schema));
  if (!request.reweigh.empty()) {
    const size_t at = sensitive.size() - (request.fair_attribute.empty() ? 1 : 2);
    KEEL_RETURN_IF_ERROR(AddReweighingWeights(group_codes[at], data.schema, &data.table, &options)
                             .WithContext("--reweigh " + request.reweigh));
  }

  TrainModelResult result;
  result.request = request;
  auto trained = request.fair_attribute.empty()
                     ? Train(data.table, data.schema, options, ctx)
                     : TrainFairReduction(data.table, data.schema, options, group_codes.back(),
                                          request.fair, ctx, &result.fair_report);
  if (!trained.ok()) return trained.status().WithContext("training on " + data.name);
  KEEL_RETURN_IF_ERROR(FinishTrainedModel(data.table, options.params, ctx, &*trained));
  if (request.collective != nullptr) {
    // The split metrics and the training profile are of this rank's shard; say so.
    trained->model.sections["lineage"]["distributed"] = {
        {"ranks", request.collective->size()},
        {"metrics_and_profile_from",
         "rank " + std::to_string(request.collective->rank()) + "'s shard (" + data.path + ")"}};
  }
  if (!request.out_path.empty()) KEEL_RETURN_IF_ERROR(SaveModel(trained->model, request.out_path));
  result.report = std::move(trained->report);
  result.model = std::move(trained->model);
  return result;
}

nlohmann::json TrainModelResult::ToJson() const {
  nlohmann::json j = ReportToJson(report);
  j["ok"] = true;
  j["target"] = request.target;
  if (model.task != Task::kRegression) j["classes"] = model.labels.classes;
  if (model.task == Task::kBinary) j["positive"] = model.labels.classes[1];
  nlohmann::json feats = nlohmann::json::array();
  for (const auto& fs : model.features) feats.push_back(fs.name);
  j["features"] = std::move(feats);
  j["parameters"] = ParamsToJson(request.params);
  if (!request.out_path.empty()) j["model"] = request.out_path;
  if (const auto it = model.sections.find("fairness"); it != model.sections.end()) {
    j["fairness"] = it->second;
  }
  if (!request.reweigh.empty()) j["reweighed_by"] = request.reweigh;
  return j;
}

std::string TrainModelResult::ToText() const {
  const TrainReport& r = report;
  std::string out = fmt::format("trained {} ({}, {}) on target '{}' in {:.3f} s (fit {:.3f} s)\n",
                                r.algo, TaskName(r.task), ObjectiveName(r.objective),
                                request.target, r.seconds, r.fit_seconds);
  if (r.task == Task::kBinary) out += fmt::format("positive class: {}\n", model.labels.classes[1]);
  out += fmt::format("features: {}; split {}", model.features.size(), r.split_method);
  if (r.algo == "gbdt") {
    out += fmt::format("; trees: {} per output", r.iterations);
    if (r.best_iteration >= 0) {
      out += fmt::format(" (best validation iteration {})", r.best_iteration + 1);
    }
  } else {
    out += fmt::format("; solver iterations: {}{}", r.iterations,
                       r.converged ? "" : " (not converged)");
  }
  out += fmt::format("\nvalidation rows: {}", r.validation);
  out += fmt::format("\n\n{:<6} {:>9}", "split", "rows");
  if (!r.splits.empty()) {
    for (const auto& [name, v] : r.splits[0].metrics) out += fmt::format(" {:>10}", name);
  }
  out += "\n";
  for (const SplitResult& s : r.splits) {
    out += fmt::format("{:<6} {:>9}", s.name, s.rows);
    for (const auto& [name, v] : s.metrics) out += MetricCell(v);
    out += "\n";
  }
  if (r.leakage.test_rows_in_train > 0 || r.leakage.valid_rows_in_train > 0) {
    out += fmt::format(
        "\nleakage: {} test rows and {} validation rows repeat a training row's features "
        "exactly",
        r.leakage.test_rows_in_train, r.leakage.valid_rows_in_train);
    if (!r.leakage.examples.empty()) {
      out += fmt::format(" (e.g. line {} = training line {})", r.leakage.examples[0].first,
                         r.leakage.examples[0].second);
    }
    out += "\n";
  }
  out += HeldOutText(r);
  out += TuningText(r.tuning);
  if (!r.excluded.empty()) {
    out += "\nnot used as features:\n";
    for (const auto& e : r.excluded) out += fmt::format("  {}: {}\n", e.name, e.reason);
  }
  for (const std::string& w : r.warnings) out += fmt::format("warning: {}\n", w);
  if (!request.out_path.empty()) out += fmt::format("\nmodel written to {}\n", request.out_path);
  if (!request.reweigh.empty()) {
    out += fmt::format("rows reweighed by '{}' (Kamiran-Calders)\n", request.reweigh);
  }
  if (!request.fair_attribute.empty()) {
    const FairReductionReport& f = fair_report;
    out += fmt::format(
        "fairness reduction on '{}' ({} <= {}): {} chosen on the {} rows; accuracy {:.4f} -> "
        "{:.4f}, disparity {:.4f} -> {:.4f}{}\n",
        request.fair_attribute, FairConstraintName(request.fair.constraint),
        FormatDouble(request.fair.bound), f.chosen, f.selected_on, f.accuracy_before,
        f.accuracy_after, f.disparity_before, f.disparity_after,
        f.bound_met ? "" : " (bound NOT met)");
  }
  return out;
}

}  // namespace keel::usecase
