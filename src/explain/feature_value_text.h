// Feature values as users read them, for reason codes, summaries and partial dependence:
// category names instead of codes, "missing" instead of NaN, the input's own text for numbers.
#pragma once

#include <string>
#include <vector>

#include "keel/table.h"
#include "model/model.h"

namespace keel {

// The text of an encoded feature value (model/model.h encoding) without the input row:
//   NaN                                  "missing"
//   categorical with a category list     the category name (a code beyond the list: its
//                                        number)
//   categorical taking codes, numeric    the number in shortest float32 round-trip form
std::string EncodedValueText(const FeatureSpec& feature, float value);

// Texts of model features for the rows of one table (bind once, then ask per cell).
// Thread-safe for concurrent Text() calls. Borrows `model` and `table`.
class FeatureValueTexts {
 public:
  FeatureValueTexts(const Model& model, const Table& table);

  // The value of feature `feature` in row `row` whose encoding is `encoded`:
  //   the table cell's own text (numbers in shortest round-trip form, category names,
  //   true/false, ISO timestamps) when the model read it as a value;
  //   "missing" when the cell is missing or the table lacks the column;
  //   "<text> (read as missing)" when the model could not use the cell (an unseen category,
  //   a non-numeric text for a numeric feature) and treated it as missing.
  std::string Text(size_t row, int feature, float encoded) const;

 private:
  const Model& model_;
  std::vector<const Column*> columns_;  // per model feature; nullptr when absent
};

}  // namespace keel
