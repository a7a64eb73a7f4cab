#include "usecase/challenger_html.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "report/svg_chart.h"
#include "usecase/drift_report.h"

namespace keel::usecase {
namespace {

using report::FixedNumber;
using report::HtmlReport;
using report::Tone;

const serve::VariantReport* Variants(const serve::ChallengerReport& r, int i) {
  return i == 0 ? &r.champion : &r.challenger;
}

std::string Versions(const serve::VariantReport& v) {
  return v.versions.empty() ? "-" : fmt::format("{}", fmt::join(v.versions, ", "));
}

void VerdictSection(const serve::ChallengerReport& r, HtmlReport* html) {
  html->BeginSection("challenger", fmt::format("Champion and challenger: {}", r.model));
  const Tone tone = r.verdict == "promote" ? Tone::kGood
                    : r.verdict == "keep"  ? Tone::kWarning
                                           : Tone::kInfo;
  html->AddNotice(tone, fmt::format("Verdict: {}. {}", r.verdict, r.reason));
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Traffic", r.mode == "paired" ? "shadow (paired test)" : "canary (unpaired test)"},
      {"Task", std::string(TaskName(r.task))},
      {"Labels stored", std::to_string(r.labels)},
      {"Labels naming no class", std::to_string(r.labels_unmatched)},
      {"Significance level", FixedNumber(r.options.alpha, 3)}};
  if (r.tested) {
    const GainTest& t = r.test;
    facts.push_back({"Test", fmt::format("{} on {}", t.method, MetricName(t.metric))});
    facts.push_back({"Champion", FixedNumber(t.baseline)});
    facts.push_back({"Challenger", FixedNumber(t.candidate)});
    facts.push_back({"Gain", fmt::format("{} [{}, {}]", FixedNumber(t.gain), FixedNumber(t.lower),
                                         FixedNumber(t.upper))});
    facts.push_back({"p-value", fmt::format("{:.4g}", t.p_value)});
  }
  if (r.more_labels_needed > 0) {
    facts.push_back({"More labels needed", std::to_string(r.more_labels_needed)});
  }
  html->AddFacts(facts);
  // Both variants' metrics with intervals, and the label-free estimate.
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 2; ++i) {
    const serve::VariantReport& v = *Variants(r, i);
    for (const MetricEstimate& m : v.evaluation.metrics) {
      if (v.used == 0) break;
      rows.push_back(
          {v.variant, Versions(v), std::string(MetricName(m.metric)), FixedNumber(m.value),
           fmt::format("[{}, {}]", FixedNumber(m.interval.lower), FixedNumber(m.interval.upper)),
           std::to_string(v.used)});
    }
  }
  if (!rows.empty()) {
    html->AddTable({"Variant", "Versions", "Metric", "Value", "Interval", "Labeled rows"}, rows,
                   {false, false, false, true, true, true});
  }
  std::vector<std::vector<std::string>> est;
  for (int i = 0; i < 2; ++i) {
    const serve::VariantTraffic& t = Variants(r, i)->traffic;
    if (t.estimated) {
      est.push_back({Variants(r, i)->variant, std::to_string(t.unlabeled),
                     FixedNumber(t.estimated->roc_auc), FixedNumber(t.estimated->accuracy),
                     FixedNumber(t.estimated->f1)});
    } else if (t.estimated_accuracy) {
      est.push_back({Variants(r, i)->variant, std::to_string(t.unlabeled), "",
                     FixedNumber(*t.estimated_accuracy), ""});
    }
  }
  if (!est.empty()) {
    html->AddParagraph(
        "Label-free estimates (CBPE) over the predictions that have no label yet: they "
        "assume calibrated probabilities.");
    html->AddTable({"Variant", "Unlabeled rows", "ROC AUC", "Accuracy", "F1"}, est,
                   {false, true, true, true, true});
  }
}

void TimelineSection(const serve::ChallengerReport& r, HtmlReport* html) {
  const std::string metric(serve::TimelineMetricName(r.task));
  html->BeginSection("challenger-over-time", "Challenger: metrics over time");
  if (r.timeline.empty()) {
    html->AddNotice(Tone::kInfo, "No labeled traffic yet.");
    return;
  }
  html->AddParagraph(fmt::format(
      "The {} of each variant on its labeled traffic, in {} equal spans of time from the "
      "first to the last labeled prediction.",
      metric, r.timeline.size()));
  report::LineChartSpec chart;
  chart.title = metric + " over time";
  chart.x.label = "time span";
  chart.y.label = metric;
  report::Series a{.name = "champion", .markers = true};
  report::Series b{.name = "challenger", .markers = true};
  std::vector<std::vector<std::string>> rows;
  for (size_t k = 0; k < r.timeline.size(); ++k) {
    const serve::TimeBucket& t = r.timeline[k];
    a.x.push_back(static_cast<double>(k + 1));
    a.y.push_back(t.champion);
    b.x.push_back(static_cast<double>(k + 1));
    b.y.push_back(t.challenger);
    rows.push_back({std::to_string(k + 1), FormatTimestamp(t.start_us), FormatTimestamp(t.end_us),
                    std::to_string(t.champion_rows), FixedNumber(t.champion),
                    std::to_string(t.challenger_rows), FixedNumber(t.challenger)});
  }
  chart.series = {a, b};
  html->AddCharts({report::LineChart(chart)});
  html->AddTable({"Span", "From", "To", "Champion rows", "Champion " + metric, "Challenger rows",
                  "Challenger " + metric},
                 rows, {true, false, false, true, true, true, true});
}

