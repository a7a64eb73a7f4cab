// keel._keel.train: the `keel train` use case (usecase/train.h) on a data file, with the
// parameters by their parameter-table names (docs/params.md); keel/training.py wraps it.
#pragma once

#include <pybind11/pybind11.h>

namespace keel::python {

void RegisterTrain(pybind11::module_& m);

}  // namespace keel::python
