#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include "core/context.h"
#include "core/hash.h"
#include "core/json_number.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "keel/version_info.h"
#include "train/binning.h"
#include "train/constraints.h"
#include "train/distributed.h"
#include "train/gbdt_trainer.h"
#include "train/learner_config.h"
#include "train/linear_trainer.h"
#include "train/metrics.h"
#include "train/target.h"

namespace keel {
namespace {

// Per-row weights from the weight column (empty when there is none).
Result<std::vector<float>> ReadWeights(const Table& table, const std::string& name,
                                       std::span<const uint32_t> rows) {
  if (name.empty()) return std::vector<float>{};
  const Column* col = table.Find(name);
  if (col == nullptr) {
    return Status::NotFound("weight column '{}' is not in the data{}", name,
                            DidYouMean(name, table.columns(), &Column::name));
  }
  if (col->kind() != ColumnKind::kNumeric && col->kind() != ColumnKind::kBoolean) {
    return Status::InvalidArgument("weight column '{}' is {}; weights must be numbers", name,
                                   ColumnKindName(col->kind()));
  }
  std::vector<float> w(table.num_rows(), 1.0f);
  for (uint32_t r : rows) {
    const double v = col->AsDouble(r);
    if (!std::isfinite(v) || v < 0) {
      return Status::InvalidArgument(
          "weight column '{}' on line {} holds '{}': weights must be finite numbers >= 0", name,
          table.SourceLine(r), col->CellText(r));
    }
    w[r] = static_cast<float>(v);
  }
  return w;
}

std::vector<double> Gather(std::span<const double> v, std::span<const uint32_t> rows) {
  std::vector<double> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = v[rows[i]];
  return out;
}

std::vector<float> GatherF(std::span<const float> v, std::span<const uint32_t> rows) {
  if (v.empty()) return {};
  std::vector<float> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = v[rows[i]];
  return out;
}

nlohmann::json MetricsJson(const std::vector<std::pair<std::string, double>>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = JsonNumber(v);
  return j;
}

std::string NowIso() {
  const auto now = std::chrono::system_clock::now();
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return FormatTimestamp(static_cast<int64_t>(us) / 1000000 * 1000000);
}

// The weight column: the one asked for, else the schema's weight-role column when the data
// has it, else none.
std::string WeightColumnOf(const TrainOptions& options, const Schema& schema, const Table& table) {
  if (!options.weight_column.empty()) return options.weight_column;
  const std::string w = schema.FirstWithRole(Role::kWeight);
  return !w.empty() && table.Find(w) != nullptr ? w : std::string();
}

// How the validation rows came about, for the report.
std::string ValidationSource(const TrainParams& p, const SplitRows& split) {
  if (p.valid_size != kAutoParam) return p.valid_size > 0 ? "given" : "none";
  return split.valid.empty() ? "none (the automatic split needs " +
                                   std::to_string(kAutoValidMinRows) + " non-test rows)"
                             : "auto";
}

Status CheckRowCount(const Table& table) {
  if (table.num_rows() == 0) {
    return Status::InvalidArgument("the data has no rows to train on");
  }
  if (table.num_rows() > 0xFFFFFFF0ULL) {
    return Status::ResourceExhausted("{} rows is more than training supports (2^32)",
                                     table.num_rows());
  }
  return Status::OK();
}

Result<TargetInfo> ReadTrainingTarget(const Table& table, const Schema& schema,
                                      const TrainOptions& options, TrainReport* rep) {
  const TrainParams& p = options.params;
  TargetOptions topt;
  topt.column = options.target;
  topt.task = p.task;
  topt.objective = p.objective;
  topt.positive = options.positive;
  KEEL_ASSIGN_OR_RETURN(TargetInfo target, ReadTarget(table, schema, topt));
  rep->task = target.task;
  rep->objective = target.objective;
  rep->rows_missing_target = target.missing;
  if (target.missing > 0) {
    rep->warnings.push_back(std::to_string(target.missing) +
                            " rows have no target value and are not used");
  }
  return target;
}

// The split of the rows with a target ("auto" resolved by task). Errors: those of
// ParseSplitSpec and SplitTableRows; a stratified split of a regression target; a class with
// no training rows.
Result<SplitRows> SplitTrainingRows(const Table& table, const TargetInfo& target,
                                    const TrainOptions& options, std::string* split_text) {
  const TrainParams& p = options.params;
  *split_text = p.split;
  if (*split_text == "auto") {
    *split_text = target.task == Task::kRegression ? "random" : "stratified";
  }
  KEEL_ASSIGN_OR_RETURN(SplitSpec spec, ParseSplitSpec(*split_text));
  if (spec.kind == SplitSpec::Kind::kStratified && target.task == Task::kRegression) {
    return Status::InvalidArgument(
        "a stratified split needs classes; target '{}' is a regression target (use --split "
        "random, time:COL or group:COL)",
        options.target);
  }
  spec.test_size = p.test_size;
  spec.valid_size = ResolvedValidSize(p, target.rows.size());
  spec.seed = static_cast<uint64_t>(p.seed);
  KEEL_ASSIGN_OR_RETURN(SplitRows split, SplitTableRows(table, target.rows, target.label, spec));
  if (target.task != Task::kRegression) {
    // A class without training rows cannot be learned: its output would only echo a prior of
    // 0. Refuse rather than ship a model that never predicts a class its data holds.
    std::vector<uint64_t> in_train(target.labels.classes.size(), 0);
    for (uint32_t r : split.train) ++in_train[static_cast<size_t>(target.label[r])];
    for (size_t c = 0; c < in_train.size(); ++c) {
      if (in_train[c] > 0) continue;
      const uint64_t total = c < target.class_counts.size() ? target.class_counts[c] : 0;
      return Status::InvalidArgument(
          "class '{}' of target '{}' has no rows in the training split ({} rows in the data, "
          "all held out for validation/test by the {} split): drop or merge the class "
          "(schema labels.merge), or use a split that trains on it",
          target.labels.classes[c], options.target, total, *split_text);
    }
  }
  return split;
}

// Rows repeating a training row's feature values exactly, with a warning for the test rows.
Status CheckLeakage(const Table& table, const FeatureSet& fs, const SplitRows& split, int threads,
                    TrainReport* rep) {
  std::vector<size_t> cols;
  for (const FeatureSpec& f : fs.specs) {
    KEEL_ASSIGN_OR_RETURN(size_t c, table.IndexOf(f.name));
    cols.push_back(c);
  }
  rep->leakage = FindLeakage(table, cols, split, threads);
  AddLeakageWarning(rep->leakage, &rep->warnings);
  return Status::OK();
}

// class_weight balanced: each class weighs rows / (classes * rows of the class) in training.
Status ApplyClassWeights(const TrainOptions& options, const TargetInfo& target,
                         const SplitRows& split, size_t num_rows, std::vector<float>* weights) {
  if (options.params.class_weight != "balanced") return Status::OK();
  if (target.task == Task::kRegression) {
    return Status::InvalidArgument(
        "class_weight balanced needs classes; target '{}' is a "
        "regression target",
        options.target);
  }
  const size_t k = target.labels.classes.size();
  std::vector<double> cw(k, 0.0);
  double tot = 0;
  for (uint32_t r : split.train) {
    const double w = weights->empty() ? 1.0 : (*weights)[r];
    cw[static_cast<size_t>(target.label[r])] += w;
    tot += w;
  }
  if (weights->empty()) weights->assign(num_rows, 1.0f);
  for (uint32_t r : split.train) {
    const double c = cw[static_cast<size_t>(target.label[r])];
    (*weights)[r] =
        static_cast<float>((*weights)[r] * (c > 0 ? tot / (static_cast<double>(k) * c) : 0));
  }
  return Status::OK();
}

// The model before fitting: task, features, schema (naming its target), labels.
void StartModel(const Schema& schema, const TrainOptions& options, const TrainingData& data,
                Model* model) {
  model->task = data.target.task;
  model->objective = data.target.objective;
  model->quantile_alpha = options.params.alpha;
  model->tweedie_variance_power = options.params.tweedie_variance_power;
  model->num_outputs = data.target.num_outputs;
  model->features = data.features.specs;
  model->schema = schema;
  model->target = options.target;
  // The stored schema names its target, so files scored later may lack it (usecase/scoring).
  if (ColumnSchema* t = model->schema.Find(options.target)) t->role = Role::kTarget;
  model->labels = data.target.labels;
}

// Margins of each split's rows under the fitted model, in its training form.
struct SplitMargins {
  std::vector<double> train, valid, test;
};

// Distributed: what the run asks is supported, and every rank has the same features and
// classes.
Status CheckDistributedRun(const TrainOptions& options, const TrainingData& data) {
  KEEL_RETURN_IF_ERROR(
      CheckDistributable(options.params, data.target.objective, data.features.raw));
  std::string what = std::string(TaskName(data.target.task)) + " task, features";
  for (const FeatureSpec& f : data.features.specs) what += " " + f.name;
  if (data.target.task != Task::kRegression) {
    what += ", classes";
    for (const std::string& c : data.target.labels.classes) what += " " + c;
  }
  return CheckRanksAgree(what, *options.collective);
}

// The boosting loop on binned rows (the bins of the train and validation rows; the test rows'
// from `test_bins`, called after the fit), then the margins of every split.
Result<SplitMargins> FitGbdtOnBins(const TrainOptions& options, const TrainingData& data,
                                   const std::vector<BinMapper>& mappers, BinnedMatrix train_bins,
                                   BinnedMatrix valid_bins,
                                   const std::function<Result<BinnedMatrix>()>& test_bins,
                                   const Context& ctx, const Stopwatch& total_clock, Model* model,
                                   TrainReport* rep) {
  const TrainParams& p = options.params;
  const FeatureSet& fs = data.features;
  const SplitRows& split = data.split;
  const int threads = ctx.threads();
  model->kind = Model::Kind::kForest;
  KEEL_ASSIGN_OR_RETURN(const ModelConstraints constraints,
                        ResolveConstraints(p.monotone, p.interactions, fs.specs, fs.excluded));
  const std::vector<double> train_labels = Gather(data.target.label, split.train);
  const std::vector<double> valid_labels = Gather(data.target.label, split.valid);
  const std::vector<float> train_w = GatherF(data.weights, split.train);
  const std::vector<float> valid_w = GatherF(data.weights, split.valid);
  GbdtConfig cfg = GbdtConfigOf(p, data.target.objective, data.target.num_outputs);
  SetTreeConstraints(constraints, fs.specs.size(), &cfg.tree);
  cfg.collective = cfg.tree.collective = options.collective;

  Stopwatch fit_clock;
  KEEL_ASSIGN_OR_RETURN(GbdtResult g,
                        TrainGbdt({&train_bins, train_labels, train_w},
                                  {&valid_bins, valid_labels, valid_w}, mappers, cfg, ctx));
  rep->fit_seconds = fit_clock.Seconds();
  rep->iterations = g.iterations;
  rep->best_iteration = g.best_iteration;
  rep->stopping_metric = g.stopping_metric;
  rep->valid_loss = g.valid_loss;
  model->base_margin = g.base_margin;
  model->forest = std::move(g.forest);
  KEEL_RETURN_IF_ERROR(VerifyTrainedConstraints(constraints, model));
  rep->seconds = total_clock.Seconds();
  SplitMargins m;
  m.train = std::move(g.train_margins);
  m.valid = std::move(g.valid_margins);
  train_bins = BinnedMatrix();
  valid_bins = BinnedMatrix();
  KEEL_ASSIGN_OR_RETURN(BinnedMatrix test, test_bins());
  m.test = PredictBinned(test, g.binned_trees, model->base_margin, p.learning_rate, threads);
  return m;
}

Result<SplitMargins> FitGbdt(const TrainOptions& options, const TrainingData& data,
                             const Context& ctx, const Stopwatch& total_clock, Model* model,
                             TrainReport* rep) {
  const TrainParams& p = options.params;
  const FeatureSet& fs = data.features;
  const SplitRows& split = data.split;
  const int threads = ctx.threads();
  std::vector<BinMapper> mappers(fs.raw.size());
  if (options.collective != nullptr) {
    KEEL_RETURN_IF_ERROR(CheckDistributedRun(options, data));
    KEEL_ASSIGN_OR_RETURN(mappers,
                          FitSharedMappers(fs.raw, split.train, p.max_bins, *options.collective));
  } else {
    KEEL_RETURN_IF_ERROR(ParallelFor(threads, fs.raw.size(), [&](size_t f) {
      mappers[f] = fs.raw[f].categorical
                       ? BinMapper::FitCategorical(fs.raw[f], split.train, p.max_cat_bins)
                       : BinMapper::FitNumeric(fs.raw[f], split.train, p.max_bins);
    }));
  }
  KEEL_ASSIGN_OR_RETURN(BinnedMatrix train_bins, BinRows(fs.raw, mappers, split.train, threads));
  KEEL_ASSIGN_OR_RETURN(BinnedMatrix valid_bins, BinRows(fs.raw, mappers, split.valid, threads));
  // The test rows are binned after the fit, when the training matrices are gone.
  return FitGbdtOnBins(
      options, data, mappers, std::move(train_bins), std::move(valid_bins),
      [&]() { return BinRows(fs.raw, mappers, split.test, threads); }, ctx, total_clock, model,
      rep);
}

Result<SplitMargins> FitLinear(const TrainOptions& options, const TrainingData& data,
                               const Context& ctx, const Stopwatch& total_clock, Model* model,
                               TrainReport* rep) {
  if (options.collective != nullptr) {
    return Status::Unsupported("distributed training does not support algo linear yet");
  }
  const FeatureSet& fs = data.features;
  const SplitRows& split = data.split;
  model->kind = Model::Kind::kLinear;
  const LinearConfig cfg = LinearConfigOf(options.params);
  Stopwatch fit_clock;
  KEEL_ASSIGN_OR_RETURN(LinearFit fit,
                        TrainLinear(fs.raw, split.train, data.target.label, data.weights,
                                    data.target.objective, data.target.num_outputs, cfg, ctx));
  rep->fit_seconds = fit_clock.Seconds();
  rep->iterations = fit.iterations;
  rep->converged = fit.converged;
  if (!fit.converged) rep->warnings.push_back(LinearFitWarning(fit, cfg));
  model->base_margin = fit.intercepts;
  model->linear = std::move(fit.model);
  rep->seconds = total_clock.Seconds();
  SplitMargins m;
  m.train = PredictLinear(model->linear, model->base_margin, fs.raw, split.train);
  m.valid = PredictLinear(model->linear, model->base_margin, fs.raw, split.valid);
  m.test = PredictLinear(model->linear, model->base_margin, fs.raw, split.test);
  return m;
}

// The report's per-split metrics (train always; valid and test when they have rows) and the
// model's "metrics" section.
void AddSplitMetrics(const TrainingData& data, const SplitMargins& margins, Model* model,
                     TrainReport* rep) {
  auto add_split = [&](const char* name, const std::vector<uint32_t>& rows,
                       const std::vector<double>& m) {
    if (rows.empty() && std::string(name) != "train") return;
    const std::vector<double> y = Gather(data.target.label, rows);
    rep->splits.push_back({name, rows.size(), SplitMetrics(ObjectiveConfigOf(*model), m, y)});
  };
  add_split("train", data.split.train, margins.train);
  add_split("valid", data.split.valid, margins.valid);
  add_split("test", data.split.test, margins.test);

  nlohmann::json metrics = nlohmann::json::object();
  for (const SplitResult& s : rep->splits) {
    nlohmann::json m = MetricsJson(s.metrics);
    m["rows"] = s.rows;
    metrics[s.name] = std::move(m);
  }
  model->sections["metrics"] = std::move(metrics);
}

// The model's "lineage" section: the data (path, SHA-256, counts), the rows of each split,
// every parameter, the excluded columns, time and version.
Result<nlohmann::json> Lineage(const Table& table, const TrainOptions& options,
                               const TrainingData& data, const TrainReport& rep) {
  nlohmann::json lineage;
  nlohmann::json d = options.data_info.is_object() ? options.data_info : nlohmann::json::object();
  if (!options.data_path.empty()) {
    d["path"] = options.data_path;
    KEEL_ASSIGN_OR_RETURN(std::string sha, Sha256File(options.data_path));
    d["sha256"] = sha;
  }
  d["rows"] = table.num_rows();
  lineage["data"] = std::move(d);
  lineage["rows"] = {{"total", table.num_rows()},
                     {"missing_target", data.target.missing},
                     {"train", data.split.train.size()},
                     {"valid", data.split.valid.size()},
                     {"test", data.split.test.size()}};
  lineage["split"] = data.split_text;
  lineage["target"] = options.target;
  if (!options.positive.empty()) lineage["positive"] = options.positive;
  if (!data.weight_column.empty()) lineage["weight_column"] = data.weight_column;
  lineage["parameters"] = ParamsToJson(options.params);
  lineage["iterations"] = rep.iterations;
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& e : rep.excluded) ex.push_back({{"column", e.name}, {"reason", e.reason}});
  lineage["excluded_columns"] = std::move(ex);
  lineage["training_seconds"] = rep.seconds;
  lineage["created"] = NowIso();
  lineage["keel_version"] = KEEL_VERSION;
  lineage["keel_git"] = KEEL_GIT_HASH;
  return lineage;
}

}  // namespace

