// Numpy arrays of feature vectors: rows of a model's features in Model::features order,
// categorical features as their codes, NaN = missing (the predictor's input, model/model.h).
#pragma once

#include <pybind11/numpy.h>

#include "model/model.h"

namespace keel::python {

using FeatureArray = pybind11::array_t<float, pybind11::array::c_style>;

// `x` as a float32 C-contiguous array: `x` itself when it is one (no copy), else converted
// once (as EncodeFeatures converts a numeric column). Raises InvalidArgumentError (a
// ValueError) when `x` is not 2-D, holds no numbers, or has other than
// model.features.size() columns. Needs the GIL.
FeatureArray FeatureRows(const Model& model, const pybind11::array& x);

}  // namespace keel::python
