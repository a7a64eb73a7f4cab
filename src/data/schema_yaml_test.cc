#include "data/schema_yaml.h"

#include <gtest/gtest.h>

#include "data/ingest.h"

namespace keel {
namespace {

TEST(SchemaYaml, RoundTripsEveryField) {
  Schema s;
  ColumnSchema a;
  a.name = "churn";
  a.kind = ColumnKind::kCategorical;
  a.role = Role::kTarget;
  a.categories = {"No", "Yes", "yes please", "1", "a: b", "", "\"q\"", "null", "Tab\there"};
  a.max_missing_rate = 0.05;
  a.description = "did the customer leave?";
  a.seen.count = 10;
  a.seen.distinct = 2;
  a.seen.missing_rate = 0;
  ColumnSchema b;
  b.name = "tenure: months";
  b.kind = ColumnKind::kNumeric;
  b.role = Role::kSensitive;
  b.min = -1.5;
  b.max = 1e300;
  b.seen.mean = 0.1;
  ColumnSchema c;
  c.name = "when";
  c.kind = ColumnKind::kTimestamp;
  c.role = Role::kTime;
  s.columns = {a, b, c};
  s.labels.classes = {"No", "Yes"};
  s.labels.merge = {{"Y", "Yes"}, {"maybe so", "Yes"}};
  s.labels.case_insensitive = false;

  const std::string yaml = SchemaToYaml(s, "data.csv", 10);
  auto back = ParseSchemaYaml(yaml, "s.yaml");
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << yaml;
  ASSERT_EQ(back->columns.size(), 3u);
  const ColumnSchema& x = back->columns[0];
  EXPECT_EQ(x.categories, a.categories);
  EXPECT_EQ(x.role, Role::kTarget);
  EXPECT_EQ(x.max_missing_rate, 0.05);
  EXPECT_EQ(x.description, a.description);
  EXPECT_EQ(x.seen.count, 10u);
  EXPECT_EQ(back->columns[1].name, "tenure: months");
  EXPECT_EQ(back->columns[1].min, -1.5);
  EXPECT_EQ(back->columns[1].max, 1e300);
  EXPECT_EQ(back->columns[1].seen.mean, 0.1);
  EXPECT_EQ(back->columns[2].kind, ColumnKind::kTimestamp);
  EXPECT_EQ(back->labels.classes, s.labels.classes);
  EXPECT_EQ(back->labels.merge, s.labels.merge);
  EXPECT_FALSE(back->labels.case_insensitive);
  EXPECT_EQ(back->labels.Version(), s.labels.Version());
}

TEST(SchemaYaml, UnknownKeysAreErrorsNamingKeyAndLine) {
  auto r = ParseSchemaYaml(
      "version: 1\n"
      "columns:\n"
      "  - name: a\n"
      "    kind: numeric\n"
      "    colour: red\n",
      "s.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kParseError);
  EXPECT_NE(r.status().message().find("s.yaml:5"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("\"colour\""), std::string::npos);
  auto top = ParseSchemaYaml("columns: []\nextra: 1\n", "t.yaml");
  ASSERT_FALSE(top.ok());
  EXPECT_NE(top.status().message().find("t.yaml:2"), std::string::npos);
}

TEST(SchemaYaml, BadValuesAreErrors) {
  const char* cases[] = {
      "columns:\n  - name: a\n    kind: number3\n",
      "columns:\n  - name: a\n    kind: numeric\n    role: boss\n",
      "columns:\n  - name: a\n    kind: numeric\n    min: low\n",
      "columns:\n  - name: a\n    kind: numeric\n    min: 5\n    max: 1\n",
      "columns:\n  - name: a\n    kind: numeric\n  - name: a\n    kind: numeric\n",
      "columns:\n  - name: a\n    kind: categorical\n    labels: {classes: [x]}\n",
      "columns:\n  - name: a\n    kind: categorical\n    role: target\n    labels: {classes: [x, x]}\n",
      "columns:\n  - name: a\n    kind: categorical\n    role: target\n    labels: {classes: [x], merge: {y: z}}\n",
      "columns:\n  - name: a\n    kind: numeric\n    categories: [x]\n",
      "version: 2\ncolumns: []\n",
      "columns: [\n",
      "just text\n",
      "columns:\n  - kind: numeric\n",
  };
  for (const char* text : cases) {
    auto r = ParseSchemaYaml(text, "s.yaml");
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok()) EXPECT_NE(r.status().message().find("s.yaml"), std::string::npos) << r.status().message();
  }
}

TEST(SchemaYaml, PositiveMovesTheClassLast) {
  auto r = ParseSchemaYaml(
      "columns:\n  - name: y\n    kind: categorical\n    role: target\n"
      "    labels: {classes: [bad, good], positive: bad}\n",
      "s.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->labels.classes, (std::vector<std::string>{"good", "bad"}));
}

TEST(SchemaYaml, InferredSchemaValidatesItsOwnDataWithoutAnomalies) {
  const std::string csv = "a,b,c\n1,x,2024-01-01\n2,y,2024-01-02\n,x,\n";
  auto first = ReadTableFromBuffer(csv, "d.csv", {});
  ASSERT_TRUE(first.ok());
  Schema schema = first->schema;
  AddObservedStats(first->report, &schema);
  auto parsed = ParseSchemaYaml(SchemaToYaml(schema, "d.csv", 3), "s.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Find("c")->role, Role::kTime);
  EXPECT_EQ(parsed->Find("b")->categories, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(parsed->Find("a")->max, 2);
  ReadOptions o;
  o.schema = &*parsed;
  auto again = ReadTableFromBuffer(csv, "d.csv", o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->report.anomalies_total, 0u);
  auto drifted = ReadTableFromBuffer("a,b,c\n7,z,2024-01-01\n", "e.csv", o);
  ASSERT_TRUE(drifted.ok());
  EXPECT_EQ(drifted->report.warnings, 2u);  // out of range, new category
}

}  // namespace
}  // namespace keel
