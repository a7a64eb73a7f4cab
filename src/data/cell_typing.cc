#include "data/cell_typing.h"

#include <cmath>
#include <optional>
#include <unordered_map>

#include "data/category_order.h"
#include "data/cell_text.h"
#include "data/string_interner.h"
#include "data/type_inference.h"

namespace keel {

CategoryGroups GroupSpellings(std::span<const std::string> seeds,
                              std::span<const std::string_view> spellings, bool normalize_case) {
  CategoryGroups g;
  StringInterner groups;  // group keys: the (case-folded) spelling, kept in `lowered`
  StringArena lowered;
  std::string buf;
  auto intern_group = [&](std::string_view s) {
    std::string_view key = s;
    if (normalize_case) {
      buf.clear();
      AppendLower(&buf, s);
      key = buf;
    }
    bool inserted;
    const int32_t id = groups.Intern(key, StringInterner::MakeProbe(key), &inserted);
    if (inserted) groups.SetKey(static_cast<size_t>(id), lowered.Store(key));
    return id;
  };
  for (const std::string& c : seeds) {
    if (static_cast<size_t>(intern_group(c)) == g.name.size()) g.name.push_back(c);
  }
  g.seeded = g.name.size();
  g.group_of.resize(spellings.size());
  std::vector<uint8_t> has_data;
  for (size_t id = 0; id < spellings.size(); ++id) {
    const int32_t group = intern_group(spellings[id]);
    const auto gi = static_cast<size_t>(group);
    if (gi == g.name.size()) g.name.emplace_back();
    g.group_of[id] = group;
    if (has_data.size() <= gi) has_data.resize(gi + 1, 0);
    has_data[gi] = 1;
  }
  g.data_groups = static_cast<uint64_t>(std::count(has_data.begin(), has_data.end(), 1));
  return g;
}

void NameCategories(std::span<const std::string_view> spellings, std::span<const uint64_t> counts,
                    CategoryGroups* g) {
  const size_t ngroups = g->name.size();
  std::vector<int64_t> best(ngroups, -1);
  std::vector<uint64_t> group_count(ngroups, 0);
  for (size_t id = 0; id < spellings.size(); ++id) {
    const auto k = static_cast<size_t>(g->group_of[id]);
    group_count[k] += counts[id];
    if (best[k] < 0 || counts[id] > counts[static_cast<size_t>(best[k])]) {
      best[k] = static_cast<int64_t>(id);
    }
  }
  g->code.assign(ngroups, -1);
  for (size_t k = 0; k < ngroups; ++k) {
    if (k >= g->seeded) {
      if (group_count[k] == 0) continue;
      g->name[k] = std::string(spellings[static_cast<size_t>(best[k])]);
    }
    g->code[k] = static_cast<int32_t>(g->dictionary.size());
    g->dictionary.push_back(g->name[k]);
  }
}

namespace {

std::string_view KindWord(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kNumeric:
      return "number";
    case ColumnKind::kBoolean:
      return "boolean";
    default:
      return "timestamp";
  }
}

// The column of kind `kind` from the texts' parsed values; InvalidArgument naming the first
// text of another type.
Result<Column> TypedColumn(const std::string& name, const std::vector<std::string>& texts,
                           const std::vector<int32_t>& codes, const std::vector<CellType>& types,
                           const std::vector<uint64_t>& values, ColumnKind kind) {
  const CellType want = kind == ColumnKind::kNumeric   ? CellType::kNumber
                        : kind == ColumnKind::kBoolean ? CellType::kBoolean
                                                       : CellType::kTimestamp;
  for (size_t k = 0; k < types.size(); ++k) {
    if (types[k] == want) continue;
    size_t row = 0;
    while (codes[row] != static_cast<int32_t>(k)) ++row;
    return Status::InvalidArgument(
        "column \"{}\" holds \"{}\" (row {}), which is not a {} like the column's other "
        "values (a CSV reader would reject the row; a DataFrame cannot drop it)",
        name, texts[k], row, KindWord(kind));
  }
  const size_t n = codes.size();
  auto value = [&](size_t r) { return values[static_cast<size_t>(codes[r])]; };
  if (kind == ColumnKind::kNumeric) {
    std::vector<double> v(n);
    for (size_t r = 0; r < n; ++r)
      v[r] = codes[r] < 0 ? std::nan("") : std::bit_cast<double>(value(r));
    return Column::Numeric(name, std::move(v));
  }
  if (kind == ColumnKind::kBoolean) {
    std::vector<int8_t> v(n);
    for (size_t r = 0; r < n; ++r)
      v[r] = codes[r] < 0 ? kMissingBool : static_cast<int8_t>(value(r));
    return Column::Boolean(name, std::move(v));
  }
  std::vector<int64_t> v(n);
  for (size_t r = 0; r < n; ++r)
    v[r] = codes[r] < 0 ? kMissingTime : static_cast<int64_t>(value(r));
  return Column::Timestamp(name, std::move(v));
}

Column StringColumn(const std::string& name, const std::vector<std::string>& texts,
                    const std::vector<int32_t>& codes) {
  std::vector<std::string> values(codes.size());
  std::vector<uint8_t> missing(codes.size(), 0);
  for (size_t r = 0; r < codes.size(); ++r) {
    if (codes[r] < 0) {
      missing[r] = 1;
    } else {
      values[r] = texts[static_cast<size_t>(codes[r])];
    }
  }
  return Column::String(name, std::move(values), std::move(missing));
}

// The categorical column of `groups` (GroupSpellings of `spellings`), named and numbered.
Column CategoricalColumn(const std::string& name, std::span<const std::string_view> spellings,
                         const std::vector<uint64_t>& counts, const std::vector<int32_t>& codes,
                         CategoryGroups groups) {
  NameCategories(spellings, counts, &groups);
  std::vector<int32_t> out(codes.size());
  for (size_t r = 0; r < codes.size(); ++r) {
    out[r] = codes[r] < 0
                 ? kMissingCode
                 : groups.code[static_cast<size_t>(groups.group_of[static_cast<size_t>(codes[r])])];
  }
  return Column::Categorical(name, std::move(out), std::move(groups.dictionary));
}

}  // namespace

