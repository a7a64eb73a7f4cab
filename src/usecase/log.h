// `keel log`: retention and erasure of the prediction log that `keel serve` writes (a SQLite
// file or a PostgreSQL URL; the table is registry/prediction_log_store.h's). One request and
// one result per subcommand: prune (delete rows past a retention period), forget (an erasure
// request: every row of one data subject) and stats (count the rows). None of them creates a
// log: a location holding none is an error naming it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "keel/status.h"

namespace keel::usecase {

// Where `keel serve` keeps its prediction log and `keel log` looks for it by default.
inline constexpr const char* kDefaultPredictionLog = "keel_predictions.db";

struct LogPruneRequest {
  std::string db = kDefaultPredictionLog;  // SQLite file or postgresql:// URL
  std::string retention = "90d";  // keep rows younger than this: a number with unit d, h, m, s
};

struct LogPruneResult {
  std::string db;  // the location without a password
  std::string retention;
  int64_t cutoff_us = 0;  // rows logged before this Unix time (microseconds) were deleted
  uint64_t rows_removed = 0, rows_remaining = 0;

  nlohmann::json ToJson() const;
  std::string ToText() const;  // one line
};

// Errors: InvalidArgument (a bad retention), NotFound (no prediction log at `db`), IoError.
Result<LogPruneResult> LogPrune(const LogPruneRequest& request);

struct LogForgetRequest {
  std::string db = kDefaultPredictionLog;
  // The subject's pseudonym as logged (64 hex digits, "hmac-sha256:" prefix accepted), or with
  // `clear` its clear value.
  std::string subject;
  bool clear = false;        // pseudonymize `subject` with the key first
  std::string pii_key_file;  // the key's file; "" = $KEEL_PII_KEY_FILE, else $KEEL_PII_KEY
};

struct LogForgetResult {
  std::string db;
  std::string subject;  // the pseudonym whose rows were deleted (never the clear value)
  uint64_t rows_removed = 0;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Errors: InvalidArgument (a subject that is not a pseudonym without `clear`; `clear` without
// a key), those of LoadPiiKey, NotFound (no prediction log at `db`), IoError.
Result<LogForgetResult> LogForget(const LogForgetRequest& request);

struct LogStatsRequest {
  std::string db = kDefaultPredictionLog;
};

struct LogStatsResult {
  std::string db;
  uint64_t rows = 0;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Errors: NotFound (no prediction log at `db`), IoError.
Result<LogStatsResult> LogStats(const LogStatsRequest& request);

// `keel log feedback`: labels fed back in bulk from a CSV file, as POST
// /v1/models/{name}/feedback does one request at a time (registry/feedback_store.h): joined to
// the logged predictions of `model` by record id when the challenger report reads them.
struct LogFeedbackRequest {
  std::string db = kDefaultPredictionLog;
  std::string model;                   // the served model name the labels are for
  std::string labels;                  // CSV file with a header row
  std::string id_column = "id";        // the record id (the schema's id column value)
  std::string label_column = "label";  // the outcome (class name, or number for regression)
  // The ids are pii values: pseudonymize them with the key the server used, as the log did.
  bool pseudonymize = false;
  std::string pii_key_file;       // "" = $KEEL_PII_KEY_FILE, else $KEEL_PII_KEY
  std::string late_after = "7d";  // labels this long after their prediction count as late
};

struct LogFeedbackResult {
  std::string db;
  std::string model;
  uint64_t received = 0, stored = 0, duplicates = 0, unknown_ids = 0, late = 0;
  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Reads the whole file first (a row without an id or label is an error naming its line, and
// nothing is stored), then stores every label in one transaction. Errors: InvalidArgument
// (bad file, columns, retention, pseudonymize without a key), IoError, NotFound (no log).
Result<LogFeedbackResult> LogFeedback(const LogFeedbackRequest& request);

}  // namespace keel::usecase
