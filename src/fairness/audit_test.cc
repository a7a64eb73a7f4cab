#include "fairness/audit.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/random.h"

namespace keel::fairness {
namespace {

struct Data {
  Table table;
  std::vector<double> scores;
  std::vector<uint8_t> labels;
  std::vector<uint8_t> decisions;
  BinaryOutcomes outcomes() const { return {scores, labels, decisions}; }
};

// 400 rows: sex F/M (M selected more often), age 20..79, and 8 rows of sex "X" (too small).
Data Make() {
  Rng rng(9);
  Data d;
  std::vector<std::string> sex;
  std::vector<double> age;
  for (size_t i = 0; i < 408; ++i) {
    const std::string s = i >= 400 ? "X" : (rng.Uniform() < 0.5 ? "F" : "M");
    sex.push_back(s);
    age.push_back(20 + static_cast<double>(rng.Below(60)));
    const uint8_t y = rng.Uniform() < 0.4 ? 1 : 0;
    const double p =
        std::clamp(0.3 * y + 0.35 * rng.Uniform() + (s == "M" ? 0.25 : 0.05), 0.0, 1.0);
    d.scores.push_back(p);
    d.labels.push_back(y);
  }
  // The tiny group is selected always: mixing it in would change the disparities.
  for (size_t i = 400; i < 408; ++i) d.scores[i] = 0.99;
  d.decisions = ThresholdDecisions(d.scores, 0.5);
  EXPECT_TRUE(d.table.AddColumn(Column::String("sex", sex)).ok());
  EXPECT_TRUE(d.table.AddColumn(Column::Numeric("age", age)).ok());
  return d;
}

AuditOptions Fast() {
  AuditOptions o;
  o.bootstrap.resamples = 100;
  return o;
}

TEST(RunAudit, SmallGroupsAreFlaggedExcludedAndNoted) {
  Data d = Make();
  std::vector<AttributeSpec> specs = {{"sex", {}, ""}};
  auto audit = RunAudit(d.table, d.outcomes(), specs, {}, Fast(), Context{});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  const AttributeAudit* sex = audit->Find("sex");
  ASSERT_NE(sex, nullptr);
  ASSERT_EQ(sex->groups.size(), 3u);
  EXPECT_TRUE(sex->groups[2].too_small);
  EXPECT_EQ(sex->small_groups, (std::vector<std::string>{"X"}));
  // Disparities are over F and M only.
  const double dp = sex->disparities[0].value;
  EXPECT_NEAR(dp,
              std::abs(sex->groups[1].rates.selection_rate - sex->groups[0].rates.selection_rate),
              1e-15);
  ASSERT_TRUE(sex->including_small_groups.has_value());
  EXPECT_NEAR((*sex->including_small_groups)[0].value, 1.0 - sex->groups[0].rates.selection_rate,
              1e-15);
  const auto j = AuditToJson(*audit);
  const auto& js = j["attributes"]["sex"];
  EXPECT_TRUE(js.contains("note"));
  EXPECT_EQ(js["small_groups"][0], "X");
  EXPECT_TRUE(js["groups"][2]["too_small"].get<bool>());
  EXPECT_TRUE(js.contains("including_small_groups"));
  EXPECT_NE(AuditToText(*audit).find("too small"), std::string::npos);
}

TEST(RunAudit, FourFifthsRuleFlagged) {
  Data d = Make();
  std::vector<AttributeSpec> specs = {{"sex", {}, ""}};
  auto audit = RunAudit(d.table, d.outcomes(), specs, {}, Fast(), Context{});
  ASSERT_TRUE(audit.ok());
  const AttributeAudit* sex = audit->Find("sex");
  const double di =
      sex->disparities[static_cast<size_t>(DisparityMetric::kDisparateImpactRatio)].value;
  EXPECT_LT(di, 0.8);  // F is selected far less than M
  EXPECT_TRUE(sex->four_fifths_rule_violated);
  EXPECT_TRUE(AuditToJson(*audit)["attributes"]["sex"]["four_fifths_rule_violated"].get<bool>());
}

TEST(RunAudit, NumericAttributeIsBucketedAndIntersected) {
  Data d = Make();
  std::vector<AttributeSpec> specs = {{"sex", {}, ""}, {"age", {}, ""}};
  specs[1].grouping.edges = {40, 60};
  auto audit = RunAudit(d.table, d.outcomes(), specs, {}, Fast(), Context{});
  ASSERT_TRUE(audit.ok());
  const AttributeAudit* age = audit->Find("age");
  ASSERT_NE(age, nullptr);
  EXPECT_EQ(age->groups.size(), 3u);
  EXPECT_EQ(age->groups[0].group, "(-inf, 40)");
  ASSERT_EQ(audit->intersections.size(), 1u);
  EXPECT_EQ(audit->intersections[0].name, "sex&age");
  const auto j = AuditToJson(*audit);
  EXPECT_TRUE(j["intersections"].contains("sex&age"));
  EXPECT_EQ(j["attributes"]["age"]["grouping"]["edges"], nlohmann::json({40, 60}));
}

TEST(RunAudit, ReferenceGroupForDisparateImpact) {
  Data d = Make();
  std::vector<AttributeSpec> specs = {{"sex", {}, "F"}};
  auto audit = RunAudit(d.table, d.outcomes(), specs, {}, Fast(), Context{});
  ASSERT_TRUE(audit.ok());
  const auto& di =
      audit->attributes[0].disparities[static_cast<size_t>(DisparityMetric::kDisparateImpactRatio)];
  EXPECT_EQ(di.high_group, "F");
  EXPECT_GT(di.value, 1.0);  // M is selected more than the reference F
  specs[0].reference_group = "nobody";
  auto bad = RunAudit(d.table, d.outcomes(), specs, {}, Fast(), Context{});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("groups: F, M, X"), std::string::npos);
  specs[0].reference_group = "X";
  EXPECT_FALSE(RunAudit(d.table, d.outcomes(), specs, {}, Fast(), Context{})
                   .ok());  // too small to compare to
}

TEST(RunAudit, RejectsBadInput) {
  Data d = Make();
  std::vector<AttributeSpec> none;
  EXPECT_EQ(RunAudit(d.table, d.outcomes(), none, {}, Fast(), Context{}).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<AttributeSpec> missing = {{"race", {}, ""}};
  EXPECT_EQ(RunAudit(d.table, d.outcomes(), missing, {}, Fast(), Context{}).status().code(),
            StatusCode::kNotFound);
  std::vector<AttributeSpec> sex = {{"sex", {}, ""}};
  const BinaryOutcomes short_out{std::span<const double>(d.scores).first(3),
                                 std::span<const uint8_t>(d.labels).first(3),
                                 std::span<const uint8_t>(d.decisions).first(3)};
  EXPECT_EQ(RunAudit(d.table, short_out, sex, {}, Fast(), Context{}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RunAudit, SlicesAndProxiesAreIncludedWhenAsked) {
  Data d = Make();
  std::vector<AttributeSpec> specs = {{"sex", {}, ""}};
  AuditScope scope;
  scope.slice_columns = {"age"};
  scope.proxy_features = {"age"};
  auto audit = RunAudit(d.table, d.outcomes(), specs, scope, Fast(), Context{});
  ASSERT_TRUE(audit.ok());
  ASSERT_TRUE(audit->slices.has_value());
  ASSERT_TRUE(audit->proxies.has_value());
  EXPECT_EQ(audit->proxies->size(), 1u);
  const auto j = AuditToJson(*audit);
  EXPECT_TRUE(j.contains("slices"));
  EXPECT_EQ(j["proxies"][0]["feature"], "age");
}

TEST(JsonNumber, NonFiniteIsNull) {
  EXPECT_TRUE(JsonNumber(NAN).is_null());
  EXPECT_TRUE(JsonNumber(INFINITY).is_null());
  EXPECT_EQ(JsonNumber(0.25).get<double>(), 0.25);
}

}  // namespace
}  // namespace keel::fairness
