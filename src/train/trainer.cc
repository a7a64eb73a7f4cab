#include "core/json_number.h"
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/context.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/nearest_name.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "keel/version_info.h"
#include "train/binning.h"
#include "train/gbdt_trainer.h"
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
  for (const auto& [k, v] : m) {
    if (std::isfinite(v)) {
      j[k] = v;
    } else {
      j[k] = nullptr;
    }
  }
  return j;
}

std::string NowIso() {
  const auto now = std::chrono::system_clock::now();
  const auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  return FormatTimestamp(static_cast<int64_t>(us) / 1000000 * 1000000);
}

}  // namespace

nlohmann::json ReportToJson(const TrainReport& r) {
  nlohmann::json j;
  j["task"] = std::string(TaskName(r.task));
  j["algo"] = r.algo;
  j["objective"] = std::string(ObjectiveName(r.objective));
  j["split"] = r.split_method;
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
  return j;
}

Result<TrainResult> Train(const Table& table, const Schema& schema, const TrainOptions& options) {
  Stopwatch total_clock;
  const TrainParams& p = options.params;
  KEEL_RETURN_IF_ERROR(ValidateParams(p));
  const int threads = p.threads > 0 ? p.threads : HardwareThreads();
  TrainResult result;
  TrainReport& rep = result.report;
  rep.algo = p.algo;
  rep.rows_total = table.num_rows();
  if (table.num_rows() == 0) {
    return Status::InvalidArgument("the data has no rows to train on");
  }
  if (table.num_rows() > 0xFFFFFFF0ULL) {
    return Status::ResourceExhausted("{} rows is more than training supports (2^32)",
                                     table.num_rows());
  }

  // --- target ------------------------------------------------------------------------
  TargetOptions topt;
  topt.column = options.target;
  topt.task = p.task;
  topt.objective = p.objective;
  topt.positive = options.positive;
  KEEL_ASSIGN_OR_RETURN(TargetInfo target, ReadTarget(table, schema, topt));
  rep.task = target.task;
  rep.objective = target.objective;
  rep.rows_missing_target = target.missing;
  if (target.missing > 0) {
    rep.warnings.push_back(std::to_string(target.missing) +
                           " rows have no target value and are not used");
  }

  // --- weights and split ---------------------------------------------------------------
  std::string weight_col = options.weight_column;
  if (weight_col.empty()) {
    const std::string w = schema.FirstWithRole(Role::kWeight);
    if (!w.empty() && table.Find(w) != nullptr) weight_col = w;
  }
  KEEL_ASSIGN_OR_RETURN(std::vector<float> weights, ReadWeights(table, weight_col, target.rows));

  std::string split_text = p.split;
  if (split_text == "auto") split_text = target.task == Task::kRegression ? "random" : "stratified";
  KEEL_ASSIGN_OR_RETURN(SplitSpec spec, ParseSplitSpec(split_text));
  if (spec.kind == SplitSpec::Kind::kStratified && target.task == Task::kRegression) {
    return Status::InvalidArgument(
        "a stratified split needs classes; target '{}' is a regression target (use --split "
        "random, time:COL or group:COL)",
        options.target);
  }
  spec.test_size = p.test_size;
  spec.valid_size = p.valid_size;
  spec.seed = static_cast<uint64_t>(p.seed);
  rep.split_method = split_text;
  KEEL_ASSIGN_OR_RETURN(result.split, SplitTableRows(table, target.rows, target.label, spec));
  const SplitRows& split = result.split;
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
          target.labels.classes[c], options.target, total, split_text);
    }
  }

  // --- features ------------------------------------------------------------------------
  FeatureOptions fopt;
  fopt.target = options.target;
  fopt.weight_column = weight_col;
  fopt.exclude = options.exclude;
  fopt.include_sensitive = options.include_sensitive;
  KEEL_ASSIGN_OR_RETURN(FeatureSet fs, BuildFeatures(table, schema, fopt, split.train));
  rep.excluded = fs.excluded;
  {
    std::vector<size_t> cols;
    for (const FeatureSpec& f : fs.specs) {
      KEEL_ASSIGN_OR_RETURN(size_t c, table.IndexOf(f.name));
      cols.push_back(c);
    }
    rep.leakage = FindLeakage(table, cols, split, threads);
    if (rep.leakage.test_rows_in_train > 0) {
      rep.warnings.push_back(std::to_string(rep.leakage.test_rows_in_train) +
                             " test rows have an identical feature row in the training split");
    }
  }

  // Class weights: each class weighs rows / (classes * rows of the class) in training.
  if (p.class_weight == "balanced") {
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
      const double w = weights.empty() ? 1.0 : weights[r];
      cw[static_cast<size_t>(target.label[r])] += w;
      tot += w;
    }
    if (weights.empty()) weights.assign(table.num_rows(), 1.0f);
    for (uint32_t r : split.train) {
      const double c = cw[static_cast<size_t>(target.label[r])];
      weights[r] =
          static_cast<float>(weights[r] * (c > 0 ? tot / (static_cast<double>(k) * c) : 0));
    }
  }

  // --- model skeleton ------------------------------------------------------------------
  Model& model = result.model;
  model.task = target.task;
  model.objective = target.objective;
  model.num_outputs = target.num_outputs;
  model.features = fs.specs;
  model.schema = schema;
  model.target = options.target;
  // The stored schema names its target, so files scored later may lack it (usecase/scoring).
  if (ColumnSchema* t = model.schema.Find(options.target)) t->role = Role::kTarget;
  model.labels = target.labels;

  const std::vector<double> train_labels = Gather(target.label, split.train);
  const std::vector<double> valid_labels = Gather(target.label, split.valid);
  const std::vector<double> test_labels = Gather(target.label, split.test);
  std::vector<double> train_m, valid_m, test_m;

  if (p.algo == "gbdt") {
    model.kind = Model::Kind::kForest;
    std::vector<BinMapper> mappers(fs.raw.size());
    KEEL_RETURN_IF_ERROR(ParallelFor(threads, fs.raw.size(), [&](size_t f) {
      mappers[f] = fs.raw[f].categorical
                       ? BinMapper::FitCategorical(fs.raw[f], split.train, p.max_cat_bins)
                       : BinMapper::FitNumeric(fs.raw[f], split.train, p.max_bins);
    }));
    KEEL_ASSIGN_OR_RETURN(BinnedMatrix train_bins, BinRows(fs.raw, mappers, split.train, threads));
    KEEL_ASSIGN_OR_RETURN(BinnedMatrix valid_bins, BinRows(fs.raw, mappers, split.valid, threads));
    const std::vector<float> train_w = GatherF(weights, split.train);
    const std::vector<float> valid_w = GatherF(weights, split.valid);

    GbdtConfig cfg;
    cfg.objective.objective = target.objective;
    cfg.objective.num_outputs = target.num_outputs;
    cfg.objective.huber_delta = p.huber_delta;
    cfg.tree.num_leaves = p.num_leaves;
    cfg.tree.max_depth = p.max_depth;
    cfg.tree.split.lambda_l1 = p.lambda_l1;
    cfg.tree.split.lambda_l2 = p.lambda_l2;
    cfg.tree.split.min_data_in_leaf = p.min_data_in_leaf;
    cfg.tree.split.min_sum_hessian = p.min_sum_hessian;
    cfg.tree.split.min_split_gain = p.min_split_gain;
    cfg.tree.split.max_cat_to_onehot = p.max_cat_to_onehot;
    cfg.tree.split.max_cat_threshold = p.max_cat_threshold;
    cfg.tree.split.cat_smooth = p.cat_smooth;
    cfg.tree.split.cat_l2 = p.cat_l2;
    cfg.tree.split.min_data_per_group = p.min_data_per_group;
    cfg.num_trees = p.num_trees;
    cfg.learning_rate = p.learning_rate;
    cfg.subsample = p.subsample;
    cfg.colsample = p.colsample;
    cfg.early_stopping_rounds = p.early_stopping_rounds;
    cfg.seed = static_cast<uint64_t>(p.seed);
    cfg.threads = threads;
    cfg.progress = options.progress;

    Stopwatch fit_clock;
    KEEL_ASSIGN_OR_RETURN(GbdtResult g,
                          TrainGbdt({&train_bins, train_labels, train_w},
                                    {&valid_bins, valid_labels, valid_w}, mappers, cfg));
    rep.fit_seconds = fit_clock.Seconds();
    rep.iterations = g.iterations;
    rep.best_iteration = g.best_iteration;
    rep.stopping_metric = g.stopping_metric;
    rep.valid_loss = g.valid_loss;
    model.base_margin = g.base_margin;
    model.forest = std::move(g.forest);
    train_m = std::move(g.train_margins);
    valid_m = std::move(g.valid_margins);
    rep.seconds = total_clock.Seconds();
    KEEL_ASSIGN_OR_RETURN(BinnedMatrix test_bins, BinRows(fs.raw, mappers, split.test, threads));
    test_m = PredictBinned(test_bins, g.binned_trees, model.base_margin, p.learning_rate, threads);
  } else {
    model.kind = Model::Kind::kLinear;
    LinearConfig cfg;
    cfg.l2 = p.linear_l2;
    cfg.top_k = p.linear_top_k;
    cfg.max_iterations = p.linear_max_iter;
    cfg.tolerance = p.linear_tol;
    cfg.threads = threads;
    Stopwatch fit_clock;
    KEEL_ASSIGN_OR_RETURN(LinearFit fit, TrainLinear(fs.raw, split.train, target.label, weights,
                                                     target.objective, target.num_outputs, cfg));
    rep.fit_seconds = fit_clock.Seconds();
    rep.iterations = fit.iterations;
    rep.converged = fit.converged;
    if (!fit.converged) rep.warnings.push_back(LinearFitWarning(fit, cfg));
    model.base_margin = fit.intercepts;
    model.linear = std::move(fit.model);
    rep.seconds = total_clock.Seconds();
    train_m = PredictLinear(model.linear, model.base_margin, fs.raw, split.train);
    valid_m = PredictLinear(model.linear, model.base_margin, fs.raw, split.valid);
    test_m = PredictLinear(model.linear, model.base_margin, fs.raw, split.test);
  }

  // --- metrics, lineage ----------------------------------------------------------------
  auto add_split = [&](const char* name, const std::vector<uint32_t>& rows,
                       const std::vector<double>& m, const std::vector<double>& y) {
    if (rows.empty() && std::string(name) != "train") return;
    rep.splits.push_back(
        {name, rows.size(), SplitMetrics(model.objective, model.num_outputs, m, y)});
  };
  add_split("train", split.train, train_m, train_labels);
  add_split("valid", split.valid, valid_m, valid_labels);
  add_split("test", split.test, test_m, test_labels);

  nlohmann::json metrics = nlohmann::json::object();
  for (const SplitResult& s : rep.splits) {
    nlohmann::json m = MetricsJson(s.metrics);
    m["rows"] = s.rows;
    metrics[s.name] = std::move(m);
  }
  model.sections["metrics"] = std::move(metrics);

  nlohmann::json lineage;
  nlohmann::json data =
      options.data_info.is_object() ? options.data_info : nlohmann::json::object();
  if (!options.data_path.empty()) {
    data["path"] = options.data_path;
    KEEL_ASSIGN_OR_RETURN(std::string sha, Sha256File(options.data_path));
    data["sha256"] = sha;
  }
  data["rows"] = table.num_rows();
  lineage["data"] = std::move(data);
  lineage["rows"] = {{"total", table.num_rows()},
                     {"missing_target", target.missing},
                     {"train", split.train.size()},
                     {"valid", split.valid.size()},
                     {"test", split.test.size()}};
  lineage["split"] = split_text;
  lineage["target"] = options.target;
  if (!options.positive.empty()) lineage["positive"] = options.positive;
  if (!weight_col.empty()) lineage["weight_column"] = weight_col;
  lineage["parameters"] = ParamsToJson(p);
  lineage["iterations"] = rep.iterations;
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& e : rep.excluded) ex.push_back({{"column", e.name}, {"reason", e.reason}});
  lineage["excluded_columns"] = std::move(ex);
  lineage["training_seconds"] = rep.seconds;
  lineage["created"] = NowIso();
  lineage["keel_version"] = KEEL_VERSION;
  lineage["keel_git"] = KEEL_GIT_HASH;
  model.sections["lineage"] = std::move(lineage);

  KEEL_RETURN_IF_ERROR(ValidateModel(model).WithContext("trained model"));
  result.labels = std::move(target.label);
  return result;
}

}  // namespace keel
