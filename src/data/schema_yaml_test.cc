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
  a.category_order = CategoryOrder::kListed;
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
  EXPECT_EQ(x.category_order, CategoryOrder::kListed);
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
      "columns:\n  - name: a\n    kind: categorical\n    role: target\n    labels: {classes: [x, "
      "x]}\n",
      "columns:\n  - name: a\n    kind: categorical\n    role: target\n    labels: {classes: [x], "
      "merge: {y: z}}\n",
      "columns:\n  - name: a\n    kind: numeric\n    categories: [x]\n",
      "columns:\n  - name: a\n    kind: numeric\n    category_order: sorted\n",
      "columns:\n  - name: a\n    kind: categorical\n    category_order: alphabetical\n",
      "version: 2\ncolumns: []\n",
      "columns: [\n",
      "just text\n",
      "columns:\n  - kind: numeric\n",
  };
  for (const char* text : cases) {
    auto r = ParseSchemaYaml(text, "s.yaml");
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok())
      EXPECT_NE(r.status().message().find("s.yaml"), std::string::npos) << r.status().message();
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
  auto first = ReadTableFromBuffer(csv, "d.csv", {}, Context{});
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
  auto again = ReadTableFromBuffer(csv, "d.csv", o, Context{});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->report.anomalies_total, 0u);
  auto drifted = ReadTableFromBuffer("a,b,c\n7,z,2024-01-01\n", "e.csv", o, Context{});
  ASSERT_TRUE(drifted.ok());
  EXPECT_EQ(drifted->report.warnings, 2u);  // out of range, new category
}

// The category order a model trained from pandas on the same file numbers its codes in.
struct Inferred {
  std::vector<std::string> categories;
  CategoryOrder order;
  std::string note;
};

Inferred InferColumn(const std::string& csv, const std::string& column = "c") {
  auto r = ReadTableFromBuffer(csv, "d.csv", {}, Context{});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || r->schema.Find(column) == nullptr) return {};
  const ColumnSchema& c = *r->schema.Find(column);
  EXPECT_EQ(c.kind, ColumnKind::kCategorical) << csv;
  return {c.categories, c.category_order, c.category_order_note};
}

TEST(SchemaYaml, InferredCategoriesAreInPandasOrderWhateverTheRowOrder) {
  using Texts = std::vector<std::string>;
  const Inferred a = InferColumn(
      "c,n\nrent,1\nowner,2\nZeta,3\n\"\xC3\x89"
      "co\",4\nrent,5\n,6\n");
  const Inferred b = InferColumn(
      "c,n\n\"\xC3\x89"
      "co\",4\nZeta,3\n,6\nrent,5\nowner,2\nrent,1\n");
  EXPECT_EQ(a.categories, (Texts{"Zeta", "owner", "rent",
                                 "\xC3\x89"
                                 "co"}));
  EXPECT_EQ(b.categories, a.categories);
  EXPECT_EQ(a.order, CategoryOrder::kSorted) << a.note;
  // "NA" and empty cells are missing to pandas too; a lone trailing space sorts the same.
  const Inferred c = InferColumn("c,n\nb,1\nNA,2\n\"a \",3\n\"\",4\nb,5\n");
  EXPECT_EQ(c.categories, (Texts{"a", "b"}));
  EXPECT_EQ(c.order, CategoryOrder::kSorted) << c.note;
  const std::string yaml =
      SchemaToYaml(ReadTableFromBuffer("c\nb\na\nb\n", "d.csv", {}, Context{})->schema, "", 0);
  EXPECT_NE(yaml.find("    categories: [a, b]\n    category_order: sorted\n"), std::string::npos)
      << yaml;
}

TEST(SchemaYaml, InferredCategoriesPandasWouldNotMakeAreMarkedUnknown) {
  const struct {
    const char* csv;
    const char* why;
  } cases[] = {
      {"c,n\nyes,1\nno,2\nYes,3\nno,4\n", "spells category \"yes\" 2 ways (\"Yes\", \"yes\")"},
      {"c,n\n a,1\nb,2\na,3\nb,4\n", "spells category \"a\" 2 ways"},
      {"c,n\nb,1\n?,2\na,3\nb,4\n", "Keel reads \"?\" as missing, pandas as a category"},
      {"c,n\nb,1\n\" \",2\na,3\nb,4\n", "Keel reads \" \" as missing"},
      {"c,n\nb,1\nn/a,2\na,3\nb,4\n", "pandas reads \"n/a\" as a missing value"},
      {"c,n\nb,1\nNone,2\na,3\nb,4\n", "pandas 2 reads \"None\" as a missing value"},
      {"c,n\n\" b\",1\na,2\na,3\n\" b\",4\n", "with its spaces"},
  };
  for (const auto& k : cases) {
    const Inferred r = InferColumn(k.csv);
    EXPECT_EQ(r.order, CategoryOrder::kUnknown) << k.csv;
    EXPECT_NE(r.note.find(k.why), std::string::npos) << k.csv << " -> " << r.note;
  }
  // "x" is a type mismatch in numeric column n: its row is rejected, pandas keeps "z".
  std::string csv = "c,n\nz,x\n";
  for (int i = 0; i < 30; ++i) csv += (i % 2 ? "a," : "b,") + std::to_string(i) + "\n";
  const Inferred r = InferColumn(csv);
  EXPECT_EQ(r.categories, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.order, CategoryOrder::kUnknown);
  EXPECT_NE(r.note.find("\"z\" occurs only in rows Keel rejects"), std::string::npos) << r.note;
  // The note is a comment on the category_order line, which reads back as unknown.
  auto read = ReadTableFromBuffer("c,n\nyes,1\nYes,2\nno,3\n", "d.csv", {}, Context{});
  ASSERT_TRUE(read.ok());
  const std::string yaml = SchemaToYaml(read->schema, "", 0);
  EXPECT_NE(yaml.find("    category_order: unknown  # the file spells"), std::string::npos) << yaml;
  auto back = ParseSchemaYaml(yaml, "s.yaml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Find("c")->category_order, CategoryOrder::kUnknown);
}

}  // namespace
}  // namespace keel
