#include "data/ingest.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "data/schema_yaml.h"

namespace keel {
namespace {

IngestResult Read(std::string_view csv, ReadOptions options = {}, int threads = 0) {
  Context ctx;
  ctx.num_threads = threads;
  auto r = ReadTableFromBuffer(csv, "test.csv", options, ctx);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return IngestResult{};
  return std::move(*r);
}

const Column& Col(const IngestResult& r, std::string_view name) {
  const Column* c = r.table.Find(name);
  EXPECT_NE(c, nullptr) << name;
  static const Column kEmpty;
  return c ? *c : kEmpty;
}

void ExpectAccounted(const IngestReport& rep) {
  const uint64_t dropped = rep.duplicates_dropped ? rep.duplicates : 0;
  EXPECT_EQ(rep.rows_read, rep.rows_used + rep.rows_rejected + dropped);
  EXPECT_EQ(rep.rows_rejected, rep.rejected.size());
}

TEST(ReadTable, InfersEveryKind) {
  const auto r = Read(
      "id,age,city,active,joined,score\n"
      "u1,31,Paris,true,2024-01-02,1.5\n"
      "u2,45,Lyon,false,2024-01-03T10:00:00Z,2\n"
      "u3,,Paris,TRUE,2024-02-01,\n");
  ASSERT_EQ(r.table.num_rows(), 3u);
  EXPECT_EQ(Col(r, "age").kind(), ColumnKind::kNumeric);
  EXPECT_EQ(Col(r, "city").kind(), ColumnKind::kCategorical);
  EXPECT_EQ(Col(r, "active").kind(), ColumnKind::kBoolean);
  EXPECT_EQ(Col(r, "joined").kind(), ColumnKind::kTimestamp);
  EXPECT_EQ(Col(r, "score").kind(), ColumnKind::kNumeric);
  EXPECT_TRUE(Col(r, "age").IsMissing(2));
  EXPECT_EQ(Col(r, "city").dictionary(), (std::vector<std::string>{"Paris", "Lyon"}));
  EXPECT_EQ(Col(r, "active").booleans()[2], 1);
  EXPECT_EQ(Col(r, "joined").CellText(1), "2024-01-03T10:00:00Z");
  EXPECT_EQ(r.table.source_lines(), (std::vector<uint64_t>{2, 3, 4}));
  ExpectAccounted(r.report);
}

TEST(ReadTable, ACancelledContextStopsTheRead) {
  Context ctx;
  ctx.cancel = std::make_shared<CancelFlag>();
  const std::string csv = "a,b\n1,x\n2,y\n";
  ASSERT_TRUE(ReadTableFromBuffer(csv, "test.csv", {}, ctx).ok());
  ctx.cancel->Cancel();
  auto r = ReadTableFromBuffer(csv, "test.csv", {}, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_NE(r.status().message().find("reading test.csv was cancelled"), std::string::npos)
      << r.status().ToString();
}

TEST(ReadTable, ManyDistinctTextIsStringAndUniqueIsId) {
  std::string csv = "key,group\n";
  for (int i = 0; i < 100; ++i)
    csv += "k" + std::to_string(i) + ",g" + std::to_string(i % 3) + "\n";
  const auto r = Read(csv);
  EXPECT_EQ(Col(r, "key").kind(), ColumnKind::kString);
  EXPECT_EQ(Col(r, "group").kind(), ColumnKind::kCategorical);
  EXPECT_EQ(r.schema.Find("key")->role, Role::kId);
}

TEST(ReadTable, ProductionNumberSpellings) {
  const auto r = Read("x\n1e3\n+5\n\" 12 \"\n5.0\n\"42\"\n  7  \n-0.5\n1.8895E+3\n");
  const auto v = Col(r, "x").numeric();
  EXPECT_EQ(std::vector<double>(v.begin(), v.end()),
            (std::vector<double>{1000, 5, 12, 5, 42, 7, -0.5, 1889.5}));
  EXPECT_EQ(r.report.rows_rejected, 0u);
}

TEST(ReadTable, EveryDefaultMissingTokenIsMissing) {
  for (const char* token :
       {"", "NA", "N/A", "null", "NULL", "NaN", "?", " ", "\t", "\"\"", "\" \"", "\"NA\""}) {
    const std::string csv = std::string("n,c\n1,a\n") + token + "," + token + "\n3,b\n";
    const auto r = Read(csv);
    ASSERT_EQ(r.table.num_rows(), 3u) << token;
    EXPECT_EQ(Col(r, "n").kind(), ColumnKind::kNumeric) << token;
    EXPECT_TRUE(Col(r, "n").IsMissing(1)) << token;
    EXPECT_TRUE(Col(r, "c").IsMissing(1)) << token;
    EXPECT_EQ(r.report.rows_rejected, 0u) << token;
  }
}

TEST(ReadTable, CustomMissingTokensReplaceTheDefaults) {
  ReadOptions o;
  o.missing_tokens = {"-"};
  const auto r = Read("n,c\n1,NA\n-,-\n", o);
  EXPECT_TRUE(Col(r, "n").IsMissing(1));
  EXPECT_FALSE(Col(r, "c").IsMissing(0));
  EXPECT_EQ(Col(r, "c").CellText(0), "NA");
}

TEST(ReadTable, MostlyNumericColumnRejectsGarbageRowsWithTheirLine) {
  std::string csv = "v,w\n";
  for (int i = 0; i < 40; ++i) csv += std::to_string(i) + ",a\n";
  csv += "#REF!,b\n";  // line 42
  csv += "12x,c\n";    // line 43
  for (int i = 0; i < 40; ++i) csv += std::to_string(i) + ",a\n";
  const auto r = Read(csv);
  EXPECT_EQ(Col(r, "v").kind(), ColumnKind::kNumeric);
  EXPECT_EQ(r.table.num_rows(), 80u);
  ASSERT_EQ(r.report.rejected.size(), 2u);
  EXPECT_EQ(r.report.rejected[0].line, 42u);
  EXPECT_EQ(r.report.rejected[0].column, "v");
  EXPECT_EQ(r.report.rejected[0].kind, AnomalyKind::kTypeMismatch);
  EXPECT_EQ(r.report.rejected[0].raw, "#REF!,b");
  EXPECT_NE(r.report.rejected[0].reason.find("#REF!"), std::string::npos);
  EXPECT_EQ(r.report.rejected[1].line, 43u);
  EXPECT_EQ(r.report.columns[0].type_mismatches, 2u);
  EXPECT_EQ(r.report.errors, 2u);
  ExpectAccounted(r.report);
}

TEST(ReadTable, MixedColumnBelowThresholdIsCategorical) {
  const auto r = Read("v\n1\n2\nabc\n3\n");
  EXPECT_EQ(Col(r, "v").kind(), ColumnKind::kCategorical);
  EXPECT_EQ(Col(r, "v").dictionary(), (std::vector<std::string>{"1", "2", "abc", "3"}));
  EXPECT_EQ(r.report.rows_rejected, 0u);
}

TEST(ReadTable, CategoriesMatchCaseInsensitivelyWithMostFrequentSpelling) {
  const auto r = Read("a\nyes\nYes\n YES\nYes\nNo\nno \nNo\n");
  EXPECT_EQ(Col(r, "a").dictionary(), (std::vector<std::string>{"Yes", "No"}));
  EXPECT_EQ(Col(r, "a").CellText(0), "Yes");
  EXPECT_EQ(Col(r, "a").CellText(2), "Yes");
  ReadOptions o;
  o.normalize_case = false;
  const auto s = Read("a\nyes\nYes\n YES\nYes\nNo\nno \nNo\n", o);
  EXPECT_EQ(Col(s, "a").dictionary().size(), 5u);
}

TEST(ReadTable, TrimOffKeepsSpacesInText) {
  ReadOptions o;
  o.trim = false;
  const auto r = Read("a,b\n x ,1\ny,2\n", o);
  EXPECT_EQ(Col(r, "a").CellText(0), " x ");
  EXPECT_EQ(Col(r, "b").numeric()[0], 1);
}

TEST(ReadTable, BomAndCrlf) {
  const auto r = Read("\xEF\xBB\xBF\"a\",b\r\n1,x\r\n2,y\r\n");
  EXPECT_TRUE(r.report.bom);
  EXPECT_TRUE(r.report.crlf);
  EXPECT_EQ(r.table.column(0).name(), "a");
  EXPECT_EQ(Col(r, "b").CellText(1), "y");
}

TEST(ReadTable, SniffsDelimiters) {
  EXPECT_EQ(Read("a;b\n1,5;2\n3,5;4\n").report.delimiter, ';');
  EXPECT_EQ(Read("a\tb\n1\t2\n").report.delimiter, '\t');
  EXPECT_EQ(Read("a|b\n1|2\n").report.delimiter, '|');
  const auto r = Read("a,b\n\"x;y\",1\n\"z;w\",2\n");
  EXPECT_EQ(r.report.delimiter, ',');
  ReadOptions o;
  o.delimiter = ';';
  EXPECT_EQ(Read("a;b\n1;2\n", o).table.num_columns(), 2u);
}

TEST(ReadDecimalComma, SemicolonFileWithDecimalCommasHasNumericColumns) {
  const auto r = Read("price;city;qty\n3,7;Lyon;2\n12,25;Nice;5\n\"-0,5\";Metz;1\n");
  ASSERT_EQ(Col(r, "price").kind(), ColumnKind::kNumeric);
  const auto v = Col(r, "price").numeric();
  EXPECT_EQ(std::vector<double>(v.begin(), v.end()), (std::vector<double>{3.7, 12.25, -0.5}));
  EXPECT_EQ(Col(r, "qty").kind(), ColumnKind::kNumeric);
  EXPECT_EQ(Col(r, "city").kind(), ColumnKind::kCategorical);
  EXPECT_EQ(r.report.rows_rejected, 0u);
}

TEST(ReadDecimalComma, AValueWithTheOtherMarkIsRejectedNotReinterpreted) {
  std::string csv = "x;y\n";
  for (int i = 0; i < 40; ++i) csv += std::to_string(i) + ",5;a\n";
  csv += "2.5;b\n";  // line 42
  const auto r = Read(csv);
  ASSERT_EQ(Col(r, "x").kind(), ColumnKind::kNumeric);
  EXPECT_EQ(Col(r, "x").numeric()[3], 3.5);
  EXPECT_EQ(r.table.num_rows(), 40u);
  ASSERT_EQ(r.report.rejected.size(), 1u);
  EXPECT_EQ(r.report.rejected[0].line, 42u);
  EXPECT_EQ(r.report.rejected[0].kind, AnomalyKind::kTypeMismatch);
  EXPECT_NE(r.report.rejected[0].reason.find("\"2.5\""), std::string::npos);
  EXPECT_NE(r.report.rejected[0].reason.find("decimal mark"), std::string::npos)
      << r.report.rejected[0].reason;
  ExpectAccounted(r.report);
}

TEST(ReadDecimalComma, ReadsExactlyTheValuesOfTheDotSpellingInEveryChunk) {
  std::mt19937_64 rng(11);
  std::string dot = "a;b;c\n";
  char buf[64];
  for (int i = 0; i < 3000; ++i) {
    const double x = std::bit_cast<double>(rng());
    std::snprintf(buf, sizeof(buf), "%.17g", std::isfinite(x) ? x : 1.5);
    dot += buf;
    std::snprintf(buf, sizeof(buf), ";%.*f;", static_cast<int>(rng() % 8),
                  static_cast<double>(static_cast<int64_t>(rng() % 2000001) - 1000000) / 1000.0);
    dot += buf;
    dot += std::to_string(i % 5) + "\n";
  }
  std::string comma = dot;
  for (char& c : comma) c = c == '.' ? ',' : c;
  ReadOptions one;
  const auto a = Read(dot, one, 1);
  ReadOptions many;
  many.chunk_bytes = 4096;
  const auto b = Read(comma, many, 2);
  ASSERT_EQ(a.table.num_rows(), 3000u);
  ASSERT_EQ(b.table.num_rows(), 3000u);
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_EQ(Col(b, name).kind(), ColumnKind::kNumeric) << name;
    const auto va = Col(a, name).numeric();
    const auto vb = Col(b, name).numeric();
    for (size_t i = 0; i < va.size(); ++i) {
      ASSERT_EQ(std::bit_cast<uint64_t>(va[i]), std::bit_cast<uint64_t>(vb[i])) << name << i;
    }
  }
}

TEST(ReadDecimalComma, ReportAndSchemaSayWhichMarkWasUsed) {
  const auto r = Read("price;city\n3,7;Lyon\n12,25;Nice\n");
  EXPECT_EQ(r.report.decimal, ',');
  EXPECT_EQ(r.report.decimal_source, "detected");
  EXPECT_EQ(r.schema.decimal, ',');
  const auto j = IngestReportToJson(r.report);
  EXPECT_EQ(j["dialect"]["decimal"], ",");
  EXPECT_EQ(j["dialect"]["decimal_source"], "detected");
  EXPECT_EQ(DialectSummary(r.report),
            "csv, delimiter ';', decimal mark ',' (detected), header, LF");
  const auto d = Read("a,b\n1.5,2\n");
  EXPECT_EQ(d.report.decimal, '.');
  EXPECT_EQ(d.report.decimal_source, "delimiter");
  EXPECT_EQ(d.schema.decimal, 0);  // nothing to remember: the default
}

TEST(ReadDecimalComma, OptionForcesTheMarkOnAnAmbiguousFile) {
  const std::string csv = "a;b\n1,234;x\n5,678;y\n";
  const auto r = Read(csv);
  EXPECT_EQ(r.report.decimal, '.');
  EXPECT_EQ(r.report.decimal_source, "default");
  EXPECT_EQ(Col(r, "a").kind(), ColumnKind::kCategorical);
  ReadOptions o;
  o.decimal = ',';
  const auto f = Read(csv, o);
  EXPECT_EQ(f.report.decimal_source, "option");
  ASSERT_EQ(Col(f, "a").kind(), ColumnKind::kNumeric);
  EXPECT_EQ(Col(f, "a").numeric()[0], 1.234);
  EXPECT_EQ(Col(f, "a").numeric()[1], 5.678);
  o.delimiter = ',';
  const auto bad = ReadTableFromBuffer("a,b\n1,2\n", "x.csv", o, Context{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ReadDecimalComma, ASchemaFromADecimalCommaFileDecidesAnAmbiguousOne) {
  const auto inferred = Read("price;city\n3,7;Lyon\n12,25;Nice\n");
  const std::string yaml = SchemaToYaml(inferred.schema, "prices.csv");
  EXPECT_NE(yaml.find("\ndecimal: \",\"\n"), std::string::npos) << yaml;
  auto schema = ParseSchemaYaml(yaml, "s.yaml");
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(schema->decimal, ',');
  ReadOptions o;
  o.schema = &*schema;
  const auto r = Read("price;city\n1,234;Lyon\n", o);
  EXPECT_EQ(r.report.decimal_source, "schema");
  EXPECT_EQ(Col(r, "price").numeric()[0], 1.234);
  EXPECT_EQ(r.report.rows_rejected, 0u);
  EXPECT_FALSE(
      ParseSchemaYaml("decimal: x\ncolumns:\n  - {name: a, kind: numeric}\n", "s.yaml").ok());
}

TEST(ReadTable, SniffsAMissingHeader) {
  const auto r = Read("1,2.5,a\n2,3.5,b\n3,4.5,c\n");
  EXPECT_FALSE(r.report.header);
  EXPECT_EQ(r.table.num_rows(), 3u);
  EXPECT_EQ(r.table.column(0).name(), "col_1");
  EXPECT_EQ(r.table.source_lines()[0], 1u);
  ReadOptions o;
  o.header = true;
  EXPECT_EQ(Read("1,2\n3,4\n", o).table.num_rows(), 1u);
}

TEST(ReadTable, DuplicateAndEmptyHeaderNames) {
  const auto r = Read("a,a,,b\n1,2,3,4\n");
  EXPECT_EQ(r.table.column(1).name(), "a_2");
  EXPECT_EQ(r.table.column(2).name(), "col_3");
  ASSERT_FALSE(r.report.anomalies.empty());
  EXPECT_EQ(r.report.anomalies[0].kind, AnomalyKind::kDuplicateColumnName);
}

TEST(ReadTable, EmptyInputIsAClearError) {
  for (const char* data : {"", "\xEF\xBB\xBF", "\n\n", "   \r\n"}) {
    auto r = ReadTableFromBuffer(data, "empty.csv", {}, Context{});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("empty.csv is empty"), std::string::npos);
  }
}

TEST(ReadTable, HeaderOnlyGivesAnEmptyTableWithTheColumns) {
  const auto r = Read("a,b,c\n");
  EXPECT_EQ(r.table.num_rows(), 0u);
  ASSERT_EQ(r.table.num_columns(), 3u);
  EXPECT_EQ(r.table.column(2).name(), "c");
  EXPECT_EQ(r.report.rows_read, 0u);
  ReadOptions o;
  o.kind_overrides["a"] = ColumnKind::kNumeric;
  EXPECT_EQ(Read("a,b", o).table.column(0).kind(), ColumnKind::kNumeric);
}

TEST(ReadTable, TenMegabyteField) {
  std::string big(10 << 20, 'x');
  big[5] = ',';
  big[100] = '"';
  std::string escaped;
  for (char c : big) {
    escaped += c;
    if (c == '"') escaped += '"';
  }
  const std::string csv = "id,text\n1,\"" + escaped + "\"\n2,short\n";
  const auto r = Read(csv);
  ASSERT_EQ(r.table.num_rows(), 2u);
  const Column& t = Col(r, "text");
  ASSERT_EQ(t.kind(), ColumnKind::kCategorical);
  EXPECT_EQ(t.CellText(0), big);
  EXPECT_EQ(r.table.source_lines()[1], 3u);
}

TEST(ReadTable, InvalidUtf8RejectsTheRecordAndAnInvalidHeaderFails) {
  const auto r = Read("a,b\nok,1\nbad\xFF\xFE,2\nok,3\n");
  EXPECT_EQ(r.table.num_rows(), 2u);
  ASSERT_EQ(r.report.rejected.size(), 1u);
  EXPECT_EQ(r.report.rejected[0].line, 3u);
  EXPECT_EQ(r.report.rejected[0].kind, AnomalyKind::kEncodingError);
  auto h = ReadTableFromBuffer("a\xFF,b\n1,2\n", "bad.csv", {}, Context{});
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("bad.csv:1"), std::string::npos);
  auto u16 = ReadTableFromBuffer(
      "\xFF\xFE"
      "a\0,\0b\0",
      "u16.csv", {}, Context{});
  ASSERT_FALSE(u16.ok());
  EXPECT_EQ(u16.status().code(), StatusCode::kUnsupported);
}

TEST(ReadTable, TruncatedLastLineIsRejectedAndEarlierRowsKept) {
  const auto r = Read("a,b\n1,x\n2,y\n3,\"trunc");
  EXPECT_EQ(r.table.num_rows(), 2u);
  ASSERT_EQ(r.report.rejected.size(), 1u);
  EXPECT_EQ(r.report.rejected[0].line, 4u);
  EXPECT_EQ(r.report.rejected[0].kind, AnomalyKind::kMalformedQuoting);
  EXPECT_EQ(r.report.rejected[0].raw, "3,\"trunc");
  // Without a trailing newline but well formed: the last record is kept.
  EXPECT_EQ(Read("a,b\n1,x\n2,y").table.num_rows(), 2u);
  ExpectAccounted(r.report);
}

TEST(ReadTable, HeaderWithUnterminatedQuoteFails) {
  auto r = ReadTableFromBuffer("\"a,b\n1,2\n", "h.csv", {}, Context{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kParseError);
}

TEST(ReadTable, WrongFieldCountsAreRejected) {
  const auto r = Read("a,b,c\n1,2,3\n1,2\n1,2,3,4\n1,2,3,\n4,5,6\n");
  EXPECT_EQ(r.table.num_rows(), 2u);
  ASSERT_EQ(r.report.rejected.size(), 3u);
  EXPECT_EQ(r.report.rejected[0].line, 3u);
  EXPECT_EQ(r.report.rejected[0].reason, "expected 3 fields, found 2");
  EXPECT_EQ(r.report.rejected[2].line, 5u);
  ExpectAccounted(r.report);
}

TEST(ReadTable, DuplicatesAreCountedAndOptionallyDropped) {
  const std::string csv = "a,b\n1,x\n1,x\n2,y\n1,x\n\"1\",x\n";
  const auto kept = Read(csv);
  EXPECT_EQ(kept.report.duplicates, 2u);
  EXPECT_EQ(kept.table.num_rows(), 5u);
  ASSERT_EQ(kept.report.duplicate_records.size(), 2u);
  EXPECT_EQ(kept.report.duplicate_records[0].line, 3u);
  EXPECT_EQ(kept.report.duplicate_records[0].first_line, 2u);
  ReadOptions o;
  o.drop_duplicates = true;
  const auto dropped = Read(csv, o);
  EXPECT_EQ(dropped.table.num_rows(), 3u);
  EXPECT_EQ(dropped.report.rows_used, 3u);
  ExpectAccounted(dropped.report);
}

TEST(ReadTable, KindOverrides) {
  ReadOptions o;
  o.kind_overrides["y"] = ColumnKind::kCategorical;
  o.kind_overrides["z"] = ColumnKind::kNumeric;
  const auto r = Read("y,z\n0,1\n1,x\n", o);
  EXPECT_EQ(Col(r, "y").kind(), ColumnKind::kCategorical);
  EXPECT_EQ(Col(r, "y").dictionary(), (std::vector<std::string>{"0"}));  // row 2 is rejected
  EXPECT_EQ(r.report.rejected.size(), 1u);
  EXPECT_FALSE(r.report.columns[0].inferred);
}

Schema ChurnSchema() {
  Schema s;
  ColumnSchema tenure;
  tenure.name = "tenure";
  tenure.kind = ColumnKind::kNumeric;
  tenure.min = 0;
  tenure.max = 72;
  ColumnSchema plan;
  plan.name = "plan";
  plan.kind = ColumnKind::kCategorical;
  plan.categories = {"basic", "Pro"};
  plan.max_missing_rate = 0.2;
  ColumnSchema churn;
  churn.name = "churn";
  churn.kind = ColumnKind::kCategorical;
  churn.role = Role::kTarget;
  s.columns = {tenure, plan, churn};
  return s;
}

TEST(ReadTable, SchemaValidationReportsAndRejects) {
  const Schema schema = ChurnSchema();
  ReadOptions o;
  o.schema = &schema;
  const auto r =
      Read("tenure,plan,churn\n5,basic,No\n80,pro,Yes\nabc,basic,No\n3,gold,No\n1,,No\n", o);
  EXPECT_EQ(r.table.num_rows(), 4u);
  EXPECT_EQ(Col(r, "plan").dictionary(), (std::vector<std::string>{"basic", "Pro", "gold"}));
  EXPECT_EQ(Col(r, "plan").CellText(1), "Pro");
  ASSERT_EQ(r.report.rejected.size(), 1u);
  EXPECT_EQ(r.report.rejected[0].line, 4u);
  std::vector<std::pair<AnomalyKind, uint64_t>> seen;
  for (const auto& a : r.report.anomalies) seen.emplace_back(a.kind, a.line);
  EXPECT_NE(
      std::find(seen.begin(), seen.end(), std::make_pair(AnomalyKind::kOutOfRange, uint64_t{3})),
      seen.end());
  EXPECT_NE(
      std::find(seen.begin(), seen.end(), std::make_pair(AnomalyKind::kNewCategory, uint64_t{5})),
      seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(),
                      std::make_pair(AnomalyKind::kMissingRateAbove, uint64_t{0})),
            seen.end());
  o.reject_out_of_range = true;
  o.reject_new_categories = true;
  const auto strict = Read("tenure,plan,churn\n5,basic,No\n80,pro,Yes\n3,gold,No\n", o);
  EXPECT_EQ(strict.table.num_rows(), 1u);
  ExpectAccounted(strict.report);
}

TEST(ReadTable, PredictingWithoutTheTargetAndWithAnExtraIdColumn) {
  const Schema schema = ChurnSchema();
  ReadOptions o;
  o.schema = &schema;
  const auto r = Read("customer,tenure,plan\nc1,5,basic\nc2,7,Pro\n", o);
  EXPECT_EQ(r.table.num_columns(), 3u);
  EXPECT_EQ(r.table.Find("churn"), nullptr);
  EXPECT_EQ(Col(r, "customer").kind(), ColumnKind::kCategorical);
  bool missing = false, unexpected = false;
  for (const auto& a : r.report.anomalies) {
    missing |= a.kind == AnomalyKind::kMissingColumn && a.column == "churn";
    unexpected |= a.kind == AnomalyKind::kUnexpectedColumn && a.column == "customer";
  }
  EXPECT_TRUE(missing);
  EXPECT_TRUE(unexpected);
  EXPECT_NE(r.schema.Find("customer"), nullptr);
  // A missing feature column is an error unless allowed.
  auto bad = ReadTableFromBuffer("tenure\n5\n", "p.csv", o, Context{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("plan"), std::string::npos);
  o.allow_missing_columns = true;
  EXPECT_TRUE(ReadTableFromBuffer("tenure\n5\n", "p.csv", o, Context{}).ok());
}

TEST(ReadTable, ResultDoesNotDependOnChunksOrThreads) {
  std::mt19937_64 rng(3);
  std::string csv = "n,c,t,q\n";
  for (int i = 0; i < 5000; ++i) {
    csv += std::to_string(rng() % 1000) + "," + (rng() % 2 ? "Alpha" : "alpha") +
           std::to_string(rng() % 7) + ",\"line\nbreak " + std::to_string(i % 13) + "\"," +
           (i % 97 == 0 ? "bad" : std::to_string(i)) + "\n";
  }
  ReadOptions one;
  const auto a = Read(csv, one, 1);
  for (size_t chunk : {size_t{97}, size_t{4096}, size_t{30000}}) {
    ReadOptions many;
    many.chunk_bytes = chunk;
    const auto b = Read(csv, many, 2);
    ASSERT_EQ(a.table.num_rows(), b.table.num_rows());
    EXPECT_EQ(a.table.source_lines(), b.table.source_lines());
    for (size_t j = 0; j < a.table.num_columns(); ++j) {
      ASSERT_EQ(a.table.column(j).kind(), b.table.column(j).kind());
      for (size_t i = 0; i < a.table.num_rows(); ++i) {
        ASSERT_EQ(a.table.column(j).CellText(i), b.table.column(j).CellText(i)) << j << " " << i;
      }
    }
    ASSERT_EQ(a.report.rejected.size(), b.report.rejected.size());
    for (size_t i = 0; i < a.report.rejected.size(); ++i) {
      EXPECT_EQ(a.report.rejected[i].line, b.report.rejected[i].line);
    }
  }
}

// The reader's numeric columns are written in place in slots sized by the line breaks of each
// chunk (table_builder.cc, SizeSlots): rows lost before a chunk (rejected, blank lines, breaks
// inside quotes) move its values down, and a file whose line breaks far outnumber its records
// takes the other layout. Both must give exactly the values of the text, in every chunking.
TEST(ReadTable, NumbersAreExactWhateverTheLineBreaksPerRecord) {
  for (const int breaks : {0, 1, 40}) {
    std::string csv = "n,q,m\n";
    std::vector<double> want;
    std::vector<uint64_t> lines;
    uint64_t line = 2;
    for (int i = 0; i < 3000; ++i) {
      const bool bad = i % 101 == 5, missing = i % 7 == 3;
      const double v = (i - 1500) * 0.125;
      char num[32];
      std::snprintf(num, sizeof num, "%.3f", v);
      csv += std::string(missing ? "" : num) + ",\"" + std::string(breaks, '\n') + "x\"," +
             (bad ? "oops" : std::to_string(i)) + "\n";
      if (i % 13 == 0) csv += "\n";  // a blank line
      if (!bad) {
        want.push_back(missing ? std::nan("") : v);
        lines.push_back(line);
      }
      line += breaks + 1 + (i % 13 == 0 ? 1 : 0);
    }
    for (const size_t chunk : {size_t{0}, size_t{97}, size_t{4096}}) {
      for (const int threads : {1, 2}) {
        ReadOptions o;
        o.chunk_bytes = chunk;
        const auto r = Read(csv, o, threads);
        const Column& n = Col(r, "n");
        ASSERT_EQ(n.kind(), ColumnKind::kNumeric);
        ASSERT_EQ(n.size(), want.size()) << breaks << " " << chunk;
        for (size_t i = 0; i < want.size(); ++i) {
          ASSERT_EQ(std::bit_cast<uint64_t>(n.numeric()[i]), std::bit_cast<uint64_t>(want[i]))
              << "row " << i << ", " << breaks << " breaks, chunks of " << chunk;
        }
        EXPECT_EQ(r.table.source_lines(), lines);
        EXPECT_EQ(r.report.rows_rejected, 3000 - want.size());
      }
    }
  }
}

TEST(ReadTable, MillionRowFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("keel_ingest_1m_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "big.csv").string();
  double sum = 0;
  {
    std::string text = "i,x,cat,flag\n";
    text.reserve(32u << 20);
    char buf[64];
    for (int i = 0; i < 1000000; ++i) {
      const double x = (i % 1000) * 0.25;
      sum += x;
      const int n = std::snprintf(buf, sizeof buf, "%d,%g,c%d,%s\n", i, x, i % 50,
                                  i % 3 == 0 ? "true" : "false");
      text.append(buf, static_cast<size_t>(n));
    }
    std::ofstream(path, std::ios::binary) << text;
  }
  auto r = ReadTable(path, {}, Context{});
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->table.num_rows(), 1000000u);
  EXPECT_EQ(r->report.rows_read, 1000000u);
  EXPECT_EQ(r->report.rows_rejected, 0u);
  EXPECT_EQ(r->table.column(0).numeric()[999999], 999999);
  EXPECT_EQ(r->table.source_lines()[999999], 1000001u);
  double got = 0;
  for (double v : r->table.column(1).numeric()) got += v;
  EXPECT_DOUBLE_EQ(got, sum);
  EXPECT_EQ(r->table.column(2).dictionary().size(), 50u);
  EXPECT_EQ(r->table.column(3).kind(), ColumnKind::kBoolean);
}

TEST(ReadTable, VeryWideFile) {
  const int cols = 3000;
  std::string csv;
  for (int j = 0; j < cols; ++j) csv += (j ? ",c" : "c") + std::to_string(j);
  csv += "\n";
  for (int r = 0; r < 300; ++r) {
    for (int j = 0; j < cols; ++j) csv += (j ? "," : "") + std::to_string(r * j);
    csv += "\n";
  }
  const auto res = Read(csv);
  ASSERT_EQ(res.table.num_columns(), static_cast<size_t>(cols));
  ASSERT_EQ(res.table.num_rows(), 300u);
  EXPECT_EQ(res.table.column(2999).numeric()[299], 299.0 * 2999);
}

TEST(ReadTable, MissingFileNamesThePath) {
  auto r = ReadTable("/nonexistent/dir/data.csv", {}, Context{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/dir/data.csv"), std::string::npos);
}

}  // namespace
}  // namespace keel
