#include "data/frame_typing.h"

#include <cmath>
#include <unordered_map>

#include "data/cell_text.h"
#include "data/cell_typing.h"
#include "data/column_stats.h"
#include "data/missing_tokens.h"
#include "data/table_builder.h"

namespace keel {
namespace {

// A text column as the reader's cells: each distinct trimmed text once, in order of first
// appearance, with its count and the rows' codes into that list (kMissingCode = missing).
struct TextCells {
  std::vector<std::string> texts;
  std::vector<uint64_t> counts;
  std::vector<int32_t> codes;
};

TextCells CellsOf(const Column& c, const MissingTokens& missing, bool trim) {
  TextCells out;
  std::unordered_map<std::string, int32_t> index;
  // Dictionary entry -> text id: kMissingCode for a missing token, kNotYetSeen until its
  // first row (texts are numbered in the rows' order, not the dictionary's).
  constexpr int32_t kNotYetSeen = -2;
  std::vector<int32_t> id_of(c.dictionary().size(), kNotYetSeen);
  for (size_t k = 0; k < c.dictionary().size(); ++k) {
    if (missing.IsMissing(TrimCell(c.dictionary()[k]))) id_of[k] = kMissingCode;
  }
  out.codes.reserve(c.size());
  for (int32_t code : c.codes()) {
    if (code < 0 || id_of[static_cast<size_t>(code)] == kMissingCode) {
      out.codes.push_back(kMissingCode);
      continue;
    }
    int32_t& id = id_of[static_cast<size_t>(code)];
    if (id == kNotYetSeen) {
      const std::string_view raw = c.dictionary()[static_cast<size_t>(code)];
      const std::string text(trim ? TrimCell(raw) : raw);
      auto [it, added] = index.try_emplace(text, static_cast<int32_t>(out.texts.size()));
      if (added) {
        out.texts.push_back(text);
        out.counts.push_back(0);
      }
      id = it->second;
    }
    ++out.counts[static_cast<size_t>(id)];
    out.codes.push_back(id);
  }
  return out;
}

// A column of `kind` with every row missing (what the reader makes of a column of empty cells).
Column AllMissing(const std::string& name, ColumnKind kind, size_t rows) {
  switch (kind) {
    case ColumnKind::kNumeric:
      return Column::Numeric(name, std::vector<double>(rows, std::nan("")));
    case ColumnKind::kBoolean:
      return Column::Boolean(name, std::vector<int8_t>(rows, kMissingBool));
    case ColumnKind::kTimestamp:
      return Column::Timestamp(name, std::vector<int64_t>(rows, kMissingTime));
    case ColumnKind::kCategorical:
      return Column::Categorical(name, std::vector<int32_t>(rows, kMissingCode), {});
    case ColumnKind::kString:
      break;
  }
  return Column::String(name, std::vector<std::string>(rows), std::vector<uint8_t>(rows, 1));
}

// Column `c` as the reader reads it: inferred when `schema` is null, else as its kind.
Result<Column> ReadColumn(Column c, const ColumnSchema* schema, const ReadOptions& options,
                          const MissingTokens& missing) {
  const bool empty = c.size() > 0 && c.CountMissing() == c.size();
  if (schema == nullptr) {
    if (c.kind() != ColumnKind::kCategorical) {
      // A column without a value: the reader has nothing to infer from (string).
      if (empty) return AllMissing(c.name(), ColumnKind::kString, c.size());
      return c;
    }
    const TextCells cells = CellsOf(c, missing, options.trim);
    return TypeTextColumn(c.name(), cells.texts, cells.counts, cells.codes);
  }
  const ColumnKind kind = schema->role == Role::kIgnore ? ColumnKind::kString : schema->kind;
  if (c.kind() != ColumnKind::kCategorical) {
    if (c.kind() == kind) return c;
    if (empty) return AllMissing(c.name(), kind, c.size());
    return Status::InvalidArgument(
        "column \"{}\" holds {} values where the schema reads {} (convert the column, e.g. "
        "with astype(str), to what a CSV file of it would hold)",
        c.name(), ColumnKindName(c.kind()), ColumnKindName(kind));
  }
  const TextCells cells = CellsOf(c, missing, options.trim);
  return ReadTextColumnAs(kind, c.name(), cells.texts, cells.counts, cells.codes,
                          schema->categories, options.normalize_case);
}

}  // namespace

Result<IngestResult> TypeFrameTable(Table table, const std::string& source,
                                    const ReadOptions& options) {
  IngestResult data;
  data.report.source = source;
  data.report.format = "dataframe";
  data.report.rows_read = data.report.rows_used = table.num_rows();
  std::vector<std::string> names;
  for (size_t j = 0; j < table.num_columns(); ++j) names.push_back(table.column(j).name());
  KEEL_RETURN_IF_ERROR(CheckSchemaColumns(names, options, source, &data.report));
  const Schema* schema = options.schema;
  if (schema != nullptr) data.schema = *schema;
  bool have_time = !data.schema.FirstWithRole(Role::kTime).empty();
  const MissingTokens missing(options.missing_tokens);
  for (size_t j = 0; j < table.num_columns(); ++j) {
    const ColumnSchema* cs = schema == nullptr ? nullptr : schema->Find(names[j]);
    KEEL_ASSIGN_OR_RETURN(Column c,
                          ReadColumn(std::move(table.mutable_column(j)), cs, options, missing));
    ColumnStats stats = ComputeColumnStats(c, /*inferred=*/cs == nullptr);
    if (cs == nullptr) data.schema.columns.push_back(InferredColumnSchema(c, stats, &have_time));
    data.report.columns.push_back(std::move(stats));
    KEEL_RETURN_IF_ERROR(data.table.AddColumn(std::move(c)));
  }
  KEEL_RETURN_IF_ERROR(ProtectPersonalData(options, &data));
  return data;
}

}  // namespace keel
