#include "usecase/run_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "keel/version_info.h"
#include "report/svg_chart.h"
#include "train/tune.h"
#include "usecase/drift_report.h"
#include "usecase/run.h"
#include "usecase/tradeoff_report.h"

namespace keel::usecase {
namespace {

using report::FixedNumber;
using report::HtmlReport;
using report::Tone;

std::string Pct(double v) {
  if (!std::isfinite(v)) return "n/a";
  return fmt::format("{:.1f}%", 100 * v);
}

std::string WithInterval(const MetricEstimate& m) {
  if (!std::isfinite(m.interval.lower)) return FixedNumber(m.value);
  return fmt::format("{} [{}, {}]", FixedNumber(m.value), FixedNumber(m.interval.lower),
                     FixedNumber(m.interval.upper));
}

const std::string& BaselineColor() {
  return report::Palette()[0];
}
const std::string& CandidateColor() {
  return report::Palette()[1];
}

void SummarySection(const PipelineRun& run, HtmlReport* r) {
  const Comparison& c = run.comparison;
  const IngestReport& ir = run.data.report;
  r->BeginSection("summary", "Summary");
  r->AddNotice(
      run.shipped_candidate ? Tone::kGood : Tone::kInfo,
      fmt::format("Shipped: the {} ({}). {}", run.shipped_candidate ? "candidate" : "baseline",
                  run.shipped_candidate ? run.project.candidate.params.algo
                                        : run.project.baseline.params.algo,
                  c.verdict.reason));
  if (run.fairness) {
    if (run.fairness->gate.passed) {
      r->AddNotice(Tone::kGood, "Fairness gate passed for the shipped model.");
    } else {
      for (const auto& v : run.fairness->gate.violations) r->AddNotice(Tone::kBad, v.message);
    }
  }
  if (run.drift && run.drift->report.verdict.dataset_drift) {
    r->AddNotice(Tone::kWarning, fmt::format("Dataset drift between {} and {}.",
                                             run.drift->reference, run.drift->current));
  }
  for (const auto& w : run.warnings) r->AddNotice(Tone::kWarning, w);
  r->AddFacts({
      {"Project", run.project.source},
      {"Data", run.project.data_path},
      {"Target", run.project.target},
      {"Task", std::string(TaskName(run.candidate.model.task))},
      {"Rows", fmt::format("{} read, {} used, {} rejected, {} duplicates", ir.rows_read,
                           ir.rows_used, ir.rows_rejected, ir.duplicates)},
      {"Split", fmt::format("{} train / {} validation / {} test ({})", run.split.train.size(),
                            run.split.valid.size(), run.split.test.size(),
                            run.candidate.report.split_method)},
      {"Validation", fmt::format("baseline: {}; candidate: {}", run.baseline.report.validation,
                                 run.candidate.report.validation)},
      {"Shipped model", run.model_path},
      {"Serve it", "keel serve --model " + run.model_path},
      {"Run time", fmt::format("{:.1f} s", run.seconds)},
      {"Keel", fmt::format("{} (git {})", KEEL_VERSION, KEEL_GIT_HASH)},
  });
}

void DataSection(const PipelineRun& run, HtmlReport* r) {
  const IngestReport& ir = run.data.report;
  r->BeginSection("data", "Data quality");
  r->AddParagraph(fmt::format(
      "Every record of {} is accounted for: used, rejected with a reason, or counted as a "
      "duplicate. Rejected records are in {}.",
      run.project.data_path, run.rejects_path));
  r->AddFacts({{"Records read", std::to_string(ir.rows_read)},
               {"Used", std::to_string(ir.rows_used)},
               {"Rejected", std::to_string(ir.rows_rejected)},
               {"Duplicates", fmt::format("{}{}", ir.duplicates,
                                          ir.duplicates_dropped ? " (dropped)" : " (kept)")},
               {"Anomalies", fmt::format("{} ({} errors, {} warnings)", ir.anomalies_total,
                                         ir.errors, ir.warnings)},
               {"Format", DialectSummary(ir)}});
  std::vector<std::vector<std::string>> rows;
  std::vector<report::Bar> missing_bars;
  for (const ColumnStats& c : ir.columns) {
    const ColumnSchema* cs = run.data.schema.Find(c.name);
    std::string summary;
    if (c.mean) {
      summary = fmt::format("mean {} (min {}, max {})", report::ShortNumber(*c.mean),
                            report::ShortNumber(c.min.value_or(NAN)),
                            report::ShortNumber(c.max.value_or(NAN)));
    } else if (!c.top_values.empty()) {
      std::vector<std::string> top;
      for (size_t i = 0; i < c.top_values.size() && i < 3; ++i) {
        top.push_back(fmt::format("{} ({})", c.top_values[i].first, c.top_values[i].second));
      }
      summary = fmt::format("{}", fmt::join(top, ", "));
    }
    rows.push_back(
        {c.name, std::string(ColumnKindName(c.kind)), cs ? std::string(RoleName(cs->role)) : "",
         Pct(c.missing_rate), std::to_string(c.distinct),
         std::to_string(c.type_mismatches + c.new_categories + c.out_of_range), summary});
    if (c.missing_rate > 0) missing_bars.push_back({c.name, 100 * c.missing_rate});
  }
  r->AddTable({"Column", "Kind", "Role", "Missing", "Distinct", "Bad cells", "Values"}, rows,
              {false, false, false, true, true, true, false});
  if (!missing_bars.empty()) {
    std::sort(missing_bars.begin(), missing_bars.end(),
              [](const report::Bar& a, const report::Bar& b) { return a.value > b.value; });
    if (missing_bars.size() > 15) missing_bars.resize(15);
    report::BarChartSpec spec;
    spec.title = "Missing values by column";
    spec.value_label = "% of rows missing";
    spec.bars = missing_bars;
    spec.color = report::Palette()[3];
    r->AddCharts({report::BarChart(spec)});
  }
  if (!ir.anomalies.empty()) {
    std::vector<std::vector<std::string>> an;
    for (size_t i = 0; i < ir.anomalies.size() && i < 25; ++i) {
      const Anomaly& a = ir.anomalies[i];
      an.push_back({a.line ? std::to_string(a.line) : "", a.column,
                    std::string(AnomalyKindName(a.kind)), std::string(SeverityName(a.severity)),
                    a.message});
    }
    r->AddParagraph(fmt::format("First {} of {} anomalies:", an.size(), ir.anomalies_total));
    r->AddTable({"Line", "Column", "Kind", "Severity", "Message"}, an,
                {true, false, false, false, false});
  }
}

void ModelsSection(const PipelineRun& run, HtmlReport* r) {
  const Comparison& c = run.comparison;
  r->BeginSection("models", "Models");
  r->AddParagraph(fmt::format(
      "Both models were trained on the same {} training rows and scored on the same {} test "
      "rows. Intervals are {}% bootstrap percentile intervals ({} resamples).",
      run.split.train.size(), c.rows,
      static_cast<int>(std::lround(100 * c.baseline.options.bootstrap.confidence)),
      c.baseline.options.bootstrap.resamples));
  std::vector<std::vector<std::string>> rows;
  auto better = [](Metric m) -> std::string {
    if (m == Metric::kCoverage) return "near the quantile level";
    return HigherIsBetter(m) ? "higher" : "lower";
  };
  for (const MetricEstimate& b : c.baseline.metrics) {
    const MetricEstimate* k = c.candidate.Find(b.metric);
    rows.push_back({std::string(MetricLabel(b.metric)), WithInterval(b), k ? WithInterval(*k) : "",
                    better(b.metric)});
  }
  // The candidate's own objective loss (pinball loss, a deviance) when the baseline has none.
  for (const MetricEstimate& k : c.candidate.metrics) {
    if (c.baseline.Find(k.metric) != nullptr) continue;
    rows.push_back({std::string(MetricLabel(k.metric)), "", WithInterval(k), better(k.metric)});
  }
  r->AddTable({"Metric (test rows)", "Baseline (" + run.project.baseline.params.algo + ")",
               "Candidate (" + run.project.candidate.params.algo + ")", "Better"},
              rows, {false, true, true, false});
  auto cost_row = [](const std::string& name, const ModelCost& m, const TrainedModel& t) {
    return std::vector<std::string>{name,
                                    fmt::format("{:.1f} KiB", m.file_bytes / 1024.0),
                                    fmt::format("{:.2f}", m.p50_us),
                                    fmt::format("{:.2f}", m.p99_us),
                                    fmt::format("{:.0f}", m.rows_per_second),
                                    fmt::format("{:.2f}", t.report.seconds),
                                    std::to_string(t.report.iterations)};
  };
  r->AddTable({"Cost", "Artifact", "p50 latency (µs)", "p99 latency (µs)", "Batch rows/s",
               "Training (s)", "Iterations"},
              {cost_row("Baseline", c.baseline_cost, run.baseline),
               cost_row("Candidate", c.candidate_cost, run.candidate)},
              {false, true, true, true, true, true, true});
  const nlohmann::json& tuning = run.candidate.report.tuning;
  if (tuning.contains("skipped")) {
    r->AddParagraph("The candidate was not tuned: " + tuning["skipped"].get<std::string>() + ".");
  } else if (!tuning.is_null()) {
    // The search of candidate.tune (docs/tuning.md); its training time above includes it.
    r->AddParagraph("The candidate was tuned " + TuneSummaryText(run.candidate.report.tuning) +
                    ". Configuration 0 is the candidate's parameters as keel.yaml gives them; "
                    "every trial was scored on the validation rows, never the test rows.");
  }
}

void CurvesSection(const PipelineRun& run, HtmlReport* r) {
  const Comparison& c = run.comparison;
  r->BeginSection("curves", "ROC, precision-recall and calibration");
  if (c.task != Task::kBinary) {
    r->AddNotice(Tone::kInfo, "Curves are drawn for binary classifiers; this task is " +
                                  std::string(TaskName(c.task)) + ".");
    return;
  }
  auto series = [](const std::string& name, const std::vector<double>& x,
                   const std::vector<double>& y, const std::string& color) {
    report::Series s;
    s.name = name;
    s.x = x;
    s.y = y;
    s.color = color;
    return s;
  };
  const Evaluation& b = c.baseline;
  const Evaluation& k = c.candidate;
  report::LineChartSpec roc;
  roc.title = "ROC curve (test rows)";
  roc.x = {"False positive rate", 0.0, 1.0};
  roc.y = {"True positive rate", 0.0, 1.0};
  roc.diagonal = true;
  roc.series = {series("Baseline", b.roc.fpr, b.roc.tpr, BaselineColor()),
                series("Candidate", k.roc.fpr, k.roc.tpr, CandidateColor())};
  report::LineChartSpec pr;
  pr.title = "Precision-recall curve";
  pr.x = {"Recall", 0.0, 1.0};
  pr.y = {"Precision", 0.0, 1.0};
  pr.series = {series("Baseline", b.pr.recall, b.pr.precision, BaselineColor()),
               series("Candidate", k.pr.recall, k.pr.precision, CandidateColor())};
  report::LineChartSpec cal;
  cal.title = "Calibration (reliability)";
  cal.x = {"Mean predicted probability", 0.0, 1.0};
  cal.y = {"Observed share of positives", 0.0, 1.0};
  cal.diagonal = true;
  for (const auto* e : {&b, &k}) {
    std::vector<double> x, y;
    for (size_t i = 0; i < e->reliability.weight.size(); ++i) {
      if (e->reliability.weight[i] > 0) {
        x.push_back(e->reliability.mean_predicted[i]);
        y.push_back(e->reliability.observed[i]);
      }
    }
    report::Series s = series(e == &b ? "Baseline" : "Candidate", x, y,
                              e == &b ? BaselineColor() : CandidateColor());
    s.markers = true;
    cal.series.push_back(s);
  }
  r->AddCharts({report::LineChart(roc), report::LineChart(pr), report::LineChart(cal)});
  r->AddParagraph(fmt::format("Expected calibration error: baseline {}, candidate {}.",
                              FixedNumber(b.reliability.ece), FixedNumber(k.reliability.ece)));
}

void ComparisonSection(const PipelineRun& run, HtmlReport* r) {
  const Comparison& c = run.comparison;
  const GainTest& t = c.test;
  r->BeginSection("comparison", "Does the complexity pay?");
  r->AddNotice(run.shipped_candidate ? Tone::kGood : Tone::kInfo, c.verdict.reason);
  auto yes_no = [](bool v) { return std::string(v ? "yes" : "no"); };
  r->AddFacts({
      {"Gate metric", std::string(MetricLabel(t.metric))},
      {"Test", t.method == "delong" ? "DeLong's paired test of AUCs" : "paired bootstrap"},
      {"Gain (candidate vs baseline)",
       fmt::format("{:+.4f}, {:.0f}% interval [{:+.4f}, {:+.4f}], p = {:.3g}", t.gain,
                   100 * t.confidence, t.lower, t.upper, t.p_value)},
      {fmt::format("Gain >= min_gain ({})", c.options.min_gain),
       yes_no(c.verdict.gain_reaches_min)},
      {fmt::format("Significant at alpha = {}", c.options.alpha), yes_no(c.verdict.significant)},
      {fmt::format("Candidate p99 latency <= {} µs", c.options.latency_budget_us),
       fmt::format("{} ({:.2f} µs)", yes_no(c.verdict.within_budget), c.candidate_cost.p99_us)},
  });
  const MetricEstimate* b = c.baseline.Find(t.metric);
  const MetricEstimate* k = c.candidate.Find(t.metric);
  if (b != nullptr && k != nullptr) {
    report::BarChartSpec spec;
    spec.title = std::string(MetricLabel(t.metric)) + " with 95% intervals";
    spec.value_label = std::string(MetricLabel(t.metric));
    auto bar = [](const std::string& name, const MetricEstimate& m, const std::string& color) {
      report::Bar out{name, m.value, std::nullopt, std::nullopt, color};
      if (std::isfinite(m.interval.lower)) {
        out.lo = m.interval.lower;
        out.hi = m.interval.upper;
      }
      return out;
    };
    spec.bars = {bar("Baseline", *b, BaselineColor()), bar("Candidate", *k, CandidateColor())};
    r->AddCharts({report::BarChart(spec)});
  }
}

void ExplanationsSection(const PipelineRun& run, HtmlReport* r) {
  r->BeginSection("explanations", "What drives the shipped model");
  if (!run.explanation) {
    r->AddNotice(Tone::kInfo,
                 "Explanations were not computed (explain: off, or see the warnings).");
    return;
  }
  const ShapSummary& s = *run.explanation;
  r->AddParagraph(fmt::format(
      "Exact TreeSHAP / linear attributions on {} test rows, in raw margin units ({}). The bars "
      "give each feature's mean |SHAP|; each dot of the summary plot is one row, placed by the "
      "feature's contribution and coloured by its value (blue low, red high, grey missing).",
      s.rows.size(), s.output_name));
  report::BarChartSpec bars;
  bars.title = "Feature importance (mean |SHAP|)";
  bars.value_label = "mean |SHAP|";
  report::BeeswarmSpec swarm;
  swarm.title = "SHAP summary";
  swarm.x_label = "SHAP value (impact on the model's margin)";
  for (const auto& f : s.features) {
    bars.bars.push_back({f.name, f.mean_abs_shap});
    swarm.rows.push_back({f.name, f.shap, f.color});
  }
  r->AddCharts({report::BarChart(bars), report::Beeswarm(swarm)});
}

void DisparityTable(const fairness::AttributeAudit& a, HtmlReport* r) {
  std::vector<std::vector<std::string>> rows;
  for (const fairness::Disparity& d : a.disparities) {
    rows.push_back({std::string(fairness::DisparityName(d.metric)), FixedNumber(d.value),
                    std::isfinite(d.ci_low)
                        ? fmt::format("[{}, {}]", FixedNumber(d.ci_low), FixedNumber(d.ci_high))
                        : "",
                    d.rate, d.high_group + " vs " + d.low_group});
  }
  r->AddTable({"Disparity", "Value", "95% interval", "Rate", "Groups"}, rows,
              {false, true, true, false, false});
}

void FairnessSection(const PipelineRun& run, HtmlReport* r) {
  r->BeginSection("fairness", "Fairness");
  if (!run.fairness) {
    for (const auto& why : run.fairness_skipped)
      r->AddNotice(Tone::kInfo, "Not audited: " + why + ".");
    return;
  }
  const FairnessOutcome& f = *run.fairness;
  r->AddParagraph(
      fmt::format("The shipped model's decisions ({}) on the test rows, per group. "
                  "Groups under {} rows are reported but not judged.",
                  f.audit.decision_rule, f.audit.min_group_size));
  if (f.gate.passed) {
    r->AddNotice(Tone::kGood, "Release gate: every disparity is within the project's limits.");
  }
  for (const auto& v : f.gate.violations) r->AddNotice(Tone::kBad, v.message);
  for (const fairness::AttributeAudit& a : f.audit.attributes) {
    r->AddRawHtml("<h3>" + report::Escape(a.name) + "</h3>");
    if (a.four_fifths_rule_violated) {
      r->AddNotice(Tone::kWarning,
                   "The four-fifths rule is violated: a group's selection rate is "
                   "below 80% of the most-selected group's.");
    }
    std::vector<std::vector<std::string>> rows;
    report::BarChartSpec sel;
    sel.title = "Selection rate by " + a.name;
    sel.value_label = "share predicted positive";
    report::BarChartSpec tpr;
    tpr.title = "True positive rate by " + a.name;
    tpr.value_label = "recall within the group";
    tpr.color = report::Palette()[2];
    for (const auto& g : a.groups) {
      rows.push_back({g.group,
                      std::to_string(g.counts.tp + g.counts.fp + g.counts.tn + g.counts.fn),
                      Pct(g.rates.base_rate), Pct(g.rates.selection_rate), Pct(g.rates.tpr),
                      Pct(g.rates.fpr), FixedNumber(g.auc, 3), g.too_small ? "too small" : ""});
      if (!g.too_small) {
        sel.bars.push_back({g.group, g.rates.selection_rate});
        tpr.bars.push_back({g.group, g.rates.tpr});
      }
    }
    r->AddTable({"Group", "Rows", "Base rate", "Selected", "TPR", "FPR", "AUC", ""}, rows,
                {false, true, true, true, true, true, true, false});
    DisparityTable(a, r);
    r->AddCharts({report::BarChart(sel), report::BarChart(tpr)});
  }
  if (f.audit.proxies && !f.audit.proxies->empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : *f.audit.proxies) {
      if (!p.strong) continue;
      rows.push_back({p.feature, p.attribute, FixedNumber(p.auc, 3), FixedNumber(p.nmi, 3)});
    }
    if (rows.empty()) {
      r->AddParagraph("No feature is a strong proxy for a sensitive attribute.");
    } else {
      r->AddNotice(Tone::kWarning,
                   "Features that predict a sensitive attribute (possible proxies):");
      r->AddTable({"Feature", "Attribute", "AUC", "NMI"}, rows, {false, false, true, true});
    }
  }
  if (f.other_audit) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : f.audit.attributes) {
      const fairness::AttributeAudit* o = f.other_audit->Find(a.name);
      if (o == nullptr) continue;
      for (auto metric : {fairness::DisparityMetric::kDemographicParityDifference,
                          fairness::DisparityMetric::kEqualizedOddsDifference}) {
        const auto idx = static_cast<size_t>(metric);
        rows.push_back({a.name, std::string(fairness::DisparityName(metric)),
                        FixedNumber(a.disparities[idx].value),
                        FixedNumber(o->disparities[idx].value)});
      }
    }
    r->AddParagraph("The same disparities for the model that did not ship:");
    r->AddTable({"Attribute", "Disparity", "Shipped", "Not shipped"}, rows,
                {false, false, true, true});
  }
}

