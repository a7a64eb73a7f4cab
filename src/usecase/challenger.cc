#include "usecase/challenger.h"

#include <charconv>
#include <memory>

#include "model/model_io.h"
#include "registry/prediction_log_store.h"
#include "usecase/challenger_html.h"

namespace keel::usecase {

Result<serve::ChallengerReport> ChallengerReport(const ChallengerReportRequest& request,
                                                 const Context& ctx) {
  if (request.options.model.empty()) {
    return Status::InvalidArgument("--model: name the served model to report on");
  }
  registry::DatabaseOptions o;
  o.create = false;  // a report never creates a log
  auto db = registry::OpenDatabase(request.db, o);
  if (!db.ok() && db.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no prediction log at {} (`keel serve --log-db` writes one)",
                            request.db);
  }
  KEEL_RETURN_IF_ERROR(db.status());
  serve::ChallengerReportOptions options = request.options;
  nlohmann::json limits = nlohmann::json::object();
  for (const std::string& spec : request.fairness_limits) {
    const size_t eq = spec.find('=');
    double v = 0;
    const char* end = spec.data() + spec.size();
    if (eq == std::string::npos || std::from_chars(spec.data() + eq + 1, end, v).ptr != end) {
      return Status::InvalidArgument(
          "--fairness-limit \"{}\": give METRIC=VALUE, e.g. demographic_parity_difference=0.1",
          spec);
    }
    limits[spec.substr(0, eq)] = v;
  }
  KEEL_ASSIGN_OR_RETURN(options.fairness_limits, fairness::FairnessLimitsFromJson(limits));
  Model champion, challenger;
  if (!request.champion_model.empty()) {
    KEEL_ASSIGN_OR_RETURN(champion, LoadModel(request.champion_model));
    options.champion_model = &champion;
  }
  if (!request.challenger_model.empty()) {
    KEEL_ASSIGN_OR_RETURN(challenger, LoadModel(request.challenger_model));
    options.challenger_model = &challenger;
  }
  // A log of layout 1 has no labels yet; opening it for the report migrates nothing.
  KEEL_ASSIGN_OR_RETURN(serve::ChallengerReport report,
                        serve::BuildChallengerReport(**db, options, ctx));
  if (!request.html.empty()) KEEL_RETURN_IF_ERROR(WriteChallengerHtml(report, request.html));
  return report;
}

}  // namespace keel::usecase
