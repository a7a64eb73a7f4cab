#include "data/label_mapping.h"

#include <fmt/format.h>

#include "core/hash.h"

namespace keel {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool SameLabel(std::string_view a, std::string_view b, bool case_insensitive) {
  if (a.size() != b.size()) return false;
  if (!case_insensitive) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

int32_t LabelMapping::ClassOf(std::string_view raw) const {
  raw = Trim(raw);
  std::string_view name = raw;
  for (const auto& [from, to] : merge) {
    if (SameLabel(Trim(from), raw, case_insensitive)) {
      name = to;
      break;
    }
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    if (SameLabel(classes[i], name, case_insensitive)) return static_cast<int32_t>(i);
  }
  return -1;
}

std::string LabelMapping::Version() const {
  std::string text = case_insensitive ? "ci" : "cs";
  for (const auto& c : classes) text += fmt::format("|c:{}:{}", c.size(), c);
  for (const auto& [from, to] : merge) text += fmt::format("|m:{}:{}>{}", from.size(), from, to);
  return ToHex(Sha256(text)).substr(0, 16);
}

}  // namespace keel
