// keel._keel.read_csv and infer_schema: the `keel ingest` and `keel schema infer` use cases
// (usecase/ingest.h, usecase/schema_infer.h) on a file (keel/data.py shapes the results).
#pragma once

#include <pybind11/pybind11.h>

namespace keel::python {

void RegisterData(pybind11::module_& m);

}  // namespace keel::python
