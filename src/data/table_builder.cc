#include "data/table_builder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_set>

#include "core/context.h"
#include "core/log.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "core/stopwatch.h"
#include "data/category_order.h"
#include "data/cell_text.h"
#include "data/cell_typing.h"
#include "data/column_stats.h"
#include "data/csv_scan.h"
#include "data/csv_tokenizer.h"
#include "data/duplicate_index.h"
#include "data/memory_advice.h"
#include "data/missing_tokens.h"
#include "data/number_parse.h"
#include "data/string_interner.h"
#include "data/timestamp_parse.h"
#include "data/type_inference.h"

namespace keel {
namespace {

// What one cell parsed as in pass 1.
// kTextCell values are ids in the chunk's dictionary of the column; kSpanCell values are the
// cell's packed CellSpan (columns that keep no dictionary: strings, ids, free text).
enum CellClass : uint8_t {
  kMissingCell = 0,
  kNumberCell,
  kBoolCell,
  kTimeCell,
  kTextCell,
  kSpanCell
};

inline uint64_t PackSpan(const CellSpan& s) {
  return uint64_t{s.offset} << 32 | s.size_flags;
}
inline CellSpan UnpackSpan(uint64_t v) {
  return {static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v)};
}

// The classes of typed cells are cell_typing.h's CellType values.
static_assert(kNumberCell == static_cast<uint8_t>(CellType::kNumber) &&
              kBoolCell == static_cast<uint8_t>(CellType::kBoolean) &&
              kTimeCell == static_cast<uint8_t>(CellType::kTimestamp));

constexpr size_t kMaxValueInMessage = 200;

std::string Clip(std::string_view s) {
  if (s.size() <= kMaxValueInMessage) return std::string(s);
  return std::string(s.substr(0, kMaxValueInMessage)) + "...";
}

// Per column decisions and merged dictionaries.
struct ColumnPlan {
  std::string name;
  const ColumnSchema* schema = nullptr;  // the schema's entry, if any
  bool validate = false;                 // schema checks apply
  bool is_target = false;
  std::optional<ColumnKind> fixed;  // from an override or the schema: no inference
  ColumnKind kind = ColumnKind::kString;
  ParseMode mode = ParseMode::kInfer;
  KindEvidence evidence;

  // Categorical columns (and text columns being inferred).
  StringInterner exact;               // every spelling seen
  CategoryGroups groups;              // exact id -> group -> name and output code
  std::vector<uint64_t> exact_used;   // per exact id: occurrences in used rows
  std::vector<uint8_t> label_unseen;  // per exact id (target with a label mapping)
  // What pandas would see (category_order.h): occurrences per exact id in all rows, the
  // spellings trimming changed (raw text, exact id, occurrences), and the first cell read as
  // missing that pandas reads as a value ("" when none).
  std::vector<uint64_t> exact_seen;
  StringInterner untrimmed;
  std::vector<std::pair<int32_t, uint64_t>> untrimmed_of;
  bool untrimmed_overflowed = false;
  std::optional<std::string> pandas_value;
};

// The values of one column's cells within one chunk: 8-byte slots in the column's slot
// buffer (TableBuild::slots_), read and written through memcpy because that buffer may be
// the doubles of the output column itself.
class CellValues {
 public:
  CellValues() = default;
  explicit CellValues(void* slots) : p_(static_cast<char*>(slots)) {}
  uint64_t operator[](size_t r) const {
    uint64_t v;
    std::memcpy(&v, p_ + r * sizeof(uint64_t), sizeof(uint64_t));
    return v;
  }
  void set(size_t r, uint64_t v) const { std::memcpy(p_ + r * sizeof(uint64_t), &v, sizeof(v)); }

