// Keel's errors as Python exceptions. Binding code throws StatusError for a failed Status (the
// only C++ exception it throws on purpose); the translator RegisterErrors installs turns it
// into the class of keel/errors.py its code names when it reaches Python, with the Status
// message. Throwing is safe while the GIL is released: the translator runs after the call
// has taken the GIL back.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <string>
#include <utility>

#include "keel/status.h"

namespace keel::python {

// What a NotFound or IoError status is about, so it can also be the built-in exception a
// Python user expects: FileNotFoundError for a file that does not exist, KeyError for a
// column the data lacks. kFileOrColumn: calls that read a file and look up columns in it (a
// NotFound about a file that exists is about a column).
enum class ErrorSubject { kOther, kFile, kColumn, kFileOrColumn };

class StatusError : public std::exception {
 public:
  StatusError(Status status, ErrorSubject subject, std::string path)
      : status_(std::move(status)), subject_(subject), path_(std::move(path)) {}
  const Status& status() const { return status_; }
  ErrorSubject subject() const { return subject_; }
  const std::string& path() const { return path_; }  // the file, for kFile*
  const char* what() const noexcept override { return status_.message().c_str(); }

 private:
  Status status_;
  ErrorSubject subject_;
  std::string path_;
};

// Throws StatusError when `status` is not OK. `path` names the file for ErrorSubject::kFile.
void ThrowIfError(const Status& status, ErrorSubject subject = ErrorSubject::kOther,
                  const std::string& path = "");

// The value of `result`, or throws its error.
template <typename T>
T Unwrap(Result<T>&& result, ErrorSubject subject = ErrorSubject::kOther,
         const std::string& path = "") {
  ThrowIfError(result.status(), subject, path);
  return std::move(result).value();
}

// Installs the StatusError translator.
void RegisterErrors(pybind11::module_& m);

}  // namespace keel::python
