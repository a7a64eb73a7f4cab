// Python data -> keel::Table, so rows from Python are encoded by the very code `keel predict`
// uses (EncodeFeatures): categories are looked up in the model's tables by their text, exactly
// as for a CSV file.
//
// Column specs, as keel/_frames.py builds them from a pandas DataFrame:
//   numpy array   numbers (float, int, uint) -> numeric; bool -> boolean; str/bytes/object ->
//                 text, read like a CSV cell (trimmed; empty and the reader's missing tokens
//                 "NA", "null", "?", ... are missing) and kept as a categorical column;
//                 None, NaN, pd.NA and NaT in object arrays are missing
//   ("categorical", codes, categories)  a pandas categorical: int codes (-1 = missing) into
//                 its categories as text
//   ("timestamp", micros)  int64 microseconds since the epoch (NaT = INT64_MIN = missing)
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel::python {

// A table of the named columns. Errors: InvalidArgument naming a column whose dtype or spec
// Keel cannot read, or columns of different lengths. Needs the GIL.
Result<Table> TableFromColumns(const std::vector<std::string>& names, const pybind11::list& specs);

// One row given as a dict (feature name -> value; other keys are ignored), encoded into
// out[0, model.features.size()) exactly as a one-row DataFrame of those values would be (the
// conversions of EncodeFeatures, predict/feature_matrix.h), without building a Table: None,
// NaN, pd.NA and NaT missing; bool, int, float as a boolean or numeric cell; str read like a
// CSV cell (trimmed; the reader's missing tokens are missing). `keys` holds the feature names
// as Python strings, in model order (made once by the caller: the lookups reuse their
// hashes). Errors: NotFound naming a feature the dict lacks; InvalidArgument naming the feature
// for a value of another type, or text that is not a number for a numeric feature. Needs the
// GIL; throws pybind11::error_already_set if a lookup raises. Values are encoded as doubles
// and stored as T: double for a float64 model (the exact values, Model::input_precision),
// float for a float32 one (their rounding, as EncodeFeatures' values).
template <typename T>
Status EncodeRow(const Model& model, const pybind11::dict& row, const pybind11::tuple& keys,
                 T* out);
extern template Status EncodeRow<float>(const Model&, const pybind11::dict&, const pybind11::tuple&,
                                        float*);
extern template Status EncodeRow<double>(const Model&, const pybind11::dict&,
                                         const pybind11::tuple&, double*);

// Text in a column that feeds a numeric feature must be a number (or missing): the CLI rejects
// such a record and a DataFrame cannot drop a row, so it is an error, never a silent NaN.
// Errors: InvalidArgument naming the column, the value and its row.
Status CheckNumericFeatures(const Model& model, const Table& table);

}  // namespace keel::python
