#include "python/src/train_frame.h"

#include <pybind11/stl.h>

#include <optional>

#include "data/frame_typing.h"
#include "data/ingest.h"
#include "data/schema_yaml.h"
#include "python/src/call_context.h"
#include "python/src/frame_columns.h"
#include "python/src/train_binding.h"

namespace keel::python {

namespace py = pybind11;

Result<usecase::TrainingTable> FrameTrainingTable(Table table, std::string name,
                                                  nlohmann::json lineage, const Schema* schema) {
  ReadOptions options;
  options.schema = schema;
  KEEL_ASSIGN_OR_RETURN(IngestResult data, TypeFrameTable(std::move(table), name, options));
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
  std::optional<Schema> schema;
  if (!a.schema_path.empty()) {
    schema = Unwrap(LoadSchemaYaml(a.schema_path), ErrorSubject::kFile, a.schema_path);
  }
  nlohmann::json lineage = nlohmann::json::parse(lineage_json);
  Result<usecase::TrainModelResult> result = [&]() -> Result<usecase::TrainModelResult> {
    py::gil_scoped_release release;
    KEEL_ASSIGN_OR_RETURN(usecase::TrainingTable data,
                          FrameTrainingTable(std::move(table), std::move(data_name),
                                             std::move(lineage), schema ? &*schema : nullptr));
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
         std::string lineage, std::string schema, std::string positive, std::string weight,
         std::vector<std::string> exclude, std::string out,
         std::map<std::string, std::string> params, const py::dict& fairness) {
        TrainArgs a;
        SetFairness(fairness, &a);
        a.schema_path = std::move(schema);
        a.target = std::move(target);
        a.positive = std::move(positive);
        a.weight = std::move(weight);
        a.out = std::move(out);
        a.exclude = std::move(exclude);
        a.params = std::move(params);
        return TrainFrame(names, specs, a, std::move(name), lineage);
      },
      py::arg("names"), py::arg("specs"), py::arg("target"), py::arg("name") = "the DataFrame",
      py::arg("lineage") = "{}", py::arg("schema") = "", py::arg("positive") = "",
      py::arg("weight") = "", py::arg("exclude") = std::vector<std::string>{}, py::arg("out") = "",
      py::arg("params") = std::map<std::string, std::string>{}, py::arg("fairness") = py::dict());
}

}  // namespace keel::python
