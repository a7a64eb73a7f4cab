#include "serve/challenger_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "core/json_number.h"
#include "eval/delong.h"
#include "eval/evaluation.h"

namespace keel::serve {
namespace {

// One labeled prediction as logged.
struct LabeledRow {
  std::string version;
  int32_t label = -1;     // class index (classification)
  double target = 0;      // regression
  std::vector<double> p;  // probabilities in class order, or {prediction}
};

// What the logged outputs say about the model: its classes (from the prob_<class> keys, in
// the order they were written) or regression.
struct OutputShape {
  bool known = false;
  Task task = Task::kBinary;
  std::vector<std::string> classes;
};

bool ReadOutput(const std::string& text, OutputShape* shape, std::vector<double>* p) {
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  p->clear();
  std::vector<std::string> classes;
  for (const auto& [key, value] : j.items()) {
    if (key.starts_with("prob_") && value.is_number()) {
      classes.push_back(key.substr(5));
      p->push_back(value.get<double>());
    }
  }
  if (classes.empty()) {
    if (!j.contains("prediction") || !j["prediction"].is_number()) return false;
    p->push_back(j["prediction"].get<double>());
  }
  if (!shape->known) {
    shape->known = true;
    shape->classes = classes;
    shape->task = classes.empty() ? Task::kRegression
                                  : (classes.size() == 2 ? Task::kBinary : Task::kMulticlass);
  }
  return shape->classes == classes;
}

// The class index of a label text: exact, then ASCII case-insensitive; -1 when none.
int32_t ClassOf(const std::string& label, const std::vector<std::string>& classes) {
  for (size_t k = 0; k < classes.size(); ++k) {
    if (classes[k] == label) return static_cast<int32_t>(k);
  }
  for (size_t k = 0; k < classes.size(); ++k) {
    if (classes[k].size() == label.size() &&
        std::equal(label.begin(), label.end(), classes[k].begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return static_cast<int32_t>(k);
    }
  }
  return -1;
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

Result<ChallengerReport> BuildChallengerReport(registry::SqlDatabase& db,
                                               const ChallengerReportOptions& o,
                                               const Context& ctx) {
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
      db.Exec("SELECT p.variant, p.record_id, p.model_version, p.output, l.label "
              "FROM predictions p JOIN labels l ON l.model = p.model AND l.record_id = "
              "p.record_id WHERE p.model = $1 ORDER BY p.id",
              {o.model}));
  if (rows.rows.empty()) {
    return Status::NotFound(
        "model '{}' has no labeled prediction in the log ({} labels stored): feed labels back "
        "(POST /v1/models/{}/feedback or keel log feedback) for ids it predicted",
        o.model, rep.labels, o.model);
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
    if (!ReadOutput(rows.Text(i, 3), &shape, &r.p)) continue;
    const std::string& label = rows.Text(i, 4);
    if (shape.task == Task::kRegression) {
      char* end = nullptr;
      r.target = std::strtod(label.c_str(), &end);
      if (label.empty() || end != label.c_str() + label.size() || !std::isfinite(r.target)) {
        ++rep.labels_unmatched;
        continue;
      }
    } else {
      r.label = ClassOf(label, shape.classes);
      if (r.label < 0) {
        ++rep.labels_unmatched;
        continue;
      }
    }
    rows_of.emplace(id, std::move(r));
    if (seen.insert(id).second) order.push_back(id);
  }
  rep.task = shape.task;
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

nlohmann::json ChallengerReport::ToJson() const {
  auto variant = [&](const VariantReport& v) {
    nlohmann::json j = {{"versions", v.versions}, {"labeled", v.labeled}, {"used", v.used}};
    if (v.used > 0) j["evaluation"] = EvaluationToJson(v.evaluation);
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
  out += fmt::format("verdict: {}: {}\n", verdict, reason);
  return out;
}

}  // namespace keel::serve
