#include "data/missing_tokens.h"

#include <algorithm>

#include "data/cell_text.h"

namespace keel {

std::vector<std::string> DefaultMissingTokens() {
  return {"", "NA", "N/A", "null", "NULL", "NaN", "?"};
}

MissingTokens::MissingTokens(const std::vector<std::string>& tokens) {
  for (const auto& raw : tokens) {
    const std::string_view t = TrimCell(raw);
    if (t.empty()) continue;  // empty and whitespace-only cells are always missing
    if (std::find(tokens_.begin(), tokens_.end(), t) != tokens_.end()) continue;
    tokens_.emplace_back(t);
    const auto c = static_cast<unsigned char>(t[0]);
    first_byte_[c >> 6] |= uint64_t{1} << (c & 63);
    if (t.size() < 64) {
      length_mask_ |= uint64_t{1} << t.size();
    } else {
      has_long_ = true;
    }
  }
}

}  // namespace keel
