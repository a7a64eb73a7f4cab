// The prediction log's table on a SqlDatabase: its one definition (both dialects), batched
// inserts, retention and erasure. `keel serve` writes it (serve/database_prediction_log.h)
// and `keel log` prunes and erases it, through these functions only:
//
//   predictions(id, request_id, instance, time_us, model, model_version, subject, inputs,
//               output, variant, record_id) with indexes on time_us (retention), subject
//               (erasure) and (model, record_id) (the join of fed-back labels);
//   labels(id, model, record_id, label, time_us), unique per (model, record_id): outcomes fed
//               back (feedback_store.h);
//   a SQLite log records its layout version in PRAGMA user_version (2). A version 1 log is
//   migrated when opened: its rows get variant 'champion' and no record id.
//
// `subject` is the pseudonym (64 hex digits of HMAC-SHA256) of the row's data subject, or
// NULL; `inputs` never hold a pii value in clear (see serve/prediction_log.h).
//
// Thread-safety: as for the SqlDatabase passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "keel/status.h"
#include "registry/sql_database.h"

namespace keel::registry {

// One row to insert; views are borrowed for the call.
struct LoggedPrediction {
  std::string_view request_id;
  int32_t instance = 0;
  int64_t time_micros = 0;
  std::string_view model;
  std::string_view model_version;
  std::string_view subject;  // "" = NULL
  std::string_view inputs_json;
  std::string_view output_json;
  std::string_view variant;    // "champion" (also for "") or "challenger"
  std::string_view record_id;  // the instance's id (or subject pseudonym); "" = NULL
};

// Creates the table and indexes if absent. Errors: IoError; Unsupported when a SQLite log has
// a newer schema version (PRAGMA user_version).
Status EnsurePredictionLogSchema(SqlDatabase& db);

// Inserts rows batch after batch with one prepared INSERT (the SQL is parsed once, a row only
// binds its values): the writer behind the server's prediction log.
class PredictionLogWriter {
 public:
  // Creates the table if absent (EnsurePredictionLogSchema) and prepares the insert. `db` is
  // borrowed and must outlive the writer. Errors: those of EnsurePredictionLogSchema.
  static Result<std::unique_ptr<PredictionLogWriter>> Open(SqlDatabase* db);

  // As Open, for a source that may deliver a row twice (a redelivered stream event, `keel
  // stream --from nats://`): Insert skips a row whose (request_id, instance) is already in the
  // log, so a repeat leaves one row. Also creates the index predictions_request on request_id
  // that keeps the check cheap. (Two writers inserting the same new row in overlapping
  // PostgreSQL transactions may both insert it; SQLite serialises writers.)
  static Result<std::unique_ptr<PredictionLogWriter>> OpenIdempotent(SqlDatabase* db);

  // Inserts `rows` in one transaction (all or none). Errors: IoError.
  Status Insert(std::span<const LoggedPrediction> rows);

 private:
  PredictionLogWriter(SqlDatabase* db, std::unique_ptr<SqlStatement> insert)
      : db_(db), insert_(std::move(insert)) {}
  friend Status InsertPredictions(SqlDatabase&, std::span<const LoggedPrediction>);

  SqlDatabase* db_;
  std::unique_ptr<SqlStatement> insert_;
};

// Inserts `rows` in one transaction (all or none) into an existing table. Errors: IoError.
Status InsertPredictions(SqlDatabase& db, std::span<const LoggedPrediction> rows);

// Deletes every row logged before `cutoff_us` (Unix microseconds); returns how many.
// Errors: NotFound when the database holds no prediction log, IoError.
Result<uint64_t> PrunePredictions(SqlDatabase& db, int64_t cutoff_us);

// Deletes every row whose subject is `pseudonym`; returns how many. Errors as for Prune;
// InvalidArgument for an empty pseudonym.
Result<uint64_t> ForgetSubject(SqlDatabase& db, std::string_view pseudonym);

// A retention period: a number with unit d, h, m or s ("90d", "12h"; a bare number is days),
// in microseconds. Errors: InvalidArgument naming the text.
Result<int64_t> ParseRetention(std::string_view text);

// Rows in the log (of `subject` when given).
Result<uint64_t> CountPredictions(SqlDatabase& db,
                                  std::optional<std::string_view> subject = std::nullopt);

}  // namespace keel::registry
