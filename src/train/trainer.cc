#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>

#include "core/context.h"
#include "core/hash.h"
#include "core/json_number.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "keel/version_info.h"
#include "model/quantile_outputs.h"
#include "train/binning.h"
#include "train/constraints.h"
#include "train/cross_validation.h"
#include "train/distributed.h"
#include "train/gbdt_trainer.h"
#include "train/learner_config.h"
#include "train/linear_trainer.h"
#include "train/metrics.h"
#include "train/target.h"
#include "train/tune.h"

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

std::vector<float> GatherF(std::span<const float> v, std::span<const uint32_t> rows) {
  if (v.empty()) return {};
  std::vector<float> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = v[rows[i]];
  return out;
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
  // --quantiles: one output per level (ValidateParams checked the text).
  if (target.objective == Objective::kQuantile && !p.quantiles.empty()) {
    target.num_outputs = static_cast<int>(ParseQuantileLevels(p.quantiles).value_or({}).size());
  }
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
  spec.valid_size = ResolvedValidSize(p, target.rows.size(), target.task);
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
  if (rep->leakage.test_rows_in_train > 0) {
    rep->warnings.push_back(std::to_string(rep->leakage.test_rows_in_train) +
                            " test rows have an identical feature row in the training split");
  }
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

// The model before fitting: task, features, labels.
void StartModel(const TrainOptions& options, const TrainingData& data, Model* model) {
  model->task = data.target.task;
  model->objective = data.target.objective;
  model->quantile_alpha = options.params.alpha;
  model->tweedie_variance_power = options.params.tweedie_variance_power;
  model->num_outputs = data.target.num_outputs;
  if (HasQuantileOutputs(*model)) {
    SetQuantileLevels(ParseQuantileLevels(options.params.quantiles).value_or({}), model);
  }
  model->features = data.features.specs;
  model->target = options.target;
  model->labels = data.target.labels;
}

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

// The GBDT's inputs: bin mappers fitted on the training rows, the binned training and
// validation rows with their labels and weights, and the resolved constraints. Fitting a
// model, and every trial of a tuning search, uses them as they are.
struct GbdtInputs {
  ModelConstraints constraints;
  std::vector<BinMapper> mappers;
  BinnedMatrix train_bins, valid_bins;
  std::vector<double> train_labels, valid_labels;
  std::vector<float> train_w, valid_w;
};

// The labels and weights of split's training and validation rows.
void GatherLabelsAndWeights(const TrainingData& data, const SplitRows& split, GbdtInputs* in) {
  in->train_labels = GatherRows(data.target.label, split.train);
  in->valid_labels = GatherRows(data.target.label, split.valid);
  in->train_w = GatherF(data.weights, split.train);
  in->valid_w = GatherF(data.weights, split.valid);
}

// Bin mappers fitted on split.train's raw values (agreed by every rank when distributed), the
// binned training and validation rows, and their labels and weights.
Result<GbdtInputs> BinGbdtInputs(const TrainOptions& options, const TrainingData& data,
                                 const SplitRows& split, const Context& ctx) {
  const TrainParams& p = options.params;
  const FeatureSet& fs = data.features;
  const int threads = ctx.threads();
  GbdtInputs in;
  KEEL_ASSIGN_OR_RETURN(in.constraints,
                        ResolveConstraints(p.monotone, p.interactions, fs.specs, fs.excluded));
  in.mappers.resize(fs.raw.size());
  if (options.collective != nullptr) {
    KEEL_RETURN_IF_ERROR(CheckDistributedRun(options, data));
    KEEL_ASSIGN_OR_RETURN(in.mappers,
                          FitSharedMappers(fs.raw, split.train, p.max_bins, *options.collective));
  } else {
    KEEL_RETURN_IF_ERROR(ParallelFor(threads, fs.raw.size(), [&](size_t f) {
      in.mappers[f] = fs.raw[f].categorical
                          ? BinMapper::FitCategorical(fs.raw[f], split.train, p.max_cat_bins)
                          : BinMapper::FitNumeric(fs.raw[f], split.train, p.max_bins);
    }));
  }
  KEEL_ASSIGN_OR_RETURN(in.train_bins, BinRows(fs.raw, in.mappers, split.train, threads));
  KEEL_ASSIGN_OR_RETURN(in.valid_bins, BinRows(fs.raw, in.mappers, split.valid, threads));
  GatherLabelsAndWeights(data, split, &in);
  return in;
}

// Boosts under `params` on binned inputs.
Result<GbdtResult> BoostBinned(const GbdtInputs& in, const TrainParams& params,
                               const TrainOptions& options, const TrainingData& data,
                               const Context& ctx) {
  GbdtConfig cfg = GbdtConfigOf(params, data.target.objective, data.target.num_outputs);
  SetTreeConstraints(in.constraints, data.features.specs.size(), &cfg.tree);
  cfg.collective = cfg.tree.collective = options.collective;
  return TrainGbdt({&in.train_bins, in.train_labels, in.train_w},
                   {&in.valid_bins, in.valid_labels, in.valid_w}, in.mappers, cfg, ctx);
}

// The boosting loop on binned inputs, then the margins of every split. The training and
// validation matrices are freed before the test rows are binned (`test_bins`, given the
// mappers), so the two are never held at once.
Result<SplitMargins> FitGbdtOnInputs(
    const TrainOptions& options, const TrainingData& data, GbdtInputs in,
    const std::function<Result<BinnedMatrix>(const std::vector<BinMapper>&)>& test_bins,
    const Context& ctx, const Stopwatch& total_clock, Model* model, TrainReport* rep) {
  const TrainParams& p = options.params;
  model->kind = Model::Kind::kForest;
  Stopwatch fit_clock;
  KEEL_ASSIGN_OR_RETURN(GbdtResult g, BoostBinned(in, p, options, data, ctx));
  rep->fit_seconds = fit_clock.Seconds();
  rep->iterations = g.iterations;
  rep->best_iteration = g.best_iteration;
  rep->stopping_metric = g.stopping_metric;
  rep->valid_loss = g.valid_loss;
  model->base_margin = g.base_margin;
  model->forest = std::move(g.forest);
  KEEL_RETURN_IF_ERROR(VerifyTrainedConstraints(in.constraints, model));
  rep->seconds = total_clock.Seconds();
  SplitMargins m;
  m.train = std::move(g.train_margins);
  m.valid = std::move(g.valid_margins);
  in.train_bins = BinnedMatrix();
  in.valid_bins = BinnedMatrix();
  KEEL_ASSIGN_OR_RETURN(BinnedMatrix test, test_bins(in.mappers));
  m.test = PredictBinned(test, g.binned_trees, model->base_margin, p.learning_rate, ctx.threads());
  return m;
}

Result<SplitMargins> FitGbdt(const TrainOptions& options, const TrainingData& data,
                             const SplitRows& split, const Context& ctx,
                             const Stopwatch& total_clock, Model* model, TrainReport* rep) {
  KEEL_ASSIGN_OR_RETURN(GbdtInputs in, BinGbdtInputs(options, data, split, ctx));
  return FitGbdtOnInputs(
      options, data, std::move(in),
      [&](const std::vector<BinMapper>& mappers) {
        return BinRows(data.features.raw, mappers, split.test, ctx.threads());
      },
      ctx, total_clock, model, rep);
}

Result<SplitMargins> FitLinear(const TrainOptions& options, const TrainingData& data,
                               const SplitRows& split, const Context& ctx,
                               const Stopwatch& total_clock, Model* model, TrainReport* rep) {
  if (options.collective != nullptr) {
    return Status::Unsupported("distributed training does not support algo linear yet");
  }
  const FeatureSet& fs = data.features;
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
void AddSplitMetrics(const TrainingData& data, const SplitMargins& margins, const CvResult* cv,
                     Model* model, TrainReport* rep) {
  auto add_split = [&](const char* name, const std::vector<uint32_t>& rows,
                       const std::vector<double>& m) {
    if (rows.empty() && std::string(name) != "train") return;
    const std::vector<double> y = GatherRows(data.target.label, rows);
    rep->splits.push_back({name, rows.size(), SplitMetrics(ObjectiveConfigOf(*model), m, y)});
  };
  add_split("train", data.split.train, margins.train);
  if (cv != nullptr) rep->splits.push_back({"cv", cv->rows.size(), cv->oof_metrics});
  add_split("valid", data.split.valid, margins.valid);
  add_split("test", data.split.test, margins.test);

  nlohmann::json metrics = nlohmann::json::object();
  for (const SplitResult& s : rep->splits) {
    nlohmann::json m = MetricsToJson(s.metrics);
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
  lineage["validation"] = rep.validation;
  if (!rep.cross_validation.is_null()) lineage["cross_validation"] = rep.cross_validation;
  if (!rep.tuning.is_null()) lineage["tuning"] = rep.tuning;
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& e : rep.excluded) ex.push_back({{"column", e.name}, {"reason", e.reason}});
  lineage["excluded_columns"] = std::move(ex);
  lineage["training_seconds"] = rep.seconds;
  lineage["created"] = NowIso();
  lineage["keel_version"] = KEEL_VERSION;
  lineage["keel_git"] = KEEL_GIT_HASH;
  return lineage;
}

// A TrialScorer by k-fold cross-validation over data.folds (train/cross_validation.h): a
// configuration's out-of-fold stopping loss, each fold stopping early on its held-out rows. The
// folds are the ones the final model is cross-validated on, so scores are comparable across
// configurations. Borrows `data`, which must outlive it.
TrialScorer CrossValidationScorer(const TrainOptions& options, const TrainingData& data,
                                  const Context& ctx) {
  return [options, &data, ctx](const TrainParams& params) -> Result<TrialScore> {
    TrainOptions trial = options;
    trial.params = params;
    KEEL_ASSIGN_OR_RETURN(const CvResult cv, CrossValidate(data, trial, ctx.Quiet()));
    const std::string metric = StoppingLossName(data.target.objective);
    double trees = 0;
    for (const CvFold& f : cv.fold) trees += f.trees;
    for (const auto& [name, value] : cv.oof_metrics) {
      if (name == metric) {
        return TrialScore{value, static_cast<int>(std::lround(trees / cv.fold.size())), metric};
      }
    }
    return Status::Internal("cross-validation reported no {} to tune on", metric);
  };
}

// --tune: runs the search (train/tune.h) and sets *params to the winner's; the report gets
// the search. Configurations are scored by k-fold cross-validation when the data is
// cross-validated (small data, params `folds`), else on the validation split. Without either,
// the search is skipped with a warning.
Status TuneIfAsked(const TrainOptions& options, const TrainingData& data, const Context& ctx,
                   TrainParams* params, TrainReport* rep) {
  KEEL_ASSIGN_OR_RETURN(const TuneBudget budget, ParseTuneBudget(options.params.tune));
  if (!budget.enabled()) return Status::OK();
  if (options.collective != nullptr) {
    return Status::Unsupported("distributed training does not support --tune yet");
  }
  TrialScorer scorer;
  std::string scored_on;
  if (!data.folds.empty()) {
    scored_on = std::to_string(data.folds.size()) + "-fold cross-validation";
    scorer = CrossValidationScorer(options, data, ctx);
    log::Info("tuning (budget {}) by {}-fold cross-validation of {} rows", options.params.tune,
              data.folds.size(), data.split.train.size());
  } else if (!data.split.valid.empty()) {
    KEEL_ASSIGN_OR_RETURN(scorer, ValidationScorer(options, data, ctx));
    scored_on = "validation split";
    log::Info("tuning (budget {}) on {} validation rows", options.params.tune,
              data.split.valid.size());
  } else {
    const std::string why =
        "there are no validation rows to score configurations on (validation: " + rep->validation +
        "); set valid_size or folds";
    rep->warnings.push_back("tuning skipped: " + why);
    rep->tuning = {{"budget", options.params.tune}, {"skipped", why}};
    return Status::OK();
  }
  KEEL_ASSIGN_OR_RETURN(TuneResult t, SuccessiveHalving(options.params, budget, scorer));
  t.budget = options.params.tune;
  log::Info("tuning: {} trials of {} configurations in {:.1f} s{}; chose configuration {}",
            t.trials.size(), t.configs, t.seconds,
            t.stopped_by_time ? " (stopped by the time budget)" : "", t.best_config);
  *params = t.best;
  rep->tuning = TuneResultToJson(t);
  rep->tuning["scored_on"] = scored_on;
  return Status::OK();
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
    nlohmann::json m = MetricsToJson(s.metrics);
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
  if (!r.cross_validation.is_null()) j["cross_validation"] = r.cross_validation;
  if (!r.tuning.is_null()) j["tuning"] = r.tuning;
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
  if (const int k = ResolvedFolds(options.params, data.target.rows.size(), data.target.task);
      k > 0) {
    KEEL_ASSIGN_OR_RETURN(SplitSpec spec, ParseSplitSpec(data.split_text));
    spec.seed = static_cast<uint64_t>(options.params.seed);
    KEEL_ASSIGN_OR_RETURN(data.folds,
                          AssignFolds(table, data.split.train, data.target.label, spec, k));
  }
  return data;
}

Result<SplitMargins> FitModel(const TrainOptions& options, const TrainingData& data,
                              const SplitRows& split, const Context& ctx, Model* model,
                              TrainReport* report) {
  Stopwatch clock;
  StartModel(options, data, model);
  return options.params.algo == "gbdt" ? FitGbdt(options, data, split, ctx, clock, model, report)
                                       : FitLinear(options, data, split, ctx, clock, model, report);
}

namespace {

// The result once the model is fitted: schema, metrics (the folds' with k-fold), lineage,
// checks. `seconds` is the whole training's.
Result<TrainResult> CompleteFit(const Table& table, const Schema& schema,
                                const TrainOptions& options, const TrainingData& data,
                                const SplitMargins& fitted, CvResult* cv, double seconds,
                                TrainResult result) {
  TrainReport& rep = result.report;
  Model& model = result.model;
  rep.seconds = seconds;
  model.schema = schema;
  // The stored schema names its target, so files scored later may lack it (usecase/scoring).
  if (ColumnSchema* t = model.schema.Find(options.target)) t->role = Role::kTarget;
  AddSplitMetrics(data, fitted, cv, &model, &rep);
  if (cv != nullptr) result.oof_margins = std::move(cv->oof_margins);
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
  // k-fold: the folds first; the model is then refit on all training rows with the trees
  // the folds kept (no validation rows to stop on).
  std::optional<CvResult> cv;
  TrainOptions fit_options = options;
  if (!data.folds.empty()) {
    KEEL_ASSIGN_OR_RETURN(cv, CrossValidate(data, options, ctx));
    if (options.params.algo == "gbdt") fit_options.params.num_trees = cv->refit_trees;
    rep.validation = CvSummary(*cv, options.params.algo);
    rep.cross_validation = CvToJson(*cv, options.params.algo);
  }
  KEEL_ASSIGN_OR_RETURN(const SplitMargins fitted,
                        FitModel(fit_options, data, data.split, ctx, &result.model, &rep));
  return CompleteFit(table, schema, options, data, fitted, cv ? &*cv : nullptr,
                     clock.Seconds() + prepared_seconds, std::move(result));
}

Result<TrainResult> FitPreparedBins(const Table& table, const Schema& schema,
                                    const TrainOptions& options, const TrainingData& data,
                                    PreparedBins bins, TrainReport report, const Context& ctx) {
  if (options.params.algo != "gbdt" || options.collective != nullptr || !data.folds.empty()) {
    return Status::Unsupported(
        "training on binned rows supports algo gbdt in one process, without k-fold");
  }
  Stopwatch clock;
  const double prepared_seconds = report.seconds;
  TrainResult result;
  result.report = std::move(report);
  StartModel(options, data, &result.model);
  GbdtInputs in;
  const FeatureSet& fs = data.features;
  KEEL_ASSIGN_OR_RETURN(in.constraints,
                        ResolveConstraints(options.params.monotone, options.params.interactions,
                                           fs.specs, fs.excluded));
  in.mappers = std::move(bins.mappers);
  in.train_bins = std::move(bins.train);
  in.valid_bins = std::move(bins.valid);
  GatherLabelsAndWeights(data, data.split, &in);
  BinnedMatrix test = std::move(bins.test);
  KEEL_ASSIGN_OR_RETURN(
      SplitMargins fitted,
      FitGbdtOnInputs(
          options, data, std::move(in),
          [&](const std::vector<BinMapper>&) -> Result<BinnedMatrix> { return std::move(test); },
          ctx, clock, &result.model, &result.report));
  KEEL_ASSIGN_OR_RETURN(TrainResult done,
                        CompleteFit(table, schema, options, data, fitted, nullptr,
                                    clock.Seconds() + prepared_seconds, std::move(result)));
  for (const SplitResult& sr : done.report.splits) {
    std::vector<double>& m = sr.name == "train"   ? fitted.train
                             : sr.name == "valid" ? fitted.valid
                                                  : fitted.test;
    done.margins[sr.name] = std::move(m);
  }
  return done;
}

Result<TrialScorer> ValidationScorer(const TrainOptions& options, const TrainingData& data,
                                     const Context& ctx) {
  if (data.split.valid.empty()) {
    return Status::FailedPrecondition("scoring on the validation rows needs validation rows");
  }
  KEEL_ASSIGN_OR_RETURN(GbdtInputs binned, BinGbdtInputs(options, data, data.split, ctx));
  auto in = std::make_shared<const GbdtInputs>(std::move(binned));
  return TrialScorer([in, options, &data, ctx](const TrainParams& params) -> Result<TrialScore> {
    KEEL_ASSIGN_OR_RETURN(GbdtResult g, BoostBinned(*in, params, options, data, ctx.Quiet()));
    if (g.valid_loss.empty() || g.iterations <= 0) {
      return Status::Internal("a tuning trial fitted no trees");
    }
    log::Debug("tuning trial: {} trees (lr {}, leaves {}): valid {} {}", params.num_trees,
               params.learning_rate, params.num_leaves, g.stopping_metric,
               g.valid_loss[static_cast<size_t>(g.iterations - 1)]);
    // The kept model's loss: the best iteration's under early stopping, else the last one's.
    return TrialScore{g.valid_loss[static_cast<size_t>(g.iterations - 1)], g.iterations,
                      g.stopping_metric};
  });
}

Result<TrainResult> Train(const Table& table, const Schema& schema, const TrainOptions& options,
                          const Context& ctx) {
  Stopwatch clock;
  TrainReport report;
  KEEL_ASSIGN_OR_RETURN(TrainingData data, PrepareTraining(table, schema, options, ctx, &report));
  TrainOptions fit = options;
  KEEL_RETURN_IF_ERROR(TuneIfAsked(options, data, ctx, &fit.params, &report));
  report.seconds = clock.Seconds();
  return FitPrepared(table, schema, fit, data, std::move(report), ctx);
}

}  // namespace keel
