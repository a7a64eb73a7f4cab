#include "eval/compare.h"

#include <fmt/format.h>

#include <cmath>

#include "core/number_format.h"
#include "eval/delong.h"
#include "eval/labeled_predictions.h"
#include "predict/feature_matrix.h"

namespace keel {
namespace {

std::string ClassList(const LabelMapping& m) {
  std::string out;
  for (size_t i = 0; i < m.classes.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + m.classes[i] + "'";
  }
  return out;
}

bool SameRows(const ScoredRows& a, const ScoredRows& b) {
  if (a.task != b.task || a.num_classes != b.num_classes || a.rows() != b.rows()) return false;
  if (a.weights.size() != b.weights.size()) return false;
  for (size_t i = 0; i < a.labels.size(); ++i) {
    if (a.labels[i] != b.labels[i]) return false;
  }
  for (size_t i = 0; i < a.targets.size(); ++i) {
    if (a.targets[i] != b.targets[i]) return false;
  }
  for (size_t i = 0; i < a.weights.size(); ++i) {
    if (a.weights[i] != b.weights[i]) return false;
  }
  return true;
}

// The improvement of `candidate` over `baseline` on `metric` (positive = better).
double Improvement(Metric metric, double baseline, double candidate) {
  return HigherIsBetter(metric) ? candidate - baseline : baseline - candidate;
}

std::string Signed(double v) {
  return fmt::format("{:+.3g}", v);
}

}  // namespace

Status CheckCompareOptions(const CompareOptions& o) {
  if (!(o.min_gain >= 0) || !std::isfinite(o.min_gain)) {
    return Status::InvalidArgument("min_gain {} must be a finite number >= 0",
                                   FormatDouble(o.min_gain));
  }
  if (!(o.alpha > 0 && o.alpha < 1)) {
    return Status::InvalidArgument("alpha {} is not strictly between 0 and 1",
                                   FormatDouble(o.alpha));
  }
  if (!(o.latency_budget_us > 0) || !std::isfinite(o.latency_budget_us)) {
    return Status::InvalidArgument("latency budget {} us must be a positive number",
                                   FormatDouble(o.latency_budget_us));
  }
  if (o.cost.latency_rows == 0) {
    return Status::InvalidArgument("at least one row must be timed for the latency budget");
  }
  return CheckBootstrapOptions(o.evaluation.bootstrap);
}

Status CheckComparable(const Model& baseline, const Model& candidate) {
  if (baseline.task != candidate.task) {
    return Status::InvalidArgument(
        "the baseline is a {} model and the candidate a {} model: models of different tasks "
        "cannot be compared",
        TaskName(baseline.task), TaskName(candidate.task));
  }
  if (baseline.target != candidate.target) {
    return Status::InvalidArgument(
        "the baseline predicts '{}' and the candidate '{}': models of different targets cannot "
        "be compared",
        baseline.target, candidate.target);
  }
  if (baseline.task != Task::kRegression &&
      baseline.labels.Version() != candidate.labels.Version()) {
    return Status::InvalidArgument(
        "the models were trained under different label mappings (baseline {}: classes {}; "
        "candidate {}: classes {}), so their metrics are not comparable; retrain one of them "
        "with the other's classes",
        baseline.labels.Version(), ClassList(baseline.labels), candidate.labels.Version(),
        ClassList(candidate.labels));
  }
  return Status::OK();
}

Result<GainTest> TestGain(const ScoredRows& baseline, const ScoredRows& candidate, Metric metric,
                          const CompareOptions& options, const Context& ctx) {
  KEEL_RETURN_IF_ERROR(CheckCompareOptions(options));
  if (!SameRows(baseline, candidate)) {
    return Status::InvalidArgument(
        "a paired test needs both models scored on the same rows with the same labels and "
        "weights");
  }
  if (!MetricAppliesTo(metric, baseline.task)) {
    return Status::InvalidArgument("metric '{}' does not apply to a {} model", MetricName(metric),
                                   TaskName(baseline.task));
  }
  GainTest t;
  t.metric = metric;
  t.confidence = 1 - options.alpha;
  if (metric == Metric::kAuc && baseline.weights.empty()) {
    KEEL_RETURN_IF_ERROR(
        CheckBinaryInputs(baseline.labels, baseline.predictions, baseline.weights, false));
    KEEL_RETURN_IF_ERROR(
        CheckBinaryInputs(candidate.labels, candidate.predictions, candidate.weights, false));
    KEEL_ASSIGN_OR_RETURN(DeLongTestResult d, DeLongTest(baseline.labels, baseline.predictions,
                                                         candidate.predictions, t.confidence));
    t.method = "delong";
    t.baseline = d.auc_a;
    t.candidate = d.auc_b;
    t.gain = d.difference;
    t.lower = d.lower;
    t.upper = d.upper;
    t.p_value = d.p_value;
    return t;
  }

  if (options.evaluation.bootstrap.resamples == 0) {
    return Status::InvalidArgument("the paired bootstrap of {} needs resamples > 0",
                                   MetricName(metric));
  }
  const Metric one[1] = {metric};
  KEEL_ASSIGN_OR_RETURN(MetricComputer base,
                        MetricComputer::Create(baseline, one, options.evaluation.metric));
  KEEL_ASSIGN_OR_RETURN(MetricComputer cand,
                        MetricComputer::Create(candidate, one, options.evaluation.metric));
  MetricComputer::Scratch scratch;
  double b = 0, c = 0;
  base.Compute({}, std::span<double>(&b, 1), &scratch);
  cand.Compute({}, std::span<double>(&c, 1), &scratch);
  BootstrapOptions bo = options.evaluation.bootstrap;
  bo.confidence = t.confidence;
  std::vector<MetricComputer::Scratch> scratches(BootstrapWorkers(bo, ctx));
  // The same weights (resampled rows) score both models: the pairing that makes the test
  // sensitive to differences far smaller than either model's own interval.
  KEEL_ASSIGN_OR_RETURN(BootstrapReplicates rep,
                        RunBootstrap(
                            baseline.rows(), baseline.weights, 1,
                            [&](size_t worker, std::span<const double> w, std::span<double> out) {
                              double vb = 0, vc = 0;
                              base.Compute(w, std::span<double>(&vb, 1), &scratches[worker]);
                              cand.Compute(w, std::span<double>(&vc, 1), &scratches[worker]);
                              out[0] = Improvement(metric, vb, vc);
                            },
                            bo, ctx));
  const std::vector<double> gains = rep.Of(0);
  const Interval ci = PercentileInterval(gains, t.confidence);
  t.method = "paired_bootstrap";
  t.baseline = b;
  t.candidate = c;
  t.gain = Improvement(metric, b, c);
  t.lower = ci.lower;
  t.upper = ci.upper;
  t.p_value = BootstrapPValue(gains);
  t.resamples = ci.used;
  return t;
}

Verdict DecideVerdict(const GainTest& t, const ModelCost& cost, const CompareOptions& o) {
  Verdict v;
  const std::string label(MetricLabel(t.metric));
  const std::string method = t.method == "delong" ? "DeLong" : "paired bootstrap";
  v.within_budget = cost.p99_us <= o.latency_budget_us;
  const std::string latency =
      fmt::format("its p99 latency {:.1f} us {} the {} us budget", cost.p99_us,
                  v.within_budget ? "is within" : "exceeds", FormatDouble(o.latency_budget_us));
  if (!std::isfinite(t.gain) || !std::isfinite(t.p_value)) {
    v.reason = fmt::format(
        "the {} of the two models could not be compared on these rows (undefined on them), "
        "so there is no evidence for the candidate: keep the baseline",
        label);
    return v;
  }
  v.gain_reaches_min = t.gain >= o.min_gain;
  v.significant = t.gain > 0 && t.p_value < o.alpha;
  v.ship_candidate = v.gain_reaches_min && v.significant && v.within_budget;

  const std::string lead =
      fmt::format("the candidate's {} {} of {} ({:.3g}% CI {}..{}, {} p = {:.2g})", label,
                  HigherIsBetter(t.metric) ? "gain" : "improvement", Signed(t.gain),
                  100 * t.confidence, Signed(t.lower), Signed(t.upper), method, t.p_value);
  const std::string min_gain = FormatDouble(o.min_gain);
  const std::string alpha = FormatDouble(o.alpha);
  std::string gain_part;
  if (t.gain <= 0 && t.p_value < o.alpha) {
    gain_part = fmt::format("means the candidate is significantly worse at alpha {}", alpha);
  } else if (v.gain_reaches_min && v.significant) {
    gain_part = fmt::format("reaches min_gain {} and is significant at alpha {}", min_gain, alpha);
  } else if (!v.gain_reaches_min && !v.significant) {
    gain_part =
        fmt::format("is below min_gain {} and not significant at alpha {}", min_gain, alpha);
  } else if (!v.gain_reaches_min) {
    gain_part = fmt::format("is significant at alpha {} but below min_gain {}", alpha, min_gain);
  } else {
    gain_part =
        fmt::format("reaches min_gain {} but is not significant at alpha {}", min_gain, alpha);
  }
  const bool gain_ok = v.gain_reaches_min && v.significant;
  v.reason =
      fmt::format("{} {}, {} {}: {}", lead, gain_part, gain_ok && !v.within_budget ? "but" : "and",
                  latency, v.ship_candidate ? "ship the candidate" : "keep the baseline");
  return v;
}

Result<Comparison> CompareModels(const CompareInput& baseline, const CompareInput& candidate,
                                 const Table& test, const CompareOptions& options,
                                 const Context& ctx) {
  KEEL_RETURN_IF_ERROR(CheckCompareOptions(options));
  KEEL_RETURN_IF_ERROR(CheckComparable(*baseline.model, *candidate.model));
  const Metric metric = options.metric.value_or(DefaultMetric(baseline.model->task));
  if (!MetricAppliesTo(metric, baseline.model->task)) {
    return Status::InvalidArgument("metric '{}' does not apply to {} models", MetricName(metric),
                                   TaskName(baseline.model->task));
  }
  KEEL_ASSIGN_OR_RETURN(LabeledRows truth, ReadLabels(*baseline.model, test));
  // The candidate's own read refuses what the baseline's cannot see: a candidate that cannot be
  // evaluated (a model of several quantiles).
  KEEL_RETURN_IF_ERROR(ReadLabels(*candidate.model, test).status());

  EncodeOptions encode;
  encode.threads = ctx.threads();
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix xb, EncodeFeatures(*baseline.model, test, encode));
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix xc, EncodeFeatures(*candidate.model, test, encode));
  KEEL_ASSIGN_OR_RETURN(LabeledPredictions pb,
                        PredictLabeled(*baseline.predictor, xb, truth, ctx.threads()));
  KEEL_ASSIGN_OR_RETURN(LabeledPredictions pc,
                        PredictLabeled(*candidate.predictor, xc, truth, ctx.threads()));

  Comparison c;
  c.task = baseline.model->task;
  c.rows = truth.rows.size();
  c.rows_missing_label = truth.rows_missing_label;
  c.weight_column = truth.weight_column;
  c.baseline_name = baseline.name;
  c.candidate_name = candidate.name;
  c.options = options;
  c.options.metric = metric;
  {
    auto ev = Evaluate(pb.view(), EvaluationOptionsFor(*baseline.model, options.evaluation), ctx);
    if (!ev.ok()) return ev.status().WithContext("evaluating the baseline");
    c.baseline = std::move(ev).value();
  }
  {
    auto ev = Evaluate(pc.view(), EvaluationOptionsFor(*candidate.model, options.evaluation), ctx);
    if (!ev.ok()) return ev.status().WithContext("evaluating the candidate");
    c.candidate = std::move(ev).value();
  }
  KEEL_ASSIGN_OR_RETURN(c.test, TestGain(pb.view(), pc.view(), metric, options, ctx));

  const CostSubject subjects[2] = {{baseline.predictor, &xb}, {candidate.predictor, &xc}};
  KEEL_ASSIGN_OR_RETURN(std::vector<ModelCost> costs, MeasureCosts(subjects, options.cost, ctx));
  c.baseline_cost = costs[0];
  c.candidate_cost = costs[1];
  c.baseline_cost.file_bytes = baseline.file_bytes;
  c.candidate_cost.file_bytes = candidate.file_bytes;
  c.verdict = DecideVerdict(c.test, c.candidate_cost, options);
  return c;
}

