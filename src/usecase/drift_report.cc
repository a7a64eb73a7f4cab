#include "usecase/drift_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/svg_chart.h"

namespace keel::usecase {

using report::FixedNumber;
using report::Tone;

DriftChartData MakeDriftChartData(const drift::DriftReport& report, size_t top) {
  DriftChartData d;
  d.verdict = report.verdict;
  for (const drift::FeatureDrift& f : report.features) {
    if (!f.tested) continue;
    d.bars.push_back({f.feature, f.test, f.statistic, f.threshold, f.score, f.drifted});
  }
  for (const drift::FeatureDrift& f : report.features) {
    if (d.histograms.size() >= top) break;
    if (!f.tested) continue;
    d.histograms.push_back({f.feature, f.bin_labels, f.reference_shares, f.current_shares});
  }
  return d;
}

void AddDriftReport(const drift::DriftReport& d, const std::string& reference,
                    const std::string& current, report::HtmlReport* r) {
  r->AddParagraph(
      fmt::format("{} ({} rows) compared with {} ({} rows), column by column; "
                  "p-values corrected for testing many columns.",
                  current, d.current_rows, reference, d.reference_rows));
  r->AddNotice(d.verdict.dataset_drift ? Tone::kWarning : Tone::kGood,
               fmt::format("{} of {} columns drifted ({}).", d.verdict.drifted_features,
                           d.verdict.tested_features,
                           d.verdict.dataset_drift ? "dataset drift" : "no dataset drift"));
  const DriftChartData chart = MakeDriftChartData(d, 4);
  report::BarChartSpec bars;
  bars.title = "Drift score by column (1 = threshold)";
  bars.value_label = "statistic / threshold";
  bars.references = {{1.0, "threshold"}};
  for (size_t i = 0; i < chart.bars.size() && i < 20; ++i) {
    const auto& b = chart.bars[i];
    bars.bars.push_back({b.feature + " (" + b.test + ")", std::min(b.score, 10.0), std::nullopt,
                         std::nullopt, b.drifted ? report::Palette()[3] : std::string()});
  }
  std::vector<std::string> charts = {report::BarChart(bars)};
  for (const auto& h : chart.histograms) {
    report::HistogramSpec hs;
    hs.title = h.feature;
    hs.x_label = h.feature;
    hs.bin_labels = h.bin_labels;
    report::Series ref;
    ref.name = reference;
    ref.y = h.reference_shares;
    report::Series cur;
    cur.name = current;
    cur.y = h.current_shares;
    hs.series = {ref, cur};
    charts.push_back(report::Histogram(hs));
  }
  r->AddCharts(charts);
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : d.features) {
    rows.push_back(
        {f.feature, f.test, FixedNumber(f.statistic), FixedNumber(f.threshold),
         std::isfinite(f.p_value_adjusted) ? fmt::format("{:.3g}", f.p_value_adjusted) : "",
         f.drifted ? "drifted" : ""});
  }
  r->AddTable({"Column", "Test", "Statistic", "Threshold", "Adjusted p", ""}, rows,
              {false, false, true, true, true, false});
}

}  // namespace keel::usecase
