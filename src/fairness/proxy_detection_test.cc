#include "fairness/proxy_detection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/random.h"

namespace keel::fairness {
namespace {

double Normal(Rng& rng) {
  const double u1 = 1 - rng.Uniform(), u2 = rng.Uniform();
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

// Synthetic people: `sex` is the attribute; `height` and `nickname` are planted proxies (the
// attribute copied with noise); `income` and `region` are unrelated.
Table PlantedTable(size_t n, std::vector<std::string>* sex_out) {
  Rng rng(5);
  std::vector<std::string> sex, nickname, region;
  std::vector<double> height, income;
  for (size_t i = 0; i < n; ++i) {
    const bool male = rng.Uniform() < 0.5;
    sex.push_back(male ? "M" : "F");
    height.push_back(165 + (male ? 12 : 0) + 5 * Normal(rng));
    const bool flip = rng.Uniform() < 0.1;
    nickname.push_back((male != flip) ? "Bob-like" : "Alice-like");
    income.push_back(30000 + 10000 * Normal(rng));
    region.push_back(std::string(1, static_cast<char>('a' + rng.Below(6))));
  }
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::String("sex", sex)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("height", height)).ok());
  EXPECT_TRUE(t.AddColumn(Column::String("nickname", nickname)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("income", income)).ok());
  EXPECT_TRUE(t.AddColumn(Column::String("region", region)).ok());
  *sex_out = sex;
  return t;
}

const ProxyScore* FindScore(const std::vector<ProxyScore>& v, const std::string& feature) {
  for (const auto& s : v) {
    if (s.feature == feature) return &s;
  }
  return nullptr;
}

TEST(DetectProxies, FindsPlantedProxiesAndNotNoise) {
  std::vector<std::string> sex;
  const Table t = PlantedTable(3000, &sex);
  auto groups = AssignGroups(*t.Find("sex"));
  ASSERT_TRUE(groups.ok());
  const std::vector<std::string> features = {"height", "nickname", "income", "region"};
  const std::vector<GroupAssignment> attrs = {*groups};
  auto scores = DetectProxies(t, features, attrs, {}, Context{});
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  ASSERT_EQ(scores->size(), 4u);
  const ProxyScore* nick = FindScore(*scores, "nickname");
  const ProxyScore* height = FindScore(*scores, "height");
  ASSERT_TRUE(nick && height);
  EXPECT_TRUE(nick->strong);
  EXPECT_NEAR(nick->auc, 0.9, 0.02);  // 10% of nicknames flipped
  EXPECT_TRUE(height->strong);        // 12 cm apart with sd 5: AUC about 0.95
  EXPECT_GT(height->auc, 0.9);
  for (const char* noise : {"income", "region"}) {
    const ProxyScore* s = FindScore(*scores, noise);
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->strong) << noise;
    EXPECT_LT(s->auc, 0.56) << noise;
    EXPECT_LT(s->nmi, 0.01) << noise;
  }
  // Strongest first.
  EXPECT_TRUE((*scores)[0].feature == "height" || (*scores)[0].feature == "nickname");
}

TEST(DetectProxies, FeatureEqualToTheAttributeRevealsItAll) {
  const Column sex = Column::String("sex", {"F", "M", "F", "M", "F", "M", "F", "M", "F", "M"});
  Table t;
  ASSERT_TRUE(t.AddColumn(sex.Clone()).ok());
  auto groups = AssignGroups(sex);
  ASSERT_TRUE(groups.ok());
  const std::vector<std::string> features = {"sex"};
  const std::vector<GroupAssignment> attrs = {*groups};
  auto scores = DetectProxies(t, features, attrs, {}, Context{});
  ASSERT_TRUE(scores.ok());
  EXPECT_DOUBLE_EQ((*scores)[0].mutual_information, 1.0);
  EXPECT_DOUBLE_EQ((*scores)[0].nmi, 1.0);
}

TEST(DetectProxies, MutualInformationMatchesSklearn) {
  std::ifstream in(std::string(KEEL_FIXTURES_DIR) + "/fairness/expected_group_metrics.json");
  const auto j = nlohmann::json::parse(in);
  const auto& p = j["proxy"];
  const auto feature = p["feature"].get<std::vector<std::string>>();
  const auto attribute = p["attribute"].get<std::vector<std::string>>();
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::String("f", feature)).ok());
  auto groups = AssignGroups(Column::String("a", attribute));
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->num_groups(), 3u);  // not binary: no AUC
  const std::vector<std::string> features = {"f"};
  const std::vector<GroupAssignment> attrs = {*groups};
  auto scores = DetectProxies(t, features, attrs, {}, Context{});
  ASSERT_TRUE(scores.ok());
  EXPECT_NEAR((*scores)[0].mutual_information, p["mutual_information_bits"].get<double>(), 1e-12);
  EXPECT_NEAR((*scores)[0].nmi, p["nmi"].get<double>(), 1e-12);
  EXPECT_TRUE(std::isnan((*scores)[0].auc));
}

TEST(DetectProxies, RejectsMismatchAndMissingColumns) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("x", {1, 2, 3})).ok());
  auto groups = AssignGroups(Column::Numeric("a", {0, 1}));
  ASSERT_TRUE(groups.ok());
  const std::vector<GroupAssignment> attrs = {*groups};
  const std::vector<std::string> x = {"x"};
  EXPECT_EQ(DetectProxies(t, x, attrs, {}, Context{}).status().code(),
            StatusCode::kInvalidArgument);
  auto g3 = AssignGroups(Column::Numeric("a", {0, 1, 1}));
  const std::vector<GroupAssignment> attrs3 = {*g3};
  const std::vector<std::string> nope = {"nope"};
  EXPECT_EQ(DetectProxies(t, nope, attrs3, {}, Context{}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace keel::fairness
