// `keel challenger report`: the gate on live data (serve/challenger_report.h) read from a
// prediction log: both variants' metrics on the labeled traffic, the paired (shadow) or
// unpaired (canary) test, and the verdict promote / keep / not enough labels yet.
#pragma once

#include <string>

#include "core/context.h"
#include "keel/status.h"
#include "serve/challenger_report.h"
#include "usecase/log.h"

namespace keel::usecase {

struct ChallengerReportRequest {
  std::string db = kDefaultPredictionLog;  // SQLite file or postgresql:// URL
  serve::ChallengerReportOptions options;  // model (required), alpha, min_gain, min_labels
};

// Errors: InvalidArgument (no model, bad options), NotFound (no log, or no labeled prediction
// of the model), IoError, and those of BuildChallengerReport.
Result<serve::ChallengerReport> ChallengerReport(const ChallengerReportRequest& request,
                                                 const Context& ctx);

}  // namespace keel::usecase
