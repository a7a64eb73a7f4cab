#include "rank/objectives.h"

#include <gtest/gtest.h>

#include <string>

namespace keel::rank {
namespace {

std::string ErrorOf(const std::string& yaml) {
  auto o = ParseObjectivesYaml(yaml, "o.yaml");
  EXPECT_FALSE(o.ok()) << yaml;
  return o.ok() ? "" : o.status().message();
}

TEST(Objectives, ParsesShorthandFullFormsAndReservedKeys) {
  auto o = ParseObjectivesYaml(R"Y(version: 1
objectives:
  clicks: p
  revenue:
    expr: p * bid
    weight: 0.5
    normalize: max
    outcome: clicked * bid
    description: fee income
  profit: {expr: "p * (bid - ad_cost)", weight: 0, normalize: zscore}
  constraints:
    - bid >= reserve
    - {max_per: advertiser_id, count: 2}
  top: 5
  group_by: request_id
  tradeoff: {steps: 4}
)Y",
                               "o.yaml");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->objectives.size(), 3u);
  EXPECT_EQ(o->objectives[0].name, "clicks");
  EXPECT_EQ(o->objectives[0].value.text(), "p");
  EXPECT_EQ(o->objectives[0].weight, 1);
  EXPECT_EQ(o->objectives[0].normalize, Normalization::kNone);
  EXPECT_EQ(o->objectives[0].line, 3);
  EXPECT_EQ(o->objectives[1].weight, 0.5);
  EXPECT_EQ(o->objectives[1].normalize, Normalization::kMax);
  ASSERT_TRUE(o->objectives[1].outcome.has_value());
  EXPECT_EQ(o->objectives[1].outcome->text(), "clicked * bid");
  EXPECT_EQ(o->objectives[1].description, "fee income");
  EXPECT_EQ(o->objectives[2].normalize, Normalization::kZScore);
  EXPECT_EQ(o->objectives[2].weight, 0);
  ASSERT_EQ(o->constraints.size(), 2u);
  EXPECT_EQ(o->constraints[0].kind, ConstraintSpec::Kind::kCondition);
  EXPECT_EQ(o->constraints[0].Describe(), "bid >= reserve");
  EXPECT_EQ(o->constraints[1].kind, ConstraintSpec::Kind::kMaxPerGroup);
  EXPECT_EQ(o->constraints[1].field, "advertiser_id");
  EXPECT_EQ(o->constraints[1].max_count, 2u);
  EXPECT_EQ(o->top, 5u);
  EXPECT_EQ(o->group_by, "request_id");
  EXPECT_EQ(o->tradeoff_steps, 4u);
  EXPECT_EQ(o->Find("profit"), 2);
  EXPECT_EQ(o->Find("nope"), -1);
}

TEST(Objectives, SectionParsesFromAKeelYamlNode) {
  YAML::Node root = YAML::Load("target: clicked\nobjectives:\n  clicks: p\n  revenue: p * bid\n");
  auto o = ParseObjectives(root["objectives"], "keel.yaml");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->objectives.size(), 2u);
  EXPECT_EQ(o->source, "keel.yaml");
}

TEST(Objectives, UnknownKeysAreErrorsWithTheirLine) {
  const std::string e = ErrorOf("objectives:\n  clicks:\n    expr: p\n    wieght: 2\n");
  EXPECT_NE(e.find("o.yaml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key \"wieght\""), std::string::npos) << e;
  const std::string top = ErrorOf("objective:\n  clicks: p\n");
  EXPECT_NE(top.find("unknown key \"objective\""), std::string::npos) << top;
  const std::string c =
      ErrorOf("objectives:\n  clicks: p\n  constraints:\n    - {max_per: a, cnt: 2}\n");
  EXPECT_NE(c.find("o.yaml:4:"), std::string::npos) << c;
  EXPECT_NE(c.find("unknown key \"cnt\""), std::string::npos) << c;
}

TEST(Objectives, ExpressionSyntaxErrorsNameObjectiveAndLine) {
  const std::string e = ErrorOf("objectives:\n  clicks: p\n  revenue: p * * bid\n");
  EXPECT_NE(e.find("o.yaml:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("objective \"revenue\""), std::string::npos) << e;
  EXPECT_NE(e.find("column 5"), std::string::npos) << e;
}

