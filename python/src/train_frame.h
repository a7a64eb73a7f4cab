// keel._keel.train_frame(names, specs, target, name, lineage, schema, positive, weight, exclude,
// out, params): the `keel train` use case (usecase::TrainModelOnTable) on columns
// held in memory (a pandas DataFrame or numpy arrays, as the column specs of frame_columns.h),
// with no file in between. keel/training.py and keel/sklearn.py call it.
//
// The table is typed as the CSV reader types the same data written by pandas' to_csv, so the
// model is the one `keel train` makes from that file (a test checks the predictions bit for
// bit): numbers, booleans and datetimes keep their dtype; text cells are trimmed, the missing
// tokens are missing, and a text column is numeric, boolean or a timestamp when every value
// reads as one (a column where some do and some do not by the reader's 95% rule is an error
// naming the column, value and row: the reader would reject those rows, a DataFrame cannot
// drop one), else categorical (spellings that differ only in case are one category named by
// the most frequent) or, with many distinct values, string. Those decisions and the inferred
// schema entries are the reader's own code (data/cell_typing.h), not a copy of it; PII columns
// are pseudonymized or dropped as the reader does.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "keel/status.h"
#include "keel/table.h"
#include "usecase/train.h"

namespace keel::python {

// `table` (built by TableFromColumns) typed as described above, with its schema, for
// TrainModelOnTable; with a `schema` (not null) typed by it instead, as `keel train --schema`
// reads the file (data/frame_typing.h: its kinds, categories and roles; PII rules). `name`
// names the data in messages; `lineage` is what the model's lineage records of it. Errors:
// InvalidArgument naming the column, value and row of a text
// cell that does not read as its column's kind; NotFound for a schema column the frame lacks;
// LoadPiiKey's.
Result<usecase::TrainingTable> FrameTrainingTable(Table table, std::string name,
                                                  nlohmann::json lineage,
                                                  const Schema* schema = nullptr);

void RegisterTrainFrame(pybind11::module_& m);

}  // namespace keel::python
