// keel._keel.Model: the compiled model and the calls that score with it (keel/model.py wraps it
// with the pandas-facing API).
#pragma once

#include <pybind11/pybind11.h>

namespace keel::python {

void RegisterModel(pybind11::module_& m);

}  // namespace keel::python
