// The gate from Python: `keel compare`, `keel audit`, `keel drift`, `keel evaluate` and
// `keel run` as functions of keel._keel, each calling the use case the command calls
// (src/usecase/) with the GIL released and returning (the command's --json object as JSON text,
// the command's text output); keel/gate.py wraps them in result objects.
//
// Options come as a dict keyed by the command's flag names with '_' for '-' (min_gain=0.01,
// no_slices=True); an unknown key or a value of the wrong type or out of the flag's range raises
// keel.InvalidArgumentError naming the option.
#pragma once

#include <pybind11/pybind11.h>

namespace keel::python {

void RegisterGate(pybind11::module_& m);

}  // namespace keel::python