nlohmann::json ReportToJson(const TrainReport& r) {
  nlohmann::json j;
  j["task"] = std::string(TaskName(r.task));
  j["algo"] = r.algo;
  j["objective"] = std::string(ObjectiveName(r.objective));
  j["split"] = r.split_method;
  j["validation"] = r.validation;
  nlohmann::json splits = nlohmann::json::object();
  for (const SplitResult& s : r.splits) {
    nlohmann::json m = MetricsJson(s.metrics);
    m["rows"] = s.rows;
    splits[s.name] = std::move(m);
  }
  j["splits"] = std::move(splits);
  j["training_seconds"] = r.seconds;
  j["fit_seconds"] = r.fit_seconds;
  j["iterations"] = r.iterations;
  if (r.best_iteration >= 0) j["best_iteration"] = r.best_iteration + 1;
  if (!r.algo.empty() && r.algo == "linear") j["converged"] = r.converged;
  if (!r.stopping_metric.empty()) {
    j["stopping_metric"] = r.stopping_metric;
    nlohmann::json losses = nlohmann::json::array();
    for (double v : r.valid_loss) losses.push_back(JsonNumber(v));
    j["valid_loss"] = std::move(losses);
  }
  j["rows"] = {{"total", r.rows_total}, {"missing_target", r.rows_missing_target}};
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& e : r.excluded) ex.push_back({{"column", e.name}, {"reason", e.reason}});
  j["excluded_columns"] = std::move(ex);
  nlohmann::json leak = {{"test_rows_in_train", r.leakage.test_rows_in_train},
                         {"valid_rows_in_train", r.leakage.valid_rows_in_train}};
  nlohmann::json examples = nlohmann::json::array();
  for (const auto& [a, b] : r.leakage.examples) {
    examples.push_back({{"line", a}, {"train_line", b}});
  }
  leak["examples"] = std::move(examples);
  j["leakage"] = std::move(leak);
  j["warnings"] = r.warnings;
  if (!r.calibration.is_null()) j["calibration"] = r.calibration;
  if (!r.intervals.is_null()) j["intervals"] = r.intervals;
  return j;
}