void DriftSection(const serve::ChallengerReport& r, HtmlReport* html) {
  html->BeginSection("challenger-drift", "Challenger: drift of each variant's inputs");
  std::vector<std::vector<std::string>> rows;
  for (int i = 0; i < 2; ++i) {
    const serve::VariantReport& v = *Variants(r, i);
    const serve::VariantTraffic& t = v.traffic;
    if (!t.drift) {
      rows.push_back({v.variant, std::to_string(t.rows), "", "", "not checked: " + t.drift_note});
      continue;
    }
    size_t drifted = 0;
    for (const drift::FeatureDrift& f : t.drift->features) drifted += f.drifted ? 1 : 0;
    rows.push_back({v.variant, std::to_string(t.rows),
                    fmt::format("{} of {}", drifted, t.drift->features.size()),
                    t.drift->verdict.prediction_drift.has_value()
                        ? (*t.drift->verdict.prediction_drift ? "drifted" : "stable")
                        : "",
                    t.drift->verdict.dataset_drift ? "dataset drift" : "no dataset drift"});
  }
  html->AddTable({"Variant", "Logged rows", "Features drifted", "Prediction", "Verdict"}, rows,
                 {false, true, true, false, false});
  for (int i = 0; i < 2; ++i) {
    const serve::VariantReport& v = *Variants(r, i);
    if (!v.traffic.drift) continue;
    html->AddRawHtml("<h3>" + report::Escape(v.variant) + "</h3>");
    AddDriftReport(*v.traffic.drift, "the " + v.variant + "'s training profile",
                   "the " + v.variant + "'s logged inputs", html);
  }
}

void FairnessSection(const serve::ChallengerReport& r, HtmlReport* html) {
  html->BeginSection("challenger-fairness", "Challenger: fairness of each variant");
  for (int i = 0; i < 2; ++i) {
    const serve::VariantReport& v = *Variants(r, i);
    const serve::VariantTraffic& t = v.traffic;
    if (!t.gate) {
      html->AddNotice(Tone::kInfo, fmt::format("{}: not audited: {}.", v.variant, t.fairness_note));
      continue;
    }
    if (t.gate->passed) {
      html->AddNotice(Tone::kGood, fmt::format("{}: fairness gate passed ({} labeled rows).",
                                               v.variant, t.audit->rows));
    }
    for (const fairness::GateViolation& g : t.gate->violations) {
      html->AddNotice(Tone::kBad, v.variant + ": " + g.message);
    }
  }
  // The two variants side by side, attribute by attribute.
  const serve::VariantTraffic& a = r.champion.traffic;
  const serve::VariantTraffic& b = r.challenger.traffic;
  const fairness::AuditResult* any = a.audit ? &*a.audit : (b.audit ? &*b.audit : nullptr);
  if (any == nullptr) return;
  std::vector<std::vector<std::string>> rows;
  for (const fairness::AttributeAudit& attr : any->attributes) {
    const fairness::AttributeAudit* x = a.audit ? a.audit->Find(attr.name) : nullptr;
    const fairness::AttributeAudit* y = b.audit ? b.audit->Find(attr.name) : nullptr;
    for (size_t m = 0; m < attr.disparities.size(); ++m) {
      auto value = [&](const fairness::AttributeAudit* au) {
        return au == nullptr || m >= au->disparities.size() ? std::string("-")
                                                            : FixedNumber(au->disparities[m].value);
      };
      rows.push_back({attr.name, std::string(fairness::DisparityName(attr.disparities[m].metric)),
                      value(x), value(y)});
    }
  }
  html->AddTable({"Attribute", "Disparity", "Champion", "Challenger"}, rows,
                 {false, false, true, true});
}

}  // namespace

void AddChallengerSections(const serve::ChallengerReport& report, report::HtmlReport* html) {
  VerdictSection(report, html);
  TimelineSection(report, html);
  DriftSection(report, html);
  FairnessSection(report, html);
}

Status WriteChallengerHtml(const serve::ChallengerReport& report, const std::string& path) {
  report::HtmlReport html(fmt::format("Keel challenger report: {}", report.model),
                          fmt::format("{} traffic, verdict {}", report.mode, report.verdict));
  AddChallengerSections(report, &html);
  return html.WriteTo(path);
}

}  // namespace keel::usecase
