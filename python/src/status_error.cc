#include "python/src/status_error.h"

#include <filesystem>
#include <string_view>

namespace keel::python {

namespace py = pybind11;

void ThrowIfError(const Status& status, ErrorSubject subject, const std::string& path) {
  if (!status.ok()) throw StatusError(status, subject, path);
}

namespace {

// The keel.errors class for `error`: by the status code, except that a file which does not
// exist is MissingFileError (a FileNotFoundError) and an absent column MissingColumnError (a
// KeyError).
py::object ErrorClass(const StatusError& error) {
  const StatusCode code = error.status().code();
  std::string_view name = StatusCodeName(code);
  const ErrorSubject subject = error.subject();
  std::error_code ec;
  if ((subject == ErrorSubject::kFile || subject == ErrorSubject::kFileOrColumn) &&
      (code == StatusCode::kNotFound || code == StatusCode::kIoError) &&
      !std::filesystem::exists(error.path(), ec)) {
    name = "missing file";
  } else if ((subject == ErrorSubject::kColumn || subject == ErrorSubject::kFileOrColumn) &&
             code == StatusCode::kNotFound) {
    name = "missing column";
  }
  return py::module_::import("keel.errors").attr("error_class")(std::string(name));
}

}  // namespace

void RegisterErrors(py::module_& m) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const StatusError& e) {
      const py::object cls = ErrorClass(e);
      PyErr_SetString(cls.ptr(), e.status().message().c_str());
    }
  });
}

}  // namespace keel::python
