#include "serve/challenger_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "core/json_number.h"
#include "drift/performance_estimation.h"
#include "eval/delong.h"
#include "eval/evaluation.h"
#include "keel/table.h"
#include "serve/logged_output.h"

namespace keel::serve {
namespace {

// One labeled prediction as logged.
struct LabeledRow {
  std::string version;
  int32_t label = -1;     // class index (classification)
  double target = 0;      // regression
  std::vector<double> p;  // probabilities in class order, or {prediction}
  int64_t time_us = 0;    // when it was predicted
};

// The timeline's metric of one variant's rows in a bucket: ROC AUC (binary), accuracy
// (multiclass) or RMSE (regression); NaN without rows (or one class, for the AUC).
double BucketMetric(const std::vector<const LabeledRow*>& rows, Task task, size_t classes) {
  if (rows.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (task == Task::kRegression) {
    double sum = 0;
    for (const LabeledRow* r : rows) sum += (r->p[0] - r->target) * (r->p[0] - r->target);
    return std::sqrt(sum / static_cast<double>(rows.size()));
  }
  if (task == Task::kBinary) {
    std::vector<double> p;
    std::vector<int8_t> y;
    for (const LabeledRow* r : rows) {
      p.push_back(r->p[1]);
      y.push_back(static_cast<int8_t>(r->label));
    }
    return drift::RealizedBinaryPerformance(p, y, 0.5).roc_auc;
  }
  std::vector<double> p;
  std::vector<int32_t> y;
  for (const LabeledRow* r : rows) {
    p.insert(p.end(), r->p.begin(), r->p.end());
    y.push_back(r->label);
  }
  return drift::RealizedMulticlassAccuracy(p, classes, y);
}

// Both variants' labeled rows in `buckets` equal spans of time from the first to the last.
std::vector<TimeBucket> Timeline(
    const std::map<std::string, std::unordered_map<std::string, LabeledRow>>& by_variant, Task task,
    size_t classes, int buckets) {
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  for (const auto& [variant, rows] : by_variant) {
    for (const auto& [id, r] : rows) {
      lo = std::min(lo, r.time_us);
      hi = std::max(hi, r.time_us);
    }
  }
  std::vector<TimeBucket> out;
  if (lo > hi || buckets <= 0) return out;
  const int n = lo == hi ? 1 : buckets;
  const double span = static_cast<double>(hi - lo) / n;
  std::vector<std::vector<const LabeledRow*>> a(n), b(n);
  for (const auto& [variant, rows] : by_variant) {
    if (variant != "champion" && variant != "challenger") continue;
    for (const auto& [id, r] : rows) {
      const int k =
          span > 0 ? std::min(n - 1, static_cast<int>(static_cast<double>(r.time_us - lo) / span))
                   : 0;
      (variant == "champion" ? a : b)[k].push_back(&r);
    }
  }
  for (int k = 0; k < n; ++k) {
    TimeBucket t;
    t.start_us = lo + static_cast<int64_t>(span * k);
    t.end_us = k + 1 == n ? hi : lo + static_cast<int64_t>(span * (k + 1));
    t.champion_rows = a[k].size();
    t.challenger_rows = b[k].size();
    t.champion = BucketMetric(a[k], task, classes);
    t.challenger = BucketMetric(b[k], task, classes);
    out.push_back(t);
  }
  return out;
}

// The rows one variant is scored on, as eval takes them.
struct Scored {
  std::vector<int32_t> labels;
  std::vector<double> targets, predictions;
  std::set<std::string> versions;

  void Add(const LabeledRow& r, Task task) {
    versions.insert(r.version);
    if (task == Task::kRegression) {
      targets.push_back(r.target);
      predictions.push_back(r.p[0]);
    } else {
      labels.push_back(r.label);
      if (task == Task::kBinary) {
        predictions.push_back(r.p[1]);
      } else {
        predictions.insert(predictions.end(), r.p.begin(), r.p.end());
      }
    }
  }
  ScoredRows View(Task task, int32_t classes) const {
    ScoredRows s;
    s.task = task;
    s.num_classes = classes;
    s.labels = labels;
    s.targets = targets;
    s.predictions = predictions;
    return s;
  }
  size_t rows(Task task) const {
    return task == Task::kRegression ? targets.size() : labels.size();
  }
};

// Enough rows of each class for a test (DeLong needs 2 of each in binary).
bool Testable(const Scored& s, Task task) {
  if (task == Task::kRegression) return s.targets.size() >= 2;
  const size_t pos = static_cast<size_t>(std::count(s.labels.begin(), s.labels.end(), 1));
  if (task == Task::kBinary) return pos >= 2 && s.labels.size() - pos >= 2;
  return s.labels.size() >= 2;
}

}  // namespace

// The gate: both variants' metrics on the labeled rows, the test and the verdict.
static Result<ChallengerReport> BuildGate(registry::SqlDatabase& db,
                                          const ChallengerReportOptions& o, const Context& ctx) {
  if (!(o.alpha > 0 && o.alpha < 1)) {
    return Status::InvalidArgument("--alpha {} is not in (0, 1)", o.alpha);
  }
  ChallengerReport rep;
  rep.model = o.model;
  rep.options = o;
  KEEL_ASSIGN_OR_RETURN(registry::SqlResult nl,
                        db.Exec("SELECT COUNT(*) FROM labels WHERE model = $1", {o.model}));
  rep.labels = static_cast<uint64_t>(nl.Int(0, 0));
  KEEL_ASSIGN_OR_RETURN(
      registry::SqlResult rows,
      db.Exec("SELECT p.variant, p.record_id, p.model_version, p.output, l.label, p.time_us "
              "FROM predictions p JOIN labels l ON l.model = p.model AND l.record_id = "
              "p.record_id WHERE p.model = $1 ORDER BY p.id",
              {o.model}));
  if (rows.rows.empty()) {
    KEEL_ASSIGN_OR_RETURN(registry::SqlResult np,
                          db.Exec("SELECT COUNT(*) FROM predictions WHERE model = $1", {o.model}));
    if (np.Int(0, 0) == 0) {
      return Status::NotFound("model '{}' has no prediction in the log", o.model);
    }
    // Predictions without labels yet: no verdict, but the label-free sections below.
  }
  OutputShape shape;
  // variant -> record id -> its first labeled prediction
  std::map<std::string, std::unordered_map<std::string, LabeledRow>> by_variant;
  std::vector<std::string> order;  // record ids in log order, each once
  std::set<std::string> seen;
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const std::string& variant = rows.Text(i, 0);
    const std::string& id = rows.Text(i, 1);
    auto& rows_of = by_variant[variant];
    if (rows_of.count(id) != 0) continue;
    LabeledRow r;
    r.version = rows.Text(i, 2);
    r.time_us = rows.Int(i, 5);
    if (!ReadLoggedOutput(rows.Text(i, 3), &shape, &r.p)) continue;
    const std::string& label = rows.Text(i, 4);
    if (shape.task == Task::kRegression) {
      char* end = nullptr;
      r.target = std::strtod(label.c_str(), &end);
      if (label.empty() || end != label.c_str() + label.size() || !std::isfinite(r.target)) {
        ++rep.labels_unmatched;
        continue;
      }
    } else {
      r.label = ClassOfLabel(label, shape.classes);
      if (r.label < 0) {
        ++rep.labels_unmatched;
        continue;
      }
    }
    rows_of.emplace(id, std::move(r));
    if (seen.insert(id).second) order.push_back(id);
  }
  rep.task = shape.task;
  rep.timeline = Timeline(by_variant, rep.task, shape.classes.size(), o.time_buckets);
  const int32_t k = static_cast<int32_t>(std::max<size_t>(shape.classes.size(), 2));
  const auto& champ = by_variant["champion"];
  const auto& chall = by_variant["challenger"];
  rep.champion.variant = "champion";
  rep.challenger.variant = "challenger";
  rep.champion.labeled = champ.size();
  rep.challenger.labeled = chall.size();

