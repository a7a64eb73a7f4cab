// Per-group metrics and disparities against references computed with numpy and scikit-learn by
// tests/fixtures/fairness/make_group_metrics.py (Fairlearn's definitions written out there).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "fairness/audit.h"
#include "fairness/disparity.h"
#include "fairness/group_metrics.h"

namespace keel::fairness {
namespace {

struct Fixture {
  Table table;
  std::vector<double> scores;
  std::vector<uint8_t> labels;
  std::vector<uint8_t> decisions;
  nlohmann::json expected;
};

std::string FixturePath(const std::string& name) {
  return std::string(KEEL_FIXTURES_DIR) + "/fairness/" + name;
}

// outcomes.csv: race (text), sex (0/1), label (0/1), score. No quoting in this file.
Fixture Load() {
  Fixture f;
  std::ifstream in(FixturePath("outcomes.csv"));
  EXPECT_TRUE(in.good()) << "missing fixture outcomes.csv";
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::string> race;
  std::vector<double> sex;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string r, s, y, p;
    std::getline(ss, r, ',');
    std::getline(ss, s, ',');
    std::getline(ss, y, ',');
    std::getline(ss, p, ',');
    race.push_back(r);
    sex.push_back(std::stod(s));
    f.labels.push_back(static_cast<uint8_t>(std::stoi(y)));
    f.scores.push_back(std::strtod(p.c_str(), nullptr));
  }
  EXPECT_TRUE(f.table.AddColumn(Column::String("race", race)).ok());
  EXPECT_TRUE(f.table.AddColumn(Column::Numeric("sex", sex)).ok());
  EXPECT_EQ(f.labels.size(), 600u) << "rows in outcomes.csv";
  f.decisions = ThresholdDecisions(f.scores, 0.5);
  std::ifstream js(FixturePath("expected_group_metrics.json"));
  f.expected = nlohmann::json::parse(js);
  return f;
}

// The fixture's groups per grouping (race: 3, sex: 2, race&sex: 6) and its disparities per
// grouping (the six Fairlearn definitions): the loops below compare nothing when a list is
// empty, so its length is checked first.
constexpr size_t kDisparities = 6;

void ExpectGroupsMatch(const std::vector<GroupMetrics>& got, const nlohmann::json& want,
                       size_t groups) {
  ASSERT_EQ(want.size(), groups) << "groups in the fixture";
  ASSERT_EQ(got.size(), want.size());
  for (size_t g = 0; g < got.size(); ++g) {
    const auto& w = want[g];
    SCOPED_TRACE(w["group"].get<std::string>());
    EXPECT_EQ(got[g].group, w["group"].get<std::string>());
    EXPECT_EQ(got[g].counts.count(), w["count"].get<uint64_t>());
    EXPECT_NEAR(got[g].rates.base_rate, w["base_rate"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].rates.selection_rate, w["selection_rate"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].rates.tpr, w["tpr"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].rates.fpr, w["fpr"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].rates.fnr, w["fnr"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].rates.precision, w["precision"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].rates.accuracy, w["accuracy"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].auc, w["auc"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].logloss, w["logloss"].get<double>(), 1e-12);
    EXPECT_NEAR(got[g].calibration_error, w["calibration_error"].get<double>(), 1e-12);
  }
}

void ExpectDisparitiesMatch(const DisparitySet& got, const nlohmann::json& want) {
  ASSERT_EQ(want.size(), kDisparities) << "disparities in the fixture";
  ASSERT_EQ(got.size(), want.size());
  for (const auto& d : got) {
    const std::string name(DisparityName(d.metric));
    SCOPED_TRACE(name);
    ASSERT_TRUE(want.contains(name));
    EXPECT_NEAR(d.value, want[name].get<double>(), 1e-12);
  }
}

TEST(FairlearnReference, GroupMetricsMatchSklearn) {
  Fixture f = Load();
  const BinaryOutcomes out{f.scores, f.labels, f.decisions};
  for (const auto& [attr, count] : {std::pair<const char*, size_t>{"race", 3}, {"sex", 2}}) {
    auto groups = AssignGroups(*f.table.Find(attr));
    ASSERT_TRUE(groups.ok());
    ExpectGroupsMatch(ComputeGroupMetrics(out, *groups, 1), f.expected[attr]["groups"], count);
  }
  const GroupMetrics all = ComputeOverallMetrics(out);
  EXPECT_NEAR(all.auc, f.expected["overall"]["auc"].get<double>(), 1e-12);
  EXPECT_NEAR(all.logloss, f.expected["overall"]["logloss"].get<double>(), 1e-12);
  EXPECT_NEAR(all.calibration_error, f.expected["overall"]["calibration_error"].get<double>(),
              1e-12);
}

TEST(FairlearnReference, DisparitiesMatchFairlearnDefinitions) {
  Fixture f = Load();
  const BinaryOutcomes out{f.scores, f.labels, f.decisions};
  for (const char* attr : {"race", "sex"}) {
    auto groups = AssignGroups(*f.table.Find(attr));
    ASSERT_TRUE(groups.ok());
    ExpectDisparitiesMatch(ComputeDisparities(ComputeGroupMetrics(out, *groups, 1)),
                           f.expected[attr]["disparities"]);
  }
}

TEST(FairlearnReference, IntersectionMatchesGroupingByBothAttributes) {
  Fixture f = Load();
  const BinaryOutcomes out{f.scores, f.labels, f.decisions};
  auto race = AssignGroups(*f.table.Find("race"));
  auto sex = AssignGroups(*f.table.Find("sex"));
  ASSERT_TRUE(race.ok() && sex.ok());
  const GroupAssignment both = IntersectGroups(*race, *sex);
  EXPECT_EQ(both.name, "race&sex");
  const auto metrics = ComputeGroupMetrics(out, both, 1);
  ExpectGroupsMatch(metrics, f.expected["race&sex"]["groups"], 6);
  ExpectDisparitiesMatch(ComputeDisparities(metrics), f.expected["race&sex"]["disparities"]);
}

TEST(FairlearnReference, AuditJsonCarriesTheDisparitiesPerAttribute) {
  Fixture f = Load();
  const BinaryOutcomes out{f.scores, f.labels, f.decisions};
  std::vector<AttributeSpec> specs = {{"race", {}, ""}, {"sex", {}, ""}};
  AuditOptions options;
  options.min_group_size = 1;
  options.bootstrap.resamples = 200;
  auto audit = RunAudit(f.table, out, specs, {}, options, Context{});
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  const nlohmann::json j = AuditToJson(*audit);
  for (const char* attr : {"race", "sex"}) {
    const auto& a = j["attributes"][attr];
    const auto& want = f.expected[attr]["disparities"];
    ASSERT_EQ(want.size(), kDisparities);
    for (const auto& [key, value] : want.items()) {
      SCOPED_TRACE(key);
      EXPECT_NEAR(a[key].get<double>(), value.get<double>(), 1e-12);
      const double lo = a[key + "_ci"]["low"].get<double>();
      const double hi = a[key + "_ci"]["high"].get<double>();
      EXPECT_LE(lo, hi);
    }
    EXPECT_EQ(a["groups"].size(), f.expected[attr]["groups"].size());
  }
  const auto& inter = j["intersections"]["race&sex"];
  EXPECT_NEAR(inter["equalized_odds_difference"].get<double>(),
              f.expected["race&sex"]["disparities"]["equalized_odds_difference"].get<double>(),
              1e-12);
}

}  // namespace
}  // namespace keel::fairness
