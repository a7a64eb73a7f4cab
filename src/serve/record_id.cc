#include "serve/record_id.h"

#include <nlohmann/json.hpp>

namespace keel::serve {

bool RecordIdIsPseudonym(const ServedModel& model) {
  for (const auto& c : model.model().schema.columns) {
    if (c.role == Role::kId) return false;
  }
  return !model.subject_column().empty();
}

bool RecordIdText(std::string_view raw, std::string* out) {
  out->clear();
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' || raw.back() == '\r')) {
    raw.remove_suffix(1);
  }
  if (raw.empty()) return true;
  if (raw.front() != '"') {
    // A number (or true/false): its JSON text is the id.
    const char c = raw.front();
    if (c == '{' || c == '[' || raw == "null") return false;
    out->assign(raw);
    return true;
  }
  if (raw.find('\\') == std::string_view::npos && raw.size() >= 2 && raw.back() == '"') {
    out->assign(raw.substr(1, raw.size() - 2));  // the common case: nothing to decode
    return true;
  }
  const nlohmann::json j = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!j.is_string()) return false;
  *out = j.get<std::string>();
  return true;
}

}  // namespace keel::serve