Result<TrainingData> PrepareTargetAndSplit(const Table& table, const Schema& schema,
                                           const TrainOptions& options, TrainReport* rep) {
  KEEL_RETURN_IF_ERROR(ValidateParams(options.params));
  rep->algo = options.params.algo;
  rep->rows_total = table.num_rows();
  KEEL_RETURN_IF_ERROR(CheckRowCount(table));
  TrainingData data;
  KEEL_ASSIGN_OR_RETURN(data.target, ReadTrainingTarget(table, schema, options, rep));
  data.weight_column = WeightColumnOf(options, schema, table);
  KEEL_ASSIGN_OR_RETURN(data.weights, ReadWeights(table, data.weight_column, data.target.rows));
  KEEL_ASSIGN_OR_RETURN(data.split,
                        SplitTrainingRows(table, data.target, options, &data.split_text));
  rep->split_method = data.split_text;
  rep->validation = ValidationSource(options.params, data.split);
  return data;
}

Status ApplyTrainingClassWeights(const TrainOptions& options, size_t num_rows, TrainingData* data) {
  return ApplyClassWeights(options, data->target, data->split, num_rows, &data->weights);
}

Result<TrainingData> PrepareTraining(const Table& table, const Schema& schema,
                                     const TrainOptions& options, const Context& ctx,
                                     TrainReport* rep) {
  KEEL_ASSIGN_OR_RETURN(TrainingData data, PrepareTargetAndSplit(table, schema, options, rep));
  FeatureOptions fopt;
  fopt.target = options.target;
  fopt.weight_column = data.weight_column;
  fopt.exclude = options.exclude;
  fopt.include_sensitive = options.include_sensitive;
  KEEL_ASSIGN_OR_RETURN(data.features, BuildFeatures(table, schema, fopt, data.split.train));
  rep->excluded = data.features.excluded;
  KEEL_RETURN_IF_ERROR(CheckLeakage(table, data.features, data.split, ctx.threads(), rep));
  KEEL_RETURN_IF_ERROR(ApplyTrainingClassWeights(options, table.num_rows(), &data));
  return data;
}