 private:
  char* p_ = nullptr;
};

// One column within one chunk.
struct ColumnChunk {
  // Per row: the class in ChunkWork's buffer, the value in the column's slots.
  uint8_t* cls = nullptr;
  CellValues val;       // double bits, micros, 0/1, or local text id, by cls
  StringInterner dict;  // local text ids
  std::vector<uint32_t> dict_count;
  StringArena arena;  // unescaped texts used as dictionary keys
  KindEvidence evidence;
  std::vector<int32_t> to_exact;  // local text id -> plan.exact id
  // Inference only: more than kMaxCategories distinct texts in this chunk alone, so the
  // column is a string column and interning stopped (ids and free text cost no dictionary).
  bool overflowed = false;
  // For telling whether the categories are the ones pandas would make (ColumnPlan): texts
  // that trimming changed, as spelled (views into the source or `arena`), with their counts
  // (at most kMaxCategories), and the first cell read as missing that pandas reads as a value.
  StringInterner untrimmed;
  std::vector<uint32_t> untrimmed_count;
  bool untrimmed_overflowed = false;
  std::optional<std::string> pandas_value;
};

struct CellIssue {
  uint32_t row;
  uint32_t column;
  AnomalyKind kind;
  Severity severity;
};

struct ChunkWork {
  std::vector<ColumnChunk> columns;
  // Column-major cell classes of the whole chunk (one byte each): one huge-page advised
  // mapping, not zero-initialized since Classify writes every cell. The values live in the
  // columns' slot buffers, from slot `slot_begin` on.
  BufferVector<uint8_t> classes;
  size_t capacity = 0;  // rows the chunk may hold (its slots per column)
  uint64_t slot_begin = 0;
  std::vector<uint32_t> row_record;  // per row: index of its record in RawChunk::records
  std::vector<uint8_t> rejected;     // per row
  std::vector<uint8_t> dropped;      // per row: duplicate removed from the output
  std::vector<CellIssue> issues;     // sorted by (row, column) after validation
  uint64_t out_begin = 0;
  uint64_t out_rows = 0;
};

[[gnu::noinline]] std::string_view Unescape(std::string_view v, std::string* scratch) {
  scratch->clear();
  AppendUnescaped(scratch, v);
  return *scratch;
}

inline std::string_view CellView(const char* base, const CellSpan& s, std::string* scratch) {
  const std::string_view v(base + s.offset, s.size());
  if (!s.escaped()) [[likely]]
    return v;
  return Unescape(v, scratch);
}

inline uint32_t InternLocal(ColumnChunk* cc, std::string_view key, bool unstable) {
  bool inserted;
  const int32_t id = cc->dict.Intern(key, StringInterner::MakeProbe(key), &inserted);
  if (inserted) {
    if (unstable) cc->dict.SetKey(static_cast<size_t>(id), cc->arena.Store(key));
    cc->dict_count.push_back(0);
  }
  ++cc->dict_count[static_cast<size_t>(id)];
  return static_cast<uint32_t>(id);
}

// Records `raw`, a text cell whose trimmed form was interned: pandas keeps its spaces.
[[gnu::noinline]] void NoteUntrimmed(ColumnChunk* cc, std::string_view raw, bool unstable) {
  if (cc->untrimmed_overflowed) return;
  bool inserted;
  const int32_t id = cc->untrimmed.Intern(raw, StringInterner::MakeProbe(raw), &inserted);
  if (inserted) {
    if (unstable) cc->untrimmed.SetKey(static_cast<size_t>(id), cc->arena.Store(raw));
    cc->untrimmed_count.push_back(0);
    cc->untrimmed_overflowed = cc->untrimmed.size() > kMaxCategories;
  }
  ++cc->untrimmed_count[static_cast<size_t>(id)];
}

// Records a cell Keel reads as missing when pandas' read_csv would read it as a value
// (whitespace-only, a token such as "?" that pandas does not know, or a padded token).
inline void NoteMissing(ColumnChunk* cc, std::string_view raw, std::string_view trimmed) {
  if (raw.empty() || cc->pandas_value.has_value()) return;
  if (trimmed.size() == raw.size() && IsPandasMissingText(trimmed)) return;
  cc->pandas_value = Clip(raw);
}

// Pass 1 for one column over a block of rows of one chunk: `cells` holds `rows` rows of
// `ncols` spans (text at base + offset) for chunk rows [first_row, first_row + rows). The
// mode is a template parameter so the per-cell loop holds only the parse it needs.
// Flattened: the small helpers of the per-cell loop (MissingTokens::IsMissing, InternLocal,
// CellView) are inlined into it whatever GCC's size heuristics make of this file (left to
// them, IsMissing was a call per cell once BuildTable became a class: +3% instructions).
template <ParseMode kMode>
[[gnu::flatten]] void Classify(const char* base, const CellSpan* cells, size_t rows,
                               size_t first_row, size_t ncols, size_t j,
                               const MissingTokens& missing, char decimal, bool trim, bool intern,
                               ColumnChunk* out) {
  KindEvidence& e = out->evidence;
  intern = intern && !out->overflowed;
  std::string scratch;
  for (size_t r = 0; r < rows; ++r) {
    const CellSpan& s = cells[r * ncols + j];
    uint8_t cls = kMissingCell;
    uint64_t val = 0;
    if (!s.null()) {
      const std::string_view raw = CellView(base, s, &scratch);
      const std::string_view t = TrimCell(raw);
      if (!missing.IsMissing(t)) {
        cls = static_cast<uint8_t>(ClassifyCellText<kMode>(t, decimal, &val));
        if (cls == static_cast<uint8_t>(CellType::kText)) {
          if (intern) {
            cls = kTextCell;
            val = InternLocal(out, trim ? t : raw, s.escaped());
            if (trim && t.size() != raw.size()) [[unlikely]]
              NoteUntrimmed(out, raw, s.escaped());
            if constexpr (kMode == ParseMode::kInfer) {
              if (out->dict.size() > kMaxCategories) {
                out->overflowed = true;
                intern = false;
              }
            }
          } else {
            cls = kSpanCell;
            val = PackSpan(s);
          }
        }
      } else {
        NoteMissing(out, raw, t);
      }
    }
    out->cls[first_row + r] = cls;
    out->val.set(first_row + r, val);
    switch (cls) {
      case kMissingCell:
        ++e.missing;
        break;
      case kNumberCell:
        ++e.numbers;
        break;
      case kBoolCell:
        ++e.booleans;
        break;
      case kTimeCell:
        ++e.timestamps;
        break;
      default:
        ++e.texts;
        break;
    }
  }
}

void ClassifyColumn(ParseMode mode, const char* base, const CellSpan* cells, size_t rows,
                    size_t first_row, size_t ncols, size_t j, const MissingTokens& missing,
                    char decimal, bool trim, bool intern, ColumnChunk* out) {
  switch (mode) {
    case ParseMode::kInfer:
      return Classify<ParseMode::kInfer>(base, cells, rows, first_row, ncols, j, missing, decimal,
                                         trim, intern, out);
    case ParseMode::kNumeric:
      return Classify<ParseMode::kNumeric>(base, cells, rows, first_row, ncols, j, missing, decimal,
                                           trim, intern, out);
    case ParseMode::kBoolean:
      return Classify<ParseMode::kBoolean>(base, cells, rows, first_row, ncols, j, missing, decimal,
                                           trim, intern, out);
    case ParseMode::kTimestamp:
      return Classify<ParseMode::kTimestamp>(base, cells, rows, first_row, ncols, j, missing,
                                             decimal, trim, intern, out);
    case ParseMode::kText:
      return Classify<ParseMode::kText>(base, cells, rows, first_row, ncols, j, missing, decimal,
                                        trim, intern, out);
  }
}

// The spans of one used row's cells: stored (JSON Lines) or re-split from the source (CSV,
// whose spans are not kept after classification).
void RowCells(const TokenizedData& data, const RawChunk& ch, const ChunkWork& w, uint32_t row,
              size_t ncols, CellSpan* out) {
  if (!ch.cells.empty()) {
    std::copy_n(ch.cells.data() + size_t{row} * ncols, ncols, out);
    return;
  }
  const RawRecord& rec = ch.records[w.row_record[row]];
  SplitCsvRecord(data.source, rec.begin, ch.begin, *data.csv, ncols, out);
}

// Text columns (being inferred) whose cells partly parsed as numbers etc.: those cells
// become texts too, interned when the column keeps a dictionary, else kept as spans. Each
// dictionary is rebuilt in row order so ids stay in order of first appearance.
void ConvertTypedCells(const TokenizedData& data, size_t c, const std::vector<size_t>& columns,
                       size_t ncols, bool trim, ChunkWork* w) {
  const RawChunk& ch = data.chunks[c];
  std::vector<StringInterner> old(columns.size());
  for (size_t k = 0; k < columns.size(); ++k) {
    ColumnChunk& cc = w->columns[columns[k]];
    if (cc.overflowed) continue;
    old[k] = std::move(cc.dict);
    cc.dict = StringInterner();
    cc.dict_count.clear();
  }
  std::vector<CellSpan> cells(ncols);
  std::string scratch;
  for (size_t r = 0; r < ch.rows; ++r) {
    bool split = false;
    for (size_t k = 0; k < columns.size(); ++k) {
      ColumnChunk& cc = w->columns[columns[k]];
      const uint8_t cls = cc.cls[r];
      if (cls == kMissingCell || cls == kSpanCell) continue;
      if (cls == kTextCell) {
        // Old keys already live in the source or the chunk's arena.
        if (!cc.overflowed) cc.val.set(r, InternLocal(&cc, old[k].key(cc.val[r]), false));
        continue;
      }
      if (!split) {
        RowCells(data, ch, *w, static_cast<uint32_t>(r), ncols, cells.data());
        split = true;
      }
      const CellSpan& s = cells[columns[k]];
      if (cc.overflowed) {
        cc.cls[r] = kSpanCell;
        cc.val.set(r, PackSpan(s));
      } else {
        const std::string_view raw = CellView(ch.base, s, &scratch);
        const std::string_view t = trim ? TrimCell(raw) : raw;
        cc.val.set(r, InternLocal(&cc, t, s.escaped()));
        if (t.size() != raw.size()) NoteUntrimmed(&cc, raw, s.escaped());
        cc.cls[r] = kTextCell;
      }
    }
  }
}

std::string_view KindNoun(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kNumeric:
      return "a number";
    case ColumnKind::kBoolean:
      return "true or false";
    case ColumnKind::kTimestamp:
      return "an ISO 8601 timestamp";
    default:
      return "text";
  }
}

// Merges the per-chunk dictionaries of column j into plan.exact and groups the spellings.
void MergeDictionaries(size_t j, bool normalize_case, std::vector<ChunkWork>* work,
                       ColumnPlan* plan) {
  for (auto& w : *work) {
    ColumnChunk& cc = w.columns[j];
    cc.to_exact.resize(cc.dict.size());
    for (size_t id = 0; id < cc.dict.size(); ++id) {
      cc.to_exact[id] = plan->exact.Intern(cc.dict.key(id), cc.dict.probe(id));
    }
  }
  const bool seeded = plan->schema != nullptr && plan->validate;
  plan->groups = GroupSpellings(seeded ? std::span<const std::string>(plan->schema->categories)
                                       : std::span<const std::string>(),
                                plan->exact.keys(), normalize_case);
}

// Gathers what pandas would see of column j (after MergeDictionaries): occurrences per
// exact spelling in all rows, the raw spellings trimming changed, the cells Keel reads as
// missing that pandas reads as values.
void MergePandasEvidence(size_t j, const std::vector<ChunkWork>& work, ColumnPlan* plan) {
  plan->exact_seen.assign(plan->exact.size(), 0);
  for (const auto& w : work) {
    const ColumnChunk& cc = w.columns[j];
    for (size_t id = 0; id < cc.dict.size(); ++id) {
      plan->exact_seen[static_cast<size_t>(cc.to_exact[id])] += cc.dict_count[id];
    }
    plan->untrimmed_overflowed |= cc.untrimmed_overflowed;
    if (!plan->pandas_value && cc.pandas_value) plan->pandas_value = cc.pandas_value;
    for (size_t u = 0; u < cc.untrimmed.size(); ++u) {
      const std::string_view raw = cc.untrimmed.key(u);
      bool inserted;
      const int32_t id = plan->untrimmed.Intern(raw, cc.untrimmed.probe(u), &inserted);
      if (inserted) plan->untrimmed_of.emplace_back(plan->exact.Find(TrimCell(raw)), 0);
      plan->untrimmed_of[static_cast<size_t>(id)].second += cc.untrimmed_count[u];
    }
  }
}

