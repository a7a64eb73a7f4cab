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
#include "train/fair_reduction.h"
#include "usecase/train.h"

namespace keel::python {

// The settings of one keel._keel.train* call, as Python passes them.
struct TrainArgs {
  std::string path, target, schema_path, positive, weight, out;
  std::vector<std::string> exclude;
  std::map<std::string, std::string> params;  // name (keel.yaml key or flag) -> value text
  // keel train's fairness flags (--sensitive, --include-sensitive, --reweigh,
  // --fair-attribute, --fair-constraint, --fair-bound, --fair-iterations), by the same names.
  std::vector<std::string> sensitive;
  bool include_sensitive = false;
  std::string reweigh, fair_attribute, fair_constraint;
  FairReductionOptions fair;
};

// Reads `fairness` ({"sensitive": [...], "reweigh": "sex", "fair_bound": 0.02, ...}; None
// values are left at their defaults) into `a`. Throws StatusError (InvalidArgument) naming an
// unknown keyword or a value of the wrong type.
void SetFairness(const pybind11::dict& fairness, TrainArgs* a);

// The request `a` describes. Throws StatusError (InvalidArgument) for an unknown parameter,
// a value out of its range or an unknown fair_constraint (the training checks the rest).
usecase::TrainRequest TrainRequestOf(const TrainArgs& a);

// (the trained model, `keel train --json`'s object), or throws the training's error (with
// `subject` and `path` as Unwrap takes them).
pybind11::tuple TrainedModelTuple(Result<usecase::TrainModelResult> result, ErrorSubject subject,
                                  const std::string& path);

void RegisterTrain(pybind11::module_& m);

}  // namespace keel::python