namespace {

// The result once the model is fitted: metrics, lineage, checks.
Result<TrainResult> CompleteFit(const Table& table, const TrainOptions& options,
                                const TrainingData& data, const Result<SplitMargins>& fitted,
                                double prepared_seconds, TrainResult result) {
  if (!fitted.ok()) return fitted.status();
  TrainReport& rep = result.report;
  Model& model = result.model;
  rep.seconds += prepared_seconds;
  AddSplitMetrics(data, *fitted, &model, &rep);
  KEEL_ASSIGN_OR_RETURN(model.sections["lineage"], Lineage(table, options, data, rep));
  KEEL_RETURN_IF_ERROR(ValidateModel(model).WithContext("trained model"));
  result.split = data.split;
  result.labels = data.target.label;
  return result;
}

}  // namespace

Result<TrainResult> FitPrepared(const Table& table, const Schema& schema,
                                const TrainOptions& options, const TrainingData& data,
                                TrainReport report, const Context& ctx) {
  // report.seconds holds the preparation's time; the fit adds its own.
  Stopwatch clock;
  const double prepared_seconds = report.seconds;
  TrainResult result;
  result.report = std::move(report);
  TrainReport& rep = result.report;
  Model& model = result.model;
  StartModel(schema, options, data, &model);
  auto fitted = options.params.algo == "gbdt" ? FitGbdt(options, data, ctx, clock, &model, &rep)
                                              : FitLinear(options, data, ctx, clock, &model, &rep);
  return CompleteFit(table, options, data, fitted, prepared_seconds, std::move(result));
}