Result<Column> TypeTextColumn(const std::string& name, const std::vector<std::string>& texts,
                              const std::vector<uint64_t>& counts,
                              const std::vector<int32_t>& codes) {
  std::vector<CellType> types(texts.size());
  std::vector<uint64_t> values(texts.size(), 0);
  KindEvidence evidence;
  for (size_t k = 0; k < texts.size(); ++k) {
    types[k] = ClassifyCellText(texts[k], '.', &values[k]);
    const uint64_t n = counts[k];
    switch (types[k]) {
      case CellType::kNumber:
        evidence.numbers += n;
        break;
      case CellType::kBoolean:
        evidence.booleans += n;
        break;
      case CellType::kTimestamp:
        evidence.timestamps += n;
        break;
      case CellType::kText:
        evidence.texts += n;
        break;
    }
  }
  evidence.missing = codes.size() - evidence.non_missing();
  const std::optional<ColumnKind> typed = InferTypedKind(evidence);
  if (typed.has_value() && *typed != ColumnKind::kString) {
    return TypedColumn(name, texts, codes, types, values, *typed);
  }
  if (evidence.non_missing() == 0) return StringColumn(name, texts, codes);
  std::vector<std::string_view> spellings(texts.begin(), texts.end());
  CategoryGroups groups = GroupSpellings({}, spellings, /*normalize_case=*/true);
  if (InferTextKind(groups.data_groups, evidence.non_missing()) == ColumnKind::kString) {
    return StringColumn(name, texts, codes);
  }
  return CategoricalColumn(name, spellings, counts, codes, std::move(groups));
}

Result<Column> ReadTextColumnAs(ColumnKind kind, const std::string& name,
                                const std::vector<std::string>& texts,
                                const std::vector<uint64_t>& counts,
                                const std::vector<int32_t>& codes,
                                std::span<const std::string> categories, bool normalize_case) {
  if (kind == ColumnKind::kString) return StringColumn(name, texts, codes);
  if (kind == ColumnKind::kCategorical) {
    std::vector<std::string_view> spellings(texts.begin(), texts.end());
    CategoryGroups groups = GroupSpellings(categories, spellings, normalize_case);
    return CategoricalColumn(name, spellings, counts, codes, std::move(groups));
  }
  std::vector<CellType> types(texts.size());
  std::vector<uint64_t> values(texts.size(), 0);
  for (size_t k = 0; k < texts.size(); ++k) {
    switch (kind) {
      case ColumnKind::kNumeric:
        types[k] = ClassifyCellText<ParseMode::kNumeric>(texts[k], '.', &values[k]);
        break;
      case ColumnKind::kBoolean:
        types[k] = ClassifyCellText<ParseMode::kBoolean>(texts[k], '.', &values[k]);
        break;
      default:
        types[k] = ClassifyCellText<ParseMode::kTimestamp>(texts[k], '.', &values[k]);
        break;
    }
  }
  return TypedColumn(name, texts, codes, types, values, kind);
}

ColumnSchema InferredColumnSchema(const Column& column, const ColumnStats& stats, bool* have_time) {
  ColumnSchema cs;
  cs.name = column.name();
  cs.kind = column.kind();
  if (cs.kind == ColumnKind::kCategorical) {
    // Sorted as pandas sorts a category column's categories, so that a model trained from
    // pandas finds its codes here (and the list does not depend on the row order).
    cs.categories = column.dictionary();
    SortPandasDefault(&cs.categories);
    cs.category_order = CategoryOrder::kSorted;
  } else if (cs.kind == ColumnKind::kNumeric) {
    cs.min = stats.min;
    cs.max = stats.max;
  }
  if (cs.kind == ColumnKind::kString && stats.count > 0 && stats.distinct == stats.count &&
      stats.missing == 0) {
    cs.role = Role::kId;
  }
  if (cs.kind == ColumnKind::kTimestamp && !*have_time) {
    cs.role = Role::kTime;
    *have_time = true;
  }
  return cs;
}

}  // namespace keel
