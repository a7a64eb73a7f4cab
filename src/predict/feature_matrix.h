// Turning table rows into the model's feature vectors.
//
// Every consumer of a model (predictor, TreeSHAP, audits, drift on predictions, ranking,
// serving) encodes its input through here, so a value means the same thing everywhere.
// Encoding follows the IR (model/model.h): numeric values as float32, categorical values
// as their code in the model's dictionary, missing and unseen categories as NaN; for models
// reading float64 (Model::input_precision) also the same values as the doubles the table
// holds, which the predictor and TreeSHAP read instead.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"

namespace keel {

// Row-major matrix of float32 feature values; NaN = missing. `values64` is empty, or (for a
// float64 model) holds the same cells as doubles, unrounded; `values` is then their float
// rounding, for consumers that only need approximate values.
struct FeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;
  std::vector<double> values64;

  const double* row64(size_t i) const { return values64.data() + i * cols; }

  float* row(size_t i) { return values.data() + i * cols; }
  const float* row(size_t i) const { return values.data() + i * cols; }
  std::span<const float> row_span(size_t i) const { return {row(i), cols}; }
};

// Per-feature counts of what the encoding had to treat specially.
struct EncodeStats {
  // For each model feature: rows whose category was not in the model's dictionary
  // (encoded as missing), and rows missing in the input.
  std::vector<uint64_t> unseen;
  std::vector<uint64_t> missing;
  // Features the table lacks entirely (encoded as all-missing when allowed).
  std::vector<std::string> absent;
};

struct EncodeOptions {
  // Treat a feature column the table lacks as all-missing instead of failing.
  bool allow_absent_columns = false;
  int threads = 1;
};

// Encodes every row of `table` for `model`. Columns are matched by name. Fills values64 too
// when model.input_precision is kFloat64 (and the table has rows). Conversions:
//   numeric feature     numeric column as is; boolean 0/1; timestamp as epoch seconds;
//                       categorical column whose category texts are numbers (else NaN)
//   categorical feature the category text's code in FeatureSpec::categories (exact match,
//                       then case-insensitive); unseen -> NaN. Numeric columns are matched
//                       by their shortest text, or used as codes when the model has no
//                       dictionary (imported models take codes).
// Errors: NotFound naming the first absent feature column (unless allowed).
Result<FeatureMatrix> EncodeFeatures(const Model& model, const Table& table,
                                     const EncodeOptions& options = {},
                                     EncodeStats* stats = nullptr);

// Maps each entry of a table column's category dictionary to the model feature's code
// (-1 when unseen). Exposed for the server and streaming paths, which cache it.
std::vector<int32_t> MapDictionary(const FeatureSpec& feature,
                                   const std::vector<std::string>& dictionary);

// The code of one category text for `feature`, or -1 when unseen.
int32_t CategoryCode(const FeatureSpec& feature, std::string_view text);

// One cell, encoded exactly as EncodeFeatures encodes it (for callers that have single values
// rather than a Table, such as the Python package's dict rows):
//   EncodeText   a text (categorical) cell, already trimmed and not a missing token: a
//                categorical feature's code (NaN when unseen; a code-taking model reads the text
//                as an integer code), or a numeric feature's number (NaN when not a number)
//   EncodeValue  a number, boolean (0/1) or timestamp (epoch seconds) cell, NaN = missing;
//                `text` gives the cell's text (Column::CellText), which a categorical feature
//                with a category list matches by name
// Both give the exact value (a float64 model's input); a float32 model's is its float
// (static_cast<float>), as EncodeFeatures stores it.
double EncodeText(const FeatureSpec& feature, std::string_view text);
template <typename TextFn>
double EncodeValue(const FeatureSpec& feature, double value, TextFn text) {
  if (std::isnan(value)) return value;
  if (feature.kind != FeatureSpec::Kind::kCategorical || feature.categories.empty()) {
    return value;
  }
  const int32_t code = CategoryCode(feature, text());
  return code < 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(code);
}

}  // namespace keel
