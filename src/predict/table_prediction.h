// Predicting a whole Table and writing the predictions as CSV: the engine behind
// `keel predict` (and any caller that has a Table rather than feature vectors).
//
// Output columns (DESIGN.md):
//   binary      prob_<classes[0]>, prob_<classes[1]>   (the positive class last)
//   multiclass  prob_<class> for each class, in class order
//   regression  prediction
//   with raw    then raw_<classes[1]> (binary), raw_<class> (multiclass) or raw (regression)
//   interval    then lower, upper (regression) or set (classification: the classes' labels
//               joined by '|', possibly empty) at the level asked (model/conformal.h)
// Classes default to "0", "1", ... when the model lists none.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "predict/feature_matrix.h"
#include "predict/predictor.h"

namespace keel {

struct TablePredictionOptions {
  bool raw = false;                   // also output raw margins
  bool allow_absent_columns = false;  // a feature column the table lacks is all-missing
  double interval = 0;                // conformal level in (0, 1); 0 = no interval columns
};

struct TablePredictions {
  std::vector<std::string> columns;  // output column names, in order
  size_t rows = 0;
  std::vector<double> values;  // rows x columns.size(), row-major
  // Classification with an interval: each row's prediction set (the "set" column, written
  // after the value columns); empty otherwise.
  std::vector<std::string> sets;
  EncodeStats encode;  // unseen categories, missing values, absent columns
};

// The output column names for `model`.
std::vector<std::string> PredictionColumns(const Model& model, bool raw);

// Encodes `table` for `model` and predicts every row with `predictor` (compiled from that
// model), on ctx.threads() threads: EncodeFeatures, then PredictEncoded. Errors: those of
// EncodeFeatures (an absent feature column) and PredictBatch.
Result<TablePredictions> PredictTable(const Model& model, const Predictor& predictor,
                                      const Table& table, const TablePredictionOptions& options,
                                      const Context& ctx);

// Predicts `rows` already encoded rows (row-major float32 in Model::features order, as
// EncodeFeatures gives them; x.size() == rows * features) on `threads` threads, into the
// output columns; `encode` is left empty. Callers holding feature vectors (the Python
// package's arrays) get exactly PredictTable's numbers. Errors: PredictBatch's (a shape
// mismatch), InvalidArgument when `predictor` was not compiled from `model`.
Result<TablePredictions> PredictEncoded(const Model& model, const Predictor& predictor,
                                        std::span<const float> x, size_t rows, bool raw,
                                        int threads);
// The same for rows of doubles (a float64 model's exact inputs, FeatureMatrix::values64).
Result<TablePredictions> PredictEncoded(const Model& model, const Predictor& predictor,
                                        std::span<const double> x, size_t rows, bool raw,
                                        int threads);
// The same into `out` (rows x PredictionColumns(model, raw).size(), row-major), for callers
// that own the output buffer (the Python package's arrays). Errors: PredictEncoded's, and
// InvalidArgument when `out` has another size.
Status PredictEncodedInto(const Model& model, const Predictor& predictor, std::span<const float> x,
                          size_t rows, bool raw, int threads, std::span<double> out);
Status PredictEncodedInto(const Model& model, const Predictor& predictor, std::span<const double> x,
                          size_t rows, bool raw, int threads, std::span<double> out);

// Adds the conformal columns at `level` to `p` (predictions of `model` by `predictor`, as
// PredictTable or PredictEncoded give them): lower and upper value columns for regression, the
// sets for classification. Errors: those of ConformalQuantile (a level outside (0, 1), a model
// without conformal scores).
Status AddIntervals(const Model& model, const Predictor& predictor, double level,
                    TablePredictions* p);

// Output values per row: PredictionColumns(model, raw).size(), without naming them.
size_t PredictionWidth(const Model& model, bool raw);

// One row's output values, in PredictionColumns(model, raw) order, from its model.num_outputs
// raw margins (through predictor.Finalize, so calibrated when the model is): what
// PredictTable writes for each row. `out` has room for the columns.
void MarginsToOutputRow(const Model& model, const Predictor& predictor, const double* margins,
                        bool raw, double* out);

// CSV text of the predictions: a header, then one line per output row. `id_column` (if
// non-empty and in `table`) is passed through first. Records the reader rejected are given
// their place in input order as lines with empty cells, so output line i is input record i:
// `rejected_lines` are their physical source lines, merged with table.source_lines() (when
// the table has none, rejected records are not placed). Numbers are written in shortest
// round-trip form; non-finite values as empty cells.
std::string PredictionsToCsv(const TablePredictions& predictions, const Table& table,
                             const std::string& id_column,
                             const std::vector<uint64_t>& rejected_lines);

}  // namespace keel