// Why pandas' read_csv would not make the categories of column `p` (category_order.h), whose
// output `dictionary` NameCategories made; "" when it would, so that their sorted list
// numbers them as pandas does.
std::string PandasMismatch(const ColumnPlan& p, const std::vector<std::string>& dictionary) {
  if (p.pandas_value) {
    return fmt::format("Keel reads \"{}\" as missing, pandas as a category", *p.pandas_value);
  }
  if (p.untrimmed_overflowed) return "too many spellings with surrounding spaces to compare";
  std::vector<uint64_t> plain = p.exact_seen;  // occurrences spelled as the trimmed text
  std::vector<std::vector<std::string>> spellings(p.groups.name.size());
  for (size_t u = 0; u < p.untrimmed_of.size(); ++u) {
    const auto [id, count] = p.untrimmed_of[u];
    if (id < 0) continue;
    plain[static_cast<size_t>(id)] -= std::min(plain[static_cast<size_t>(id)], count);
    spellings[static_cast<size_t>(p.groups.group_of[static_cast<size_t>(id)])].emplace_back(
        p.untrimmed.key(u));
  }
  for (size_t id = 0; id < p.exact.size(); ++id) {
    if (plain[id] > 0) {
      spellings[static_cast<size_t>(p.groups.group_of[id])].emplace_back(p.exact.key(id));
    }
  }
  std::vector<SpelledCategory> categories;
  for (size_t g = 0; g < p.groups.name.size(); ++g) {
    if (spellings[g].empty()) continue;
    if (p.groups.code[g] < 0) {
      return fmt::format("\"{}\" occurs only in rows Keel rejects", spellings[g][0]);
    }
    std::sort(spellings[g].begin(), spellings[g].end());
    categories.push_back({dictionary[static_cast<size_t>(p.groups.code[g])], spellings[g]});
  }
  return PandasCategoryMismatch(categories);
}

AnomalyKind KindOfStatus(RecordStatus s) {
  switch (s) {
    case RecordStatus::kWrongFieldCount:
      return AnomalyKind::kWrongFieldCount;
    case RecordStatus::kInvalidUtf8:
      return AnomalyKind::kEncodingError;
    case RecordStatus::kUnterminatedQuote:
    case RecordStatus::kTextAfterQuote:
      return AnomalyKind::kMalformedQuoting;
    case RecordStatus::kFieldTooLarge:
      return AnomalyKind::kFieldTooLarge;
    case RecordStatus::kInvalidJson:
    case RecordStatus::kNotAnObject:
    case RecordStatus::kOk:
      break;
  }
  return AnomalyKind::kInvalidRecord;
}

std::string ReasonOfStatus(const RawChunk& ch, const RawRecord& rec, size_t ncols,
                           const std::vector<ColumnPlan>& plans, std::string* column) {
  switch (rec.status) {
    case RecordStatus::kWrongFieldCount:
      return fmt::format("expected {} fields, found {}", ncols, rec.aux);
    case RecordStatus::kInvalidUtf8:
      return fmt::format("invalid UTF-8 at byte {} of the record", rec.aux);
    case RecordStatus::kUnterminatedQuote:
      return "a quoted field is not closed before the end of the data (truncated file?)";
    case RecordStatus::kTextAfterQuote:
      if (rec.aux < ncols) *column = plans[rec.aux].name;
      return fmt::format("text after the closing quote of field {}", rec.aux + 1);
    case RecordStatus::kFieldTooLarge:
      if (rec.aux < ncols) *column = plans[rec.aux].name;
      return fmt::format("field {} is larger than {} bytes", rec.aux + 1, kMaxCellBytes);
    case RecordStatus::kInvalidJson:
      return fmt::format("not valid JSON ({})",
                         rec.aux < ch.notes.size() ? ch.notes[rec.aux] : "parse error");
    case RecordStatus::kNotAnObject:
      return "the record is not a JSON object";
    case RecordStatus::kOk:
      break;
  }
  return "bad record";
}

// Sets up names, schema entries and parse modes; adds the related column-level anomalies.
Status PlanColumns(const std::vector<std::string>& raw_names, const ReadOptions& options,
                   const std::string& source, std::vector<ColumnPlan>* plans,
                   IngestReport* report) {
  const size_t ncols = raw_names.size();
  plans->resize(ncols);
  std::unordered_set<std::string> used;
  for (size_t j = 0; j < ncols; ++j) {
    std::string name(TrimCell(raw_names[j]));
    if (name.empty()) name = fmt::format("col_{}", j + 1);
    if (used.count(name) != 0) {
      std::string renamed;
      for (int k = 2;; ++k) {
        renamed = fmt::format("{}_{}", name, k);
        if (used.count(renamed) == 0) break;
      }
      Anomaly a;
      a.kind = AnomalyKind::kDuplicateColumnName;
      a.severity = Severity::kWarning;
      a.column = renamed;
      a.value = name;
      a.message = fmt::format("column {} repeats the name \"{}\"; it is read as \"{}\"", j + 1,
                              name, renamed);
      report->AddAnomaly(std::move(a), options.max_anomalies);
      name = renamed;
    }
    used.insert(name);
    (*plans)[j].name = std::move(name);
  }
  const Schema* schema = options.schema;
  for (auto& p : *plans) {
    if (schema != nullptr) {
      p.schema = schema->Find(p.name);
      if (p.schema == nullptr) {
        Anomaly a;
        a.kind = AnomalyKind::kUnexpectedColumn;
        a.severity = Severity::kWarning;
        a.column = p.name;
        a.message = fmt::format("column \"{}\" is not in the schema; its kind is inferred", p.name);
        report->AddAnomaly(std::move(a), options.max_anomalies);
      } else if (p.schema->role == Role::kIgnore) {
        p.fixed = ColumnKind::kString;
      } else {
        p.fixed = p.schema->kind;
        p.validate = true;
        p.is_target = p.schema->role == Role::kTarget;
      }
    }
    auto it = options.kind_overrides.find(p.name);
    if (it != options.kind_overrides.end()) p.fixed = it->second;
    if (p.fixed.has_value()) {
      switch (*p.fixed) {
        case ColumnKind::kNumeric:
          p.mode = ParseMode::kNumeric;
          break;
        case ColumnKind::kBoolean:
          p.mode = ParseMode::kBoolean;
          break;
        case ColumnKind::kTimestamp:
          p.mode = ParseMode::kTimestamp;
          break;
        case ColumnKind::kCategorical:
        case ColumnKind::kString:
          p.mode = ParseMode::kText;
          break;
      }
    }
  }
  std::vector<std::string> names;
  for (const auto& p : *plans) names.push_back(p.name);
  return CheckSchemaColumns(names, options, source, report);
}

// One BuildTable call: the state its passes share and the passes as steps, run in order by
// Run(). Each pass is parallel over chunks (or columns) and merges in chunk order, so the
// result does not depend on the thread count.
class TableBuild {
 public:
  TableBuild(TokenizedData data, const ReadOptions& options, IngestReport report,
             const Context& ctx)
      : data_(std::move(data)),
        options_(options),
        report_(std::move(report)),
        ctx_(ctx),
        threads_(ctx.threads()),
        progress_enabled_(ctx.progress),
        ncols_(data_.names.size()),
        missing_(options.missing_tokens),
        schema_(options.schema),
        has_labels_(schema_ != nullptr && !schema_->labels.empty()),
        csv_(data_.csv.has_value()),
        decimal_(csv_ ? data_.csv->decimal : '.') {}

