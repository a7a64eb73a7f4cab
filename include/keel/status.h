// Error values used across every Keel module boundary.
//
// A Status is either OK or carries a code and a human-readable message. Messages are written
// for the user: they name the file, line, column and offending value where one exists, and
// gain context as they travel up (WithContext). Exceptions never cross module boundaries;
// only the CLI's main and the HTTP handlers catch them from below (STL, bad_alloc).
#pragma once

#include <fmt/format.h>

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace keel {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,     // the caller (user, config, request) gave something unusable
  kNotFound,            // a file, column, model or key that does not exist
  kIoError,             // the operating system refused a read or write
  kParseError,          // text that does not follow its format (CSV, JSON, YAML, expressions)
  kCorrupt,             // a binary artifact that fails its checksum or structure checks
  kUnsupported,         // valid input that this version cannot handle
  kFailedPrecondition,  // the operation does not apply in the current state
  kOutOfRange,          // a value outside the allowed range
  kResourceExhausted,   // a limit was hit (size, count, memory)
  kAlreadyExists,
  kUnavailable,  // a service is temporarily unable to answer (shutting down, overloaded)
  kCancelled,    // the caller asked the operation to stop (Context::cancel)
  kInternal,     // a bug in Keel
};

// Short stable name of a code ("invalid argument"), used in messages and JSON.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }

#define KEEL_STATUS_FACTORY(Name, Code)                                          \
  static Status Name(std::string message) { return Status(Code, std::move(message)); } \
  template <typename... Args>                                                    \
  static Status Name(fmt::format_string<Args...> f, Args&&... args) {            \
    return Status(Code, fmt::format(f, std::forward<Args>(args)...));            \
  }
  KEEL_STATUS_FACTORY(InvalidArgument, StatusCode::kInvalidArgument)
  KEEL_STATUS_FACTORY(NotFound, StatusCode::kNotFound)
  KEEL_STATUS_FACTORY(IoError, StatusCode::kIoError)
  KEEL_STATUS_FACTORY(Cancelled, StatusCode::kCancelled)
  KEEL_STATUS_FACTORY(ParseError, StatusCode::kParseError)
  KEEL_STATUS_FACTORY(Corrupt, StatusCode::kCorrupt)
  KEEL_STATUS_FACTORY(Unsupported, StatusCode::kUnsupported)
  KEEL_STATUS_FACTORY(FailedPrecondition, StatusCode::kFailedPrecondition)
  KEEL_STATUS_FACTORY(OutOfRange, StatusCode::kOutOfRange)
  KEEL_STATUS_FACTORY(ResourceExhausted, StatusCode::kResourceExhausted)
  KEEL_STATUS_FACTORY(AlreadyExists, StatusCode::kAlreadyExists)
  KEEL_STATUS_FACTORY(Unavailable, StatusCode::kUnavailable)
  KEEL_STATUS_FACTORY(Internal, StatusCode::kInternal)
#undef KEEL_STATUS_FACTORY

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The message without the code name; empty when OK.
  const std::string& message() const;
  // "invalid argument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>" (no-op when OK).
  Status WithContext(std::string_view context) const&;
  Status WithContext(std::string_view context) &&;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

 private:
  struct Rep {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;  // null means OK: an OK status costs one pointer and no allocation
};

// A value of type T, or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<1>, std::move(value)) {}  // NOLINT: implicit
  Result(Status status) : data_(std::in_place_index<0>, std::move(status)) {  // NOLINT: implicit
    assert(!std::get<0>(data_).ok() && "Result constructed from an OK status");
    if (std::get<0>(data_).ok()) {
      data_.template emplace<0>(StatusCode::kInternal, "Result built from an OK status");
    }
  }
  template <typename U>
    requires(std::is_convertible_v<U &&, T> && !std::is_same_v<std::decay_t<U>, Status> &&
             !std::is_same_v<std::decay_t<U>, T>)
  Result(U&& value) : data_(std::in_place_index<1>, T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return data_.index() == 1; }
  // The error; an OK status when a value is present.
  Status status() const { return ok() ? Status() : std::get<0>(data_); }

  T& value() & { return std::get<1>(data_); }
  const T& value() const& { return std::get<1>(data_); }
  T&& value() && { return std::get<1>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<Status, T> data_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace keel

#define KEEL_CONCAT_INNER(a, b) a##b
#define KEEL_CONCAT(a, b) KEEL_CONCAT_INNER(a, b)

// Returns the error from the enclosing function if `expr` (a Status or Result) failed.
#define KEEL_RETURN_IF_ERROR(expr)                                                 \
  do {                                                                             \
    ::keel::Status keel_status_tmp_ = ::keel::internal::AsStatus((expr));          \
    if (!keel_status_tmp_.ok()) return keel_status_tmp_;                           \
  } while (false)

// `KEEL_ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define KEEL_ASSIGN_OR_RETURN(lhs, expr) \
  KEEL_ASSIGN_OR_RETURN_IMPL(KEEL_CONCAT(keel_result_, __LINE__), lhs, expr)
#define KEEL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
