#include "data/csv_tokenizer.h"

#include <gtest/gtest.h>

#include <random>

#include "data/cell_text.h"
#include "data/utf8.h"

namespace keel {
namespace {

struct Parsed {
  std::vector<std::vector<std::string>> rows;  // unescaped cells of kOk records
  std::vector<RecordStatus> status;            // every record
  std::vector<uint64_t> lines;                 // every record, 1-based from the data start
  uint64_t blank = 0;
};

Parsed Tokenize(std::string_view data, size_t columns, size_t chunks = 1, char delim = ',') {
  CsvFormat f;
  f.delimiter = delim;
  auto tokenized = TokenizeCsv(data, 0, f, columns, chunks, 2);
  EXPECT_TRUE(tokenized.ok());
  Parsed p;
  uint64_t line = 1;
  uint64_t expect_begin = 0;
  for (const RawChunk& ch : *tokenized) {
    EXPECT_EQ(ch.begin, expect_begin);  // chunks tile the data
    expect_begin = ch.end;
    for (const auto& rec : ch.records) {
      p.status.push_back(rec.status);
      p.lines.push_back(line + rec.line);
      if (rec.status != RecordStatus::kOk) continue;
      std::vector<std::string> row;
      for (size_t j = 0; j < columns; ++j) {
        const CellSpan& s = ch.cells[rec.row * columns + j];
        std::string v;
        if (s.escaped()) {
          AppendUnescaped(&v, ch.text(s));
        } else {
          v = std::string(ch.text(s));
        }
        row.push_back(v);
      }
      p.rows.push_back(row);
    }
    line += ch.newlines;
    p.blank += ch.blank_lines;
  }
  EXPECT_EQ(expect_begin, data.size());
  return p;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvTokenizer, Rfc4180Quoting) {
  const Parsed p = Tokenize(
      "a,\"b,c\",\"say \"\"hi\"\"\"\n"
      "\"multi\nline\",x,\"\"\n"
      "1,2,3",
      3);
  EXPECT_EQ(p.rows, (Rows{{"a", "b,c", "say \"hi\""}, {"multi\nline", "x", ""}, {"1", "2", "3"}}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 4}));
}

TEST(CsvTokenizer, CrlfLineEndsAreNotPartOfValues) {
  const Parsed p = Tokenize("a,b\r\n\"x\r\ny\",z\r\nlast,\r\n", 2);
  EXPECT_EQ(p.rows, (Rows{{"a", "b"}, {"x\r\ny", "z"}, {"last", ""}}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 4}));
}

TEST(CsvTokenizer, BlanksAroundQuotedFieldsAndStrayQuotes) {
  const Parsed p = Tokenize(" \"a\" ,b\"c,d\n", 3);
  EXPECT_EQ(p.rows, (Rows{{"a", "b\"c", "d"}}));
}

TEST(CsvTokenizer, BadRecordsKeepTheirStatusAndLine) {
  const Parsed p = Tokenize(
      "1,2\n"
      "1,2,3\n"
      "\"a\"x,2\n"
      "4\n"
      "\n"
      "5,6\n"
      "7,\"never closed\n8,9\n",
      2);
  EXPECT_EQ(p.status, (std::vector<RecordStatus>{RecordStatus::kOk, RecordStatus::kWrongFieldCount,
                                                 RecordStatus::kTextAfterQuote,
                                                 RecordStatus::kWrongFieldCount, RecordStatus::kOk,
                                                 RecordStatus::kUnterminatedQuote}));
  EXPECT_EQ(p.lines, (std::vector<uint64_t>{1, 2, 3, 4, 6, 7}));
  EXPECT_EQ(p.rows, (Rows{{"1", "2"}, {"5", "6"}}));
  EXPECT_EQ(p.blank, 1u);
}

TEST(CsvTokenizer, InvalidUtf8RejectsOnlyItsRecord) {
  const Parsed p = Tokenize("ok,1\nbad\xFF,2\nok,3\n", 2);
  EXPECT_EQ(p.status[1], RecordStatus::kInvalidUtf8);
  EXPECT_EQ(p.rows.size(), 2u);
}

