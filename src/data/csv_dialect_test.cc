#include "data/csv_dialect.h"

#include <gtest/gtest.h>

#include <string>

namespace keel {
namespace {

CsvDialect Sniff(std::string_view data, CsvDialectOptions options = {}) {
  const MissingTokens missing;
  auto d = SniffCsvDialect(data, options, missing);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return d.ok() ? *d : CsvDialect();
}

TEST(SniffDecimal, ClearDecimalCommaWithSemicolons) {
  const CsvDialect d = Sniff("price;city;qty\n3,7;Lyon;2\n12,25;Nice;5\n0,5;Metz;1\n");
  EXPECT_EQ(d.delimiter, ';');
  EXPECT_EQ(d.decimal, ',');
  EXPECT_EQ(d.decimal_source, DecimalSource::kDetected);
  EXPECT_TRUE(d.header);
}

TEST(SniffDecimal, ClearDecimalPointWithSemicolons) {
  const CsvDialect d = Sniff("price;city\n3.7;Lyon\n12.25;Nice\n");
  EXPECT_EQ(d.delimiter, ';');
  EXPECT_EQ(d.decimal, '.');
  EXPECT_EQ(d.decimal_source, DecimalSource::kDetected);
}

TEST(SniffDecimal, CommaDelimiterAlwaysMeansDecimalPoint) {
  CsvDialect d = Sniff("a,b\n1.5,x\n2.5,y\n");
  EXPECT_EQ(d.delimiter, ',');
  EXPECT_EQ(d.decimal, '.');
  EXPECT_EQ(d.decimal_source, DecimalSource::kDelimiter);
  // Quoted decimal commas in a comma-delimited file stay text: the rule has no exception.
  d = Sniff("a,b\n\"1,5\",x\n\"2,5\",y\n");
  EXPECT_EQ(d.delimiter, ',');
  EXPECT_EQ(d.decimal, '.');
  // Even a schema saying ',' cannot make a comma-delimited file decimal-comma.
  CsvDialectOptions o;
  o.schema_decimal = ',';
  d = Sniff("a,b\n1,2\n", o);
  EXPECT_EQ(d.decimal, '.');
  EXPECT_EQ(d.decimal_source, DecimalSource::kDelimiter);
}

TEST(SniffDecimal, QuotedNegativeAndExponentFieldsVote) {
  EXPECT_EQ(Sniff("a;b\n\"1,5\";x\n\"-2,5\";y\n").decimal, ',');
  EXPECT_EQ(Sniff("a;b\n-0,5;x\n-12,75;y\n").decimal, ',');
  EXPECT_EQ(Sniff("a;b\n1,5e3;x\n2,0E-2;y\n").decimal, ',');
  EXPECT_EQ(Sniff("a;b\n1.5e3;x\n2.0E-2;y\n").decimal, '.');
  EXPECT_EQ(Sniff("a\tb\n1,5\t2,5\n3,5\t4\n").delimiter, '\t');
  EXPECT_EQ(Sniff("a\tb\n1,5\t2,5\n3,5\t4\n").decimal, ',');
  EXPECT_EQ(Sniff("a|b\n1,5|x\n").decimal, ',');
}

TEST(SniffDecimal, IntegersAndThousandsGroupsCannotDecide) {
  for (const char* data : {"a;b\n1;2\n3;4\n", "a;b\n1,234;x\n12,345;y\n-123,456;z\n",
                           "a;b\n1.234;x\n12.345;y\n", "a;b\nx;y\n"}) {
    const CsvDialect d = Sniff(data);
    EXPECT_EQ(d.decimal, '.') << data;
    EXPECT_EQ(d.decimal_source, DecimalSource::kDefault) << data;
  }
  // A leading zero or a group of other than three digits is no thousands group.
  EXPECT_EQ(Sniff("a;b\n0,234;x\n").decimal, ',');
  EXPECT_EQ(Sniff("a;b\n1234,567;x\n").decimal, ',');
  EXPECT_EQ(Sniff("a;b\n1,2345;x\n").decimal, ',');
  // One clear value among ambiguous ones decides.
  EXPECT_EQ(Sniff("a;b\n1,234;x\n5,5;y\n").decimal, ',');
  // Missing tokens and text with both marks are no evidence.
  EXPECT_EQ(Sniff("a;b\n1.234,5;x\nNA;y\n").decimal_source, DecimalSource::kDefault);
}

TEST(SniffDecimal, MajorityWinsAndTiesAreUndecided) {
  const CsvDialect d = Sniff("a;b\n1,5;x\n2,5;x\n3,5;x\n4.5;x\n");
  EXPECT_EQ(d.decimal, ',');
  EXPECT_EQ(d.decimal_source, DecimalSource::kDetected);
  EXPECT_EQ(Sniff("a;b\n1,5;x\n4.5;x\n").decimal_source, DecimalSource::kDefault);
}

TEST(SniffDecimal, OptionAndSchemaDecideWhatTheSampleCannot) {
  CsvDialectOptions o;
  o.decimal = ',';
  CsvDialect d = Sniff("a;b\n1,234;x\n", o);
  EXPECT_EQ(d.decimal, ',');
  EXPECT_EQ(d.decimal_source, DecimalSource::kOption);
  // The option wins over clear evidence too (the other mark is then reported per value).
  d = Sniff("a;b\n1.5;x\n", o);
  EXPECT_EQ(d.decimal, ',');
  o = {};
  o.decimal = '.';
  d = Sniff("a;b\n1,5;x\n", o);
  EXPECT_EQ(d.decimal, '.');
  EXPECT_EQ(d.decimal_source, DecimalSource::kOption);
  o = {};
  o.schema_decimal = ',';
  d = Sniff("a;b\n1,234;x\n", o);
  EXPECT_EQ(d.decimal, ',');
  EXPECT_EQ(d.decimal_source, DecimalSource::kSchema);
  // Clear evidence wins over the schema.
  d = Sniff("a;b\n1.5;x\n", o);
  EXPECT_EQ(d.decimal, '.');
  EXPECT_EQ(d.decimal_source, DecimalSource::kDetected);
}

TEST(SniffDecimal, HeaderlessDecimalCommaFileIsSplitOnSemicolons) {
  // "1,5;2,5" has as many ','-fields as ';'-fields on every line; the decimal commas decide.
  const CsvDialect d = Sniff("1,5;2,5\n3,5;4,5\n6,25;7,75\n");
  EXPECT_EQ(d.delimiter, ';');
  EXPECT_EQ(d.decimal, ',');
  EXPECT_FALSE(d.header);  // the numbers are read with ',' when voting on the header
  // A comma-delimited file keeps ',' when the ';'-split shows no decimal commas.
  EXPECT_EQ(Sniff("1,a;b\n2,c;d\n").delimiter, ',');
}

TEST(SniffDecimal, ForcedCommaNeverSniffsACommaDelimiter) {
  CsvDialectOptions o;
  o.decimal = ',';
  EXPECT_EQ(Sniff("x\n1,5\n2,5\n", o).delimiter, ';');  // one column
  EXPECT_EQ(Sniff("a|b\n1,5|2\n", o).delimiter, '|');
}

TEST(SniffDecimal, BadOptionsAreErrors) {
  const MissingTokens missing;
  CsvDialectOptions o;
  o.delimiter = ',';
  o.decimal = ',';
  auto d = SniffCsvDialect("a,b\n1,2\n", o, missing);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("delimiter"), std::string::npos) << d.status().message();
  o = {};
  o.decimal = 'x';
  EXPECT_FALSE(SniffCsvDialect("a;b\n1;2\n", o, missing).ok());
}

TEST(ParseDecimalMark, ReadsTheUsersSpellings) {
  char m = 'x';
  EXPECT_TRUE(ParseDecimalMark(",", &m));
  EXPECT_EQ(m, ',');
  EXPECT_TRUE(ParseDecimalMark("comma", &m));
  EXPECT_EQ(m, ',');
  EXPECT_TRUE(ParseDecimalMark(".", &m));
  EXPECT_EQ(m, '.');
  EXPECT_TRUE(ParseDecimalMark("dot", &m));
  EXPECT_EQ(m, '.');
  EXPECT_TRUE(ParseDecimalMark("auto", &m));
  EXPECT_EQ(m, 0);
  for (const char* bad : {"x", "", ";", ",,", "Comma", " ,", "point"}) {
    EXPECT_FALSE(ParseDecimalMark(bad, &m)) << bad;
  }
}

}  // namespace
}  // namespace keel
