// `keel challenger report`: the gate on live data (serve/challenger_report.h) read from a
// prediction log: both variants' metrics on the labeled traffic, the paired (shadow) or
// unpaired (canary) test, and the verdict promote / keep / not enough labels yet.
#pragma once

#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "serve/challenger_report.h"
#include "usecase/log.h"

namespace keel::usecase {

struct ChallengerReportRequest {
  std::string db = kDefaultPredictionLog;  // SQLite file or postgresql:// URL
  serve::ChallengerReportOptions options;  // model (required), alpha, min_gain, min_labels
  // The variants' .keel files, for input drift and the fairness audit ("" = those sections
  // say no model was given).
  std::string champion_model, challenger_model;
  // The per-variant fairness gate's limits, METRIC=VALUE (keel.yaml's fairness limits, e.g.
  // demographic_parity_difference=0.1); none = the gate passes.
  std::vector<std::string> fairness_limits;
  // Also write the report as HTML here (usecase/challenger_html.h); "" = none.
  std::string html;
};

// Errors: InvalidArgument (no model, bad options or limits), NotFound (no log, or no
// prediction of the model), IoError (also writing the HTML), those of LoadModel and
// BuildChallengerReport.
Result<serve::ChallengerReport> ChallengerReport(const ChallengerReportRequest& request,
                                                 const Context& ctx);

}  // namespace keel::usecase