TEST(Objectives, BadValuesAreErrors) {
  EXPECT_NE(ErrorOf("objectives:\n  a: {expr: p, weight: -1}\n").find("weight must be between"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: {expr: p, weight: lots}\n").find("must be a number"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: {expr: p, normalize: softmax}\n").find("normalize must be"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: {weight: 1}\n").find("`expr` is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: [p]\n").find("must be an expression or a map"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: {expr: p, weight: 0}\n").find("weight 0"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  constraints: [bid > 1]\n").find("no objectives"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: bid > 1\n").find("put conditions under `constraints`"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: p\n  constraints: [p * bid]\n").find("not a condition"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: p\n  constraints: [{max_per: x, count: 0}]\n")
                .find("between 1 and"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: p\n  top: 2.5\n").find("whole number"), std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  a: p\n  tradeoff: {steps: 1000}\n").find("steps must be"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  1bad: p\n").find("objective name"), std::string::npos);
  EXPECT_NE(ErrorOf("objectives: [p]\n").find("must be a map"), std::string::npos);
  EXPECT_NE(ErrorOf("version: 2\nobjectives:\n  a: p\n").find("version 2"), std::string::npos);
}

TEST(Objectives, DuplicateObjectiveIsAnError) {
  const std::string e = ErrorOf("objectives:\n  a: p\n  a: p * 2\n");
  // yaml-cpp may keep both keys or reject the document; either way it must not load.
  EXPECT_FALSE(e.empty());
}

TEST(Objectives, MalformedYamlIsAnErrorWithLine) {
  const std::string e = ErrorOf("objectives:\n  a: p\n  b: [unclosed\n");
  EXPECT_NE(e.find("o.yaml:"), std::string::npos) << e;
}

TEST(Objectives, MissingFileIsAnError) {
  auto o = LoadObjectivesYaml("/nonexistent/objectives.yaml");
  EXPECT_FALSE(o.ok());
}

TEST(Objectives, DeclaredRequestFieldsAreReadWithTheirKinds) {
  auto o = ParseObjectivesYaml(
      "objectives:\n  c: p\n  fields: {reserve: number, device: category}\n", "o.yaml");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_EQ(o->fields.size(), 2u);
  EXPECT_EQ(o->fields[0].first, "reserve");
  EXPECT_EQ(o->fields[0].second, ColumnKind::kNumeric);
  EXPECT_EQ(o->fields[1].first, "device");
  EXPECT_EQ(o->fields[1].second, ColumnKind::kCategorical);
  EXPECT_NE(ErrorOf("objectives:\n  c: p\n  fields: {reserve: text}\n").find("o.yaml:3"),
            std::string::npos);
  EXPECT_NE(ErrorOf("objectives:\n  c: p\n  fields: [reserve]\n").find("fields must be a map"),
            std::string::npos);
}

TEST(Objectives, TextLiteralsParseInsideYaml) {
  auto o = ParseObjectivesYaml(
      "objectives:\n  c: if(country == \"US\", p, 0)\n  constraints:\n"
      "    - device != 'tablet'\n    - \"country == 'GB' or bid > 1\"\n",
      "o.yaml");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->objectives[0].value.text_comparisons()[0].literal, "US");
  EXPECT_EQ(o->constraints[0].condition.text_comparisons()[0].literal, "tablet");
  EXPECT_EQ(o->constraints[1].condition.text_comparisons()[0].literal, "GB");
  // A misplaced literal is an expression syntax error with the objective's line.
  const std::string e = ErrorOf("objectives:\n  c: p\n  d: p * \"x\"\n");
  EXPECT_NE(e.find("o.yaml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("text literal"), std::string::npos) << e;
}

TEST(ObjectivesFuzzRegression, NonUtf8FileIsAParseError) {
  const std::string e = ErrorOf("objectives:\n  c: {expr: p, description: \"\xc0\xaf\"}\n");
  EXPECT_NE(e.find("o.yaml:2:30: the file is not UTF-8"), std::string::npos) << e;
}
}  // namespace
}  // namespace keel::rank
