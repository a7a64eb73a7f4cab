// Numpy arrays of feature vectors: rows of a model's features in Model::features order,
// categorical features as their codes, NaN = missing (the predictor's input, model/model.h).
#pragma once

#include <pybind11/numpy.h>

#include "model/model.h"

namespace keel::python {

using FeatureArray = pybind11::array_t<float, pybind11::array::c_style>;
using FeatureArray64 = pybind11::array_t<double, pybind11::array::c_style>;

// `x` as a float32 C-contiguous array (a float32 model's input): `x` itself when it is one
// (no copy), else converted once (as EncodeFeatures converts a numeric column). Raises
// InvalidArgumentError (a ValueError) when `x` is not 2-D, holds no numbers, or has other
// than model.features.size() columns. Needs the GIL.
FeatureArray FeatureRows(const Model& model, const pybind11::array& x);
// The same as a float64 C-contiguous array, for a float64 model (Model::input_precision):
// a float64 array is read in place, other arrays (float32 ones too) are widened once.
FeatureArray64 FeatureRows64(const Model& model, const pybind11::array& x);

}  // namespace keel::python
