#include "python/src/explain_binding.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "explain/table_explanation.h"
#include "python/src/call_context.h"
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
py::tuple ExplainColumns(const std::shared_ptr<ModelHandle>& h,
                         const std::vector<std::string>& names, const py::list& specs, int top,
                         int threads) {
  if (top < 0) ThrowIfError(Status::InvalidArgument("top must be >= 0, got {}", top));
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
  const TableExplanation e = Unwrap(std::move(te), ErrorSubject::kColumn);
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

}  // namespace

void RegisterExplain(py::module_& m) {
  m.def("explain_columns", &ExplainColumns, py::arg("model"), py::arg("names"), py::arg("columns"),
        py::arg("top") = 0, py::arg("threads") = 0);
}

}  // namespace keel::python
