// `keel challenger report --html FILE`: the challenger report (serve/challenger_report.h) as
// a section of the HTML report kit (report/html_report.h), built from the report's plain
// results: the verdict and the test, both variants' metrics with intervals, the labeled
// traffic's metric over time for both variants, the CBPE estimates, and the drift and
// fairness comparison of the two variants (drift_report.h draws each variant's drift).
#pragma once

#include <string>

#include "keel/status.h"
#include "report/html_report.h"
#include "serve/challenger_report.h"

namespace keel::usecase {

// Section ids, in order (tests check each is present).
inline constexpr const char* kChallengerSections[] = {"challenger", "challenger-over-time",
                                                      "challenger-drift", "challenger-fairness"};

// Appends the challenger sections to `html`.
void AddChallengerSections(const serve::ChallengerReport& report, report::HtmlReport* html);

// A self-contained report of the challenger sections, written atomically to `path`.
Status WriteChallengerHtml(const serve::ChallengerReport& report, const std::string& path);

}  // namespace keel::usecase
