#include "python/src/feature_rows.h"

#include <string>

#include "python/src/status_error.h"

namespace keel::python {

namespace py = pybind11;

namespace {

// `x` as a C-contiguous array of T: itself when it is one, else converted once.
template <typename T>
py::array_t<T, py::array::c_style> Rows(const Model& model, const py::array& x) {
  using Ready = py::array_t<T, py::array::c_style>;
  if (x.ndim() != 2) {
    ThrowIfError(
        Status::InvalidArgument("expected a 2-D array of rows, got {} dimension(s)", x.ndim()));
  }
  // The common case first, without a conversion call: T, C order, native byte order.
  const bool ready = py::isinstance<Ready>(x);
  if (!ready) {
    const char kind = x.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
      ThrowIfError(Status::InvalidArgument(
          "an array of dtype {} holds no numbers; pass numbers (categorical features as their "
          "codes) or a DataFrame",
          py::str(x.dtype()).cast<std::string>()));
    }
  }
  const auto cols = static_cast<size_t>(x.shape(1));
  if (cols != model.features.size()) {
    ThrowIfError(Status::InvalidArgument(
        "the array has {} columns; the model takes {} features (Model.features gives their "
        "order)",
        cols, model.features.size()));
  }
  if (ready) return py::reinterpret_borrow<Ready>(x);
  return py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(x);
}

}  // namespace

FeatureArray FeatureRows(const Model& model, const py::array& x) {
  return Rows<float>(model, x);
}

FeatureArray64 FeatureRows64(const Model& model, const py::array& x) {
  return Rows<double>(model, x);
}

}  // namespace keel::python
