#include "serve/route_table.h"

#include <cstdio>
#include <cstdlib>

namespace keel::serve {
namespace {

[[noreturn]] void BadPattern(std::string_view pattern, const char* why) {
  std::fprintf(stderr, "keel: bug: route pattern \"%.*s\": %s\n", static_cast<int>(pattern.size()),
               pattern.data(), why);
  std::abort();
}

// Every form of `pattern` with each optional part either kept or dropped.
std::vector<std::string> Expand(std::string_view pattern) {
  std::vector<std::string> forms = {""};
  size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == ']') BadPattern(pattern, "']' without '['");
    if (pattern[i] != '[') {
      for (std::string& f : forms) f.push_back(pattern[i]);
      ++i;
      continue;
    }
    const size_t close = pattern.find(']', i);
    if (close == std::string_view::npos) BadPattern(pattern, "'[' without ']'");
    const std::string_view part = pattern.substr(i + 1, close - i - 1);
    if (part.find('[') != std::string_view::npos) BadPattern(pattern, "nested '['");
    const size_t n = forms.size();
    for (size_t k = 0; k < n; ++k) forms.push_back(forms[k] + std::string(part));
    i = close + 1;
  }
  return forms;
}

// Whether `path` matches `form` (a pattern without optional parts).
bool MatchForm(std::string_view form, std::string_view path,
               std::array<std::pair<std::string_view, std::string_view>, 4>* items, size_t* size) {
  size_t pi = 0, si = 0;
  *size = 0;
  while (pi < form.size()) {
    if (form[pi] == '{') {
      const size_t close = form.find('}', pi);
      const size_t end = std::min(path.find('/', si), path.size());
      (*items)[(*size)++] = {form.substr(pi + 1, close - pi - 1), path.substr(si, end - si)};
      pi = close + 1;
      si = end;
      continue;
    }
    if (si >= path.size() || path[si] != form[pi]) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

}  // namespace

std::string_view PathParams::Get(std::string_view key) const {
  for (size_t i = 0; i < size_; ++i) {
    if (items_[i].first == key) return items_[i].second;
  }
  return {};
}

PathPattern::PathPattern(std::string_view pattern) : text_(pattern), forms_(Expand(pattern)) {
  for (const std::string& f : forms_) {
    size_t placeholders = 0;
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] == '}') BadPattern(pattern, "'}' without '{'");
      if (f[i] != '{') continue;
      const size_t close = f.find('}', i);
      if (close == std::string::npos || f.find('{', i + 1) < close) {
        BadPattern(pattern, "'{' without '}'");
      }
      if (close + 1 < f.size() && f[close + 1] != '/') {
        BadPattern(pattern, "a placeholder must end its path segment");
      }
      if (++placeholders > PathParams::kMax) BadPattern(pattern, "too many placeholders");
      i = close;
    }
  }
}

bool PathPattern::Match(std::string_view path, PathParams* params) const {
  for (const std::string& f : forms_) {
    if (MatchForm(f, path, &params->items_, &params->size_)) return true;
  }
  params->size_ = 0;
  return false;
}

}  // namespace keel::serve
