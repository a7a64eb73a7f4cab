// keel._keel.explain_columns: per-row attributions and reason codes of rows from Python, by
// ExplainTable with the explainer `keel explain` builds (keel/model.py makes the DataFrame).
#pragma once

#include <pybind11/pybind11.h>

namespace keel::python {

void RegisterExplain(pybind11::module_& m);

}  // namespace keel::python
