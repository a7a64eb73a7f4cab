#include "usecase/challenger.h"

#include "registry/prediction_log_store.h"

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
  // A log of layout 1 has no labels yet; opening it for the report migrates nothing.
  return serve::BuildChallengerReport(**db, request.options, ctx);
}

}  // namespace keel::usecase
