#include "python/src/train_frame.h"

#include <pybind11/stl.h>

#include <cmath>
#include <optional>
#include <unordered_map>

#include "data/category_order.h"
#include "data/cell_text.h"
#include "data/column_stats.h"
#include "data/ingest.h"
#include "data/missing_tokens.h"
#include "data/number_parse.h"
#include "data/timestamp_parse.h"
#include "data/type_inference.h"
#include "python/src/call_context.h"
#include "python/src/frame_columns.h"
#include "python/src/train_binding.h"

namespace keel::python {

namespace py = pybind11;

namespace {

// What the CSV reader reads a trimmed, non-missing cell as (table_builder.cc's ClassifyCells:
// number, then boolean, then timestamp, each tried only on texts it could accept).
struct CellValue {
  ColumnKind kind = ColumnKind::kCategorical;  // categorical = text
  double number = 0;
  bool boolean = false;
  int64_t micros = 0;
};

CellValue Classify(std::string_view t) {
  CellValue v;
  const char c0 = t[0];
  const bool digit0 = c0 >= '0' && c0 <= '9';
  if ((digit0 || c0 == '.' || c0 == '-' || c0 == '+') && ParseNumber(t, &v.number)) {
    v.kind = ColumnKind::kNumeric;
  } else if ((t.size() == 4 || t.size() == 5) && ParseBool(t, &v.boolean)) {
    v.kind = ColumnKind::kBoolean;
  } else if (digit0 && t.size() >= 10 && ParseTimestamp(t, &v.micros)) {
    v.kind = ColumnKind::kTimestamp;
  }
  return v;
}

// A text column as the reader's cells: each distinct trimmed text once, in order of first
// appearance, with its count and the rows' codes into that list (kMissingCode = missing).
struct TextCells {
  std::vector<std::string> texts;
  std::vector<uint64_t> counts;
  std::vector<int32_t> codes;
};

TextCells CellsOf(const Column& c) {
  const MissingTokens missing;
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
      const std::string text(TrimCell(c.dictionary()[static_cast<size_t>(code)]));
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

// The column of kind `kind` whose every non-missing text reads as that kind, or
// InvalidArgument naming the first that does not.
Result<Column> TypedColumn(const std::string& name, const TextCells& cells,
                           const std::vector<CellValue>& values, ColumnKind kind) {
  for (size_t k = 0; k < values.size(); ++k) {
    if (values[k].kind == kind) continue;
    size_t row = 0;
    while (cells.codes[row] != static_cast<int32_t>(k)) ++row;
    return Status::InvalidArgument(
        "column \"{}\" holds \"{}\" (row {}), which is not a {} like the column's other "
        "values (a CSV reader would reject the row; a DataFrame cannot drop it)",
        name, cells.texts[k], row,
        kind == ColumnKind::kNumeric   ? "number"
        : kind == ColumnKind::kBoolean ? "boolean"
                                       : "timestamp");
  }
  const size_t n = cells.codes.size();
  auto at = [&](size_t r) -> const CellValue* {
    return cells.codes[r] < 0 ? nullptr : &values[static_cast<size_t>(cells.codes[r])];
  };
  if (kind == ColumnKind::kNumeric) {
    std::vector<double> v(n);
    for (size_t r = 0; r < n; ++r) v[r] = at(r) ? at(r)->number : std::nan("");
    return Column::Numeric(name, std::move(v));
  }
  if (kind == ColumnKind::kBoolean) {
    std::vector<int8_t> v(n);
    for (size_t r = 0; r < n; ++r)
      v[r] = at(r) ? static_cast<int8_t>(at(r)->boolean) : kMissingBool;
    return Column::Boolean(name, std::move(v));
  }
  std::vector<int64_t> v(n);
  for (size_t r = 0; r < n; ++r) v[r] = at(r) ? at(r)->micros : kMissingTime;
  return Column::Timestamp(name, std::move(v));
}

// Text: categories grouped case-insensitively, each named by its most frequent spelling (ties
// to the first seen) and numbered in order of first appearance; or a string column when there
// are too many (InferTextKind).
Column TextColumn(const std::string& name, const TextCells& cells, uint64_t non_missing) {
  std::unordered_map<std::string, int32_t> group_index;
  std::vector<int32_t> group_of(cells.texts.size());
  std::vector<size_t> best;
  for (size_t k = 0; k < cells.texts.size(); ++k) {
    std::string key;
    AppendLower(&key, cells.texts[k]);
    auto [it, added] = group_index.try_emplace(key, static_cast<int32_t>(best.size()));
    if (added) best.push_back(k);
    group_of[k] = it->second;
    size_t& b = best[static_cast<size_t>(it->second)];
    if (cells.counts[k] > cells.counts[b]) b = k;
  }
  if (InferTextKind(best.size(), non_missing) == ColumnKind::kString) {
    std::vector<std::string> values(cells.codes.size());
    std::vector<uint8_t> missing(cells.codes.size(), 0);
    for (size_t r = 0; r < cells.codes.size(); ++r) {
      if (cells.codes[r] < 0) {
        missing[r] = 1;
      } else {
        values[r] = cells.texts[static_cast<size_t>(cells.codes[r])];
      }
    }
    return Column::String(name, std::move(values), std::move(missing));
  }
  std::vector<std::string> dictionary;
  for (size_t b : best) dictionary.push_back(cells.texts[b]);
  std::vector<int32_t> codes(cells.codes.size());
  for (size_t r = 0; r < codes.size(); ++r) {
    codes[r] = cells.codes[r] < 0 ? kMissingCode : group_of[static_cast<size_t>(cells.codes[r])];
  }
  return Column::Categorical(name, std::move(codes), std::move(dictionary));
}

// A column as the reader would type it (see the header).
Result<Column> ReaderTyped(Column c) {
  if (c.kind() != ColumnKind::kCategorical) {
    // A column without a value: the reader has nothing to infer from (string).
    if (c.size() > 0 && c.CountMissing() == c.size() && c.kind() != ColumnKind::kString) {
      return Column::String(c.name(), std::vector<std::string>(c.size()),
                            std::vector<uint8_t>(c.size(), 1));
    }
    return c;
  }
  const TextCells cells = CellsOf(c);
  std::vector<CellValue> values;
  KindEvidence evidence;
  for (size_t k = 0; k < cells.texts.size(); ++k) {
    values.push_back(Classify(cells.texts[k]));
    const uint64_t n = cells.counts[k];
    switch (values.back().kind) {
      case ColumnKind::kNumeric:
        evidence.numbers += n;
        break;
      case ColumnKind::kBoolean:
        evidence.booleans += n;
        break;
      case ColumnKind::kTimestamp:
        evidence.timestamps += n;
        break;
      default:
        evidence.texts += n;
    }
  }
  const std::optional<ColumnKind> typed = InferTypedKind(evidence);
  if (typed.has_value() && *typed != ColumnKind::kString) {
    return TypedColumn(c.name(), cells, values, *typed);
  }
  if (evidence.non_missing() == 0) {
    return Column::String(c.name(), std::vector<std::string>(c.size()),
                          std::vector<uint8_t>(c.size(), 1));
  }
  return TextColumn(c.name(), cells, evidence.non_missing());
}

}  // namespace

Result<usecase::TrainingTable> FrameTrainingTable(Table table, std::string name,
                                                  nlohmann::json lineage) {
  IngestResult data;
  data.report.source = name;
  data.report.format = "dataframe";
  data.report.rows_read = data.report.rows_used = table.num_rows();
  bool have_time = false;
  for (size_t j = 0; j < table.num_columns(); ++j) {
    KEEL_ASSIGN_OR_RETURN(Column c, ReaderTyped(std::move(table.mutable_column(j))));
    ColumnStats stats = ComputeColumnStats(c, /*inferred=*/true);
    // The schema entry the reader infers (table_builder.cc's AddInferredColumns).
    ColumnSchema cs;
    cs.name = c.name();
    cs.kind = c.kind();
    if (c.kind() == ColumnKind::kCategorical) {
      cs.categories = c.dictionary();
      SortPandasDefault(&cs.categories);
      cs.category_order = CategoryOrder::kSorted;
    } else if (c.kind() == ColumnKind::kNumeric) {
      cs.min = stats.min;
      cs.max = stats.max;
    }
    if (c.kind() == ColumnKind::kString && stats.count > 0 && stats.distinct == stats.count &&
        stats.missing == 0) {
      cs.role = Role::kId;
    }
    if (c.kind() == ColumnKind::kTimestamp && !have_time) {
      cs.role = Role::kTime;
      have_time = true;
    }
    data.schema.columns.push_back(std::move(cs));
    data.report.columns.push_back(std::move(stats));
    KEEL_RETURN_IF_ERROR(data.table.AddColumn(std::move(c)));
  }
  KEEL_RETURN_IF_ERROR(ProtectPersonalData(ReadOptions{}, &data));
  usecase::TrainingTable out;
  out.table = std::move(data.table);
  out.schema = std::move(data.schema);
  out.name = std::move(name);
  out.lineage = std::move(lineage);
  return out;
}

namespace {

// A file's rows without a target are left out with a warning; a DataFrame's are an error (it
// cannot drop a row, and a silently smaller training set is a wrong answer). A target that is
// not a column is left to the trainer, which names it.
Status CheckTargetPresent(const Table& table, const std::string& target) {
  const Column* c = table.Find(target);
  if (c == nullptr) return Status::OK();
  for (size_t r = 0; r < c->size(); ++r) {
    if (!c->IsMissing(r)) continue;
    return Status::InvalidArgument(
        "the target column \"{}\" is missing (NaN, None or empty) in {} rows, the first at row "
        "{}: drop those rows or fill them in",
        target, c->CountMissing(), r);
  }
  return Status::OK();
}

// (the trained model, `keel train --json`'s object) from columns in memory.
py::tuple TrainFrame(const std::vector<std::string>& names, const py::list& specs,
                     const TrainArgs& a, std::string data_name, const std::string& lineage_json) {
  const usecase::TrainRequest request = TrainRequestOf(a);
  Table table = Unwrap(TableFromColumns(names, specs));
  nlohmann::json lineage = nlohmann::json::parse(lineage_json);
  Result<usecase::TrainModelResult> result = [&]() -> Result<usecase::TrainModelResult> {
    py::gil_scoped_release release;
    KEEL_ASSIGN_OR_RETURN(
        usecase::TrainingTable data,
        FrameTrainingTable(std::move(table), std::move(data_name), std::move(lineage)));
    KEEL_RETURN_IF_ERROR(CheckTargetPresent(data.table, request.target));
    return usecase::TrainModelOnTable(request, std::move(data),
                                      CallContext(request.params.threads));
  }();
  return TrainedModelTuple(std::move(result), ErrorSubject::kColumn, "");
}

}  // namespace

void RegisterTrainFrame(py::module_& m) {
  m.def(
      "train_frame",
      [](std::vector<std::string> names, py::list specs, std::string target, std::string name,
         std::string lineage, std::string positive, std::string weight,
         std::vector<std::string> exclude, std::string out,
         std::map<std::string, std::string> params) {
        TrainArgs a;
        a.target = std::move(target);
        a.positive = std::move(positive);
        a.weight = std::move(weight);
        a.out = std::move(out);
        a.exclude = std::move(exclude);
        a.params = std::move(params);
        return TrainFrame(names, specs, a, std::move(name), lineage);
      },
      py::arg("names"), py::arg("specs"), py::arg("target"), py::arg("name") = "the DataFrame",
      py::arg("lineage") = "{}", py::arg("positive") = "", py::arg("weight") = "",
      py::arg("exclude") = std::vector<std::string>{}, py::arg("out") = "",
      py::arg("params") = std::map<std::string, std::string>{});
}

}  // namespace keel::python
