// The HTML report of a pipeline run (report.html): summary and verdict, data quality, both
// models' metrics with intervals and costs, ROC / PR / calibration curves, the comparison,
// explanations, fairness and drift. Sections whose step did not run say why instead of
// disappearing, so a reader can tell "not checked" from "fine". Built from the run's plain
// results with the report kit (report/) and the sections shared with single commands
// (tradeoff_report.h, drift_report.h); no stage renders anything.
#pragma once

#include "report/html_report.h"

namespace keel::usecase {

struct PipelineRun;

// Section ids, in order (tests check each is present).
inline constexpr const char* kReportSections[] = {"summary",  "data",       "models",
                                                  "curves",   "comparison", "explanations",
                                                  "fairness", "drift",      "tradeoff"};

report::HtmlReport BuildReport(const PipelineRun& run);

}  // namespace keel::usecase
