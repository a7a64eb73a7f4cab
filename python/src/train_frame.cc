#include "python/src/train_frame.h"

#include <pybind11/stl.h>

#include <unordered_map>

#include "data/cell_text.h"
#include "data/cell_typing.h"
#include "data/column_stats.h"
#include "data/ingest.h"
#include "data/missing_tokens.h"
#include "python/src/call_context.h"
#include "python/src/frame_columns.h"
#include "python/src/train_binding.h"

namespace keel::python {

namespace py = pybind11;

namespace {

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
  return TypeTextColumn(c.name(), cells.texts, cells.counts, cells.codes);
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
    ColumnSchema cs = InferredColumnSchema(c, stats, &have_time);
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
