#include "explain/reason_codes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace keel {
namespace {

Model ChurnModel() {
  Model m;
  m.target = "churn";
  m.labels.classes = {"no", "yes"};
  for (const char* name : {"tenure", "Contract", "MonthlyCharges", "unused", "flat"}) {
    m.features.push_back({name, FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  }
  return m;
}

std::string ValueOf(int f) {
  static const char* kValues[] = {"2", "Month-to-month", "20.05", "7", "0"};
  return kValues[f];
}

TEST(ReasonCodes, TopFeaturesEachWayAndThePlainSentence) {
  const Model m = ChurnModel();
  // tenure +0.41, Contract +0.3, MonthlyCharges -0.25, unused +5 (the model does not use it),
  // flat 0; bias -1.
  const std::vector<double> a = {0.41, 0.3, -0.25, 5.0, 0.0, -1.0};
  const std::vector<uint8_t> used = {1, 1, 1, 0, 1};
  const ReasonCodes rc = ComputeReasonCodes(m, a, used, ValueOf);
  EXPECT_EQ(rc.output, 0);
  EXPECT_EQ(rc.score_name, "churn score");
  ASSERT_EQ(rc.up.size(), 2u);
  EXPECT_EQ(rc.up[0].name, "tenure");
  EXPECT_EQ(rc.up[0].value, "2");
  EXPECT_DOUBLE_EQ(rc.up[0].contribution, 0.41);
  EXPECT_EQ(rc.up[1].name, "Contract");
  ASSERT_EQ(rc.down.size(), 1u);
  EXPECT_EQ(rc.down[0].name, "MonthlyCharges");
  EXPECT_DOUBLE_EQ(rc.bias, -1.0);
  EXPECT_DOUBLE_EQ(rc.margin, -1.0 + 0.41 + 0.3 - 0.25 + 5.0);
  EXPECT_EQ(rc.sentence,
            "tenure = 2 raised the churn score the most (+0.41), followed by Contract = "
            "Month-to-month (+0.3); MonthlyCharges = 20.05 lowered it the most (-0.25).");
}

TEST(ReasonCodes, KeepsAtMostKEachWayLargestFirstTiesByFeatureOrder) {
  Model m;
  for (int f = 0; f < 8; ++f) {
    m.features.push_back({"f" + std::to_string(f), FeatureSpec::Kind::kNumeric, {}, {}});
  }
  const std::vector<double> a = {0.1, 0.5, 0.5, 0.2, -0.3, -0.1, -0.3, 0.05, 0.0};
  ReasonOptions o;
  o.top_k = 2;
  const ReasonCodes rc = ComputeReasonCodes(
      m, a, {}, [](int) { return std::string("v"); }, o);
  ASSERT_EQ(rc.up.size(), 2u);
  EXPECT_EQ(rc.up[0].feature, 1);
  EXPECT_EQ(rc.up[1].feature, 2);
  ASSERT_EQ(rc.down.size(), 2u);
  EXPECT_EQ(rc.down[0].feature, 4);
  EXPECT_EQ(rc.down[1].feature, 6);
  EXPECT_EQ(rc.sentence,
            "f1 = v raised the score the most (+0.5), followed by f2 = v (+0.5); f4 = v "
            "lowered it the most (-0.3), followed by f6 = v (-0.3).");
}

TEST(ReasonCodes, MulticlassExplainsThePredictedClassUnlessAsked) {
  Model m;
  m.task = Task::kMulticlass;
  m.num_outputs = 3;
  m.labels.classes = {"Adelie", "Chinstrap", "Gentoo"};
  m.features = {{"bill", FeatureSpec::Kind::kNumeric, {}, {}},
                {"island", FeatureSpec::Kind::kCategorical, {"Biscoe", "Dream"}, {}}};
  // Margins: Adelie 0.5, Chinstrap 2.0, Gentoo -1.
  const std::vector<double> a = {0.2, 0.1, 0.2, 1.5, -0.5, 1.0, -0.5, -0.25, -0.25};
  auto text = [](int f) { return f == 0 ? std::string("39.1") : std::string("Dream"); };
  const ReasonCodes rc = ComputeReasonCodes(m, a, {1, 1}, text);
  EXPECT_EQ(rc.output, 1);
  EXPECT_EQ(rc.score_name, "Chinstrap score");
  EXPECT_EQ(rc.sentence,
            "bill = 39.1 raised the Chinstrap score the most (+1.5); island = Dream lowered it "
            "the most (-0.5).");
  ReasonOptions o;
  o.output = 2;
  const ReasonCodes gentoo = ComputeReasonCodes(m, a, {1, 1}, text, o);
  EXPECT_EQ(gentoo.output, 2);
  EXPECT_EQ(gentoo.up.size(), 0u);
  EXPECT_EQ(gentoo.sentence,
            "bill = 39.1 lowered the Gentoo score the most (-0.5), followed by island = Dream "
            "(-0.25).");
}

TEST(ReasonCodes, NothingToSayWhenNoFeatureMovedTheScore) {
  const Model m = ChurnModel();
  const std::vector<double> a = {0, 0, 0, 0, 0, 0.5};
  const ReasonCodes rc = ComputeReasonCodes(m, a, {}, ValueOf);
  EXPECT_TRUE(rc.up.empty() && rc.down.empty());
  EXPECT_EQ(rc.sentence, "No feature moved the churn score away from its average (0.5).");
}

TEST(ScoreName, NamesTheScoreByClassOrTarget) {
  Model m = ChurnModel();
  EXPECT_EQ(ScoreName(m, 0), "churn score");
  m.labels.classes = {"good", "bad"};
  EXPECT_EQ(ScoreName(m, 0), "bad score");
  m.task = Task::kRegression;
  m.target = "Sale_Price";
  EXPECT_EQ(ScoreName(m, 0), "Sale_Price prediction");
  m.target.clear();
  EXPECT_EQ(ScoreName(m, 0), "prediction");
}

}  // namespace
}  // namespace keel
