#include "data/csv_dialect.h"

#include <algorithm>
#include <map>
#include <vector>

#include "data/cell_text.h"
#include "data/csv_tokenizer.h"
#include "data/number_parse.h"
#include "data/timestamp_parse.h"

namespace keel {
namespace {

constexpr uint64_t kSampleBytes = 64 * 1024;
constexpr size_t kSampleRecords = 100;

std::vector<CsvRecord> SampleRecords(std::string_view data, uint64_t offset, char delimiter) {
  CsvFormat format;
  format.delimiter = delimiter;
  std::vector<CsvRecord> records;
  const uint64_t limit = std::min<uint64_t>(data.size(), offset + kSampleBytes);
  uint64_t p = offset;
  while (p < data.size() && (records.empty() || p < limit) && records.size() < kSampleRecords) {
    CsvRecord r = ReadCsvRecord(data, p, format);
    p = r.next;
    if (!r.blank) records.push_back(std::move(r));
  }
  return records;
}

enum class SampleType { kNumber, kTimestamp, kOther, kMissing };

SampleType TypeOf(std::string_view text, const MissingTokens& missing) {
  text = TrimCell(text);
  if (missing.IsMissing(text)) return SampleType::kMissing;
  double v;
  if (ParseNumber(text, &v)) return SampleType::kNumber;
  int64_t t;
  if (ParseTimestamp(text, &t)) return SampleType::kTimestamp;
  return SampleType::kOther;
}

bool SniffHeader(const std::vector<CsvRecord>& records, const MissingTokens& missing) {
  if (records.size() < 2) return true;
  const auto& first = records[0].fields;
  int votes = 0;
  for (size_t j = 0; j < first.size(); ++j) {
    bool seen = false;
    SampleType column_type = SampleType::kMissing;
    bool uniform = true;
    for (size_t r = 1; r < records.size() && uniform; ++r) {
      if (j >= records[r].fields.size()) continue;
      const SampleType t = TypeOf(records[r].fields[j], missing);
      if (t == SampleType::kMissing) continue;
      if (!seen) {
        column_type = t;
        seen = true;
      } else if (t != column_type) {
        uniform = false;
      }
    }
    if (!seen || !uniform || column_type == SampleType::kOther) continue;
    const SampleType h = TypeOf(first[j], missing);
    if (h == SampleType::kMissing) continue;
    votes += h == column_type ? -1 : 1;
  }
  return votes >= 0;
}

}  // namespace

Result<CsvDialect> SniffCsvDialect(std::string_view data, char delimiter,
                                   std::optional<bool> header, const MissingTokens& missing) {
  CsvDialect dialect;
  if (data.size() >= 3 && static_cast<unsigned char>(data[0]) == 0xEF &&
      static_cast<unsigned char>(data[1]) == 0xBB && static_cast<unsigned char>(data[2]) == 0xBF) {
    dialect.bom = true;
    dialect.data_offset = 3;
  } else if (data.size() >= 2 && ((static_cast<unsigned char>(data[0]) == 0xFF &&
                                   static_cast<unsigned char>(data[1]) == 0xFE) ||
                                  (static_cast<unsigned char>(data[0]) == 0xFE &&
                                   static_cast<unsigned char>(data[1]) == 0xFF))) {
    return Status::Unsupported(
        "the data starts with a UTF-16/UTF-32 byte order mark; Keel reads UTF-8 (convert "
        "with e.g. `iconv -f UTF-16 -t UTF-8`)");
  }
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    return Status::InvalidArgument("the delimiter cannot be a quote or a line break");
  }
  if (delimiter != 0) {
    dialect.delimiter = delimiter;
  } else {
    static constexpr char kCandidates[] = {',', '\t', ';', '|'};
    double best_score = -1;
    for (char c : kCandidates) {
      const auto records = SampleRecords(data, dialect.data_offset, c);
      if (records.empty()) break;
      std::map<size_t, size_t> counts;
      for (const auto& r : records) ++counts[r.fields.size()];
      size_t mode = 0, mode_count = 0;
      for (const auto& [fields, count] : counts) {
        if (count > mode_count || (count == mode_count && fields > mode)) {
          mode = fields;
          mode_count = count;
        }
      }
      if (mode < 2) continue;
      const double score = static_cast<double>(mode_count) / static_cast<double>(records.size());
      if (score > best_score) {
        best_score = score;
        dialect.delimiter = c;
      }
    }
  }
  const auto records = SampleRecords(data, dialect.data_offset, dialect.delimiter);
  if (!records.empty()) {
    const uint64_t first_end = records[0].next;
    dialect.crlf = first_end >= 2 && data[first_end - 1] == '\n' && data[first_end - 2] == '\r';
  }
  dialect.header = header.has_value() ? *header : SniffHeader(records, missing);
  return dialect;
}

}  // namespace keel
