// Evaluating a model on a table: labels from the table, predictions from the model, metrics
// with confidence intervals and curves. What `keel evaluate` and the pipeline run.
#pragma once

#include "core/context.h"
#include "eval/evaluation.h"
#include "eval/labeled_predictions.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"

namespace keel {

struct ModelEvaluation {
  LabeledRows truth;      // which rows were evaluated, and their labels
  EncodeStats encode;     // unseen categories, missing values, absent feature columns
  Evaluation evaluation;  // metrics, intervals, curves
};

// Reads the labels of `table` (ReadLabels), encodes and predicts it with `predictor`
// (compiled from `model`) and evaluates with the model's metrics (EvaluationOptionsFor: its
// objective's loss too). Encoding, batch prediction and the bootstrap run on
// ctx.threads() threads (encode.threads is not read). Errors: those of ReadLabels,
// EncodeFeatures, PredictLabeled and Evaluate.
Result<ModelEvaluation> EvaluateModel(const Model& model, const Predictor& predictor,
                                      const Table& table, const EvaluationOptions& options,
                                      const Context& ctx, const EncodeOptions& encode = {});

}  // namespace keel
