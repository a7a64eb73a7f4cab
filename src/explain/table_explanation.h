// Explaining a whole Table and writing the attributions as CSV: the engine behind
// `keel explain` (and any caller that has a Table rather than feature vectors).
//
// SHAP CSV (DESIGN.md): the id column (if the schema has one and the data holds it), then
// per output one column per model feature, named as the feature, and the bias column `bias`
// (`_bias` if a feature is called bias); a multiclass model prefixes each with "<class>:".
// Each row's attributions plus bias sum to its raw margin. With reason codes (top_k > 0):
// `reason_class` (multiclass), then up_<i>_feature, up_<i>_value, up_<i>_shap for i = 1..k,
// the same for down_<i>, and `reason`, the sentence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/context.h"
#include "explain/explainer.h"
#include "explain/reason_codes.h"
#include "keel/status.h"
#include "keel/table.h"
#include "model/model.h"
#include "predict/feature_matrix.h"

namespace keel {

struct TableExplanationOptions {
  bool allow_absent_columns = false;  // a feature column the table lacks is all-missing
  int top_k = 0;                      // > 0: reason codes for every row, k each way
  int reason_output = -1;             // ReasonOptions::output
};

struct TableExplanation {
  FeatureMatrix features;            // the encoded rows
  std::vector<double> attributions;  // features.rows x explainer.row_width(), row-major
  std::vector<ReasonCodes> reasons;  // one per row when top_k > 0, else empty
  EncodeStats encode;                // unseen categories, missing values, absent columns
  double encode_seconds = 0;
  double explain_seconds = 0;  // attributions only
  double reasons_seconds = 0;
};

// Encodes `table` for `model` and explains every row with `explainer` (built from that
// model), on ctx.threads() threads. Errors: those of EncodeFeatures (an absent feature column)
// and ExplainMatrix.
Result<TableExplanation> ExplainTable(const Model& model, const Explainer& explainer,
                                      const Table& table, const TableExplanationOptions& options,
                                      const Context& ctx);

// Explains rows already encoded (Model::features order, as EncodeFeatures gives them; the
// Python package's numpy arrays) as ExplainTable explains a table's rows, with reason values
// as EncodedValueText gives them (there is no input text: category names, numbers in
// shortest float32 form). `encode` is left empty. Errors: ExplainMatrix's.
Result<TableExplanation> ExplainEncoded(const Model& model, const Explainer& explainer,
                                        FeatureMatrix features,
                                        const TableExplanationOptions& options, const Context& ctx);

// The attribution column names, in output order (without id and reason columns).
std::vector<std::string> ShapColumns(const Model& model);

// The reason-code column names for `top_k` reasons each way (none when top_k <= 0), in the
// order ExplanationToCsv writes them: reason_class (multiclass), up_<i>_feature, up_<i>_value,
// up_<i>_shap for i = 1..k, the same for down_<i>, then reason.
std::vector<std::string> ReasonColumns(const Model& model, int top_k);

// CSV text of the explanation (header, then one line per output row). `id_column` (if
// non-empty and in `table`) is passed through first. As for predictions, records the reader
// rejected keep their place as lines of empty cells: `rejected_lines` are their physical
// source lines, merged with table.source_lines() (not placed when the table has none).
// Numbers in shortest round-trip form. Formats on up to `threads` threads.
std::string ExplanationToCsv(const Model& model, const TableExplanation& explanation,
                             const Table& table, const std::string& id_column,
                             const std::vector<uint64_t>& rejected_lines, int top_k,
                             int threads = 1);

}  // namespace keel