TEST(CsvTokenizer, TrailingDelimiterAtEndOfData) {
  const Parsed p = Tokenize("a,b,", 3);
  EXPECT_EQ(p.rows, (Rows{{"a", "b", ""}}));
}

TEST(CsvTokenizer, OtherDelimiters) {
  EXPECT_EQ(Tokenize("a;\"b;c\"\n", 2, 1, ';').rows, (Rows{{"a", "b;c"}}));
  EXPECT_EQ(Tokenize("a\t b \n", 2, 1, '\t').rows, (Rows{{"a", " b "}}));
  EXPECT_EQ(Tokenize("a|b\n", 2, 1, '|').rows, (Rows{{"a", "b"}}));
}

TEST(CsvTokenizer, ReadCsvRecordUnescapes) {
  CsvFormat f;
  const std::string data = "\"x,\"\"y\"\"\",z\r\nnext";
  CsvRecord r = ReadCsvRecord(data, 0, f);
  EXPECT_EQ(r.fields, (std::vector<std::string>{"x,\"y\"", "z"}));
  EXPECT_EQ(r.newlines, 1u);
  EXPECT_EQ(data.substr(r.next), "next");
}

// Random CSV full of quotes, embedded line breaks, CRLF, blank lines and malformed records:
// any cut into chunks must give exactly the records of one sequential pass.
std::string RandomCsv(std::mt19937_64& rng, size_t records) {
  static const char* kPieces[] = {"a", "bc", " ", "\"", "\"\"", ",", "\n", "\r\n", "x\"y"};
  std::string out;
  for (size_t r = 0; r < records; ++r) {
    const int kind = static_cast<int>(rng() % 20);
    if (kind == 0) {
      out += "\n";  // blank line
      continue;
    }
    for (int f = 0; f < 3; ++f) {
      if (f > 0) out += ",";
      if (rng() % 3 == 0) {
        out += "\"";
        const int parts = static_cast<int>(rng() % 4);
        for (int k = 0; k < parts; ++k) {
          std::string piece = kPieces[rng() % 9];
          if (piece == "\"") piece = "\"\"";
          out += piece;
        }
        out += "\"";
        if (kind == 1) out += "junk";  // text after the closing quote
      } else {
        out += (rng() % 2) ? "plain" : "";
        if (kind == 2) out += "x\"y";  // stray quote inside an unquoted field
      }
    }
    out += (rng() % 2) ? "\n" : "\r\n";
  }
  return out;
}

TEST(CsvTokenizer, ChunkedTokenizingEqualsSequential) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 60; ++trial) {
    std::string data = RandomCsv(rng, 200);
    if (trial % 5 == 0) data += "\"unterminated at the end,1,2\n3,4";
    const Parsed one = Tokenize(data, 3, 1);
    for (size_t chunks : {2, 3, 7, 16, 50}) {
      const Parsed many = Tokenize(data, 3, chunks);
      ASSERT_EQ(many.status, one.status) << "trial " << trial << " chunks " << chunks;
      ASSERT_EQ(many.rows, one.rows) << "trial " << trial << " chunks " << chunks;
      ASSERT_EQ(many.lines, one.lines) << "trial " << trial << " chunks " << chunks;
      ASSERT_EQ(many.blank, one.blank);
    }
  }
}

TEST(CsvTokenizer, ChunksStartingInsideQuotedLineBreaksAreRedone) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "\"line " + std::to_string(i) + "\nwith break\",v\n";
  CsvFormat f;
  auto chunks = TokenizeCsv(data, 0, f, 2, 16, 2);
  ASSERT_TRUE(chunks.ok());
  EXPECT_GT(chunks->size(), 8u);
  size_t rows = 0;
  for (const auto& ch : *chunks) {
    rows += ch.rows;
    EXPECT_TRUE(ch.begin == data.size() || data[ch.begin] == '"') << "chunk starts inside a record";
  }
  EXPECT_EQ(rows, 1000u);
}

