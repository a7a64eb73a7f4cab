#include "data/schema_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "core/file_io.h"
#include "core/number_format.h"
#include "data/cell_text.h"
#include "data/number_parse.h"
#include "data/yaml_reader.h"

namespace keel {
namespace {

// ---------------------------------------------------------------------------------------
// Writing

bool IsReservedWord(std::string_view s) {
  static constexpr std::string_view kWords[] = {"y",     "n",     "yes",  "no",   "true",
                                                "false", "on",    "off",  "null", "~",
                                                ".inf",  "-.inf", ".nan", "+.inf"};
  for (auto w : kWords) {
    if (EqualsIgnoreCase(s, w)) return true;
  }
  return false;
}

bool IsPlainSafe(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  const char first = s.front();
  const bool first_ok = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') ||
                        (first >= '0' && first <= '9') || first == '_' || first == '/';
  if (!first_ok) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.' || c == '/' || c == ' ' || c == '(' ||
                    c == ')' || c == '+';
    if (!ok) return false;
  }
  double v;
  if (ParseNumber(s, &v) || IsReservedWord(s)) return false;
  // Other YAML number forms (hex, octal, sexagesimal, digit groups) start with a digit.
  if (first >= '0' && first <= '9') {
    for (char c : s) {
      if (c == '_' || c == 'x' || c == 'o') return false;
    }
  }
  return true;
}

void AppendScalar(std::string* out, std::string_view s) {
  if (IsPlainSafe(s)) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out->append(fmt::format("\\x{:02X}", c));
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// A comment's text on one line: line breaks and other control characters become spaces.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& ch : out) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
  }
  return out;
}

void AppendList(std::string* out, const std::vector<std::string>& items) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendScalar(out, items[i]);
  }
  out->push_back(']');
}

// ---------------------------------------------------------------------------------------
// Reading

class SchemaReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  Status Labels(const YAML::Node& node, const std::string& column, LabelMapping* m) const {
    const std::string where = fmt::format("the labels of column \"{}\"", column);
    if (!node.IsMap()) return Error(node, where + " must be a map");
    KEEL_RETURN_IF_ERROR(
        CheckKeys(node, {"classes", "merge", "case_insensitive", "positive"}, where));
    if (!node["classes"]) return Error(node, where + ": `classes` is required");
    KEEL_ASSIGN_OR_RETURN(m->classes, TextList(node["classes"], "labels.classes"));
    if (const auto merge = node["merge"]) {
      if (merge.IsMap()) {
        for (auto it = merge.begin(); it != merge.end(); ++it) {
          KEEL_ASSIGN_OR_RETURN(std::string from, Text(it->first, "a merged raw label"));
          KEEL_ASSIGN_OR_RETURN(std::string to, Text(it->second, "a merge target class"));
          m->merge.emplace_back(std::move(from), std::move(to));
        }
      } else {
        return Error(merge, "labels.merge must be a map of raw label: class");
      }
    }
    if (const auto ci = node["case_insensitive"]) {
      KEEL_ASSIGN_OR_RETURN(m->case_insensitive, Bool(ci, "labels.case_insensitive"));
    }
    if (const auto pos = node["positive"]) {
      KEEL_ASSIGN_OR_RETURN(std::string positive, Text(pos, "labels.positive"));
      if (m->classes.size() != 2) {
        return Error(pos, "labels.positive applies to exactly two classes");
      }
      if (EqualsIgnoreCase(TrimCell(m->classes[0]), TrimCell(positive))) {
        std::swap(m->classes[0], m->classes[1]);
      } else if (!EqualsIgnoreCase(TrimCell(m->classes[1]), TrimCell(positive))) {
        return Error(pos,
                     fmt::format("labels.positive \"{}\" is not one of the classes", positive));
      }
    }
    Status valid = ValidateLabelMapping(*m);
    if (!valid.ok()) return Error(node, valid.message());
    return Status::OK();
  }

  Status Column(const YAML::Node& node, Schema* schema) const {
    if (!node.IsMap()) return Error(node, "each entry of `columns` must be a map");
    if (!node["name"]) return Error(node, "a column without `name`");
    KEEL_ASSIGN_OR_RETURN(std::string name, Text(node["name"], "name"));
    const std::string where = fmt::format("column \"{}\"", name);
    KEEL_RETURN_IF_ERROR(CheckKeys(node,
                                   {"name", "kind", "role", "categories", "category_order", "min",
                                    "max", "max_missing_rate", "labels", "description", "seen"},
                                   where));
    if (schema->Find(name) != nullptr) {
      return Error(node["name"], fmt::format("column \"{}\" is listed twice", name));
    }
    ColumnSchema c;
    c.name = name;
    if (!node["kind"]) return Error(node, where + ": `kind` is required");
    KEEL_ASSIGN_OR_RETURN(std::string kind, Text(node["kind"], "kind"));
    if (!ParseColumnKind(kind, &c.kind)) {
      return Error(node["kind"],
                   fmt::format("{}: unknown kind \"{}\" (numeric, categorical, boolean, "
                               "timestamp, string)",
                               where, kind));
    }
    if (const auto role = node["role"]) {
      KEEL_ASSIGN_OR_RETURN(std::string r, Text(role, "role"));
      if (!ParseRole(r, &c.role)) {
        return Error(role, fmt::format("{}: unknown role \"{}\" (feature, target, sensitive, "
                                       "pii, id, time, weight, ignore)",
                                       where, r));
      }
    }
    if (const auto cats = node["categories"]) {
      if (c.kind != ColumnKind::kCategorical) {
        return Error(cats, where + ": `categories` applies to categorical columns only");
      }
      KEEL_ASSIGN_OR_RETURN(c.categories, TextList(cats, "categories"));
    }
    if (const auto order = node["category_order"]) {
      if (c.kind != ColumnKind::kCategorical) {
        return Error(order, where + ": `category_order` applies to categorical columns only");
      }
      KEEL_ASSIGN_OR_RETURN(std::string text, Text(order, "category_order"));
      if (!ParseCategoryOrder(text, &c.category_order)) {
        return Error(
            order, fmt::format("{}: unknown category_order \"{}\" (sorted, listed, unknown)", where,
                               text));
      }
    }
    if (const auto v = node["min"]) {
      if (c.kind != ColumnKind::kNumeric)
        return Error(v, where + ": `min` applies to numeric columns only");
      KEEL_ASSIGN_OR_RETURN(c.min, Number(v, "min"));
    }
    if (const auto v = node["max"]) {
      if (c.kind != ColumnKind::kNumeric)
        return Error(v, where + ": `max` applies to numeric columns only");
      KEEL_ASSIGN_OR_RETURN(c.max, Number(v, "max"));
    }
    if (c.min && c.max && *c.min > *c.max) {
      return Error(node["min"], fmt::format("{}: min {} is above max {}", where,
                                            FormatDouble(*c.min), FormatDouble(*c.max)));
    }
    if (const auto v = node["max_missing_rate"]) {
      KEEL_ASSIGN_OR_RETURN(double rate, Number(v, "max_missing_rate"));
      if (rate < 0 || rate > 1) return Error(v, "max_missing_rate must be between 0 and 1");
      c.max_missing_rate = rate;
    }
    if (const auto v = node["description"]) {
      KEEL_ASSIGN_OR_RETURN(c.description, Text(v, "description"));
    }
    if (const auto seen = node["seen"]) {
      if (!seen.IsMap()) return Error(seen, "seen must be a map");
      KEEL_RETURN_IF_ERROR(
          CheckKeys(seen, {"count", "missing_rate", "distinct", "mean"}, where + " seen"));
      if (seen["count"]) {
        KEEL_ASSIGN_OR_RETURN(c.seen.count, Count(seen["count"], "seen.count"));
      }
      if (seen["distinct"]) {
        KEEL_ASSIGN_OR_RETURN(c.seen.distinct, Count(seen["distinct"], "seen.distinct"));
      }
      if (seen["missing_rate"]) {
        KEEL_ASSIGN_OR_RETURN(c.seen.missing_rate,
                              Number(seen["missing_rate"], "seen.missing_rate"));
      }
      if (seen["mean"]) {
        KEEL_ASSIGN_OR_RETURN(c.seen.mean, Number(seen["mean"], "seen.mean"));
      }
    }
    if (const auto labels = node["labels"]) {
      if (c.role != Role::kTarget) {
        return Error(labels, where + ": `labels` belongs on the column whose role is target");
      }
      KEEL_RETURN_IF_ERROR(Labels(labels, name, &schema->labels));
    }
    schema->columns.push_back(std::move(c));
    return Status::OK();
  }

  Result<Schema> Document(const YAML::Node& root) const {
    if (!root.IsMap()) return Error(root, "a schema is a map with a `columns` list");
    KEEL_RETURN_IF_ERROR(
        CheckKeys(root, {"version", "source", "rows", "decimal", "columns"}, "the schema"));
    if (const auto v = root["version"]) {
      KEEL_ASSIGN_OR_RETURN(uint64_t version, Count(v, "version"));
      if (version != 1) {
        return Error(
            v, fmt::format("schema version {} is not supported (this Keel reads 1)", version));
      }
    }
    const auto cols = root["columns"];
    if (!cols) return Error(root, "the schema has no `columns` list");
    if (!cols.IsSequence()) return Error(cols, "`columns` must be a list");
    Schema schema;
    if (const auto d = root["decimal"]) {
      KEEL_ASSIGN_OR_RETURN(std::string mark, Text(d, "decimal"));
      if (mark != "." && mark != ",") return Error(d, "decimal must be \".\" or \",\"");
      schema.decimal = mark[0];
    }
    for (const auto& c : cols) KEEL_RETURN_IF_ERROR(Column(c, &schema));
    int targets = 0;
    for (const auto& c : schema.columns) targets += c.role == Role::kTarget ? 1 : 0;
    if (targets > 1) return Error(cols, "more than one column has role target");
    return schema;
  }
};

}  // namespace