  Result<IngestResult> Run();

 private:
  // Pass 1: tokenize (CSV) and classify every cell.
  Status ClassifyCells();
  Status SizeSlots();
  Status ClassifyChunk(size_t c, uint64_t begin);
  void PrepareChunk(size_t c, size_t capacity);
  void ClassifyBlock(size_t c, const char* base, const CellSpan* cells, size_t first_row,
                     size_t rows);
  Status RedoMisalignedChunks();
  void NumberLines();
  uint64_t ChunkEnd(size_t k) const {
    return k + 1 < starts_.size() ? starts_[k + 1] : data_.source.size();
  }
  // Pass 2: each column's kind and dictionary.
  Status DecideKinds();
  // Pass 3: cell issues, and the rows they reject.
  Status Validate();
  void ValidateChunk(size_t c);
  // Pass 4: every record used, rejected or a duplicate, in file order; then the dictionaries.
  Status Account();
  Result<std::vector<DuplicateRecord>> FindDuplicates();
  void AccountChunk(size_t c, const std::vector<DuplicateRecord>& dups, size_t* next_dup);
  Status FinalizeDictionaries();
  // Pass 5: the output columns, their statistics and the source lines.
  Status WriteColumns();
  void WriteColumn(size_t j);
  std::vector<double> NumericInPlace(size_t j);
  // Column j's cells of the used rows, in order: value(class, value bits) for each.
  template <typename T, typename Value>
  std::vector<T> GatherUsed(size_t j, Value value) const;
  void WriteSourceLines();
  // Afterwards: the table, per-column issue counts and the schema.
  Result<IngestResult> Finish();
  void AddInferredColumns(IngestResult* result) const;

  // Inputs.
  TokenizedData data_;
  const ReadOptions& options_;
  IngestReport report_;
  const Context& ctx_;  // cancellation is checked between passes
  const int threads_;
  const bool progress_enabled_;
  const size_t ncols_;
  const MissingTokens missing_;
  const Schema* const schema_;
  const bool has_labels_;  // the schema has a label mapping (checked on the target)
  const bool csv_;         // CSV, tokenized here; else JSON Lines chunks arrive tokenized
  const char decimal_;     // the CSV's decimal mark ('.' for JSON Lines)

  // Built by the passes.
  std::vector<ColumnPlan> plans_;  // per column
  std::vector<uint8_t> interns_;   // per column: pass 1 keeps a dictionary of texts
  std::vector<uint64_t> starts_;   // CSV: the guessed byte offset of each chunk
  std::vector<ChunkWork> work_;    // per chunk
  // Per column, from pass 1 until the column is written: an 8-byte slot for every row a chunk
  // may hold, chunk c's from work_[c].slot_begin on (SizeSlots). Either the doubles that
  // become the numeric output column in place (output_slots_) or untouched scratch memory.
  struct ColumnSlots {
    std::vector<double> doubles;
    BufferVector<uint64_t> scratch;
    void* data() { return doubles.empty() ? static_cast<void*>(scratch.data()) : doubles.data(); }
  };
  std::vector<ColumnSlots> slots_;
  std::vector<size_t> capacity_;  // per chunk: the most rows it can hold
  bool output_slots_ = false;
  std::optional<Progress> progress_;
  std::vector<size_t> dict_columns_;              // columns read as categorical (after pass 2)
  uint64_t total_out_ = 0;                        // rows in the table
  std::vector<std::vector<uint32_t>> used_rows_;  // per chunk: its used rows
  std::vector<Column> columns_;
  std::vector<uint64_t> lines_;  // per used row: its physical line
};

Result<IngestResult> TableBuild::Run() {
  if (ncols_ == 0) return Status::InvalidArgument("{}: the data has no columns", report_.source);
  KEEL_RETURN_IF_ERROR(PlanColumns(data_.names, options_, report_.source, &plans_, &report_));
  // Each pass takes a fraction of a second per million rows: a caller that cancels (Python's
  // Ctrl-C, a server shutting down) waits at most one pass.
  const std::string what = "reading " + report_.source;
  auto pass = [&](Status status) -> Status {
    KEEL_RETURN_IF_ERROR(status);
    return ctx_.CheckCancelled(what.c_str());
  };
  Stopwatch phase;  // phase times, logged at debug level
  KEEL_RETURN_IF_ERROR(pass(ctx_.CheckCancelled(what.c_str())));
  KEEL_RETURN_IF_ERROR(pass(ClassifyCells()));
  const double t_classify = phase.Seconds();
  KEEL_RETURN_IF_ERROR(pass(DecideKinds()));
  const double t_kinds = phase.Seconds();
  KEEL_RETURN_IF_ERROR(pass(Validate()));
  const double t_validate = phase.Seconds();
  KEEL_RETURN_IF_ERROR(pass(Account()));
  const double t_account = phase.Seconds();
  KEEL_RETURN_IF_ERROR(pass(FinalizeDictionaries()));
  const double t_dictionaries = phase.Seconds();
  KEEL_RETURN_IF_ERROR(pass(WriteColumns()));
  const double t_columns = phase.Seconds();
  const std::string source = report_.source;
  Result<IngestResult> result = Finish();
  log::Debug(
      "{}: read phases (s): tokenize+classify {:.3f}, kinds {:.3f}, validate {:.3f}, "
      "account {:.3f}, dictionaries {:.3f}, columns+stats {:.3f}, schema {:.3f}",
      source, t_classify, t_kinds - t_classify, t_validate - t_kinds, t_account - t_validate,
      t_dictionaries - t_account, t_columns - t_dictionaries, phase.Seconds() - t_columns);
  return result;
}

// Pass 1. Every cell is classified as missing, number, boolean, timestamp or text, keeping
// its parsed value, and texts go to a per-chunk dictionary of the column; CSV is tokenized
// here, block by block, each block classified while its spans are hot in cache (spans are
// never stored); JSON Lines chunks arrive tokenized. The chunks' lines are numbered after.
Status TableBuild::ClassifyCells() {
  std::vector<RawChunk>& chunks = data_.chunks;
  if (csv_) {
    starts_ = GuessChunkStarts(data_.source, data_.csv_begin, data_.csv_chunks);
    chunks.assign(starts_.size(), RawChunk());
  }
  const size_t nchunks = chunks.size();
  work_.resize(nchunks);
  KEEL_RETURN_IF_ERROR(SizeSlots());
  progress_.emplace("reading", nchunks * 2 + ncols_,
                    progress_enabled_ && data_.source.size() > (32u << 20));
  interns_.resize(ncols_);
  for (size_t j = 0; j < ncols_; ++j) {
    interns_[j] =
        plans_[j].mode == ParseMode::kInfer || plans_[j].fixed == ColumnKind::kCategorical;
  }
  KEEL_RETURN_IF_ERROR(ParallelFor(threads_, nchunks, [&](size_t c) {
    Status s = ClassifyChunk(c, csv_ ? starts_[c] : 0);
    progress_->Add(1);
    return s;
  }));
  if (csv_) KEEL_RETURN_IF_ERROR(RedoMisalignedChunks());
  NumberLines();
  return Status::OK();
}

