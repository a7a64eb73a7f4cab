// Strict reading of YAML configuration (schema files, keel.yaml, objectives): every value is
// checked for its type and range, every map for unknown keys, and every error names the
// source file and the 1-based line of the offending node, so a typo in a config never passes
// silently.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"

namespace keel {

// Parses `text` as one YAML document. Errors: ParseError "<source>:<line>:<column>: the file
// is not UTF-8 (byte 0x..)" or "...: a control character YAML does not allow (byte 0x..)"
// before parsing (every config's text reaches JSON summaries, which need valid UTF-8), and
// "<source>:<line>: <message>" for YAML syntax errors. An empty document gives a null node.
Result<YAML::Node> LoadYamlDocument(std::string_view text, std::string_view source_name);

// Typed accessors over nodes of one document. Each returns ParseError
// "<source>:<line>: <what> must be ..." when the node has the wrong type or value.
// Stateless apart from the source name; cheap to copy.
class YamlReader {
 public:
  explicit YamlReader(std::string_view source) : source_(source) {}

  const std::string& source() const { return source_; }

  // A ParseError "<source>:<line>: <what>" at `node` (no line when the node has no mark).
  Status Error(const YAML::Node& node, std::string_view what) const;

  // Every key of `map` must be in `allowed`; the error names the unknown key, its line,
  // `where` it was found and the allowed keys.
  Status CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                   std::string_view where) const;
  // Same with a runtime list.
  Status CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed,
                   std::string_view where) const;

  Result<std::string> Text(const YAML::Node& node, std::string_view what) const;
  Result<double> Number(const YAML::Node& node, std::string_view what) const;
  // A number in [min, max].
  Result<double> NumberIn(const YAML::Node& node, std::string_view what, double min,
                          double max) const;
  // A whole number >= 0.
  Result<uint64_t> Count(const YAML::Node& node, std::string_view what) const;
  // true/false/yes/no (any case).
  Result<bool> Bool(const YAML::Node& node, std::string_view what) const;
  // A list of scalars; a single scalar is also accepted as a one-entry list when
  // `allow_scalar` is set ("sensitive: gender").
  Result<std::vector<std::string>> TextList(const YAML::Node& node, std::string_view what,
                                            bool allow_scalar = false) const;

 private:
  std::string source_;
};

}  // namespace keel
