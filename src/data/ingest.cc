#include "data/ingest.h"

#include <algorithm>

#include "core/context.h"
#include "core/file_io.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "data/cell_text.h"
#include "data/csv_dialect.h"
#include "data/csv_tokenizer.h"
#include "data/jsonl_reader.h"
#include "data/memory_advice.h"
#include "data/pii_detector.h"
#include "data/pseudonymize.h"
#include "data/table_builder.h"
#include "data/utf8.h"

namespace keel {
namespace {

constexpr size_t kMinChunkBytes = 1 << 20;

size_t ChunkCount(uint64_t bytes, const ReadOptions& options, int threads) {
  if (options.chunk_bytes > 0) {
    return std::max<size_t>(1, static_cast<size_t>(bytes / options.chunk_bytes));
  }
  const size_t by_size = static_cast<size_t>(bytes / kMinChunkBytes);
  return std::clamp<size_t>(by_size, 1, static_cast<size_t>(threads) * 8);
}

bool IsJsonLinesName(std::string_view name) {
  auto ends_with = [&](std::string_view ext) {
    return name.size() >= ext.size() &&
           EqualsIgnoreCase(name.substr(name.size() - ext.size()), ext);
  };
  return ends_with(".jsonl") || ends_with(".ndjson");
}

bool OnlyBlank(std::string_view data) {
  for (char c : data) {
    if (!IsCellSpace(c)) return false;
  }
  return true;
}

Result<IngestResult> ReadCsv(std::string_view data, std::string_view source,
                             const ReadOptions& options, const Context& ctx) {
  const int threads = ctx.threads();
  const MissingTokens missing(options.missing_tokens);
  CsvDialectOptions sniff;
  sniff.delimiter = options.delimiter;
  sniff.header = options.header;
  sniff.decimal = options.decimal;
  if (options.schema != nullptr) sniff.schema_decimal = options.schema->decimal;
  KEEL_ASSIGN_OR_RETURN(CsvDialect dialect, SniffCsvDialect(data, sniff, missing));
  IngestReport report;
  report.source = std::string(source);
  report.format = "csv";
  report.delimiter = dialect.delimiter;
  report.decimal = dialect.decimal;
  report.decimal_source = std::string(DecimalSourceName(dialect.decimal_source));
  report.header = dialect.header;
  report.bom = dialect.bom;
  report.crlf = dialect.crlf;
  report.bytes = data.size();
  CsvFormat format;
  format.delimiter = dialect.delimiter;
  format.quote = dialect.quote;
  format.decimal = dialect.decimal;

  uint64_t pos = dialect.data_offset;
  uint64_t line = 1;
  uint64_t leading_blank = 0;
  // Blank lines before the header are skipped (and counted).
  while (pos < data.size()) {
    CsvRecord r = ReadCsvRecord(data, pos, format);
    if (!r.blank) break;
    pos = r.next;
    line += r.newlines;
    ++leading_blank;
  }
  std::vector<std::string> names;
  CsvRecord first = ReadCsvRecord(data, pos, format);
  if (first.status != RecordStatus::kOk) {
    return Status::ParseError("{}:{}: the {} has a malformed quoted field{}", source, line,
                              dialect.header ? "header" : "first record",
                              first.status == RecordStatus::kUnterminatedQuote
                                  ? " that is never closed"
                                  : " (text after the closing quote)");
  }
  if (dialect.header) {
    const size_t bad = FindInvalidUtf8(data.substr(pos, first.next - pos));
    if (bad != std::string_view::npos) {
      return Status::ParseError("{}:{}: the header is not valid UTF-8 (byte {} of the line)",
                                source, line, bad);
    }
    names = std::move(first.fields);
    pos = first.next;
    line += first.newlines;
  } else {
    for (size_t j = 0; j < first.fields.size(); ++j) names.push_back(fmt::format("col_{}", j + 1));
  }

  TokenizedData td;
  td.source = data;
  td.first_line = line;
  td.csv = format;
  td.csv_begin = pos;
  td.csv_chunks = ChunkCount(data.size() - std::min<uint64_t>(pos, data.size()), options, threads);
  td.names = std::move(names);
  KEEL_ASSIGN_OR_RETURN(IngestResult result,
                        BuildTable(std::move(td), options, std::move(report), ctx));
  result.report.blank_lines += leading_blank;
  // The schema describes the data as read: a later read with it uses the same mark when its
  // own sample cannot decide.
  if (dialect.decimal == ',' || result.schema.decimal != 0) result.schema.decimal = dialect.decimal;
  return result;
}

}  // namespace

Status ProtectPersonalData(const ReadOptions& options, IngestResult* r) {
  PiiDetectorOptions d;
  d.not_pii = options.not_pii;
  d.schema_is_declaration = options.schema != nullptr;
  std::vector<PiiFinding> findings = DetectPii(r->table, &r->schema, d);
  if (!options.detect_pii) {
    std::erase_if(findings, [](const PiiFinding& f) { return f.kind != PiiKind::kDeclared; });
  }
  if (findings.empty()) return Status::OK();
  std::string key = options.pii_key;
  if (key.empty()) {
    KEEL_ASSIGN_OR_RETURN(key, LoadPiiKey(options.pii_key_file));
  }
  ProtectPii(findings, key, r->report.format == "csv" ? r->report.delimiter : '\0', &r->table,
             &r->schema, &r->report);
  return Status::OK();
}

Result<IngestResult> ReadTableFromBuffer(std::string_view data, std::string_view source_name,
                                         const ReadOptions& options, const Context& ctx) {
  Stopwatch watch;
  std::string format = options.format;
  if (format.empty()) format = IsJsonLinesName(source_name) ? "jsonl" : "csv";
  if (format == "ndjson" || format == "json") format = "jsonl";
  if (format != "csv" && format != "jsonl") {
    return Status::InvalidArgument("unknown data format \"{}\" (use csv or jsonl)", format);
  }
  const size_t bom = data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  if (OnlyBlank(data.substr(bom))) {
    return Status::InvalidArgument("{} is empty: no header and no records", source_name);
  }
  Result<IngestResult> result = format == "csv" ? ReadCsv(data, source_name, options, ctx)
                                                : ReadJsonLines(data, source_name, options, ctx);
  if (result.ok()) KEEL_RETURN_IF_ERROR(ProtectPersonalData(options, &*result));
  if (result.ok()) result->report.seconds = watch.Seconds();
  return result;
}

Result<IngestResult> ReadTable(const std::string& path, const ReadOptions& options,
                               const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  PopulateMapping(file.view());
  return ReadTableFromBuffer(file.view(), path, options, ctx);
}

}  // namespace keel
