// Path patterns for the server's route table (service.cc): which route a request path names
// and what its placeholders hold, so routes are declared as data (method, pattern, handler)
// instead of string tests spread over an if/else chain.
//
// A pattern is literal text with `{param}` placeholders and `[...]` optional parts (not
// nested), e.g. "/v2/models/{name}[/versions/{version}]/infer". A placeholder matches one path
// segment: any text without '/', possibly empty (a route then answers for the empty name, as
// a lookup that fails). Matching is exact otherwise: no case folding, no decoding, and a
// trailing '/' matches only where the pattern has one.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keel::serve {

// The placeholders of a matched path: views of the path, by placeholder name.
class PathParams {
 public:
  // The value of `{key}`, or "" when the matched form of the pattern has no such placeholder.
  std::string_view Get(std::string_view key) const;

 private:
  friend class PathPattern;
  static constexpr size_t kMax = 4;
  std::array<std::pair<std::string_view, std::string_view>, kMax> items_{};
  size_t size_ = 0;
};

class PathPattern {
 public:
  // `pattern` must be well formed (balanced braces and brackets, at most PathParams' four
  // placeholders): patterns are constants of the program, so a malformed one is a bug and
  // aborts at startup.
  explicit PathPattern(std::string_view pattern);

  // The pattern as written (for documentation and messages).
  const std::string& text() const { return text_; }

  // Whether `path` (without the query) matches; on a match `params` holds the placeholders.
  // Allocation-free.
  bool Match(std::string_view path, PathParams* params) const;

 private:
  std::string text_;
  // The pattern once for each choice of its optional parts, without brackets.
  std::vector<std::string> forms_;
};

}  // namespace keel::serve
