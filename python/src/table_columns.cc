#include "python/src/table_columns.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <span>
#include <string>

namespace keel::python {

namespace py = pybind11;

namespace {

template <typename T>
py::array_t<T> ToArray(std::span<const T> values) {
  py::array_t<T> out(values.size());
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

py::tuple ColumnPayload(const Column& c) {
  const py::str name(c.name());
  const py::str kind(std::string(ColumnKindName(c.kind())));
  switch (c.kind()) {
    case ColumnKind::kNumeric:
      return py::make_tuple(name, kind, ToArray(c.numeric()));
    case ColumnKind::kCategorical:
      return py::make_tuple(name, kind, ToArray(c.codes()), py::cast(c.dictionary()));
    case ColumnKind::kBoolean:
      return py::make_tuple(name, kind, ToArray(c.booleans()));
    case ColumnKind::kTimestamp:
      return py::make_tuple(name, kind, ToArray(c.timestamps()));
    case ColumnKind::kString: {
      py::list values;
      for (size_t r = 0; r < c.size(); ++r) {
        if (c.IsMissing(r)) {
          values.append(py::none());
        } else {
          values.append(py::str(c.strings()[r]));
        }
      }
      return py::make_tuple(name, kind, values);
    }
  }
  return py::make_tuple(name, kind);
}

}  // namespace

py::list TableToColumns(const Table& table) {
  py::list out;
  for (const Column& c : table.columns()) out.append(ColumnPayload(c));
  return out;
}

}  // namespace keel::python
