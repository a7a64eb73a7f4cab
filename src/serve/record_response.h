// The record API's answers, written straight into the connection's reused response buffer.
//
// Predict: {"model": name, "model_version": v, "request_id": r, "predictions": [instance...]}
// with one object per instance, in request order:
//   "id"            the instance's id column value, as sent (when the schema has one)
//   "prob_<class>"  per class (classifiers), or "prediction" (regression)
//   "label"         the most probable class (classifiers)
//   "lower","upper" regression, when "interval": level was asked: prediction -+ q
//   "set"           classifiers, when "interval": level was asked: the classes' labels joined
//                   by '|' (model/conformal.h), "" for an empty set
//   "anomalies"     [{"field", "kind", "value"}] the schema validation verdict (empty = clean)
//   "reasons"       top-k [{"feature", "value", "contribution"}] by |contribution|, when
//                   "explain": k was asked; contributions are TreeSHAP values in raw margin
//                   units (log-odds of the positive class for binary models) of the output
//                   explained (binary: positive class, multiclass: the predicted class)
// Explain: the same envelope with "explanations": per instance the values above (without
// reasons) and "shap": {"<feature>": value, ..., "bias": expected value} (multiclass: one such
// object per class name).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explain/explainer.h"
#include "serve/record_request.h"
#include "serve/served_model.h"

namespace keel::serve {

// Where each instance's object starts and ends in the response, for the prediction log.
struct InstanceSpans {
  std::vector<uint32_t> begin;
  std::vector<uint32_t> end;
};

// Appends the predict response. `values` is n * num_values(); `shap` is n * row_width of the
// model's explainer when batch.explain_k > 0 (else unused); `order` is scratch.
void AppendPredictResponse(const ServedModel& model, const RecordBatch& batch,
                           std::string_view request_id, const double* values, const double* shap,
                           std::vector<int>* order, std::string* out, InstanceSpans* spans);

// Appends the explain response; `shap` is n * row_width of the model's explainer.
void AppendExplainResponse(const ServedModel& model, const RecordBatch& batch,
                           std::string_view request_id, const double* values, const double* shap,
                           std::string* out, InstanceSpans* spans);

}  // namespace keel::serve