  // Paired when both variants scored some of the same requests (shadow traffic).
  Scored a, b;
  for (const std::string& id : order) {
    auto ia = champ.find(id);
    auto ib = chall.find(id);
    if (ia != champ.end() && ib != chall.end()) {
      a.Add(ia->second, rep.task);
      b.Add(ib->second, rep.task);
    }
  }
  rep.mode = a.rows(rep.task) > 0 ? "paired" : "unpaired";
  if (rep.mode == "unpaired") {
    for (const std::string& id : order) {
      if (auto it = champ.find(id); it != champ.end()) a.Add(it->second, rep.task);
      if (auto it = chall.find(id); it != chall.end()) b.Add(it->second, rep.task);
    }
  }
  rep.champion.used = a.rows(rep.task);
  rep.challenger.used = b.rows(rep.task);
  rep.champion.versions.assign(a.versions.begin(), a.versions.end());
  rep.challenger.versions.assign(b.versions.begin(), b.versions.end());

  EvaluationOptions eo;
  eo.bootstrap.resamples = o.resamples;
  eo.bootstrap.confidence = 1 - o.alpha;
  if (a.rows(rep.task) > 0) {
    KEEL_ASSIGN_OR_RETURN(rep.champion.evaluation, Evaluate(a.View(rep.task, k), eo, ctx));
  }
  if (b.rows(rep.task) > 0) {
    KEEL_ASSIGN_OR_RETURN(rep.challenger.evaluation, Evaluate(b.View(rep.task, k), eo, ctx));
  }