void DriftSection(const PipelineRun& run, HtmlReport* r) {
  r->BeginSection("drift", "Drift");
  if (!run.drift) {
    r->AddNotice(Tone::kInfo, "No drift check ran.");
    return;
  }
  AddDriftReport(run.drift->report, run.drift->reference, run.drift->current, r);
}

void TradeoffSection(const PipelineRun& run, HtmlReport* r) {
  r->BeginSection("tradeoff", "Trade-off");
  if (!run.tradeoff) {
    r->AddNotice(Tone::kInfo,
                 "No stakeholder objectives in keel.yaml (an `objectives:` section names them; "
                 "see docs/keel_yaml.md).");
    return;
  }
  const rank::TradeoffResult& t = run.tradeoff->result;
  r->AddParagraph(fmt::format(
      "The shipped {} re-ranks the {} requests of the test rows (grouped by {}) under {} "
      "settings of the objectives' weights (steps of 1/{}), as a server would with those "
      "weights. The sections below give each stakeholder's objective per setting.",
      run.shipped_candidate ? "candidate" : "baseline", t.requests,
      run.project.objectives->group_by, t.settings.size(), run.tradeoff->steps));
  AddTradeoffSections(t, *run.project.objectives, r);
}

}  // namespace

report::HtmlReport BuildReport(const PipelineRun& run) {
  HtmlReport r("Keel report: " + run.project.name,
               fmt::format("{} · target {} · {}", run.project.data_path, run.project.target,
                           TaskName(run.candidate.model.task)));
  SummarySection(run, &r);
  DataSection(run, &r);
  ModelsSection(run, &r);
  CurvesSection(run, &r);
  ComparisonSection(run, &r);
  ExplanationsSection(run, &r);
  FairnessSection(run, &r);
  DriftSection(run, &r);
  TradeoffSection(run, &r);
  return r;
}

}  // namespace keel::usecase
