#include "python/src/explain_binding.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "explain/table_explanation.h"
#include "python/src/call_context.h"
#include "python/src/feature_rows.h"
#include "python/src/frame_columns.h"
#include "python/src/model_handle.h"
#include "python/src/status_error.h"

namespace keel::python {

namespace py = pybind11;

namespace {

py::list ReasonList(const std::vector<Reason>& reasons) {
  py::list out;
  for (const Reason& r : reasons) out.append(py::make_tuple(r.name, r.value, r.contribution));
  return out;
}

// (shap column names, rows x columns attributions, reason column names, per row (output
// explained, up reasons, down reasons, sentence) with reasons as (feature, value, shap)).
py::tuple ExplanationTuple(const Model& model, const TableExplanation& e, int top) {
  const std::vector<std::string> columns = ShapColumns(model);
  const size_t rows = e.features.rows;
  py::array_t<double> shap({rows, columns.size()});
  std::copy(e.attributions.begin(), e.attributions.end(), shap.mutable_data());
  py::list reasons;
  for (const ReasonCodes& rc : e.reasons) {
    reasons.append(py::make_tuple(rc.output, ReasonList(rc.up), ReasonList(rc.down), rc.sentence));
  }
  return py::make_tuple(columns, shap, ReasonColumns(model, top), reasons);
}

void CheckTop(int top) {
  if (top < 0) ThrowIfError(Status::InvalidArgument("top must be >= 0, got {}", top));
}

// Columns of a DataFrame, encoded as `keel explain` encodes a file's table.
py::tuple ExplainColumns(const std::shared_ptr<ModelHandle>& h,
                         const std::vector<std::string>& names, const py::list& specs, int top,
                         int threads) {
  CheckTop(top);
  const Model& model = h->model();
  Table table = Unwrap(TableFromColumns(names, specs));
  Result<TableExplanation> te = [&]() -> Result<TableExplanation> {
    py::gil_scoped_release release;
    KEEL_RETURN_IF_ERROR(CheckNumericFeatures(model, table));
    KEEL_ASSIGN_OR_RETURN(const Explainer* explainer, h->explainer());
    TableExplanationOptions options;
    options.top_k = top;
    return ExplainTable(model, *explainer, table, options, CallContext(threads));
  }();
  return ExplanationTuple(model, Unwrap(std::move(te), ErrorSubject::kColumn), top);
}

// Rows of a 2-D numeric array in the model's feature order, as predict_matrix takes them
// (copied once: TreeSHAP costs far more than the copy).
py::tuple ExplainMatrix(const std::shared_ptr<ModelHandle>& h, const py::array& x, int top,
                        int threads) {
  CheckTop(top);
  const Model& model = h->model();
  FeatureMatrix m;
  m.cols = model.features.size();
  if (model.input_precision == InputPrecision::kFloat64) {
    // The exact doubles (values64), as predict_matrix reads them; values their rounding.
    const FeatureArray64 rows = FeatureRows64(model, x);
    m.rows = static_cast<size_t>(rows.shape(0));
    m.values64.assign(rows.data(), rows.data() + m.rows * m.cols);
    m.values.assign(m.values64.begin(), m.values64.end());
  } else {
    const FeatureArray rows = FeatureRows(model, x);
    m.rows = static_cast<size_t>(rows.shape(0));
    m.values.assign(rows.data(), rows.data() + m.rows * m.cols);
  }
  Result<TableExplanation> te = [&]() -> Result<TableExplanation> {
    py::gil_scoped_release release;
    KEEL_ASSIGN_OR_RETURN(const Explainer* explainer, h->explainer());
    TableExplanationOptions options;
    options.top_k = top;
    return ExplainEncoded(model, *explainer, std::move(m), options, CallContext(threads));
  }();
  return ExplanationTuple(model, Unwrap(std::move(te)), top);
}

}  // namespace

void RegisterExplain(py::module_& m) {
  m.def("explain_columns", &ExplainColumns, py::arg("model"), py::arg("names"), py::arg("columns"),
        py::arg("top") = 0, py::arg("threads") = 0);
  m.def("explain_matrix", &ExplainMatrix, py::arg("model"), py::arg("x"), py::arg("top") = 0,
        py::arg("threads") = 0);
}

}  // namespace keel::python
