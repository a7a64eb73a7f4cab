// keel._keel.train: the `keel train` use case (usecase/train.h) on a data file, with the
// parameters by their parameter-table names (docs/params.md); keel/training.py wraps it.
// train_frame.h binds the same use case on in-memory columns and shares these helpers.
#pragma once

#include <pybind11/pybind11.h>

#include <map>
#include <string>
#include <vector>

#include "keel/status.h"
#include "python/src/status_error.h"
#include "usecase/train.h"

namespace keel::python {

// The settings of one keel._keel.train* call, as Python passes them.
struct TrainArgs {
  std::string path, target, schema_path, positive, weight, out;
  std::vector<std::string> exclude;
  std::map<std::string, std::string> params;  // name (keel.yaml key or flag) -> value text
};

// The request `a` describes. Throws StatusError (InvalidArgument) for an unknown parameter
// or a value out of its range.
usecase::TrainRequest TrainRequestOf(const TrainArgs& a);

// (the trained model, `keel train --json`'s object), or throws the training's error (with
// `subject` and `path` as Unwrap takes them).
pybind11::tuple TrainedModelTuple(Result<usecase::TrainModelResult> result, ErrorSubject subject,
                                  const std::string& path);

void RegisterTrain(pybind11::module_& m);

}  // namespace keel::python
