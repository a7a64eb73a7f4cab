#include "usecase/ingest.h"

#include <fmt/format.h>

#include <iostream>
#include <iterator>

#include "core/nearest_name.h"
#include "core/readable_number.h"
#include "data/schema_yaml.h"

namespace keel::usecase {
namespace {

// Anomalies listed by the text form (--json and the rejects file have them all).
constexpr size_t kAnomaliesShown = 20;

// "labels of 'churn' (mapping 1a2b): 'No' 5,174 rows, 'Yes' 1,869 rows; 2 missing"
std::string LabelsText(const LabelSummary& l) {
  std::string out = fmt::format("labels of '{}' (mapping {}):", l.target, l.report.version);
  const char* sep = " ";
  for (size_t i = 0; i < l.mapping.classes.size(); ++i) {
    out += fmt::format("{}'{}' {} rows", sep, l.mapping.classes[i],
                       ReadableCount(l.report.class_rows[i]));
    sep = ", ";
  }
  sep = "; no rows for ";
  for (const auto& e : l.report.empty_classes) {
    out += fmt::format("{}'{}'", sep, e);
    sep = ", ";
  }
  if (l.report.unseen_rows > 0) {
    out += fmt::format("; {} rows with labels of no class (", ReadableCount(l.report.unseen_rows));
    sep = "";
    for (const auto& [label, rows] : l.report.unseen) {
      out += fmt::format("{}'{}' {}", sep, label, ReadableCount(rows));
      sep = ", ";
    }
    out += ")";
  }
  if (l.report.missing_rows > 0) {
    out += fmt::format("; {} missing", ReadableCount(l.report.missing_rows));
  }
  return out + "\n";
}

}  // namespace

Result<IngestResult> ReadInput(const DataInput& input, const Context& ctx) {
  ReadOptions options = input.options;
  Schema schema;
  if (!input.schema_path.empty()) {
    KEEL_ASSIGN_OR_RETURN(schema, LoadSchemaYaml(input.schema_path));
    options.schema = &schema;
  }
  if (input.path == "-") {
    const std::string text((std::istreambuf_iterator<char>(std::cin)),
                           std::istreambuf_iterator<char>());
    return ReadTableFromBuffer(text, "<stdin>", options, ctx);
  }
  return ReadTable(input.path, options, ctx);
}

Result<LabelMapping> ResolveLabelMapping(const LabelRequest& labels, const Column& target,
                                         const LabelMapping* fallback) {
  LabelMapping mapping;
  if (!labels.classes.empty() || !labels.merges.empty()) {
    KEEL_ASSIGN_OR_RETURN(mapping, ParseLabelMapping(labels.classes, labels.merges));
  } else if (fallback != nullptr && !fallback->empty()) {
    mapping = *fallback;
  }
  if (mapping.empty()) {
    KEEL_ASSIGN_OR_RETURN(
        LabelMapping inferred,
        InferLabelMapping(target,
                          labels.positive.empty() ? std::nullopt : std::optional(labels.positive)));
    mapping.classes = std::move(inferred.classes);
  }
  return mapping;
}

Result<IngestOutcome> Ingest(const IngestRequest& request, const Context& ctx) {
  IngestOutcome out;
  out.request = request;
  KEEL_ASSIGN_OR_RETURN(out.data, ReadInput(request.input, ctx));
  const IngestReport& report = out.data.report;
  if (!request.rejects_path.empty()) {
    KEEL_RETURN_IF_ERROR(WriteRejectsCsv(report, request.rejects_path));
  }
  // A schema the data was read with is the result's (with any extra data columns appended).
  const bool given_schema =
      !request.input.schema_path.empty() || request.input.options.schema != nullptr;
  const Schema* schema = given_schema ? &out.data.schema : nullptr;
  std::string target = request.labels.target;
  if (target.empty() && schema != nullptr) target = schema->FirstWithRole(Role::kTarget);
  if (target.empty()) return out;
  const Column* col = out.data.table.Find(target);
  if (col == nullptr) {
    return Status::NotFound("target column \"{}\" is not in {}{}", target, report.source,
                            DidYouMean(target, out.data.table.columns(), &Column::name));
  }
  LabelSummary labels;
  labels.target = target;
  KEEL_ASSIGN_OR_RETURN(
      labels.mapping,
      ResolveLabelMapping(request.labels, *col, schema != nullptr ? &schema->labels : nullptr));
  MapLabels(labels.mapping, *col, &labels.report);
  out.labels = std::move(labels);
  return out;
}

nlohmann::json LabelSummary::ToJson() const {
  nlohmann::json rows = nlohmann::json::object();
  for (size_t i = 0; i < mapping.classes.size(); ++i)
    rows[mapping.classes[i]] = report.class_rows[i];
  nlohmann::json unseen = nlohmann::json::array();
  for (const auto& [label, n] : report.unseen) unseen.push_back({{"label", label}, {"rows", n}});
  return {{"target", target},
          {"version", report.version},
          {"classes", mapping.classes},
          {"class_rows", rows},
          {"empty_classes", report.empty_classes},
          {"unseen_labels", unseen},
          {"unseen_rows", report.unseen_rows},
          {"missing_rows", report.missing_rows}};
}

nlohmann::json IngestOutcome::ToJson() const {
  nlohmann::json j = IngestReportToJson(data.report, request.max_listed);
  if (labels) j["labels"] = labels->ToJson();
  if (!request.rejects_path.empty()) j["rejects_file"] = request.rejects_path;
  return j;
}

std::string IngestOutcome::ToText() const {
  const IngestReport& r = data.report;
  std::string out = fmt::format("{}: {} rows read, {} used, {} rejected, {} duplicates{}\n",
                                r.source, ReadableCount(r.rows_read), ReadableCount(r.rows_used),
                                ReadableCount(r.rows_rejected), ReadableCount(r.duplicates),
                                r.duplicates_dropped ? " (dropped)" : " (kept)");
  out += fmt::format("format: {}\n", DialectSummary(r));
  constexpr const char* kRow = "{:<28} {:<12} {:>9} {:>9} {:>12} {:>12} {:>12}\n";
  out += fmt::format(kRow, "column", "kind", "missing", "distinct", "min", "max", "mean");
  auto num = [](const std::optional<double>& v) {
    return v ? ReadableNumber(*v, 6) : std::string("-");
  };
  for (const auto& c : r.columns) {
    out += fmt::format(kRow, c.name, ColumnKindName(c.kind), ReadablePercent(c.missing_rate, 2),
                       ReadableCount(c.distinct), num(c.min), num(c.max), num(c.mean));
  }
  if (!r.anomalies.empty()) {
    out += fmt::format("anomalies: {} ({} errors, {} warnings)\n", ReadableCount(r.anomalies_total),
                       ReadableCount(r.errors), ReadableCount(r.warnings));
    size_t shown = 0;
    for (const auto& a : r.anomalies) {
      if (shown++ == kAnomaliesShown) {
        out += "  ... (use --json or --rejects for all)\n";
        break;
      }
      out += fmt::format("  {} {}{}: {}\n", SeverityName(a.severity), AnomalyKindName(a.kind),
                         a.line ? fmt::format(" line {}", a.line) : "", a.message);
    }
  }
  for (const auto& p : r.pii_columns) {
    out += fmt::format("pii: {} {} ({}): {}\n", p.column, p.action, p.kind, p.reason);
  }
  if (labels) out += LabelsText(*labels);
  return out;
}

}  // namespace keel::usecase
