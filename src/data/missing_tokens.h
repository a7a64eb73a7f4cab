// Which cell texts mean "missing".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace keel {

// "", "NA", "N/A", "null", "NULL", "NaN", "?" (whitespace-only text is always missing).
std::vector<std::string> DefaultMissingTokens();

// Fast exact matcher for a set of missing-value tokens (most cells are rejected by their
// length and first byte without a comparison). Tokens are compared after trimming
// whitespace from both the token and the cell, case-sensitively (list "Null" explicitly if
// it is used). Immutable after construction, so it is safe to share between threads.
class MissingTokens {
 public:
  explicit MissingTokens(const std::vector<std::string>& tokens = DefaultMissingTokens());

  // True when `trimmed` (a cell already trimmed of whitespace) is empty or a listed token.
  bool IsMissing(std::string_view trimmed) const {
    if (trimmed.empty()) return true;
    const size_t n = trimmed.size();
    if (n < 64 ? ((length_mask_ >> n) & 1) == 0 : !has_long_) return false;
    const auto c = static_cast<unsigned char>(trimmed[0]);
    if (((first_byte_[c >> 6] >> (c & 63)) & 1) == 0) return false;
    for (const auto& t : tokens_) {
      if (t.size() == n && t == trimmed) return true;
    }
    return false;
  }

  const std::vector<std::string>& tokens() const { return tokens_; }

 private:
  std::vector<std::string> tokens_;  // trimmed, non-empty, distinct
  uint64_t length_mask_ = 0;         // bit n set when some token has length n (< 64)
  bool has_long_ = false;            // some token has 64 bytes or more
  uint64_t first_byte_[4] = {};      // bit c set when some token starts with byte c
};

}  // namespace keel
