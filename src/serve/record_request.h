// The record API's request decoder: `{"instances": [{"feature": value, ...}, ...],
// "explain": k, "interval": level}` straight into the model's feature rows (floats; for a float64
// model also the exact doubles, parsed once and never rounded), with simdjson On Demand over the
// request body in place and every per-request buffer reused (RecordBatch lives as long as the
// connection).
//
// Field rules (checked against the model's features and training schema):
//   feature, numeric     a JSON number, or text that parses as one; null or a missing token
//                        ("", "NA", "null", ...) = missing; true/false (or their text) for a
//                        boolean column; an ISO 8601 string (or epoch seconds) for a
//                        timestamp column
//   feature, categorical a string looked up in the model's dictionary (exact, then ASCII
//                        case-insensitive); numbers and booleans by their text; null or a
//                        missing token = missing; a text the model has not seen is missing
//   id column            echoed in the answer (as sent) and logged
//   pii column           never echoed; logged as HMAC-SHA256 under the configured key, or
//                        dropped from the log without a key
//   other schema column  accepted and logged (target, time, weight, ...), not used
//   absent feature       a missing value
//   unknown field, wrong type (a value a feature cannot read, or an object/array)
//                        strict (default): the request fails with 400 and a message naming
//                        the instance and the field; lenient: counted, reported as the
//                        instance's anomaly, and ignored (a wrong-typed feature is missing)
// The schema verdict of each instance comes from the training schema's RowValidator (the same
// rules as ingestion: type_mismatch, out_of_range, unseen_label, and a category the schema
// does not list, which ingestion calls new_category), plus the model's own check: a category
// text not in its dictionary. Both category cases are reported once, as unseen_category (the
// value is read as missing). Anomalous instances are still predicted.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "serve/served_model.h"

namespace keel::serve {

enum class InstanceAnomalyKind : uint8_t {
  kTypeMismatch,    // schema: a value that does not parse as its column's kind
  kOutOfRange,      // schema: a number outside the schema's [min, max]
  kUnseenLabel,     // schema: a target value the label mapping maps to no class
  kUnseenCategory,  // a category the schema does not list or the model's dictionary lacks
                    // (read as missing)
  kWrongType,       // lenient mode: a value a feature cannot read (ignored)
  kUnknownField,    // lenient mode: a field the model does not know (ignored)
};
inline constexpr size_t kNumInstanceAnomalyKinds = 6;
// "type_mismatch", "out_of_range", "unseen_label", "unseen_category", "wrong_type",
// "unknown_field".
std::string_view InstanceAnomalyKindName(InstanceAnomalyKind kind);

struct InstanceAnomaly {
  uint32_t instance = 0;
  InstanceAnomalyKind kind = InstanceAnomalyKind::kTypeMismatch;
  // Views into the request body, the parser's string buffer or the model: valid until the
  // next parse.
  std::string_view field;
  std::string_view value;  // the raw JSON text of the value
};

struct RecordOptions {
  bool lenient = false;
  size_t max_instances = 1000;
  // Build the prediction log's inputs text per instance.
  bool log_inputs = false;
  // HMAC-SHA256 key for pii values in the log; empty = drop them.
  std::string_view pii_key;
  // Accept "explain" (the predict route) or reject it (explain returns every value anyway).
  bool allow_explain_k = true;
};

// The decoded request, reused across the requests of a connection.
struct RecordBatch {
  size_t n = 0;           // instances
  int explain_k = 0;      // "explain": top reasons asked per instance (0 = none)
  double interval = 0;    // "interval": conformal level (0 = none)
  double interval_q = 0;  // its conformal quantile (model/conformal.h)
  std::vector<float> x;   // n * num_features, row-major; NaN = missing
  // For a float64 model (ServedModel::reads_doubles): the same cells as the exact doubles
  // the request gave (x holds their float rounding); empty otherwise.
  std::vector<double> x64;
  std::vector<std::string_view> raw;       // n * num_features raw JSON of each feature value
  std::vector<std::string_view> ids;       // n raw JSON of the id column ("" when absent)
  std::vector<InstanceAnomaly> anomalies;  // in instance order
  std::vector<uint32_t> anomaly_begin;     // n + 1 offsets into anomalies
  // Prediction log inputs, one JSON object per instance: log_inputs[log_end[i-1], log_end[i]).
  std::string log_inputs;
  std::vector<uint32_t> log_end;
  // Pseudonym of each instance's subject (hex HMAC), "" when none.
  std::string subjects;
  std::vector<uint32_t> subject_end;
  uint64_t ignored_unknown = 0;
  uint64_t ignored_wrong_type = 0;
  // Scratch of the per-instance schema check.
  std::vector<CellValue> cells;
  std::vector<std::string_view> cell_raw;
  std::vector<uint8_t> cell_flagged;  // the decoder already reported this column
  std::vector<RowAnomaly> row_anomalies;
  std::vector<InstanceAnomaly> pending_unseen;

  std::string_view log_input(size_t i) const {
    const uint32_t b = i == 0 ? 0 : log_end[i - 1];
    return std::string_view(log_inputs).substr(b, log_end[i] - b);
  }
  std::string_view subject(size_t i) const {
    const uint32_t b = i == 0 ? 0 : subject_end[i - 1];
    return std::string_view(subjects).substr(b, subject_end[i] - b);
  }
};

// Parses `body` (capacity >= size + simdjson::SIMDJSON_PADDING) for `model` into `batch`.
// Errors: ParseError for malformed JSON (the message gives line and column);
// InvalidArgument for a wrong shape or, in strict mode, an unknown field or wrong type (the
// message names instances[i].field); ResourceExhausted for more than max_instances.
Status ParseRecordRequest(const ServedModel& model, const std::string& body,
                          const RecordOptions& options, simdjson::ondemand::parser* parser,
                          RecordBatch* batch);

// "line L, column C" of byte `offset` of `text`.
std::string TextPosition(std::string_view text, size_t offset);

// Appends the pseudonym of a pii value: HMAC-SHA256(key, value) as 64 lowercase hex digits.
// The log stores it as the row's subject and, prefixed "hmac-sha256:", in the inputs.
void AppendPseudonym(std::string* out, std::string_view key, std::string_view value);

}  // namespace keel::serve