// Sizes the slot buffers. A chunk holds at most its JSON Lines rows, or for CSV one more
// record than its line breaks (each record ends at a line break or at the end of the data).
// When that bound is near the truth, which it is when there are no more slots than bytes of
// records (a record of n cells takes at least n bytes; blank lines and line breaks inside
// quotes are what add slots without cells), the slots are a zero-filled std::vector<double>
// per column, filled here in parallel, that a numeric column becomes in place (pass 5): its
// pages are first touched once, instead of a chunk buffer's and then the output's (page
// zeroing was a third of `keel ingest`'s time on a million numeric rows). Otherwise (many
// multi-line fields) the slots are scratch memory touched only where rows are written.
Status TableBuild::SizeSlots() {
  const size_t nchunks = work_.size();
  capacity_.assign(nchunks, 0);
  const StopMaskFn count_fn = GetStopMaskFn(BestSimdLevel());
  KEEL_RETURN_IF_ERROR(ParallelFor(threads_, nchunks, [&](size_t c) {
    if (!csv_) {
      capacity_[c] = data_.chunks[c].rows;
      return;
    }
    capacity_[c] =
        CountLineBreaks(data_.source.data() + starts_[c], ChunkEnd(c) - starts_[c], count_fn) + 1;
  }));
  uint64_t total = 0;
  for (size_t c = 0; c < nchunks; ++c) {
    work_[c].slot_begin = total;
    total += capacity_[c];
  }
  const uint64_t bytes =
      data_.source.size() - std::min<uint64_t>(data_.csv_begin, data_.source.size());
  output_slots_ = !csv_ || total * ncols_ <= bytes + nchunks * ncols_;
  slots_.resize(ncols_);
  return ParallelFor(threads_, ncols_, [&](size_t j) {
    ColumnSlots& s = slots_[j];
    if (output_slots_) {
      s.doubles.reserve(total);
      AdviseHugePages(s.doubles.data(), total * sizeof(double));
      s.doubles.resize(total);
    } else {
      s.scratch.resize(total);  // default-initialized: untouched
    }
  });
}

// Chunk c's class buffer (`capacity` rows per column) and its columns' views of their slots.
void TableBuild::PrepareChunk(size_t c, size_t capacity) {
  ChunkWork& w = work_[c];
  const uint64_t slot_begin = w.slot_begin;
  w = ChunkWork();
  w.columns.resize(ncols_);
  w.capacity = capacity;
  w.slot_begin = slot_begin;
  w.classes = BufferVector<uint8_t>(capacity * ncols_);
  for (size_t j = 0; j < ncols_; ++j) {
    w.columns[j].cls = w.classes.data() + j * capacity;
    w.columns[j].val =
        CellValues(static_cast<char*>(slots_[j].data()) + slot_begin * sizeof(uint64_t));
  }
}

void TableBuild::ClassifyBlock(size_t c, const char* base, const CellSpan* cells, size_t first_row,
                               size_t rows) {
  for (size_t j = 0; j < ncols_; ++j) {
    ClassifyColumn(plans_[j].mode, base, cells, rows, first_row, ncols_, j, missing_, decimal_,
                   options_.trim, interns_[j] != 0, &work_[c].columns[j]);
  }
}

// Classifies chunk c; CSV: tokenizes it first, from byte `begin` to the next chunk's start.
Status TableBuild::ClassifyChunk(size_t c, uint64_t begin) {
  std::vector<RawChunk>& chunks = data_.chunks;
  if (!csv_) {
    const RawChunk& ch = chunks[c];
    PrepareChunk(c, ch.rows);
    for (size_t first = 0; first < ch.rows; first += kCellBlockRows) {
      ClassifyBlock(c, ch.base, ch.cells.data() + first * ncols_, first,
                    std::min<size_t>(kCellBlockRows, ch.rows - first));
    }
    return Status::OK();
  }
  const uint64_t end = ChunkEnd(c);
  PrepareChunk(c, capacity_[c]);
  const char* base = data_.source.data() + begin;
  bool overflow = false;  // cannot happen (SizeSlots' bound); checked all the same
  const CellBlockFn on_block = [this, c, base, &overflow](const CellSpan* cells, size_t first,
                                                          size_t rows) {
    if (first + rows > work_[c].capacity) {
      overflow = true;
      return;
    }
    ClassifyBlock(c, base, cells, first, rows);
  };
  chunks[c] = RawChunk();
  KEEL_RETURN_IF_ERROR(
      TokenizeCsvChunk(data_.source, begin, end, *data_.csv, ncols_, &chunks[c], &on_block));
  if (overflow) {
    return Status::Internal("{}: more records than line breaks in bytes {} to {}", report_.source,
                            begin, end);
  }
  return Status::OK();
}

// CSV chunks began at guessed record starts; redoes any that began inside the previous
// chunk's last record (a quoted field holding a line break), in order.
Status TableBuild::RedoMisalignedChunks() {
  std::vector<RawChunk>& chunks = data_.chunks;
  for (size_t k = 1; k < chunks.size(); ++k) {
    const uint64_t truth = chunks[k - 1].end;
    if (truth == chunks[k].begin) continue;
    if (truth >= ChunkEnd(k)) {
      chunks[k] = RawChunk();
      chunks[k].begin = chunks[k].end = truth;
      chunks[k].base = data_.source.data() + truth;
      PrepareChunk(k, 0);
      continue;
    }
    KEEL_RETURN_IF_ERROR(ClassifyChunk(k, truth));
  }
  return Status::OK();
}

// Gives each chunk its first line (chunks count their own newlines) and each row its record.
void TableBuild::NumberLines() {
  std::vector<RawChunk>& chunks = data_.chunks;
  uint64_t next_line = data_.first_line;
  for (size_t c = 0; c < chunks.size(); ++c) {
    chunks[c].first_line = next_line;
    next_line += chunks[c].newlines;
    ChunkWork& w = work_[c];
    w.row_record.resize(chunks[c].rows);
    for (size_t i = 0; i < chunks[c].records.size(); ++i) {
      const RawRecord& rec = chunks[c].records[i];
      if (rec.status == RecordStatus::kOk) w.row_record[rec.row] = static_cast<uint32_t>(i);
    }
  }
  if (csv_) {
    const bool unterminated = !data_.source.empty() && data_.source.back() != '\n';
    report_.lines = next_line - 1 + (unterminated ? 1 : 0);
  }
}

// Pass 2. Decides each column's kind from the evidence of all chunks (a schema's or an
// override's kind wins; else type_inference.h); cells of an inferred text column that parsed
// as something else become texts; the chunks' dictionaries of categorical columns are merged
// into one per column (and a categorical column with too many values becomes a string one).
Status TableBuild::DecideKinds() {
  const size_t nchunks = work_.size();
  std::vector<size_t> text_columns;  // inferred columns that turned out to be text
  for (size_t j = 0; j < ncols_; ++j) {
    ColumnPlan& p = plans_[j];
    for (const auto& w : work_) {
      const KindEvidence& e = w.columns[j].evidence;
      p.evidence.missing += e.missing;
      p.evidence.numbers += e.numbers;
      p.evidence.booleans += e.booleans;
      p.evidence.timestamps += e.timestamps;
      p.evidence.texts += e.texts;
    }
    bool overflowed = false;
    for (const auto& w : work_) overflowed |= w.columns[j].overflowed;
    if (p.fixed.has_value()) {
      p.kind = *p.fixed;
    } else if (auto typed = InferTypedKind(p.evidence)) {
      p.kind = *typed;
    } else {
      // Text: more than kMaxCategories distinct values in one chunk make a string column;
      // otherwise categorical or string is decided after merging the dictionaries.
      p.kind = overflowed ? ColumnKind::kString : ColumnKind::kCategorical;
      if (p.evidence.numbers + p.evidence.booleans + p.evidence.timestamps > 0) {
        text_columns.push_back(j);
      }
    }
  }
  if (!text_columns.empty()) {
    KEEL_RETURN_IF_ERROR(ParallelFor(threads_, nchunks, [&](size_t c) {
      ConvertTypedCells(data_, c, text_columns, ncols_, options_.trim, &work_[c]);
    }));
  }
  for (size_t j = 0; j < ncols_; ++j) {
    if (plans_[j].kind == ColumnKind::kCategorical) dict_columns_.push_back(j);
  }
  return ParallelFor(threads_, dict_columns_.size(), [&](size_t k) {
    const size_t j = dict_columns_[k];
    ColumnPlan& p = plans_[j];
    MergeDictionaries(j, options_.normalize_case, &work_, &p);
    if (p.schema == nullptr) MergePandasEvidence(j, work_, &p);
    if (!p.fixed.has_value())
      p.kind = InferTextKind(p.groups.data_groups, p.evidence.non_missing());
    if (p.kind == ColumnKind::kCategorical && p.is_target && has_labels_) {
      p.label_unseen.resize(p.exact.size());
      for (size_t id = 0; id < p.exact.size(); ++id) {
        p.label_unseen[id] = schema_->labels.ClassOf(p.exact.key(id)) < 0 ? 1 : 0;
      }
    }
  });
}

