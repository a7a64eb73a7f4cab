// keel._keel: the native half of the `keel` Python package (python/keel/ is the other half).
// Each Register* call binds one group of use cases; the classes and functions it adds are
// documented where they are defined.
#include <pybind11/pybind11.h>

#include "python/src/data_binding.h"
#include "python/src/explain_binding.h"
#include "python/src/gate_binding.h"
#include "python/src/model_binding.h"
#include "python/src/status_error.h"
#include "python/src/train_binding.h"
#include "python/src/train_frame.h"

PYBIND11_MODULE(_keel, m) {
  m.doc() = "Keel's native module; use the `keel` package instead.";
  keel::python::RegisterErrors(m);
  keel::python::RegisterModel(m);
  keel::python::RegisterExplain(m);
  keel::python::RegisterData(m);
  keel::python::RegisterTrain(m);
  keel::python::RegisterGate(m);
  keel::python::RegisterTrainFrame(m);
}