  const Metric metric = DefaultMetric(rep.task);
  const uint64_t n = std::min(a.rows(rep.task), b.rows(rep.task));
  CompareOptions co;
  co.alpha = o.alpha;
  co.min_gain = o.min_gain;
  co.evaluation = eo;
  if (Testable(a, rep.task) && Testable(b, rep.task)) {
    if (rep.mode == "paired") {
      KEEL_ASSIGN_OR_RETURN(rep.test,
                            TestGain(a.View(rep.task, k), b.View(rep.task, k), metric, co, ctx));
      rep.tested = true;
    } else if (rep.task == Task::kBinary) {
      // Independent samples: DeLong's variance of each AUC on its own rows.
      const std::span<const double> sa[1] = {a.predictions};
      const std::span<const double> sb[1] = {b.predictions};
      KEEL_ASSIGN_OR_RETURN(DeLongEstimate ea, DeLongCovariance(a.labels, sa));
      KEEL_ASSIGN_OR_RETURN(DeLongEstimate eb, DeLongCovariance(b.labels, sb));
      GainTest& t = rep.test;
      t.metric = Metric::kAuc;
      t.method = "delong_unpaired";
      t.baseline = ea.auc[0];
      t.candidate = eb.auc[0];
      t.gain = t.candidate - t.baseline;
      t.confidence = 1 - o.alpha;
      const double se = std::sqrt(ea.Variance(0) + eb.Variance(0));
      const double z = TwoSidedNormalQuantile(t.confidence);
      t.lower = t.gain - z * se;
      t.upper = t.gain + z * se;
      t.p_value = se > 0 ? TwoSidedNormalPValue(t.gain / se) : (t.gain == 0 ? 1 : 0);
      rep.tested = true;
    }
  }