Result<TrainResult> FitPreparedBins(const Table& table, const Schema& schema,
                                    const TrainOptions& options, const TrainingData& data,
                                    PreparedBins bins, TrainReport report, const Context& ctx) {
  if (options.params.algo != "gbdt" || options.collective != nullptr) {
    return Status::Unsupported("training on binned rows supports algo gbdt in one process");
  }
  Stopwatch clock;
  const double prepared_seconds = report.seconds;
  TrainResult result;
  result.report = std::move(report);
  StartModel(schema, options, data, &result.model);
  BinnedMatrix test = std::move(bins.test);
  auto fitted = FitGbdtOnBins(
      options, data, bins.mappers, std::move(bins.train), std::move(bins.valid),
      [&]() -> Result<BinnedMatrix> { return std::move(test); }, ctx, clock, &result.model,
      &result.report);
  KEEL_ASSIGN_OR_RETURN(TrainResult done, CompleteFit(table, options, data, fitted,
                                                      prepared_seconds, std::move(result)));
  for (const SplitResult& s : done.report.splits) {
    std::vector<double>& m = s.name == "train"   ? fitted->train
                             : s.name == "valid" ? fitted->valid
                                                 : fitted->test;
    done.margins[s.name] = std::move(m);
  }
  return done;
}

Result<TrainResult> Train(const Table& table, const Schema& schema, const TrainOptions& options,
                          const Context& ctx) {
  Stopwatch clock;
  TrainReport report;
  KEEL_ASSIGN_OR_RETURN(TrainingData data, PrepareTraining(table, schema, options, ctx, &report));
  report.seconds = clock.Seconds();
  return FitPrepared(table, schema, options, data, std::move(report), ctx);
}

}  // namespace keel
