// The Open Inference Protocol (KServe v2) REST codec: the inference request's input tensors
// into the model's float feature rows, and the model metadata and inference response JSON.
//
// Inputs a model accepts (its metadata lists them):
//   one tensor per feature   name = the feature's name, shape [N] or [N, 1]; numeric features
//                            take any numeric datatype (BOOL as 0/1), categorical features
//                            take BYTES (category texts, looked up like the record API) or
//                            numbers (looked up by their text); a timestamp feature also takes
//                            BYTES in ISO 8601. Features without a tensor are missing.
//   one matrix               any name that is not a feature name, shape [N, F] with F the
//                            number of features in metadata order, numeric datatype: the
//                            model's encoded feature vectors (categorical features as codes).
// `data` may be flat (row-major) or nested as the shape. As an extension, null elements are
// missing values (JSON cannot carry NaN).
// Outputs: classifiers "probabilities" (FP64, [N, K], classes in metadata order) and "label"
// (BYTES, [N]); regression "prediction" (FP64, [N]). The request's "outputs" selects some.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "serve/served_model.h"

namespace keel::serve {

struct OipOptions {
  bool lenient = false;  // ignore (and count) unknown input names instead of failing
  size_t max_instances = 1000;
};

// A decoded inference request, reused across the requests of a connection.
struct OipBatch {
  size_t n = 0;
  std::vector<float> x;  // n * num_features
  // For a float64 model (ServedModel::reads_doubles): the same cells as exact doubles;
  // empty otherwise.
  std::vector<double> x64;
  std::string_view id;  // the request's "id" (unescaped), empty when absent
  bool has_id = false;
  bool want_probabilities = true;  // classifiers
  bool want_label = true;          // classifiers
  bool want_prediction = true;     // regression
  uint64_t ignored_inputs = 0;     // lenient: unknown input names skipped
  uint64_t unseen_categories = 0;  // category texts not in the dictionary (read as missing)
  // Scratch for flattening one tensor.
  std::vector<double> numbers;
  std::vector<std::string_view> texts;
  std::vector<uint8_t> given;  // per feature: a tensor supplied it
};

// Parses an inference request body (capacity >= size + SIMDJSON_PADDING). Errors:
// ParseError (malformed JSON), InvalidArgument (a tensor that does not fit the model: the
// message names the input and what was expected), ResourceExhausted (more than
// max_instances rows).
Status ParseInferRequest(const ServedModel& model, const std::string& body,
                         const OipOptions& options, simdjson::ondemand::parser* parser,
                         OipBatch* batch);

// Appends the model metadata response object.
void AppendModelMetadata(const ServedModel& model, std::string* out);

// Appends the inference response for `values` (n * model.num_values()).
void AppendInferResponse(const ServedModel& model, const OipBatch& batch, const double* values,
                         std::string* out);

}  // namespace keel::serve
