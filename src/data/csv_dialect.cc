#include "data/csv_dialect.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
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

SampleType TypeOf(std::string_view text, const MissingTokens& missing, char decimal) {
  text = TrimCell(text);
  if (missing.IsMissing(text)) return SampleType::kMissing;
  double v;
  if (ParseNumber(text, &v, decimal)) return SampleType::kNumber;
  int64_t t;
  if (ParseTimestamp(text, &t)) return SampleType::kTimestamp;
  return SampleType::kOther;
}

// "1,234", "-12.345": one to three digits (not starting with 0), a mark, three digits. Read
// with either mark this is a number (1.234 or 1234 written with a thousands separator), so it
// says nothing about which mark the file uses.
bool LooksLikeThousandsGroup(std::string_view t) {
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) t.remove_prefix(1);
  const size_t mark = t.find_first_of(".,");
  if (mark == std::string_view::npos || mark == 0 || mark > 3 || t.size() != mark + 4) {
    return false;
  }
  if (t[0] == '0') return false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i != mark && (t[i] < '0' || t[i] > '9')) return false;
  }
  return true;
}

// Votes of the sampled fields for each decimal mark.
struct DecimalVotes {
  size_t dot = 0;
  size_t comma = 0;
};

DecimalVotes CountDecimalVotes(const std::vector<CsvRecord>& records,
                               const MissingTokens& missing) {
  DecimalVotes votes;
  for (const auto& r : records) {
    for (const auto& field : r.fields) {
      const std::string_view t = TrimCell(field);
      const bool dot = t.find('.') != std::string_view::npos;
      const bool comma = t.find(',') != std::string_view::npos;
      // Integers hold no mark; a text with both is no number in either mode.
      if (dot == comma || missing.IsMissing(t) || LooksLikeThousandsGroup(t)) continue;
      double v;
      if (!ParseNumber(t, &v, dot ? '.' : ',')) continue;
      ++(dot ? votes.dot : votes.comma);
    }
  }
  return votes;
}

bool SniffHeader(const std::vector<CsvRecord>& records, const MissingTokens& missing,
                 char decimal) {
  if (records.size() < 2) return true;
  const auto& first = records[0].fields;
  int votes = 0;
  for (size_t j = 0; j < first.size(); ++j) {
    bool seen = false;
    SampleType column_type = SampleType::kMissing;
    bool uniform = true;
    for (size_t r = 1; r < records.size() && uniform; ++r) {
      if (j >= records[r].fields.size()) continue;
      const SampleType t = TypeOf(records[r].fields[j], missing, decimal);
      if (t == SampleType::kMissing) continue;
      if (!seen) {
        column_type = t;
        seen = true;
      } else if (t != column_type) {
        uniform = false;
      }
    }
    if (!seen || !uniform || column_type == SampleType::kOther) continue;
    const SampleType h = TypeOf(first[j], missing, decimal);
    if (h == SampleType::kMissing) continue;
    votes += h == column_type ? -1 : 1;
  }
  return votes >= 0;
}

}  // namespace

bool ParseDecimalMark(std::string_view text, char* mark) {
  if (text == "," || text == "comma") {
    *mark = ',';
  } else if (text == "." || text == "dot") {
    *mark = '.';
  } else if (text == "auto") {
    *mark = 0;
  } else {
    return false;
  }
  return true;
}

std::string_view DecimalSourceName(DecimalSource source) {
  switch (source) {
    case DecimalSource::kOption:
      return "option";
    case DecimalSource::kDelimiter:
      return "delimiter";
    case DecimalSource::kDetected:
      return "detected";
    case DecimalSource::kSchema:
      return "schema";
    case DecimalSource::kDefault:
      break;
  }
  return "default";
}

Result<CsvDialect> SniffCsvDialect(std::string_view data, const CsvDialectOptions& options,
                                   const MissingTokens& missing) {
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
  const char delimiter = options.delimiter;
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    return Status::InvalidArgument("the delimiter cannot be a quote or a line break");
  }
  for (const char mark : {options.decimal, options.schema_decimal}) {
    if (mark != 0 && mark != '.' && mark != ',') {
      return Status::InvalidArgument("the decimal mark \"{}\" is neither '.' nor ','",
                                     std::string(1, mark));
    }
  }
  if (options.decimal != 0 && options.decimal == delimiter) {
    return Status::InvalidArgument(
        "the decimal mark '{}' cannot also be the delimiter (a decimal-comma file is "
        "delimited by ';', tab or '|')",
        std::string(1, delimiter));
  }
  if (delimiter != 0) {
    dialect.delimiter = delimiter;
  } else {
    static constexpr char kCandidates[] = {',', '\t', ';', '|'};
    // Field-count consistency per candidate; -1 when it splits no records in two.
    double scores[std::size(kCandidates)];
    std::fill(std::begin(scores), std::end(scores), -1.0);
    double best_score = -1;
    size_t best = 0;
    for (size_t k = 0; k < std::size(kCandidates); ++k) {
      const char c = kCandidates[k];
      if (c == options.decimal) continue;
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
      scores[k] = static_cast<double>(mode_count) / static_cast<double>(records.size());
      if (scores[k] > best_score) {
        best_score = scores[k];
        best = k;
        dialect.delimiter = c;
      }
    }
    if (best_score < 0 && options.decimal == ',') {
      dialect.delimiter = ';';  // one column; ',' would split its numbers
    } else if (best_score >= 0 && kCandidates[best] == ',' && options.decimal == 0) {
      // "1,5;2,5" splits as evenly on ',' as on ';': the decimal commas decide.
      for (size_t k = best + 1; k < std::size(kCandidates); ++k) {
        if (scores[k] != best_score) continue;
        const DecimalVotes votes =
            CountDecimalVotes(SampleRecords(data, dialect.data_offset, kCandidates[k]), missing);
        if (votes.comma > votes.dot) {
          dialect.delimiter = kCandidates[k];
          break;
        }
      }
    }
  }
  const auto records = SampleRecords(data, dialect.data_offset, dialect.delimiter);
  if (!records.empty()) {
    const uint64_t first_end = records[0].next;
    dialect.crlf = first_end >= 2 && data[first_end - 1] == '\n' && data[first_end - 2] == '\r';
  }
  if (options.decimal != 0) {
    dialect.decimal = options.decimal;
    dialect.decimal_source = DecimalSource::kOption;
  } else if (dialect.delimiter == ',') {
    dialect.decimal = '.';
    dialect.decimal_source = DecimalSource::kDelimiter;
  } else {
    const DecimalVotes votes = CountDecimalVotes(records, missing);
    if (votes.comma != votes.dot) {
      dialect.decimal = votes.comma > votes.dot ? ',' : '.';
      dialect.decimal_source = DecimalSource::kDetected;
    } else if (options.schema_decimal != 0) {
      dialect.decimal = options.schema_decimal;
      dialect.decimal_source = DecimalSource::kSchema;
    }
  }
  dialect.header =
      options.header.has_value() ? *options.header : SniffHeader(records, missing, dialect.decimal);
  return dialect;
}

}  // namespace keel
