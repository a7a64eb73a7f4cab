#include "usecase/log.h"

#include <fmt/format.h>

#include <cctype>
#include <memory>
#include <string_view>

#include "core/file_io.h"
#include "data/csv_tokenizer.h"
#include "data/pseudonymize.h"
#include "keel/table.h"
#include "registry/feedback_store.h"
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

nlohmann::json LogFeedbackResult::ToJson() const {
  return {{"ok", true},
          {"db", db},
          {"model", model},
          {"received", received},
          {"stored", stored},
          {"duplicates", duplicates},
          {"unknown_ids", unknown_ids},
          {"late", late}};
}

std::string LogFeedbackResult::ToText() const {
  return fmt::format(
      "model '{}': {} labels read, {} stored ({} for ids with no logged prediction yet, {} "
      "late), {} duplicates not stored\n",
      model, received, stored, unknown_ids, late, duplicates);
}

Result<LogFeedbackResult> LogFeedback(const LogFeedbackRequest& request) {
  if (request.model.empty()) return Status::InvalidArgument("--model: name the served model");
  KEEL_ASSIGN_OR_RETURN(const int64_t late, registry::ParseRetention(request.late_after));
  std::string key;
  if (request.pseudonymize) {
    KEEL_ASSIGN_OR_RETURN(key, LoadPiiKey(request.pii_key_file));
    if (key.empty()) {
      return Status::InvalidArgument(
          "--pseudonymize needs the key the server used: set KEEL_PII_KEY, KEEL_PII_KEY_FILE "
          "or --pii-key-file");
    }
  }
  KEEL_ASSIGN_OR_RETURN(const std::string text, ReadFile(request.labels));
  const CsvFormat format;
  std::vector<registry::FedBackLabel> labels;
  uint64_t pos = 0, line = 1;
  int id_col = -1, label_col = -1;
  size_t columns = 0;
  while (pos < text.size()) {
    const CsvRecord rec = ReadCsvRecord(text, pos, format);
    const uint64_t at = line;
    pos = rec.next;
    line += rec.newlines;
    if (rec.blank) continue;
    if (rec.status != RecordStatus::kOk) {
      return Status::InvalidArgument("{}: line {}: malformed CSV record", request.labels, at);
    }
    if (id_col < 0) {  // the header
      columns = rec.fields.size();
      for (size_t i = 0; i < rec.fields.size(); ++i) {
        if (rec.fields[i] == request.id_column) id_col = static_cast<int>(i);
        if (rec.fields[i] == request.label_column) label_col = static_cast<int>(i);
      }
      if (id_col < 0 || label_col < 0) {
        return Status::InvalidArgument(
            "{}: the header needs the columns '{}' (--id-column) and '{}' (--label-column); it "
            "has {}",
            request.labels, request.id_column, request.label_column, fmt::join(rec.fields, ", "));
      }
      continue;
    }
    if (rec.fields.size() != columns) {
      return Status::InvalidArgument("{}: line {}: {} fields, the header has {}", request.labels,
                                     at, rec.fields.size(), columns);
    }
    const std::string& id = rec.fields[static_cast<size_t>(id_col)];
    const std::string& label = rec.fields[static_cast<size_t>(label_col)];
    if (id.empty() || label.empty()) {
      return Status::InvalidArgument("{}: line {}, column {}: empty {}", request.labels, at,
                                     id.empty() ? request.id_column : request.label_column,
                                     id.empty() ? "id" : "label");
    }
    labels.push_back({request.pseudonymize ? Pseudonym(key, id) : id, label});
  }
  if (id_col < 0) return Status::InvalidArgument("{}: no header row", request.labels);
  // Feedback writes: the log must exist, and a layout 1 log gains the labels table.
  KEEL_ASSIGN_OR_RETURN(std::unique_ptr<registry::SqlDatabase> db, OpenLog(request.db));
  KEEL_RETURN_IF_ERROR(registry::EnsurePredictionLogSchema(*db));
  KEEL_ASSIGN_OR_RETURN(
      const registry::FeedbackCounts c,
      registry::StoreLabels(*db, request.model, labels, registry::NowMicros(), late));
  LogFeedbackResult r;
  r.db = db->display_name();
  r.model = request.model;
  r.received = c.received;
  r.stored = c.stored;
  r.duplicates = c.duplicates;
  r.unknown_ids = c.unknown;
  r.late = c.late;
  return r;
}

}  // namespace keel::usecase
