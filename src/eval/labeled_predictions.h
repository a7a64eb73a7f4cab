// A model's predictions on a table next to the table's true labels: the input of every
// evaluation and comparison of models.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/metric_computer.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"

namespace keel {

// The truth of a table for a model: which rows carry a label, and what it is.
struct LabeledRows {
  Task task = Task::kBinary;
  int32_t num_classes = 0;       // classification: model.labels.classes.size()
  std::vector<uint32_t> rows;    // table rows with a label, in table order
  std::vector<int32_t> labels;   // classification: class index per kept row
  std::vector<double> targets;   // regression: value per kept row
  std::vector<double> weights;   // per kept row, from the schema's weight column; or empty
  std::string weight_column;     // that column's name, or empty
  uint64_t rows_missing_label = 0;  // rows left out because their target is missing
};

// Reads the target column `model.target` of `table` (and the weight column, when the model's
// schema names one and the table has it). Classification labels are mapped to classes with
// model.labels (LabelMapping::ClassOf); rows whose target is missing are left out and
// counted. Errors: NotFound when the table lacks the target column; InvalidArgument for a
// label the mapping does not know (naming the source line, the value and the known classes),
// a regression target that is not numeric, or a missing, negative or non-finite weight
// (naming the line and value); FailedPrecondition when no row has a label.
Result<LabeledRows> ReadLabels(const Model& model, const Table& table);

// Predictions of one model for the labeled rows.
struct LabeledPredictions {
  const LabeledRows* truth = nullptr;  // borrowed; must outlive this
  // Binary: P(classes[1]) per kept row; multiclass: kept rows x K probabilities, row-major;
  // regression: the predicted value per kept row.
  std::vector<double> predictions;

  ScoredRows view() const;
};

// Predicts every row of `features` (the whole table, encoded for `predictor`'s model) with
// PredictBatch on `threads` threads and keeps the labeled rows of `truth`.
// Errors: InvalidArgument when the predictor's task or class count does not match `truth`,
// or the feature matrix does not fit the predictor.
Result<LabeledPredictions> PredictLabeled(const Predictor& predictor,
                                          const FeatureMatrix& features,
                                          const LabeledRows& truth, int threads);

}  // namespace keel
