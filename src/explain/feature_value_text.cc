#include "explain/feature_value_text.h"

#include <charconv>
#include <cmath>

#include "model/split_rule.h"

namespace keel {

std::string EncodedValueText(const FeatureSpec& feature, float value) {
  if (std::isnan(value)) return "missing";
  if (feature.kind == FeatureSpec::Kind::kCategorical && !feature.categories.empty()) {
    const int64_t code = CategoryCodeOf(value);
    if (code >= 0 && static_cast<size_t>(code) < feature.categories.size()) {
      return feature.categories[static_cast<size_t>(code)];
    }
  }
  // A float32 value: its own shortest round-trip text (widening to double would print
  // 0.1f as 0.10000000149011612).
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, res.ptr);
}

FeatureValueTexts::FeatureValueTexts(const Model& model, const Table& table) : model_(model) {
  columns_.reserve(model.features.size());
  for (const FeatureSpec& f : model.features) columns_.push_back(table.Find(f.name));
}

std::string FeatureValueTexts::Text(size_t row, int feature, float encoded) const {
  const Column* col = columns_[static_cast<size_t>(feature)];
  const FeatureSpec& spec = model_.features[static_cast<size_t>(feature)];
  if (col == nullptr || row >= col->size()) return EncodedValueText(spec, encoded);
  if (col->IsMissing(row)) return "missing";
  std::string text = col->CellText(row);
  if (std::isnan(encoded)) text += " (read as missing)";
  return text;
}

}  // namespace keel