// Pass 3. Lists each chunk's cell issues, sorted by (row, column): cells that are not of
// their column's kind reject their row; with a schema, numbers out of its range, categories
// it does not list (warnings unless asked to reject) and target labels of no class.
Status TableBuild::Validate() {
  return ParallelFor(threads_, work_.size(), [&](size_t c) {
    ValidateChunk(c);
    progress_->Add(1);
  });
}

void TableBuild::ValidateChunk(size_t c) {
  ChunkWork& w = work_[c];
  const size_t n = data_.chunks[c].rows;
  w.rejected.assign(n, 0);
  w.dropped.assign(n, 0);
  for (size_t j = 0; j < ncols_; ++j) {
    const ColumnPlan& p = plans_[j];
    const ColumnChunk& cc = w.columns[j];
    const auto col = static_cast<uint32_t>(j);
    auto issue = [&](size_t r, AnomalyKind kind, Severity sev) {
      w.issues.push_back({static_cast<uint32_t>(r), col, kind, sev});
      if (sev == Severity::kError) w.rejected[r] = 1;
    };
    switch (p.kind) {
      case ColumnKind::kNumeric: {
        const bool check = p.validate && (p.schema->min.has_value() || p.schema->max.has_value());
        const double lo =
            check && p.schema->min ? *p.schema->min : -std::numeric_limits<double>::infinity();
        const double hi =
            check && p.schema->max ? *p.schema->max : std::numeric_limits<double>::infinity();
        const Severity range_sev =
            options_.reject_out_of_range ? Severity::kError : Severity::kWarning;
        for (size_t r = 0; r < n; ++r) {
          const uint8_t cls = cc.cls[r];
          if (cls == kMissingCell) continue;
          if (cls != kNumberCell) {
            issue(r, AnomalyKind::kTypeMismatch, Severity::kError);
          } else if (check) {
            const double v = std::bit_cast<double>(cc.val[r]);
            if (v < lo || v > hi) issue(r, AnomalyKind::kOutOfRange, range_sev);
          }
        }
        break;
      }
      case ColumnKind::kBoolean:
      case ColumnKind::kTimestamp: {
        const uint8_t want = p.kind == ColumnKind::kBoolean ? kBoolCell : kTimeCell;
        for (size_t r = 0; r < n; ++r) {
          const uint8_t cls = cc.cls[r];
          if (cls != kMissingCell && cls != want) {
            issue(r, AnomalyKind::kTypeMismatch, Severity::kError);
          }
        }
        break;
      }
      case ColumnKind::kCategorical: {
        const bool check_new = p.validate && !p.schema->categories.empty();
        const Severity new_sev =
            options_.reject_new_categories ? Severity::kError : Severity::kWarning;
        const bool check_labels = !p.label_unseen.empty();
        if (!check_new && !check_labels) break;
        for (size_t r = 0; r < n; ++r) {
          if (cc.cls[r] == kMissingCell) continue;
          const auto exact = static_cast<size_t>(cc.to_exact[cc.val[r]]);
          if (check_new && static_cast<size_t>(p.groups.group_of[exact]) >= p.groups.seeded) {
            issue(r, AnomalyKind::kNewCategory, new_sev);
          }
          if (check_labels && p.label_unseen[exact] != 0) {
            issue(r, AnomalyKind::kUnseenLabel, Severity::kWarning);
          }
        }
        break;
      }
      case ColumnKind::kString:
        break;
    }
  }
  std::stable_sort(w.issues.begin(), w.issues.end(), [](const CellIssue& a, const CellIssue& b) {
    return a.row != b.row ? a.row < b.row : a.column < b.column;
  });
}

// Pass 4. Accounts for every record in file order, so the report's counts add up: records
// the tokenizer refused and rows with an error are rejected (with the first error as the
// reason), every cell issue becomes an anomaly with its line, and exact duplicates of an
// earlier used record are counted (and dropped when asked). Sets each chunk's output rows.
Status TableBuild::Account() {
  report_.rows_read = 0;
  report_.blank_lines = 0;
  KEEL_ASSIGN_OR_RETURN(const std::vector<DuplicateRecord> dups, FindDuplicates());
  size_t next_dup = 0;
  for (size_t c = 0; c < work_.size(); ++c) AccountChunk(c, dups, &next_dup);
  report_.rows_rejected = report_.rejected.size();
  report_.duplicates_dropped = options_.drop_duplicates;
  for (auto& w : work_) {
    w.out_begin = total_out_;
    total_out_ += w.out_rows;
  }
  report_.rows_used = total_out_;
  return Status::OK();
}

// The used (not rejected) records that repeat an earlier one byte for byte, by line.
// Partitioned by hash so partitions run in parallel; each partition visits its records in
// file order, so the earlier record is always the one kept as "first". One partition per
// thread: every partition scans all records, so more would cost scans.
Result<std::vector<DuplicateRecord>> TableBuild::FindDuplicates() {
  const std::vector<RawChunk>& chunks = data_.chunks;
  uint64_t ok_rows = 0;
  for (const auto& ch : chunks) ok_rows += ch.rows;
  const size_t parts = static_cast<size_t>(std::max(threads_, 1));
  std::vector<std::vector<DuplicateRecord>> dups_of_part(parts);
  KEEL_RETURN_IF_ERROR(ParallelFor(threads_, parts, [&](size_t part) {
    DuplicateIndex index(chunks, data_.source, ok_rows / parts + 16);
    for (size_t c = 0; c < chunks.size(); ++c) {
      const RawChunk& ch = chunks[c];
      const ChunkWork& w = work_[c];
      for (size_t i = 0; i < ch.records.size(); ++i) {
        const RawRecord& rec = ch.records[i];
        if (rec.status != RecordStatus::kOk || (rec.hash >> 40) % parts != part) continue;
        if (w.rejected[rec.row] != 0) continue;
        const uint64_t first = index.FindOrAdd(static_cast<uint32_t>(c), static_cast<uint32_t>(i));
        if (first != 0) dups_of_part[part].push_back({ch.first_line + rec.line, first});
      }
    }
  }));
  // Duplicates are rare: gather them by line, to be looked up while accounting.
  std::vector<DuplicateRecord> dups;
  for (auto& d : dups_of_part) dups.insert(dups.end(), d.begin(), d.end());
  std::sort(dups.begin(), dups.end(),
            [](const DuplicateRecord& a, const DuplicateRecord& b) { return a.line < b.line; });
  return dups;
}

