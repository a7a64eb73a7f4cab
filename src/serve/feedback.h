// `POST /v1/models/{name}/feedback`: outcomes fed back for logged predictions.
//
//   {"labels": [{"id": "c-17", "label": "yes"}, ...]}
//   -> {"model", "received", "stored", "duplicates", "unknown_ids", "late"}
//
// Each id is the record id the prediction log keys rows by (record_id.h): the schema's id
// column value; for a model whose schema has no id column but a pii column, the pii value,
// pseudonymized with HMAC-SHA256 under KEEL_PII_KEY as the log does before the join. Labels
// are stored and counted by registry/feedback_store.h (duplicates, unknown ids and late labels
// are counted, never dropped silently). The answer is sent only once the labels are committed
// (SQLite synchronous=FULL; the commit runs on the transport's blocking-work thread, off the
// I/O threads), so an acknowledged label survives a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "registry/feedback_store.h"
#include "registry/sql_database.h"
#include "serve/http_types.h"
#include "serve/served_model.h"

namespace keel::serve {

class FeedbackWriter {
 public:
  // Opens its own durable connection to the prediction log at `location` (creating the
  // tables if needed). `late_after_us`: a label later than this after its prediction is
  // counted late. Errors: IoError, Unsupported (a log of a newer layout).
  static Result<std::unique_ptr<FeedbackWriter>> Open(const std::string& location,
                                                      int64_t late_after_us);

  // Stores one request's labels (serialised with other requests). Errors: IoError.
  Result<registry::FeedbackCounts> Store(std::string_view model,
                                         const std::vector<registry::FedBackLabel>& labels);

 private:
  FeedbackWriter(std::unique_ptr<registry::SqlDatabase> db, int64_t late_after_us)
      : db_(std::move(db)), late_after_us_(late_after_us) {}
  std::mutex mu_;
  std::unique_ptr<registry::SqlDatabase> db_;
  int64_t late_after_us_;
};

// Reads a feedback body for `model` into record ids and label texts. Errors (400):
// malformed JSON, no "labels" array, an entry without a string or number "id" or with a
// "label" that is not a string, number or boolean, more than `max_labels`; InvalidArgument
// (422) when the model's ids are pii values and no key is set.
Result<std::vector<registry::FedBackLabel>> ParseFeedback(const ServedModel& model,
                                                          std::string_view body,
                                                          std::string_view pii_key,
                                                          size_t max_labels);

// Parses, then sets the response's blocking work: store, and answer the counts (or 503 when
// the store fails: nothing was acknowledged).
void AnswerFeedback(FeedbackWriter* writer, const ServedModel& model, std::string_view body,
                    std::string_view pii_key, size_t max_labels, HttpResponse* response);

}  // namespace keel::serve