nlohmann::json ModelCostToJson(const ModelCost& cost) {
  return {
      {"file_bytes", cost.file_bytes},       {"latency_rows", cost.latency_rows},
      {"p50_us", JsonNumber(cost.p50_us)},   {"p99_us", JsonNumber(cost.p99_us)},
      {"mean_us", JsonNumber(cost.mean_us)}, {"rows_per_second", JsonNumber(cost.rows_per_second)},
      {"batch_threads", cost.batch_threads}};
}

nlohmann::json ComparisonToJson(const Comparison& c) {
  const Metric metric = c.test.metric;
  nlohmann::json j;
  j["task"] = std::string(TaskName(c.task));
  j["rows"] = c.rows;
  j["rows_missing_label"] = c.rows_missing_label;
  j["weight_column"] =
      c.weight_column.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.weight_column);
  j["metric"] = std::string(MetricName(metric));
  j["min_gain"] = c.options.min_gain;
  j["alpha"] = c.options.alpha;
  j["latency_budget_us"] = c.options.latency_budget_us;
  j["test"] = {{"metric", std::string(MetricName(metric))},
               {"higher_is_better", HigherIsBetter(metric)},
               {"method", c.test.method},
               {"baseline", JsonNumber(c.test.baseline)},
               {"candidate", JsonNumber(c.test.candidate)},
               {"gain", JsonNumber(c.test.gain)},
               {"lower", JsonNumber(c.test.lower)},
               {"upper", JsonNumber(c.test.upper)},
               {"confidence", c.test.confidence},
               {"p_value", JsonNumber(c.test.p_value)},
               {"resamples", c.test.resamples}};
  j["verdict"] = {{"ship", c.verdict.ship_candidate ? "candidate" : "baseline"},
                  {"ship_candidate", c.verdict.ship_candidate},
                  {"gain_reaches_min", c.verdict.gain_reaches_min},
                  {"significant", c.verdict.significant},
                  {"within_budget", c.verdict.within_budget},
                  {"reason", c.verdict.reason}};
  j["baseline"] = {{"name", c.baseline_name},
                   {"cost", ModelCostToJson(c.baseline_cost)},
                   {"evaluation", EvaluationToJson(c.baseline)}};
  j["candidate"] = {{"name", c.candidate_name},
                    {"cost", ModelCostToJson(c.candidate_cost)},
                    {"evaluation", EvaluationToJson(c.candidate)}};
  return j;
}

}  // namespace keel
