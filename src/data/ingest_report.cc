#include "data/csv_writer.h"
#include "core/json_number.h"
#include "data/ingest_report.h"

#include "core/file_io.h"
#include "core/number_format.h"

namespace keel {

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

std::string_view AnomalyKindName(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kWrongFieldCount: return "wrong_field_count";
    case AnomalyKind::kEncodingError: return "encoding_error";
    case AnomalyKind::kMalformedQuoting: return "malformed_quoting";
    case AnomalyKind::kFieldTooLarge: return "field_too_large";
    case AnomalyKind::kInvalidRecord: return "invalid_record";
    case AnomalyKind::kTypeMismatch: return "type_mismatch";
    case AnomalyKind::kNewCategory: return "new_category";
    case AnomalyKind::kOutOfRange: return "out_of_range";
    case AnomalyKind::kMissingRateAbove: return "missing_rate_above";
    case AnomalyKind::kMissingColumn: return "missing_column";
    case AnomalyKind::kUnexpectedColumn: return "unexpected_column";
    case AnomalyKind::kDuplicateColumnName: return "duplicate_column_name";
    case AnomalyKind::kUnseenLabel: return "unseen_label";
  }
  return "unknown";
}

void IngestReport::AddAnomaly(Anomaly anomaly, size_t max_listed) {
  ++anomalies_total;
  if (anomaly.severity == Severity::kError) {
    ++errors;
  } else {
    ++warnings;
  }
  // Column- and file-level anomalies (line 0) are few and always listed.
  if (anomaly.line == 0 || anomalies.size() < max_listed) anomalies.push_back(std::move(anomaly));
}

namespace {

std::string DelimiterName(char d) {
  if (d == '\t') return "\\t";
  return std::string(1, d);
}

}  // namespace

std::string DialectSummary(const IngestReport& r) {
  if (r.format != "csv") return r.format;
  return fmt::format(
      "csv, delimiter '{}', decimal mark '{}' ({}), {}{}, {}", DelimiterName(r.delimiter),
      r.decimal, r.decimal_source.empty() ? "default" : r.decimal_source,
      r.header ? "header" : "no header", r.bom ? ", UTF-8 BOM" : "", r.crlf ? "CRLF" : "LF");
}

nlohmann::json IngestReportToJson(const IngestReport& r, size_t max_listed) {
  using nlohmann::json;
  json j;
  j["ok"] = true;
  j["source"] = r.source;
  j["format"] = r.format;
  if (r.format == "csv") {
    j["dialect"] = {{"delimiter", DelimiterName(r.delimiter)},
                    {"decimal", std::string(1, r.decimal)},
                    {"decimal_source", r.decimal_source},
                    {"header", r.header},
                    {"bom", r.bom},
                    {"line_ending", r.crlf ? "crlf" : "lf"}};
  }
  j["bytes"] = r.bytes;
  j["lines"] = r.lines;
  j["blank_lines"] = r.blank_lines;
  j["rows_read"] = r.rows_read;
  j["rows_used"] = r.rows_used;
  j["rows_rejected"] = r.rows_rejected;
  j["duplicates"] = r.duplicates;
  j["duplicates_dropped"] = r.duplicates_dropped;
  j["errors"] = r.errors;
  j["warnings"] = r.warnings;
  j["seconds"] = r.seconds;
  nlohmann::json pii = nlohmann::json::array();
  for (const PiiColumnReport& p : r.pii_columns) {
    pii.push_back({{"column", p.column}, {"kind", p.kind}, {"reason", p.reason},
                   {"action", p.action}});
  }
  j["pii_columns"] = std::move(pii);
  json cols = json::array();
  for (const auto& c : r.columns) {
    json cj;
    cj["name"] = c.name;
    cj["kind"] = std::string(ColumnKindName(c.kind));
    cj["inferred"] = c.inferred;
    cj["count"] = c.count;
    cj["missing"] = c.missing;
    cj["missing_rate"] = c.missing_rate;
    cj["cardinality"] = c.distinct;
    cj["min"] = c.min ? JsonNumber(*c.min) : json(nullptr);
    cj["max"] = c.max ? JsonNumber(*c.max) : json(nullptr);
    cj["mean"] = c.mean ? JsonNumber(*c.mean) : json(nullptr);
    if (c.kind == ColumnKind::kTimestamp && c.min && c.max) {
      cj["min_time"] = FormatTimestamp(static_cast<int64_t>(std::llround(*c.min * 1e6)));
      cj["max_time"] = FormatTimestamp(static_cast<int64_t>(std::llround(*c.max * 1e6)));
    }
    cj["type_mismatches"] = c.type_mismatches;
    cj["new_categories"] = c.new_categories;
    cj["out_of_range"] = c.out_of_range;
    if (!c.top_values.empty()) {
      json top = json::array();
      for (const auto& [value, count] : c.top_values) top.push_back({{"value", value}, {"count", count}});
      cj["top_values"] = std::move(top);
    }
    cols.push_back(std::move(cj));
  }
  j["columns"] = std::move(cols);
  json anomalies = json::array();
  for (const auto& a : r.anomalies) {
    json aj;
    aj["kind"] = std::string(AnomalyKindName(a.kind));
    aj["severity"] = std::string(SeverityName(a.severity));
    if (!a.column.empty()) aj["column"] = a.column;
    if (a.line != 0) aj["line"] = a.line;
    if (!a.value.empty()) aj["value"] = a.value;
    aj["message"] = a.message;
    anomalies.push_back(std::move(aj));
  }
  j["anomalies"] = std::move(anomalies);
  j["anomalies_total"] = r.anomalies_total;
  j["anomalies_listed"] = r.anomalies.size();
  json rejected = json::array();
  for (size_t i = 0; i < r.rejected.size() && i < max_listed; ++i) {
    const auto& x = r.rejected[i];
    json rj = {{"line", x.line},
               {"kind", std::string(AnomalyKindName(x.kind))},
               {"reason", x.reason}};
    if (!x.column.empty()) rj["column"] = x.column;
    rejected.push_back(std::move(rj));
  }
  j["rejected_records"] = std::move(rejected);
  json dups = json::array();
  for (size_t i = 0; i < r.duplicate_records.size() && i < max_listed; ++i) {
    dups.push_back({{"line", r.duplicate_records[i].line},
                    {"first_line", r.duplicate_records[i].first_line}});
  }
  j["duplicate_records"] = std::move(dups);
  return j;
}

std::string RejectsToCsv(const IngestReport& report) {
  std::string out = "line,column,kind,reason,raw\n";
  for (const auto& r : report.rejected) {
    out += std::to_string(r.line);
    out.push_back(',');
    AppendCsvField(&out, r.column);
    out.push_back(',');
    AppendCsvField(&out, AnomalyKindName(r.kind));
    out.push_back(',');
    AppendCsvField(&out, r.reason);
    out.push_back(',');
    AppendCsvField(&out, r.raw);
    out.push_back('\n');
  }
  return out;
}

Status WriteRejectsCsv(const IngestReport& report, const std::string& path) {
  return WriteFileAtomic(path, RejectsToCsv(report));
}

}  // namespace keel
