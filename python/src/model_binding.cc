// Scoring from Python. Every path gives `keel predict`'s numbers to the bit: tables from pandas
// go through PredictTable (EncodeFeatures, then the batch predictor) like a CSV file's; numpy
// arrays are feature vectors already (PredictEncodedInto, straight into the output array); a
// few rows and dict rows take the predictor's single-row path (Predictor::PredictRawRow, then
// the CLI's MarginsToOutputRow), which allocates nothing and is bit-identical to the batch
// path (predict/predictor.h).
//
// The GIL: releasing and retaking it costs ~0.1 us (measured with Debian's Python 3.11), as
// much as scoring one row of a small model, so a call keeps it when its work is small (rows x
// trees < kGilFreeWork) and releases it otherwise; big calls let other Python threads run,
// small ones stay fast.
#include "python/src/model_binding.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/model_io.h"
#include "model/model_json.h"
#include "predict/feature_matrix.h"
#include "predict/table_prediction.h"
#include "python/src/call_context.h"
#include "python/src/feature_rows.h"
#include "python/src/frame_columns.h"
#include "python/src/model_handle.h"
#include "python/src/status_error.h"

namespace keel::python {

namespace py = pybind11;

namespace {

using Handle = std::shared_ptr<ModelHandle>;

// Up to this many rows take the single-row path (no thread pool, no buffers).
constexpr size_t kFewRows = 8;
// Work (rows x trees, or rows x linear terms) from which a call releases the GIL: a few
// microseconds of scoring (500 depth-6 trees take ~6 us a row), over 20x the release's cost.
constexpr size_t kGilFreeWork = 400;

// A buffer of n values: on the stack up to N, else on the heap (huge models only).
template <typename T, size_t N>
class Scratch {
 public:
  explicit Scratch(size_t n) : heap_(n > N ? n : 0) {}
  T* data() { return heap_.empty() ? stack_.data() : heap_.data(); }

 private:
  std::array<T, N> stack_;
  std::vector<T> heap_;
};

size_t WorkOf(const Model& model, size_t rows) {
  const size_t per_row =
      model.kind == Model::Kind::kForest ? model.forest.trees.size() : model.linear.terms.size();
  return rows * std::max<size_t>(per_row, 1);
}

// Releases the GIL for its lifetime when the work is large enough to pay for it.
class GilReleaseIfWorthIt {
 public:
  GilReleaseIfWorthIt(const Model& model, size_t rows) {
    if (WorkOf(model, rows) >= kGilFreeWork) release_.emplace();
  }

 private:
  std::optional<py::gil_scoped_release> release_;
};

// `rows` rows (at most kFewRows) into out, row by row on the single-row path.
template <typename T>
void PredictFewRows(const Model& model, const Predictor& predictor, const T* x, size_t rows,
                    double* out) {
  Scratch<double, 64> margins(static_cast<size_t>(predictor.num_outputs()));
  const size_t n = predictor.num_features();
  const size_t width = PredictionWidth(model, /*raw=*/false);
  for (size_t r = 0; r < rows; ++r) {
    predictor.PredictRawRow(x + r * n, margins.data());
    MarginsToOutputRow(model, predictor, margins.data(), /*raw=*/false, out + r * width);
  }
}

// Rows of T (FeatureRows / FeatureRows64) into a new array of predictions.
template <typename T>
py::array_t<double> PredictRows(const Handle& h, const py::array_t<T, py::array::c_style>& f,
                                int threads) {
  const Model& model = h->model();
  const auto rows = static_cast<size_t>(f.shape(0));
  const size_t width = PredictionWidth(model, /*raw=*/false);
  py::array_t<double> out({rows, width});
  double* o = out.mutable_data();
  const T* in = f.data();
  if (rows <= kFewRows) {
    GilReleaseIfWorthIt release(model, rows);
    PredictFewRows(model, h->predictor(), in, rows, o);
    return out;
  }
  Status st = [&] {
    py::gil_scoped_release release;
    return PredictEncodedInto(model, h->predictor(), std::span<const T>(in, rows * f.shape(1)),
                              rows, /*raw=*/false, CallContext(threads).threads(),
                              std::span<double>(o, rows * width));
  }();
  ThrowIfError(st);
  return out;
}

// Rows of a 2-D numeric array, in the model's feature order, in the model's precision:
// float32 (float32 C-contiguous arrays are read in place) or, for a float64 model, float64
// (float64 C-contiguous arrays read in place, others widened: the exact values given).
py::array_t<double> PredictMatrix(const Handle& h, const py::array& x, int threads) {
  const Model& model = h->model();
  if (model.input_precision == InputPrecision::kFloat64) {
    return PredictRows(h, FeatureRows64(model, x), threads);
  }
  return PredictRows(h, FeatureRows(model, x), threads);
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
  const TablePredictions preds = Unwrap(std::move(p), ErrorSubject::kColumn);
  py::array_t<double> out({preds.rows, preds.columns.size()});
  std::copy(preds.values.begin(), preds.values.end(), out.mutable_data());
  return out;
}

// One dict row: `keys` are the feature names and `outputs` the output names as Python
// strings (made once by keel/model.py), so the call creates no strings.
py::dict PredictRow(const Handle& h, const py::dict& row, const py::tuple& keys,
                    const py::tuple& outputs) {
  const Model& model = h->model();
  const size_t n = model.features.size();
  const size_t width = PredictionWidth(model, /*raw=*/false);
  if (outputs.size() != width) {
    ThrowIfError(Status::InvalidArgument("{} output names for {} outputs", outputs.size(), width));
  }
  Scratch<double, 64> values(width);
  // In the model's precision: a float64 model reads the exact doubles of the dict.
  auto predict = [&](auto* x) {
    ThrowIfError(EncodeRow(model, row, keys, x), ErrorSubject::kColumn);
    GilReleaseIfWorthIt release(model, 1);
    PredictFewRows(model, h->predictor(), x, 1, values.data());
  };
  if (model.input_precision == InputPrecision::kFloat64) {
    Scratch<double, 1024> x(n);
    predict(x.data());
  } else {
    Scratch<float, 1024> x(n);
    predict(x.data());
  }
  py::dict out;
  for (size_t c = 0; c < width; ++c) out[outputs[c]] = py::float_(values.data()[c]);
  return out;
}

// The conformal set membership of each class: probs is rows x classes (predict_proba's
// columns), the answer the same shape of bools (model/conformal.h).
py::array_t<bool> ConformalSets(const py::array_t<double, py::array::c_style>& probs, double q) {
  if (probs.ndim() != 2) ThrowIfError(Status::InvalidArgument("probabilities must be 2-D"));
  py::array_t<bool> out({probs.shape(0), probs.shape(1)});
  const double* p = probs.data();
  bool* o = out.mutable_data();
  for (py::ssize_t i = 0; i < probs.size(); ++i) o[i] = InConformalSet(p[i], q);
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
      .def("predict_row", &PredictRow, py::arg("row"), py::arg("keys"), py::arg("outputs"))
      .def(
          "conformal_quantile",
          [](const ModelHandle& h, double level) {
            return Unwrap(ConformalQuantile(h.predictor().conformal(), level));
          },
          py::arg("level"))
      .def_static("conformal_sets", &ConformalSets, py::arg("probs"), py::arg("q"));
}

}  // namespace keel::python
