// The prediction log of a stream source (`keel stream --from nats:// --log-db`): the table
// `keel serve` writes (registry/prediction_log_store.h, SQLite file or PostgreSQL), one row
// per scored event, written synchronously so the caller can acknowledge the event after Log
// returns.
//
// Same privacy rules as the server's log: the inputs are the event's fields as the server's
// record decoder keeps them for its log (serve/record_request.h): a `pii` column is stored as
// "hmac-sha256:<HMAC-SHA256 under $KEEL_PII_KEY>" or dropped without a key, and the subject
// column's pseudonym goes to `subject` for erasure (`keel log forget`).
//
// Rows are keyed by request_id = "<stream>:<sequence>" (instance 0) and inserted with
// PredictionLogWriter::OpenIdempotent, so a redelivered event leaves one row.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"

namespace keel::usecase {

// One scored event to log. Views are borrowed for the call.
struct StreamLogRow {
  std::string_view request_id;
  std::string_view event_json;   // the event as received (a JSON object)
  std::string_view output_json;  // the prediction object published
};

class StreamPredictionLog {
 public:
  // Opens (creating if absent) the log at `location` in durable mode (a SQLite commit reaches
  // the disk before it returns) for the model file `model_path`, named by its file stem.
  // Errors: the model's (ServedModel::Load), the database's (IoError), Unsupported.
  static Result<std::unique_ptr<StreamPredictionLog>> Open(const std::string& location,
                                                           const std::string& model_path);
  ~StreamPredictionLog();

  // Inserts `rows` in one transaction (all or none) and returns once it is committed.
  // Errors: IoError.
  Status Log(const std::vector<StreamLogRow>& rows);

  uint64_t rows_written() const;

  struct Impl;

 private:
  explicit StreamPredictionLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::usecase
