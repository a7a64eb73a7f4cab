#include "data/row_validator.h"

#include <fmt/format.h>

#include <cmath>

#include "core/number_format.h"
#include "data/cell_text.h"
#include "data/number_parse.h"
#include "data/timestamp_parse.h"

namespace keel {

uint64_t RowValidator::KeyHash(std::string_view text) const {
  // FNV-1a over the case-folded bytes: no lowered copy is needed to look a category up.
  uint64_t h = 1469598103934665603ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(options_.normalize_case ? AsciiLower(c) : c);
    h *= 1099511628211ULL;
  }
  return h ^ (h >> 29);
}

RowValidator::RowValidator(const Schema& schema, const RowValidatorOptions& options)
    : schema_(schema), options_(options), missing_(options.missing_tokens) {
  categories_.resize(schema_.columns.size());
  for (size_t j = 0; j < schema_.columns.size(); ++j) {
    const ColumnSchema& c = schema_.columns[j];
    if (c.role == Role::kTarget && !schema_.labels.empty()) target_ = static_cast<int>(j);
    if (c.kind != ColumnKind::kCategorical || c.categories.empty()) continue;
    CategorySet& set = categories_[j];
    size_t slots = 16;
    while (slots < c.categories.size() * 2) slots *= 2;
    set.slots.assign(slots, 0);
    set.mask = slots - 1;
    for (const auto& name : c.categories) {
      const std::string_view key = TrimCell(name);
      if (HasCategory(set, key)) continue;
      const uint64_t h = KeyHash(key);
      size_t i = h & set.mask;
      while (set.slots[i] != 0) i = (i + 1) & set.mask;
      set.names.emplace_back(key);
      set.hashes.push_back(h);
      set.slots[i] = static_cast<uint32_t>(set.names.size());
    }
  }
}

int RowValidator::ColumnIndex(std::string_view name) const {
  for (size_t j = 0; j < schema_.columns.size(); ++j) {
    if (schema_.columns[j].name == name) return static_cast<int>(j);
  }
  return -1;
}

bool RowValidator::HasCategory(const CategorySet& set, std::string_view text) const {
  if (set.slots.empty()) return false;
  const uint64_t h = KeyHash(text);
  size_t i = h & set.mask;
  for (;;) {
    const uint32_t slot = set.slots[i];
    if (slot == 0) return false;
    const std::string& name = set.names[slot - 1];
    if (set.hashes[slot - 1] == h &&
        (options_.normalize_case ? EqualsIgnoreCase(name, text) : name == text)) {
      return true;
    }
    i = (i + 1) & set.mask;
  }
}

size_t RowValidator::Validate(std::span<const CellValue> values,
                              std::vector<RowAnomaly>* out) const {
  out->clear();
  size_t errors = 0;
  const size_t n = std::min(values.size(), schema_.columns.size());
  const Severity range_sev = options_.reject_out_of_range ? Severity::kError : Severity::kWarning;
  const Severity new_sev = options_.reject_new_categories ? Severity::kError : Severity::kWarning;
  auto add = [&](size_t j, AnomalyKind kind, Severity sev) {
    out->push_back({static_cast<uint32_t>(j), kind, sev});
    if (sev == Severity::kError) ++errors;
  };
  for (size_t j = 0; j < n; ++j) {
    const ColumnSchema& c = schema_.columns[j];
    if (c.role == Role::kIgnore) continue;
    const CellValue& v = values[j];
    if (v.type == CellValue::Type::kMissing) continue;
    std::string_view text;
    if (v.type == CellValue::Type::kText) {
      text = TrimCell(v.text);
      if (missing_.IsMissing(text)) continue;
    } else if (std::isnan(v.number)) {
      continue;
    }
    switch (c.kind) {
      case ColumnKind::kNumeric: {
        double d = v.number;
        if (v.type == CellValue::Type::kText && !ParseNumber(text, &d)) {
          add(j, AnomalyKind::kTypeMismatch, Severity::kError);
          break;
        }
        if (!std::isfinite(d)) {
          add(j, AnomalyKind::kTypeMismatch, Severity::kError);
        } else if ((c.min && d < *c.min) || (c.max && d > *c.max)) {
          add(j, AnomalyKind::kOutOfRange, range_sev);
        }
        break;
      }
      case ColumnKind::kBoolean: {
        bool b;
        const bool ok = v.type == CellValue::Type::kText ? ParseBool(text, &b)
                                                          : (v.number == 0 || v.number == 1);
        if (!ok) add(j, AnomalyKind::kTypeMismatch, Severity::kError);
        break;
      }
      case ColumnKind::kTimestamp: {
        int64_t t;
        const bool ok =
            v.type == CellValue::Type::kText ? ParseTimestamp(text, &t) : std::isfinite(v.number);
        if (!ok) add(j, AnomalyKind::kTypeMismatch, Severity::kError);
        break;
      }
      case ColumnKind::kCategorical: {
        char buf[32];
        if (v.type == CellValue::Type::kNumber) {
          text = std::string_view(buf, FormatDoubleTo(buf, v.number));
        }
        if (!categories_[j].slots.empty() && !HasCategory(categories_[j], text)) {
          add(j, AnomalyKind::kNewCategory, new_sev);
        }
        if (static_cast<int>(j) == target_ && schema_.labels.ClassOf(text) < 0) {
          add(j, AnomalyKind::kUnseenLabel, Severity::kWarning);
        }
        break;
      }
      case ColumnKind::kString: break;
    }
  }
  return errors;
}

std::string RowValidator::Describe(const RowAnomaly& a, std::span<const CellValue> values) const {
  const ColumnSchema& c = schema_.columns[a.column];
  std::string value;
  if (a.column < values.size()) {
    const CellValue& v = values[a.column];
    value = v.type == CellValue::Type::kText ? std::string(TrimCell(v.text)) : FormatDouble(v.number);
  }
  switch (a.kind) {
    case AnomalyKind::kTypeMismatch:
      return fmt::format("\"{}\" in column \"{}\" is not a valid {} value", value, c.name,
                         ColumnKindName(c.kind));
    case AnomalyKind::kOutOfRange:
      return fmt::format("{} in column \"{}\" is outside the schema's range [{}, {}]", value,
                         c.name, c.min ? FormatDouble(*c.min) : "-inf",
                         c.max ? FormatDouble(*c.max) : "inf");
    case AnomalyKind::kNewCategory:
      return fmt::format("\"{}\" in column \"{}\" is not one of the schema's {} categories",
                         value, c.name, c.categories.size());
    case AnomalyKind::kUnseenLabel:
      return fmt::format("target label \"{}\" maps to no class", value);
    default: break;
  }
  return fmt::format("{} in column \"{}\"", AnomalyKindName(a.kind), c.name);
}

}  // namespace keel