// The records of `data` read one by one with ReadCsvRecord (byte-by-byte field scanning), as
// Parsed: the reference for the SIMD-mask tokenizer.
Parsed ReferenceParse(std::string_view data, size_t columns, char delim) {
  CsvFormat f;
  f.delimiter = delim;
  Parsed p;
  uint64_t pos = 0, line = 1;
  while (pos < data.size()) {
    const CsvRecord r = ReadCsvRecord(data, pos, f);
    if (r.blank) {
      ++p.blank;
    } else {
      RecordStatus status = r.status;
      if (status == RecordStatus::kOk && r.fields.size() != columns) {
        status = RecordStatus::kWrongFieldCount;
      }
      if (status == RecordStatus::kOk) {
        uint64_t end = r.next;
        if (end > pos && data[end - 1] == '\n') --end;
        if (end > pos && data[end - 1] == '\r') --end;
        if (FindInvalidUtf8(data.substr(pos, end - pos)) != std::string_view::npos) {
          status = RecordStatus::kInvalidUtf8;
        }
      }
      p.status.push_back(status);
      p.lines.push_back(line);
      if (status == RecordStatus::kOk) p.rows.push_back(r.fields);
    }
    pos = r.next;
    line += r.newlines;
  }
  return p;
}

// Long random fields put delimiters, quotes, CR/LF and non-ASCII bytes at every offset
// relative to the 64-byte blocks the SIMD scanner reads.
std::string RandomLongFieldCsv(std::mt19937_64& rng, size_t records, char delim) {
  std::string out;
  for (size_t r = 0; r < records; ++r) {
    if (rng() % 25 == 0) out += "\n";
    for (int f = 0; f < 3; ++f) {
      if (f > 0) out += delim;
      const size_t len = rng() % 150;
      const bool quoted = rng() % 3 == 0;
      if (rng() % 10 == 0) out += ' ';  // blanks before a quote are ignored
      if (quoted) out += '"';
      for (size_t k = 0; k < len; ++k) {
        const uint64_t x = rng() % 40;
        if (quoted && x == 0) {
          out += "\"\"";
        } else if (quoted && x == 1) {
          out += "\r\n";
        } else if (x == 2) {
          out += "\xC3\xA9";  // valid UTF-8
        } else if (x == 3 && rng() % 20 == 0) {
          out += '\xFF';  // invalid UTF-8
        } else if (!quoted && x == 4) {
          out += '"';  // an ordinary character inside an unquoted field
        } else {
          out += static_cast<char>('a' + rng() % 26);
        }
      }
      if (quoted) out += '"';
      if (rng() % 50 == 0) out += delim;  // wrong field count
    }
    out += rng() % 2 ? "\n" : "\r\n";
  }
  if (rng() % 2) out.pop_back();  // no final line break
  return out;
}

TEST(CsvTokenizer, SimdTokenizerEqualsByteByByteReading) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    for (char delim : {',', ';', '\t', '|'}) {
      const std::string data = RandomLongFieldCsv(rng, 60, delim);
      const Parsed want = ReferenceParse(data, 3, delim);
      for (size_t chunks : {1, 4}) {
        const Parsed got = Tokenize(data, 3, chunks, delim);
        ASSERT_EQ(got.status, want.status) << "trial " << trial;
        ASSERT_EQ(got.rows, want.rows) << "trial " << trial;
        ASSERT_EQ(got.lines, want.lines) << "trial " << trial;
        ASSERT_EQ(got.blank, want.blank) << "trial " << trial;
      }
    }
  }
}

TEST(CsvTokenizer, AnEarlyOpenQuoteSwallowsTheRestIntoOneBadRecord) {
  std::string data = "a,\"open\n";
  for (int i = 0; i < 500; ++i) data += "x,y\n";
  const Parsed p = Tokenize(data, 2, 10);
  ASSERT_EQ(p.status.size(), 1u);
  EXPECT_EQ(p.status[0], RecordStatus::kUnterminatedQuote);
}

}  // namespace
}  // namespace keel
