// What an answered request leaves behind: its id (X-Request-Id, the log's request_id) and its
// prediction-log rows, one per instance, written through PredictionLog (prediction_log.h).
//
// In durable mode (--log-durable) the answer waits until its rows are committed: the wait is
// set as the response's blocking work, so it runs off the I/O threads, and a row the log could
// not take or commit turns the answer into 503.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "serve/http_types.h"
#include "serve/oip_request.h"
#include "serve/prediction_log.h"
#include "serve/record_request.h"
#include "serve/record_response.h"
#include "serve/served_model.h"

namespace keel::serve {

// Request ids: the client's when usable, else "<8 hex>-<12 hex>" from a prefix random per
// process (ids do not repeat across restarts) and a counter. Thread-safe.
class RequestIds {
 public:
  RequestIds();
  // Sets `id` to `client_id` when it is short printable ASCII without quotes or backslashes,
  // else to a new generated id.
  void Assign(std::string_view client_id, std::string* id);

 private:
  uint32_t prefix_ = 0;
  std::atomic<uint64_t> next_{1};
};

// Appends a record-API request's rows: inputs as the decoder kept them for the log (pii
// pseudonymized or dropped), the subject pseudonym, each instance's object of the answer
// body (`spans` into `body`), the variant that scored it ("champion" or "challenger") and its
// record id (record_id.h). `response` may be null (a shadow challenger's rows, which no
// answer waits for).
void LogRecordRows(PredictionLog* log, const ServedModel& model, const RecordBatch& batch,
                   std::string_view request_id, std::string_view body, const InstanceSpans& spans,
                   HttpResponse* response, std::string_view variant = "champion");

// Appends an Open Inference Protocol request's rows: the encoded features (category codes back
// as their texts, missing values left out) and the values answered (n * num_values).
// `scratch` is reused between calls.
void LogInferRows(PredictionLog* log, const ServedModel& model, const OipBatch& batch,
                  const double* values, std::string_view request_id, std::string* scratch,
                  HttpResponse* response);

}  // namespace keel::serve
