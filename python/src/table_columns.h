// keel::Table -> the column payloads keel/_frames.py turns into a pandas DataFrame (the
// reverse of frame_columns.h), one (name, kind, ...) tuple per column:
//   ("x", "numeric", float64 array)              NaN = missing
//   ("x", "categorical", int32 codes, [names])   code -1 = missing (pd.Categorical.from_codes)
//   ("x", "boolean", int8 array)                 -1 = missing
//   ("x", "timestamp", int64 microseconds)       INT64_MIN = missing (NaT)
//   ("x", "string", [str or None])
#pragma once

#include <pybind11/pybind11.h>

#include "keel/table.h"

namespace keel::python {

// Needs the GIL; copies the values.
pybind11::list TableToColumns(const Table& table);

}  // namespace keel::python
