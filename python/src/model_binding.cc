// Scoring from Python: every path ends in PredictEncoded (predict/table_prediction.h), the code
// PredictTable runs for `keel predict` after encoding, so the numbers are the CLI's to the bit.
// Tables from pandas go through EncodeFeatures like a CSV file's; numpy arrays are already
// feature vectors. The GIL is released while encoding and predicting.
#include "python/src/model_binding.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <span>
#include <string>
#include <vector>

#include "model/model_io.h"
#include "model/model_json.h"
#include "predict/feature_matrix.h"
#include "predict/table_prediction.h"
#include "python/src/call_context.h"
#include "python/src/frame_columns.h"
#include "python/src/model_handle.h"
#include "python/src/status_error.h"

namespace keel::python {

namespace py = pybind11;

namespace {

using Handle = std::shared_ptr<ModelHandle>;

py::array_t<double> ToArray(const TablePredictions& p) {
  const size_t width = p.columns.size();
  py::array_t<double> out({p.rows, width});
  std::copy(p.values.begin(), p.values.end(), out.mutable_data());
  return out;
}

// Rows of a 2-D numeric array, in the model's feature order. float32 C-contiguous arrays are
// read in place; other numeric dtypes are converted to float32 once (as EncodeFeatures
// converts a numeric column).
py::array_t<double> PredictMatrix(const Handle& h, const py::array& x, int threads) {
  const Model& model = h->model();
  if (x.ndim() != 2) {
    ThrowIfError(
        Status::InvalidArgument("expected a 2-D array of rows, got {} dimension(s)", x.ndim()));
  }
  const char kind = x.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
    ThrowIfError(Status::InvalidArgument(
        "an array of dtype {} holds no numbers; pass numbers (categorical features as their "
        "codes) or a DataFrame",
        py::str(x.dtype()).cast<std::string>()));
  }
  const auto rows = static_cast<size_t>(x.shape(0));
  const auto cols = static_cast<size_t>(x.shape(1));
  if (cols != model.features.size()) {
    ThrowIfError(Status::InvalidArgument(
        "the array has {} columns; the model takes {} features (Model.features gives their "
        "order)",
        cols, model.features.size()));
  }
  // A no-op for float32 C-contiguous arrays: no copy.
  const auto f = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(x);
  const std::span<const float> values(f.data(), rows * cols);
  Result<TablePredictions> p = [&] {
    py::gil_scoped_release release;
    return PredictEncoded(model, h->predictor(), values, rows, /*raw=*/false,
                          CallContext(threads).threads());
  }();
  return ToArray(Unwrap(std::move(p)));
}

// Encodes `table` as `keel predict` encodes a file's table, then predicts it.
Result<TablePredictions> PredictTableRows(const ModelHandle& h, const Table& table, int threads) {
  KEEL_RETURN_IF_ERROR(CheckNumericFeatures(h.model(), table));
  return PredictTable(h.model(), h.predictor(), table, TablePredictionOptions{},
                      CallContext(threads));
}

py::array_t<double> PredictColumns(const Handle& h, const std::vector<std::string>& names,
                                   const py::list& specs, int threads) {
  Table table = Unwrap(TableFromColumns(names, specs));
  Result<TablePredictions> p = [&] {
    py::gil_scoped_release release;
    return PredictTableRows(*h, table, threads);
  }();
  return ToArray(Unwrap(std::move(p), ErrorSubject::kColumn));
}

py::dict PredictRow(const Handle& h, const py::dict& row) {
  Table table = Unwrap(TableFromRow(h->model(), row), ErrorSubject::kColumn);
  Result<TablePredictions> p = [&] {
    py::gil_scoped_release release;
    return PredictTableRows(*h, table, 1);
  }();
  const TablePredictions preds = Unwrap(std::move(p), ErrorSubject::kColumn);
  py::dict out;
  for (size_t c = 0; c < preds.columns.size(); ++c)
    out[py::str(preds.columns[c])] = preds.values[c];
  return out;
}

py::list Categories(const Model& model) {
  py::list out;
  for (const FeatureSpec& f : model.features) out.append(py::cast(f.categories));
  return out;
}

}  // namespace

void RegisterModel(py::module_& m) {
  py::class_<ModelHandle, Handle>(m, "Model")
      .def_static(
          "load",
          [](const std::string& path) {
            return Unwrap(ModelHandle::Load(path), ErrorSubject::kFile, path);
          },
          py::arg("path"), py::call_guard<py::gil_scoped_release>())
      .def(
          "save",
          [](const ModelHandle& h, const std::string& path) {
            ThrowIfError(SaveModel(h.model(), path), ErrorSubject::kFile, path);
          },
          py::arg("path"), py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("task", [](const ModelHandle& h) { return TaskName(h.model().task); })
      .def_property_readonly("target", [](const ModelHandle& h) { return h.model().target; })
      .def_property_readonly("features",
                             [](const ModelHandle& h) {
                               std::vector<std::string> names;
                               for (const auto& f : h.model().features) names.push_back(f.name);
                               return names;
                             })
      .def_property_readonly("feature_kinds",
                             [](const ModelHandle& h) {
                               std::vector<std::string> kinds;
                               for (const auto& f : h.model().features) {
                                 kinds.push_back(f.kind == FeatureSpec::Kind::kCategorical
                                                     ? "categorical"
                                                     : "numeric");
                               }
                               return kinds;
                             })
      .def_property_readonly("categories",
                             [](const ModelHandle& h) { return Categories(h.model()); })
      .def_property_readonly(
          "output_names",
          [](const ModelHandle& h) { return PredictionColumns(h.model(), /*raw=*/false); })
      .def_property_readonly(
          "schema_json", [](const ModelHandle& h) { return SchemaToJson(h.model().schema).dump(); })
      .def("predict_matrix", &PredictMatrix, py::arg("x"), py::arg("threads") = 0)
      .def("predict_columns", &PredictColumns, py::arg("names"), py::arg("columns"),
           py::arg("threads") = 0)
      .def("predict_row", &PredictRow, py::arg("row"));
}

}  // namespace keel::python