void TableBuild::AccountChunk(size_t c, const std::vector<DuplicateRecord>& dups,
                              size_t* next_dup) {
  const RawChunk& ch = data_.chunks[c];
  ChunkWork& w = work_[c];
  std::string scratch;
  std::vector<CellSpan> issue_cells(ncols_);
  report_.blank_lines += ch.blank_lines;
  size_t next_issue = 0;
  uint64_t kept = 0;
  for (const RawRecord& rec : ch.records) {
    ++report_.rows_read;
    const uint64_t line = ch.first_line + rec.line;
    const std::string_view raw = data_.source.substr(rec.begin, rec.size);
    if (rec.status != RecordStatus::kOk) {
      RejectedRecord rr;
      rr.line = line;
      rr.kind = KindOfStatus(rec.status);
      rr.reason = ReasonOfStatus(ch, rec, ncols_, plans_, &rr.column);
      rr.raw = std::string(raw);
      Anomaly a;
      a.kind = rr.kind;
      a.severity = Severity::kError;
      a.column = rr.column;
      a.line = line;
      a.message = rr.reason;
      report_.AddAnomaly(std::move(a), options_.max_anomalies);
      report_.rejected.push_back(std::move(rr));
      continue;
    }
    const uint32_t r = rec.row;
    const bool has_issue = next_issue < w.issues.size() && w.issues[next_issue].row == r;
    if (has_issue) RowCells(data_, ch, w, r, ncols_, issue_cells.data());
    RejectedRecord rr;
    bool have_reason = false;
    for (; next_issue < w.issues.size() && w.issues[next_issue].row == r; ++next_issue) {
      const CellIssue& is = w.issues[next_issue];
      const ColumnPlan& p = plans_[is.column];
      const std::string_view value = TrimCell(CellView(ch.base, issue_cells[is.column], &scratch));
      Anomaly a;
      a.kind = is.kind;
      a.severity = is.severity;
      a.column = p.name;
      a.line = line;
      a.value = Clip(value);
      switch (is.kind) {
        case AnomalyKind::kTypeMismatch:
          a.message =
              fmt::format("\"{}\" in column \"{}\" is not {}", a.value, p.name, KindNoun(p.kind));
          if (p.kind == ColumnKind::kNumeric && decimal_ != '.') {
            a.message += fmt::format(" (the decimal mark of this file is '{}')", decimal_);
          }
          break;
        case AnomalyKind::kOutOfRange:
          a.message =
              fmt::format("{} in column \"{}\" is outside the schema's range [{}, {}]", a.value,
                          p.name, p.schema->min ? FormatDouble(*p.schema->min) : "-inf",
                          p.schema->max ? FormatDouble(*p.schema->max) : "inf");
          break;
        case AnomalyKind::kNewCategory:
          a.message = fmt::format(
              "\"{}\" in column \"{}\" is not one of the schema's {} "
              "categories",
              a.value, p.name, p.schema->categories.size());
          break;
        case AnomalyKind::kUnseenLabel:
          a.message =
              fmt::format("target label \"{}\" maps to no class of the label mapping", a.value);
          break;
        default:
          a.message = "anomaly";
          break;
      }
      if (is.severity == Severity::kError && !have_reason) {
        have_reason = true;
        rr.column = p.name;
        rr.kind = is.kind;
        rr.reason = a.message;
      }
      report_.AddAnomaly(std::move(a), options_.max_anomalies);
    }
    if (w.rejected[r] != 0) {
      rr.line = line;
      rr.raw = std::string(raw);
      report_.rejected.push_back(std::move(rr));
      continue;
    }
    if (*next_dup < dups.size() && dups[*next_dup].line == line) {
      ++report_.duplicates;
      report_.duplicate_records.push_back(dups[(*next_dup)++]);
      if (options_.drop_duplicates) {
        w.dropped[r] = 1;
        continue;
      }
    }
    ++kept;
  }
  w.out_rows = kept;
}

// Counts each categorical column's spellings over the used rows only, then fixes its
// category names and output codes (cell_typing.h's NameCategories): a category seen only in
// rejected rows is not in the output.
Status TableBuild::FinalizeDictionaries() {
  return ParallelFor(threads_, dict_columns_.size(), [&](size_t k) {
    const size_t j = dict_columns_[k];
    ColumnPlan& p = plans_[j];
    if (p.kind != ColumnKind::kCategorical) return;
    p.exact_used.assign(p.exact.size(), 0);
    for (size_t c = 0; c < work_.size(); ++c) {
      const auto& w = work_[c];
      const ColumnChunk& cc = w.columns[j];
      for (size_t r = 0; r < data_.chunks[c].rows; ++r) {
        if (cc.cls[r] == kMissingCell || w.rejected[r] != 0 || w.dropped[r] != 0) continue;
        ++p.exact_used[static_cast<size_t>(cc.to_exact[cc.val[r]])];
      }
    }
    NameCategories(p.exact.keys(), p.exact_used, &p.groups);
  });
}

// Pass 5. Writes the columns of the used rows, and their statistics, one task per column.
// A numeric column is compacted in place in its slots (SizeSlots); any other output vector
// is appended to by its task, so it is not zero-filled first; the statistics run on the
// column while it is warm.
Status TableBuild::WriteColumns() {
  const size_t nchunks = work_.size();
  used_rows_.resize(nchunks);
  KEEL_RETURN_IF_ERROR(ParallelFor(threads_, nchunks, [&](size_t c) {
    const ChunkWork& w = work_[c];
    std::vector<uint32_t>& rows = used_rows_[c];
    rows.reserve(w.out_rows);
    for (const RawRecord& rec : data_.chunks[c].records) {
      if (rec.status != RecordStatus::kOk) continue;
      if (w.rejected[rec.row] != 0 || w.dropped[rec.row] != 0) continue;
      rows.push_back(rec.row);
    }
  }));
  columns_.resize(ncols_);
  report_.columns.resize(ncols_);
  // Tasks: one per column, string columns (the slowest) first so they do not finish last;
  // task ncols writes the source lines.
  std::vector<size_t> tasks;
  for (size_t j = 0; j < ncols_; ++j) {
    if (plans_[j].kind == ColumnKind::kString) tasks.push_back(j);
  }
  for (size_t j = 0; j < ncols_; ++j) {
    if (plans_[j].kind != ColumnKind::kString) tasks.push_back(j);
  }
  tasks.push_back(ncols_);
  KEEL_RETURN_IF_ERROR(ParallelFor(threads_, tasks.size(), [&](size_t t) {
    const size_t j = tasks[t];
    if (j == ncols_) {
      WriteSourceLines();
    } else {
      WriteColumn(j);
      report_.columns[j] = ComputeColumnStats(columns_[j], !plans_[j].fixed.has_value());
      progress_->Add(1);
    }
  }));
  progress_->Finish();
  return Status::OK();
}

// Reserves room for every used row, on huge pages where the system gives them.
template <typename Vector>
void ReserveRows(Vector* v, uint64_t rows) {
  v->reserve(rows);
  AdviseHugePages(v->data(), rows * sizeof((*v)[0]));
}

void TableBuild::WriteSourceLines() {
  ReserveRows(&lines_, total_out_);
  for (size_t c = 0; c < work_.size(); ++c) {
    const RawChunk& ch = data_.chunks[c];
    for (uint32_t r : used_rows_[c]) {
      lines_.push_back(ch.first_line + ch.records[work_[c].row_record[r]].line);
    }
  }
}

template <typename T, typename Value>
std::vector<T> TableBuild::GatherUsed(size_t j, Value value) const {
  std::vector<T> out;
  ReserveRows(&out, total_out_);
  for (size_t c = 0; c < work_.size(); ++c) {
    const ColumnChunk& cc = work_[c].columns[j];
    for (uint32_t r : used_rows_[c]) out.push_back(value(cc.cls[r], cc.val[r]));
  }
  return out;
}

