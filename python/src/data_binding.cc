#include "python/src/data_binding.h"

#include <pybind11/stl.h>

#include <filesystem>
#include <string>

#include "python/src/call_context.h"
#include "python/src/status_error.h"
#include "python/src/table_columns.h"
#include "usecase/ingest.h"
#include "usecase/schema_infer.h"

namespace keel::python {

namespace py = pybind11;

namespace {

// (columns as TableToColumns gives them, the report as `keel ingest --json` prints it, every
// rejected record as (line, column, kind, reason, raw), the rejects file's columns).
py::tuple ReadCsv(const std::string& path, const std::string& schema_path, int threads) {
  usecase::IngestRequest request;
  request.input.path = path;
  request.input.schema_path = schema_path;
  Result<usecase::IngestOutcome> outcome = [&] {
    py::gil_scoped_release release;
    return usecase::Ingest(request, CallContext(threads));
  }();
  // A missing file is the schema when it is named and absent, else the data.
  std::error_code ec;
  const bool schema_absent = !schema_path.empty() && !std::filesystem::exists(schema_path, ec);
  const usecase::IngestOutcome o =
      Unwrap(std::move(outcome), ErrorSubject::kFileOrColumn, schema_absent ? schema_path : path);
  py::list rejected;
  for (const RejectedRecord& r : o.data.report.rejected) {
    rejected.append(
        py::make_tuple(r.line, r.column, std::string(AnomalyKindName(r.kind)), r.reason, r.raw));
  }
  return py::make_tuple(TableToColumns(o.data.table), o.ToJson().dump(), rejected);
}

// `keel schema infer --json`'s object (columns with kind and role, and the YAML).
std::string InferSchema(const std::string& path, const std::string& target,
                        const std::string& out_path, int threads) {
  usecase::SchemaInferRequest request;
  request.input.path = path;
  request.labels.target = target;
  request.out_path = out_path;
  Result<usecase::SchemaInferResult> result = [&] {
    py::gil_scoped_release release;
    return usecase::InferSchema(request, CallContext(threads));
  }();
  return Unwrap(std::move(result), ErrorSubject::kFileOrColumn, path).ToJson().dump();
}

}  // namespace

void RegisterData(py::module_& m) {
  m.def("read_csv", &ReadCsv, py::arg("path"), py::arg("schema_path") = "", py::arg("threads") = 0);
  m.def("infer_schema", &InferSchema, py::arg("path"), py::arg("target") = "", py::arg("out") = "",
        py::arg("threads") = 0);
}

}  // namespace keel::python
