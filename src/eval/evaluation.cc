#include "eval/evaluation.h"

#include <cmath>

#include "eval/delong.h"

namespace keel {

const MetricEstimate* Evaluation::Find(Metric metric) const {
  for (const auto& m : metrics) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

EvaluationOptions EvaluationOptionsFor(const Model& model, EvaluationOptions options) {
  options.metrics = MetricsForModel(model);
  options.metric.quantile_alpha = model.quantile_alpha;
  options.metric.tweedie_variance_power = model.tweedie_variance_power;
  return options;
}

Result<Evaluation> Evaluate(const ScoredRows& rows, const EvaluationOptions& options,
                            const Context& ctx) {
  KEEL_RETURN_IF_ERROR(CheckBootstrapOptions(options.bootstrap));
  if (rows.rows() == 0) return Status::FailedPrecondition("no rows to evaluate");
  KEEL_ASSIGN_OR_RETURN(
      MetricComputer computer,
      MetricComputer::Create(
          rows, options.metrics.empty() ? MetricsFor(rows.task) : options.metrics, options.metric));
  Evaluation ev;
  ev.task = rows.task;
  ev.rows = rows.rows();
  ev.options = options;
  for (size_t i = 0; i < ev.rows; ++i)
    ev.total_weight += rows.weights.empty() ? 1 : rows.weights[i];
  if (rows.task != Task::kRegression) {
    ev.num_classes = rows.num_classes;
    ev.class_weight.assign(rows.num_classes, 0.0);
    for (size_t i = 0; i < ev.rows; ++i) {
      ev.class_weight[rows.labels[i]] += rows.weights.empty() ? 1 : rows.weights[i];
    }
  }

  const size_t k = computer.metrics().size();
  std::vector<double> point(k);
  MetricComputer::Scratch scratch;
  computer.Compute({}, point, &scratch);

  std::vector<MetricComputer::Scratch> scratches(BootstrapWorkers(options.bootstrap, ctx));
  KEEL_ASSIGN_OR_RETURN(BootstrapReplicates rep,
                        RunBootstrap(
                            ev.rows, rows.weights, k,
                            [&](size_t worker, std::span<const double> w, std::span<double> out) {
                              computer.Compute(w, out, &scratches[worker]);
                            },
                            options.bootstrap, ctx));
  for (size_t j = 0; j < k; ++j) {
    MetricEstimate e;
    e.metric = computer.metrics()[j];
    e.value = point[j];
    if (rep.resamples > 0) e.interval = PercentileInterval(rep.Of(j), options.bootstrap.confidence);
    ev.metrics.push_back(e);
  }

  if (rows.task == Task::kBinary) {
    KEEL_ASSIGN_OR_RETURN(
        ev.at_threshold,
        MetricsAtThreshold(rows.labels, rows.predictions, options.metric.threshold, rows.weights));
    KEEL_ASSIGN_OR_RETURN(RocCurve roc,
                          ComputeRocCurve(rows.labels, rows.predictions, rows.weights));
    ev.roc = Thin(roc, options.max_curve_points);
    KEEL_ASSIGN_OR_RETURN(PrCurve pr, ComputePrCurve(rows.labels, rows.predictions, rows.weights));
    ev.pr = Thin(pr, options.max_curve_points);
    KEEL_ASSIGN_OR_RETURN(ev.reliability,
                          ComputeReliabilityCurve(rows.labels, rows.predictions, rows.weights,
                                                  options.metric.calibration_bins));
    if (rows.weights.empty()) {
      const std::span<const double> one[1] = {rows.predictions};
      auto est = DeLongCovariance(rows.labels, one);
      if (est.ok()) ev.auc_standard_error = std::sqrt(std::max(0.0, est->Variance(0)));
    }
  }
  return ev;
}

namespace {

nlohmann::json JsonArray(const std::vector<double>& v) {
  nlohmann::json a = nlohmann::json::array();
  for (double x : v) a.push_back(JsonNumber(x));
  return a;
}

}  // namespace

nlohmann::json EvaluationToJson(const Evaluation& ev) {
  nlohmann::json j;
  j["task"] = std::string(TaskName(ev.task));
  j["rows"] = ev.rows;
  j["total_weight"] = JsonNumber(ev.total_weight);
  j["confidence"] = ev.options.bootstrap.confidence;
  j["resamples"] = ev.options.bootstrap.resamples;
  j["seed"] = ev.options.bootstrap.seed;
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& m : ev.metrics) {
    metrics[std::string(MetricName(m.metric))] = {{"value", JsonNumber(m.value)},
                                                  {"lower", JsonNumber(m.interval.lower)},
                                                  {"upper", JsonNumber(m.interval.upper)},
                                                  {"resamples_used", m.interval.used}};
  }
  j["metrics"] = std::move(metrics);
  if (ev.task != Task::kRegression) j["classes"] = JsonArray(ev.class_weight);
  if (ev.task == Task::kBinary) {
    const auto& t = ev.at_threshold;
    j["threshold"] = t.threshold;
    j["confusion"] = {{"tp", t.tp}, {"fp", t.fp}, {"tn", t.tn}, {"fn", t.fn}};
    j["auc_standard_error"] =
        ev.auc_standard_error ? JsonNumber(*ev.auc_standard_error) : nlohmann::json(nullptr);
    j["ece"] = JsonNumber(ev.reliability.ece);
    j["curves"] = {{"roc",
                    {{"fpr", JsonArray(ev.roc.fpr)},
                     {"tpr", JsonArray(ev.roc.tpr)},
                     {"thresholds", JsonArray(ev.roc.thresholds)}}},
                   {"pr",
                    {{"recall", JsonArray(ev.pr.recall)},
                     {"precision", JsonArray(ev.pr.precision)},
                     {"thresholds", JsonArray(ev.pr.thresholds)}}},
                   {"reliability",
                    {{"lower", JsonArray(ev.reliability.lower)},
                     {"upper", JsonArray(ev.reliability.upper)},
                     {"weight", JsonArray(ev.reliability.weight)},
                     {"mean_predicted", JsonArray(ev.reliability.mean_predicted)},
                     {"observed", JsonArray(ev.reliability.observed)}}}};
  }
  return j;
}

}  // namespace keel
