#include "usecase/log.h"

#include <fmt/format.h>

#include <cctype>
#include <memory>
#include <string_view>

#include "data/pseudonymize.h"
#include "keel/table.h"
#include "registry/prediction_log_store.h"
#include "registry/registry.h"

namespace keel::usecase {
namespace {

// Opens an existing prediction log: these commands never create one (a typo in --db would
// otherwise make an empty log and report that nothing was found).
Result<std::unique_ptr<registry::SqlDatabase>> OpenLog(const std::string& location) {
  registry::DatabaseOptions options;
  options.create = false;
  auto db = registry::OpenDatabase(location, options);
  if (!db.ok() && db.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no prediction log at {} (`keel serve --log-db` writes one)", location);
  }
  return db;
}

// Whether `text` is a pseudonym as logged: 64 hex digits.
bool IsPseudonym(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The pseudonym whose rows a forget request deletes.
Result<std::string> PseudonymOf(const LogForgetRequest& request) {
  if (request.clear) {
    KEEL_ASSIGN_OR_RETURN(std::string key, LoadPiiKey(request.pii_key_file));
    if (key.empty()) {
      return Status::InvalidArgument(
          "--clear needs the pseudonymization key the server used: set KEEL_PII_KEY, "
          "KEEL_PII_KEY_FILE or --pii-key-file");
    }
    return Pseudonym(key, request.subject);
  }
  std::string pseudonym = request.subject;
  if (pseudonym.starts_with("hmac-sha256:")) pseudonym = pseudonym.substr(12);
  if (!IsPseudonym(pseudonym)) {
    // The subject column holds pseudonyms only: any other text cannot match a row, and
    // reporting "0 rows removed" would pass an unfulfilled erasure request as done.
    return Status::InvalidArgument(
        "--subject is not a pseudonym: the log keeps subjects as 64 hex digits (HMAC-SHA256 "
        "of the pii value), so a {}-character value cannot match any row; give the "
        "pseudonym as logged, or the clear value with --clear and the key the server used",
        pseudonym.size());
  }
  for (char& c : pseudonym) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return pseudonym;
}

}  // namespace

nlohmann::json LogPruneResult::ToJson() const {
  return {{"ok", true},
          {"db", db},
          {"retention", retention},
          {"cutoff", FormatTimestamp(cutoff_us)},
          {"rows_removed", rows_removed},
          {"rows_remaining", rows_remaining}};
}

std::string LogPruneResult::ToText() const {
  return fmt::format("removed {} prediction log rows older than {} (before {}); {} remain\n",
                     rows_removed, retention, FormatTimestamp(cutoff_us), rows_remaining);
}

Result<LogPruneResult> LogPrune(const LogPruneRequest& request) {
  KEEL_ASSIGN_OR_RETURN(const int64_t keep, registry::ParseRetention(request.retention));
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<registry::SqlDatabase> db, OpenLog(request.db));
  LogPruneResult r;
  r.db = db->display_name();
  r.retention = request.retention;
  r.cutoff_us = registry::NowMicros() - keep;
  KEEL_ASSIGN_OR_RETURN(r.rows_removed, registry::PrunePredictions(*db, r.cutoff_us));
  KEEL_ASSIGN_OR_RETURN(r.rows_remaining, registry::CountPredictions(*db));
  return r;
}

nlohmann::json LogForgetResult::ToJson() const {
  return {{"ok", true}, {"db", db}, {"subject", subject}, {"rows_removed", rows_removed}};
}

std::string LogForgetResult::ToText() const {
  return fmt::format("removed {} prediction log rows of subject {}\n", rows_removed, subject);
}

Result<LogForgetResult> LogForget(const LogForgetRequest& request) {
  LogForgetResult r;
  KEEL_ASSIGN_OR_RETURN(r.subject, PseudonymOf(request));
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<registry::SqlDatabase> db, OpenLog(request.db));
  r.db = db->display_name();
  // Never echo a clear subject id: the result names the pseudonym only.
  KEEL_ASSIGN_OR_RETURN(r.rows_removed, registry::ForgetSubject(*db, r.subject));
  return r;
}

nlohmann::json LogStatsResult::ToJson() const {
  return {{"ok", true}, {"db", db}, {"rows", rows}};
}

std::string LogStatsResult::ToText() const {
  return fmt::format("{} prediction log rows in {}\n", rows, db);
}

Result<LogStatsResult> LogStats(const LogStatsRequest& request) {
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<registry::SqlDatabase> db, OpenLog(request.db));
  LogStatsResult r;
  r.db = db->display_name();
  KEEL_ASSIGN_OR_RETURN(r.rows, registry::CountPredictions(*db));
  return r;
}

}  // namespace keel::usecase
