#include "data/type_inference.h"

namespace keel {

std::optional<ColumnKind> InferTypedKind(const KindEvidence& e) {
  const uint64_t n = e.non_missing();
  if (n == 0) return ColumnKind::kString;
  const double need = kTypedShare * static_cast<double>(n);
  if (static_cast<double>(e.numbers) >= need) return ColumnKind::kNumeric;
  if (static_cast<double>(e.timestamps) >= need) return ColumnKind::kTimestamp;
  if (static_cast<double>(e.booleans) >= need) return ColumnKind::kBoolean;
  return std::nullopt;
}

ColumnKind InferTextKind(uint64_t distinct, uint64_t non_missing) {
  if (distinct > kMaxCategories) return ColumnKind::kString;
  if (distinct > kMinDistinctForString && 2 * distinct > non_missing) return ColumnKind::kString;
  return ColumnKind::kCategorical;
}

}  // namespace keel
