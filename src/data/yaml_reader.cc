#include "data/yaml_reader.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "data/cell_text.h"
#include "data/number_parse.h"
#include "data/utf8.h"

namespace keel {

namespace {

// The first byte YAML cannot hold: one that is not part of well-formed UTF-8, or a control
// character other than tab, line feed and carriage return (YAML's printable set). yaml-cpp
// does not refuse either: it mangles them (a NUL followed by `_` came out as byte 0xA0), and
// the mangled text then broke the JSON writers downstream. Returns npos when there is none.
size_t FindUnprintable(std::string_view text, bool* utf8) {
  const size_t bad_utf8 = FindInvalidUtf8(text);
  const std::string_view checked = text.substr(0, bad_utf8);
  const auto control = std::find_if(checked.begin(), checked.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
  });
  *utf8 = control == checked.end();
  return *utf8 ? bad_utf8 : static_cast<size_t>(control - text.begin());
}

}  // namespace

Result<YAML::Node> LoadYamlDocument(std::string_view text, std::string_view source_name) {
  bool utf8 = false;
  if (const size_t bad = FindUnprintable(text, &utf8); bad != std::string_view::npos) {
    const size_t line = 1 + std::count(text.begin(), text.begin() + bad, '\n');
    const size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const size_t column =
        line_start == std::string_view::npos || bad == 0 ? bad + 1 : bad - line_start;
    return Status::ParseError(
        "{}:{}:{}: {} (byte 0x{:02x})", source_name, line, column,
        utf8 ? "the file is not UTF-8" : "a control character YAML does not allow",
        static_cast<unsigned char>(text[bad]));
  }
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return Status::ParseError("{}: {}", source_name, e.msg);
    return Status::ParseError("{}:{}: {}", source_name, e.mark.line + 1, e.msg);
  }
}

Status YamlReader::Error(const YAML::Node& node, std::string_view what) const {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return Status::ParseError("{}: {}", source_, what);
  return Status::ParseError("{}:{}: {}", source_, m.line + 1, what);
}

Status YamlReader::CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                             std::string_view where) const {
  return CheckKeys(map, std::vector<std::string>(allowed.begin(), allowed.end()), where);
}

Status YamlReader::CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed,
                             std::string_view where) const {
  if (!map.IsMap()) return Error(map, fmt::format("{} must be a map", where));
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) return Error(it->first, fmt::format("{}: keys must be text", where));
    const std::string& key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Error(it->first, fmt::format("unknown key \"{}\" in {} (allowed: {})", key, where,
                                          fmt::join(allowed, ", ")));
    }
  }
  return Status::OK();
}

Result<std::string> YamlReader::Text(const YAML::Node& node, std::string_view what) const {
  if (!node.IsScalar()) return Error(node, fmt::format("{} must be text", what));
  return node.Scalar();
}

Result<double> YamlReader::Number(const YAML::Node& node, std::string_view what) const {
  double v;
  if (!node.IsScalar() || !ParseNumber(node.Scalar(), &v)) {
    return Error(node, fmt::format("{} must be a number", what));
  }
  return v;
}

Result<double> YamlReader::NumberIn(const YAML::Node& node, std::string_view what, double min,
                                    double max) const {
  KEEL_ASSIGN_OR_RETURN(double v, Number(node, what));
  if (!(v >= min && v <= max)) {
    return Error(
        node, fmt::format("{} must be between {} and {} (got {})", what, min, max, node.Scalar()));
  }
  return v;
}

Result<uint64_t> YamlReader::Count(const YAML::Node& node, std::string_view what) const {
  KEEL_ASSIGN_OR_RETURN(double v, Number(node, what));
  if (v < 0 || v != std::floor(v) || v > 1.8e19) {
    return Error(node, fmt::format("{} must be a whole number >= 0", what));
  }
  return static_cast<uint64_t>(v);
}

Result<bool> YamlReader::Bool(const YAML::Node& node, std::string_view what) const {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (EqualsIgnoreCase(s, "true") || EqualsIgnoreCase(s, "yes")) return true;
    if (EqualsIgnoreCase(s, "false") || EqualsIgnoreCase(s, "no")) return false;
  }
  return Error(node, fmt::format("{} must be true or false", what));
}

Result<std::vector<std::string>> YamlReader::TextList(const YAML::Node& node, std::string_view what,
                                                      bool allow_scalar) const {
  if (allow_scalar && node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) return Error(node, fmt::format("{} must be a list", what));
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (!item.IsScalar()) return Error(item, fmt::format("every entry of {} must be text", what));
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace keel
