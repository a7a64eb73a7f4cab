// Presenting a drift check (drift/drift_detector.h) in an HTML report: the chart data (every
// feature's score, the histograms of the most drifted ones) and the section body that
// `keel run`'s report.html shows. The drift stage computes the report; this file, in the
// use-case layer, is the only one that draws it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "drift/drift_detector.h"
#include "report/html_report.h"

namespace keel::usecase {

// Data for a report's drift charts: every tested feature's score plus the reference and
// current histograms of the `top` first tested features (ranked as in the report: drifted
// first, then by score).
struct DriftChartData {
  struct Bar {
    std::string feature;
    std::string test;
    double statistic = 0;
    double threshold = 0;
    double score = 0;
    bool drifted = false;
  };
  struct Histogram {
    std::string feature;
    std::vector<std::string> bin_labels;
    std::vector<double> reference_shares;
    std::vector<double> current_shares;
  };
  std::vector<Bar> bars;              // every tested feature, in report order
  std::vector<Histogram> histograms;  // the top drifted features
  drift::DatasetVerdict verdict;
};
DriftChartData MakeDriftChartData(const drift::DriftReport& report, size_t top = 6);

// Appends `drift` to the current section of `report`: what was compared (`reference` and
// `current` name the two sides), the verdict, a bar chart of the scores (up to 20 features),
// the histograms of the 4 most drifted features, and a table of every feature's test,
// statistic, threshold and adjusted p-value.
void AddDriftReport(const drift::DriftReport& drift, const std::string& reference,
                    const std::string& current, report::HtmlReport* report);

}  // namespace keel::usecase