Result<Schema> ParseSchemaYaml(std::string_view text, std::string_view source_name) {
  KEEL_ASSIGN_OR_RETURN(YAML::Node root, LoadYamlDocument(text, source_name));
  return SchemaReader(source_name).Document(root);
}

Result<Schema> LoadSchemaYaml(const std::string& path) {
  KEEL_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseSchemaYaml(text, path);
}

std::string SchemaToYaml(const Schema& schema, std::string_view source, uint64_t rows) {
  std::string out =
      "# Keel schema (edit freely; `keel ingest DATA --schema THIS` validates data against it).\n"
      "# kind: numeric | categorical | boolean | timestamp | string\n"
      "# role: feature | target | sensitive | pii | id | time | weight | ignore\n"
      "# categories / min / max / max_missing_rate: what is allowed; values outside are\n"
      "#   reported as anomalies (new_category, out_of_range, missing_rate_above).\n"
      "# category_order (for `keel import`: code i of a model trained elsewhere = the i-th\n"
      "#   category): sorted = pandas' default order (numbers by value, text by code point);\n"
      "#   listed = the model's code order as listed; unknown = pandas would make other\n"
      "#   categories from this data.\n"
      "# labels (target only): classes in order (binary: the second is positive) and merges.\n"
      "# seen: what the data this schema was inferred from held (informational).\n"
      "# decimal: the CSV decimal mark (\".\" or \",\"), used when a file's numbers cannot tell.\n"
      "version: 1\n";
  if (!source.empty()) {
    out += "source: ";
    AppendScalar(&out, source);
    out += "\n";
  }
  if (rows > 0) out += fmt::format("rows: {}\n", rows);
  if (schema.decimal != 0) out += fmt::format("decimal: \"{}\"\n", schema.decimal);
  out += "columns:\n";
  for (const auto& c : schema.columns) {
    out += "  - name: ";
    AppendScalar(&out, c.name);
    out += fmt::format("\n    kind: {}\n    role: {}\n", ColumnKindName(c.kind), RoleName(c.role));
    if (!c.categories.empty()) {
      out += "    categories: ";
      AppendList(&out, c.categories);
      out += "\n";
    }
    if (c.kind == ColumnKind::kCategorical && c.category_order != CategoryOrder::kUnstated) {
      out += fmt::format("    category_order: {}", CategoryOrderName(c.category_order));
      if (!c.category_order_note.empty()) out += "  # " + OneLine(c.category_order_note);
      out += "\n";
    }
    if (c.min) out += "    min: " + FormatDouble(*c.min) + "\n";
    if (c.max) out += "    max: " + FormatDouble(*c.max) + "\n";
    if (c.max_missing_rate)
      out += "    max_missing_rate: " + FormatDouble(*c.max_missing_rate) + "\n";
    if (c.role == Role::kTarget && !schema.labels.empty()) {
      out += "    labels:\n      classes: ";
      AppendList(&out, schema.labels.classes);
      out += "\n";
      if (!schema.labels.merge.empty()) {
        out += "      merge: {";
        for (size_t i = 0; i < schema.labels.merge.size(); ++i) {
          if (i > 0) out += ", ";
          AppendScalar(&out, schema.labels.merge[i].first);
          out += ": ";
          AppendScalar(&out, schema.labels.merge[i].second);
        }
        out += "}\n";
      }
      out += fmt::format("      case_insensitive: {}\n", schema.labels.case_insensitive);
    }
    if (!c.description.empty()) {
      out += "    description: ";
      AppendScalar(&out, c.description);
      out += "\n";
    }
    std::vector<std::string> seen;
    if (c.seen.count) seen.push_back(fmt::format("count: {}", *c.seen.count));
    if (c.seen.missing_rate) seen.push_back("missing_rate: " + FormatDouble(*c.seen.missing_rate));
    if (c.seen.distinct) seen.push_back(fmt::format("distinct: {}", *c.seen.distinct));
    if (c.seen.mean) seen.push_back("mean: " + FormatDouble(*c.seen.mean));
    if (!seen.empty()) out += fmt::format("    seen: {{{}}}\n", fmt::join(seen, ", "));
  }
  return out;
}

void AddObservedStats(const IngestReport& report, Schema* schema, double missing_rate_slack) {
  for (const auto& st : report.columns) {
    ColumnSchema* c = schema->Find(st.name);
    if (c == nullptr) continue;
    c->seen.count = st.count;
    c->seen.missing_rate = st.missing_rate;
    c->seen.distinct = st.distinct;
    if (st.mean && (st.kind == ColumnKind::kNumeric || st.kind == ColumnKind::kBoolean)) {
      c->seen.mean = *st.mean;
    } else {
      c->seen.mean.reset();
    }
    // Rounded up to 3 decimals so the file stays readable.
    const double rate = std::min(1.0, st.missing_rate + missing_rate_slack);
    c->max_missing_rate = std::min(1.0, std::ceil(rate * 1000.0) / 1000.0);
  }
}

}  // namespace keel
