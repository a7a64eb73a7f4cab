// Cell text normalisation shared by the readers and the row validator: trimming and ASCII
// case folding. All functions are allocation-free and work on borrowed views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace keel {

// Spaces, tabs, CR, LF, vertical tab and form feed: what "whitespace-only is missing" and
// trimming remove. Non-ASCII spaces (NBSP) are kept: they are data.
inline bool IsCellSpace(char c) {
  // TAB, LF, VT, FF and CR are the consecutive bytes 9-13.
  return c == ' ' || static_cast<unsigned char>(c - '\t') < 5u;
}

// `s` without leading and trailing whitespace.
inline std::string_view TrimCell(std::string_view s) {
  // Most cells start and end with a visible byte: two tests and no loop.
  if (s.empty() ||
      (static_cast<unsigned char>(s.front()) > ' ' && static_cast<unsigned char>(s.back()) > ' ')) {
    return s;
  }
  size_t b = 0, e = s.size();
  while (b < e && IsCellSpace(s[b])) ++b;
  while (e > b && IsCellSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (non-ASCII bytes compare exactly).
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// Appends the ASCII-lowercased `s` to `out`.
inline void AppendLower(std::string* out, std::string_view s) {
  const size_t at = out->size();
  out->append(s);
  for (size_t i = at; i < out->size(); ++i) (*out)[i] = AsciiLower((*out)[i]);
}

// Appends the content of a quoted CSV field body with every doubled quote ("") collapsed.
inline void AppendUnescaped(std::string* out, std::string_view body, char quote = '"') {
  out->reserve(out->size() + body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    out->push_back(body[i]);
    if (body[i] == quote && i + 1 < body.size() && body[i + 1] == quote) ++i;
  }
}

}  // namespace keel
