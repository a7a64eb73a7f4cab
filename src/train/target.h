// The target column: which task it poses, its classes, and one label per row.
//
// Task inference (TrainParams::task = "auto"): two distinct values = binary; a text,
// categorical or boolean target with more = multiclass; a numeric target with more =
// regression. Raw labels are compared after trimming spaces and ignoring case ("Yes" ==
// "yes"), as LabelMapping does; a class is named by its most frequent spelling.
// Binary classes are [negative, positive]: the positive class is `positive` when given,
// else the schema's label mapping (classes[1]), else the minority class. Multiclass classes
// are the schema's, else sorted (numerically for numeric targets).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/label_mapping.h"
#include "data/schema.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel {

struct TargetOptions {
  std::string column;
  std::string task = "auto";  // auto | binary | multiclass | regression
  // auto | squared | absolute | huber | quantile | poisson | gamma | tweedie (regression)
  std::string objective = "auto";
  std::string positive;  // binary: the positive class's raw label
};

struct TargetInfo {
  Task task = Task::kBinary;
  Objective objective = Objective::kBinaryLogistic;
  int num_outputs = 1;
  LabelMapping labels;  // classification only
  // Per table row: class index (classification) or value (regression); NaN = no target.
  std::vector<double> label;
  // Rows with a target, ascending.
  std::vector<uint32_t> rows;
  uint64_t missing = 0;  // rows without a target value
  // Rows per class (classification), over `rows`.
  std::vector<uint64_t> class_counts;
};

// Reads the target of every row. Errors (InvalidArgument unless noted), each naming the
// column: NotFound when the table lacks it; no row has a value; a single class; an
// explicit task the values cannot pose (regression on non-numeric text, binary with more
// than two classes); a positive class that is not a value; a raw label the schema's label
// mapping does not know (naming the value and its line); a timestamp target.
Result<TargetInfo> ReadTarget(const Table& table, const Schema& schema,
                              const TargetOptions& options);

}  // namespace keel