void TableBuild::WriteColumn(size_t j) {
  const size_t nchunks = work_.size();
  ColumnPlan& p = plans_[j];
  switch (p.kind) {
    case ColumnKind::kNumeric:
      if (output_slots_) {
        columns_[j] = Column::Numeric(p.name, NumericInPlace(j));
        break;
      }
      columns_[j] = Column::Numeric(p.name, GatherUsed<double>(j, [](uint8_t cls, uint64_t val) {
                                      return cls == kNumberCell
                                                 ? std::bit_cast<double>(val)
                                                 : std::numeric_limits<double>::quiet_NaN();
                                    }));
      break;
    case ColumnKind::kBoolean:
      columns_[j] =
          Column::Boolean(p.name, GatherUsed<int8_t>(j, [](uint8_t cls, uint64_t val) {
                            return cls == kBoolCell ? static_cast<int8_t>(val) : kMissingBool;
                          }));
      break;
    case ColumnKind::kTimestamp:
      columns_[j] =
          Column::Timestamp(p.name, GatherUsed<int64_t>(j, [](uint8_t cls, uint64_t val) {
                              return cls == kTimeCell ? static_cast<int64_t>(val) : kMissingTime;
                            }));
      break;
    case ColumnKind::kCategorical: {
      std::vector<int32_t> out;
      ReserveRows(&out, total_out_);
      std::vector<int32_t> code_of;
      for (size_t c = 0; c < nchunks; ++c) {
        const ColumnChunk& cc = work_[c].columns[j];
        // Local id -> output code, once per chunk, so the row loop is one lookup.
        code_of.resize(cc.to_exact.size());
        for (size_t id = 0; id < code_of.size(); ++id) {
          code_of[id] = p.groups.code[static_cast<size_t>(p.groups.group_of[cc.to_exact[id]])];
        }
        for (uint32_t r : used_rows_[c]) {
          out.push_back(cc.cls[r] == kMissingCell ? kMissingCode : code_of[cc.val[r]]);
        }
      }
      columns_[j] = Column::Categorical(p.name, std::move(out), std::move(p.groups.dictionary));
      break;
    }
    case ColumnKind::kString: {
      std::vector<std::string> out;
      std::vector<uint8_t> miss;
      ReserveRows(&out, total_out_);
      miss.reserve(total_out_);
      std::string local;
      for (size_t c = 0; c < nchunks; ++c) {
        const ColumnChunk& cc = work_[c].columns[j];
        const char* base = data_.chunks[c].base;
        for (uint32_t r : used_rows_[c]) {
          const uint8_t cls = cc.cls[r];
          miss.push_back(cls == kMissingCell ? 1 : 0);
          if (cls == kMissingCell) {
            out.emplace_back();
          } else if (cls == kTextCell) {
            out.emplace_back(cc.dict.key(cc.val[r]));  // trimmed as the option says
          } else {
            // kSpanCell; every other class was converted to text in pass 2.
            const std::string_view v = CellView(base, UnpackSpan(cc.val[r]), &local);
            out.emplace_back(options_.trim ? TrimCell(v) : v);
          }
        }
      }
      columns_[j] = Column::String(p.name, std::move(out), std::move(miss));
      break;
    }
  }
  slots_[j] = ColumnSlots();  // read no more
}

// Column j's output made from its slots (output_slots_): each chunk's used rows move down to
// the chunk's first output row (never up: nothing is overwritten before it is read) and cells
// that are not numbers become NaN. A chunk with every row used and no rows lost before it is
// already in place.
std::vector<double> TableBuild::NumericInPlace(size_t j) {
  std::vector<double> v = std::move(slots_[j].doubles);
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  uint64_t out = 0;
  for (size_t c = 0; c < work_.size(); ++c) {
    const ChunkWork& w = work_[c];
    const uint8_t* cls = w.columns[j].cls;
    const std::vector<uint32_t>& rows = used_rows_[c];
    double* src = v.data() + w.slot_begin;
    if (out == w.slot_begin && rows.size() == data_.chunks[c].rows) {
      for (size_t r = 0; r < rows.size(); ++r) {
        if (cls[r] != kNumberCell) src[r] = kNaN;
      }
    } else {
      double* dst = v.data() + out;
      for (size_t k = 0; k < rows.size(); ++k) {
        const uint32_t r = rows[k];
        dst[k] = cls[r] == kNumberCell ? src[r] : kNaN;
      }
    }
    out += rows.size();
  }
  v.resize(total_out_);
  return v;
}

// Assembles the table; counts each column's issues into its statistics and warns where the
// missing rate is above the schema's; the result's schema is the given one (if any) with the
// columns it lacks appended as inferred.
Result<IngestResult> TableBuild::Finish() {
  IngestResult result;
  for (size_t j = 0; j < ncols_; ++j) {
    KEEL_RETURN_IF_ERROR(result.table.AddColumn(std::move(columns_[j])));
  }
  result.table.set_source_lines(std::move(lines_));
  for (size_t j = 0; j < ncols_; ++j) {
    ColumnStats& st = report_.columns[j];
    for (const auto& w : work_) {
      for (const auto& is : w.issues) {
        if (is.column != j) continue;
        if (is.kind == AnomalyKind::kTypeMismatch) ++st.type_mismatches;
        if (is.kind == AnomalyKind::kNewCategory) ++st.new_categories;
        if (is.kind == AnomalyKind::kOutOfRange) ++st.out_of_range;
      }
    }
    const ColumnPlan& p = plans_[j];
    if (p.validate && p.schema->max_missing_rate.has_value() &&
        st.missing_rate > *p.schema->max_missing_rate) {
      Anomaly a;
      a.kind = AnomalyKind::kMissingRateAbove;
      a.severity = Severity::kWarning;
      a.column = p.name;
      a.value = FormatDouble(st.missing_rate);
      a.message = fmt::format("{} of column \"{}\" is missing, above the schema's maximum {}",
                              FormatDouble(st.missing_rate), p.name,
                              FormatDouble(*p.schema->max_missing_rate));
      report_.AddAnomaly(std::move(a), options_.max_anomalies);
    }
  }
  if (schema_ != nullptr) result.schema = *schema_;
  AddInferredColumns(&result);
  result.report = std::move(report_);
  return result;
}

// Schema entries for the columns the given schema lacks (all, without one): cell_typing.h's
// InferredColumnSchema (role time only when the schema has no time column), and whether pandas
// would make the same categories.
void TableBuild::AddInferredColumns(IngestResult* result) const {
  bool have_time = !result->schema.FirstWithRole(Role::kTime).empty();
  for (size_t j = 0; j < ncols_; ++j) {
    const ColumnPlan& p = plans_[j];
    if (p.schema != nullptr) continue;
    const Column& column = result->table.column(j);
    ColumnSchema cs = InferredColumnSchema(column, report_.columns[j], &have_time);
    if (p.kind == ColumnKind::kCategorical) {
      cs.category_order_note = PandasMismatch(p, column.dictionary());
      if (!cs.category_order_note.empty()) cs.category_order = CategoryOrder::kUnknown;
    }
    result->schema.columns.push_back(std::move(cs));
  }
}

}  // namespace

Status CheckSchemaColumns(const std::vector<std::string>& names, const ReadOptions& options,
                          const std::string& source, IngestReport* report) {
  const Schema* schema = options.schema;
  if (schema == nullptr) return Status::OK();
  const std::unordered_set<std::string> used(names.begin(), names.end());
  std::vector<std::string> absent;
  for (const auto& c : schema->columns) {
    if (used.count(c.name) != 0) continue;
    const bool not_required =
        options.required_columns != nullptr &&
        std::find(options.required_columns->begin(), options.required_columns->end(), c.name) ==
            options.required_columns->end();
    const bool optional = options.allow_missing_columns || not_required ||
                          c.role == Role::kTarget || c.role == Role::kWeight ||
                          c.role == Role::kId || c.role == Role::kIgnore;
    if (!optional) {
      absent.push_back(c.name);
      continue;
    }
    Anomaly a;
    a.kind = AnomalyKind::kMissingColumn;
    a.severity = Severity::kWarning;
    a.column = c.name;
    a.message =
        fmt::format("schema column \"{}\" (role {}) is not in the data", c.name, RoleName(c.role));
    report->AddAnomaly(std::move(a), options.max_anomalies);
  }
  if (!absent.empty()) {
    std::string have;
    for (const auto& n : names) have += (have.empty() ? "" : ", ") + n;
    return Status::NotFound("{}: schema column{} \"{}\" not in the data (columns found: {})",
                            source, absent.size() > 1 ? "s" : "", fmt::join(absent, "\", \""),
                            have);
  }
  return Status::OK();
}

Result<IngestResult> BuildTable(TokenizedData data, const ReadOptions& options, IngestReport report,
                                const Context& ctx) {
  return TableBuild(std::move(data), options, std::move(report), ctx).Run();
}

}  // namespace keel