  const std::string mname(MetricName(metric));
  if (!rep.tested || n < o.min_labels) {
    rep.verdict = "not_enough_labels";
    rep.more_labels_needed = n < o.min_labels ? o.min_labels - n : 0;
    rep.reason =
        !rep.tested && rep.mode == "unpaired" && rep.task != Task::kBinary && n >= o.min_labels
            ? "canary traffic of a non-binary model has no unpaired test: use shadow "
              "traffic"
            : fmt::format("{} labeled {} of each variant, {} needed before a verdict", n,
                          rep.mode == "paired" ? "pairs" : "rows", o.min_labels);
    if (rep.tested) {
      rep.reason +=
          fmt::format(" (so far {} {:+.4g}, p = {:.3g})", mname, rep.test.gain, rep.test.p_value);
    }
    return rep;
  }
  const GainTest& t = rep.test;
  const bool significant = t.p_value < o.alpha;
  if (significant && t.gain > 0 && t.gain >= o.min_gain) {
    rep.verdict = "promote";
    rep.reason = fmt::format(
        "the challenger's {} is {:.4g} against {:.4g} ({:+.4g}, {:.0f}% interval [{:.4g}, "
        "{:.4g}], p = {:.3g} < {}) on {} labeled {}: promote the challenger",
        mname, t.candidate, t.baseline, t.gain, t.confidence * 100, t.lower, t.upper, t.p_value,
        o.alpha, n, rep.mode == "paired" ? "pairs" : "rows per variant");
  } else if (t.gain <= 0 || (significant && t.gain < o.min_gain)) {
    rep.verdict = "keep";
    rep.reason = fmt::format(
        "the challenger's {} is {:.4g} against {:.4g} ({:+.4g}, p = {:.3g}{}) on {} labeled "
        "{}: keep the champion",
        mname, t.candidate, t.baseline, t.gain, t.p_value,
        t.gain > 0 ? fmt::format(", below --min-gain {}", o.min_gain) : "", n,
        rep.mode == "paired" ? "pairs" : "rows per variant");
  } else {
    // A positive gain, not significant yet: how many rows would make it so if it holds.
    const double z = TwoSidedNormalQuantile(1 - o.alpha);
    const double se = (t.upper - t.lower) / (2 * TwoSidedNormalQuantile(t.confidence));
    const double needed = se > 0 ? std::ceil(static_cast<double>(n) * std::pow(z * se / t.gain, 2))
                                 : static_cast<double>(n);
    rep.verdict = "not_enough_labels";
    rep.more_labels_needed = static_cast<uint64_t>(std::max(1.0, needed - static_cast<double>(n)));
    rep.reason = fmt::format(
        "the challenger's {} is {:+.4g} better ({:.4g} against {:.4g}) but not significant (p = "
        "{:.3g} >= {}) on {} labeled {}: about {} more would settle it if the gain holds",
        mname, t.gain, t.candidate, t.baseline, t.p_value, o.alpha, n,
        rep.mode == "paired" ? "pairs" : "rows per variant", rep.more_labels_needed);
  }
  return rep;
}

std::string_view TimelineMetricName(Task task) {
  return task == Task::kRegression ? "rmse" : (task == Task::kBinary ? "roc_auc" : "accuracy");
}

Result<ChallengerReport> BuildChallengerReport(registry::SqlDatabase& db,
                                               const ChallengerReportOptions& o,
                                               const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(ChallengerReport rep, BuildGate(db, o, ctx));
  for (VariantReport* v : {&rep.champion, &rep.challenger}) {
    VariantTrafficOptions to;
    to.model = o.model;
    to.variant = v->variant;
    to.artifact = v == &rep.champion ? o.champion_model : o.challenger_model;
    to.fairness_limits = o.fairness_limits;
    to.resamples = o.resamples;
    KEEL_ASSIGN_OR_RETURN(v->traffic, BuildVariantTraffic(db, to, ctx));
  }
  if (rep.champion.used == 0 && rep.challenger.used == 0 && rep.champion.traffic.rows > 0) {
    // No labeled row: the task is what the logged outputs say.
    rep.task = rep.champion.traffic.task;
  }
  return rep;
}

nlohmann::json ChallengerReport::ToJson() const {
  auto variant = [&](const VariantReport& v) {
    nlohmann::json j = {{"versions", v.versions}, {"labeled", v.labeled}, {"used", v.used}};
    if (v.used > 0) j["evaluation"] = EvaluationToJson(v.evaluation);
    j.update(v.traffic.ToJson());
    return j;
  };
  nlohmann::json j = {{"ok", true},
                      {"model", model},
                      {"task", TaskName(task)},
                      {"mode", mode},
                      {"labels", labels},
                      {"labels_unmatched", labels_unmatched},
                      {"alpha", options.alpha},
                      {"min_gain", options.min_gain},
                      {"min_labels", options.min_labels},
                      {"champion", variant(champion)},
                      {"challenger", variant(challenger)},
                      {"verdict", verdict},
                      {"more_labels_needed", more_labels_needed},
                      {"reason", reason}};
  nlohmann::json buckets = nlohmann::json::array();
  for (const TimeBucket& t : timeline) {
    buckets.push_back(
        {{"start", FormatTimestamp(t.start_us)},
         {"end", FormatTimestamp(t.end_us)},
         {"champion", {{"rows", t.champion_rows}, {"value", JsonNumber(t.champion)}}},
         {"challenger", {{"rows", t.challenger_rows}, {"value", JsonNumber(t.challenger)}}}});
  }
  j["timeline"] = {{"metric", TimelineMetricName(task)}, {"buckets", std::move(buckets)}};
  if (tested) {
    j["test"] = {
        {"metric", MetricName(test.metric)},     {"method", test.method},
        {"champion", JsonNumber(test.baseline)}, {"challenger", JsonNumber(test.candidate)},
        {"gain", JsonNumber(test.gain)},         {"lower", JsonNumber(test.lower)},
        {"upper", JsonNumber(test.upper)},       {"confidence", test.confidence},
        {"p_value", JsonNumber(test.p_value)}};
  } else {
    j["test"] = nullptr;
  }
  return j;
}

std::string ChallengerReport::ToText() const {
  std::string out = fmt::format(
      "model '{}' ({} traffic): {} labels; champion {} labeled rows "
      "(versions {}), challenger {} (versions {})\n",
      model, mode == "paired" ? "shadow, paired" : "canary, unpaired", labels, champion.labeled,
      fmt::join(champion.versions, ", "), challenger.labeled, fmt::join(challenger.versions, ", "));
  for (const VariantReport* v : {&champion, &challenger}) {
    if (v->used == 0) continue;
    out += fmt::format("  {:<10}", v->variant);
    for (const MetricEstimate& m : v->evaluation.metrics) {
      out += fmt::format(" {} {:.4f} [{:.4f}, {:.4f}]", MetricName(m.metric), m.value,
                         m.interval.lower, m.interval.upper);
    }
    out += "\n";
  }
  for (const VariantReport* v : {&champion, &challenger}) {
    const VariantTraffic& t = v->traffic;
    out +=
        fmt::format("  {:<10} {} logged rows, {} without a label", v->variant, t.rows, t.unlabeled);
    if (t.estimated) {
      out += fmt::format("; CBPE estimate: roc_auc {:.4f}, accuracy {:.4f}", t.estimated->roc_auc,
                         t.estimated->accuracy);
    } else if (t.estimated_accuracy) {
      out += fmt::format("; CBPE estimate: accuracy {:.4f}", *t.estimated_accuracy);
    }
    out += "\n";
    if (t.drift) {
      size_t drifted = 0;
      std::vector<std::string> names;
      for (const drift::FeatureDrift& f : t.drift->features) {
        if (!f.drifted) continue;
        ++drifted;
        if (names.size() < 5) names.push_back(f.feature);
      }
      out +=
          fmt::format("             input drift: {} of {} features drifted{}{}\n", drifted,
                      t.drift->features.size(), names.empty() ? "" : ": ", fmt::join(names, ", "));
    } else {
      out += fmt::format("             input drift: none ({})\n", t.drift_note);
    }
    if (t.gate) {
      out += fmt::format("             fairness gate: {}", t.gate->passed ? "passed" : "failed");
      for (const fairness::GateViolation& g : t.gate->violations) out += "; " + g.message;
      out += "\n";
    } else {
      out += fmt::format("             fairness: none ({})\n", t.fairness_note);
    }
  }
  out += fmt::format("verdict: {}: {}\n", verdict, reason);
  return out;
}

}  // namespace keel::serve
