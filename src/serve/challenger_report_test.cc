// The gate on live data over a SQLite log: canary (unpaired) rows are tested as independent
// samples, shadow (paired) rows with the paired test, and labels that name no class are
// counted and left out.
#include "serve/challenger_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "drift/performance_estimation.h"
#include "eval/delong.h"
#include "registry/feedback_store.h"
#include "registry/prediction_log_store.h"
#include "serve/test_model.h"
#include "serve/test_model_profile.h"

namespace keel::serve {
namespace {

class ChallengerReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/keel_challenger_report_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::remove(path_.c_str());
    registry::DatabaseOptions o;
    o.durable = false;  // hundreds of one-row commits
    auto db = registry::OpenDatabase(path_, o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(registry::EnsurePredictionLogSchema(*db_).ok());
  }
  void TearDown() override {
    db_.reset();
    std::remove(path_.c_str());
  }
  // Logs P(yes) = p for `id` by `variant` and feeds back `label`.
  void Add(const std::string& variant, const std::string& id, double p, const std::string& label) {
    const std::string output =
        "{\"prob_no\":" + std::to_string(1 - p) + ",\"prob_yes\":" + std::to_string(p) + "}";
    registry::LoggedPrediction r;
    r.request_id = "r";
    r.model = "churn";
    r.model_version = variant == "champion" ? "1" : "2";
    r.inputs_json = "{}";
    r.output_json = output;
    r.variant = variant;
    r.record_id = id;
    ASSERT_TRUE(registry::InsertPredictions(*db_, {&r, 1}).ok());
    labels_.push_back({id, label});
    scores_[variant].push_back(std::stod(std::to_string(p)));
    truth_[variant].push_back(label == "yes");
  }
  ChallengerReport Report() {
    auto st = registry::StoreLabels(*db_, "churn", labels_, 0, 1);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    labels_.clear();
    ChallengerReportOptions o;
    o.model = "churn";
    o.resamples = 50;
    auto r = BuildChallengerReport(*db_, o, Context{1, false, nullptr});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ChallengerReport{};
  }

  std::string path_;
  std::unique_ptr<registry::SqlDatabase> db_;
  std::vector<registry::FedBackLabel> labels_;
  std::map<std::string, std::vector<double>> scores_;
  std::map<std::string, std::vector<int32_t>> truth_;
};

// Canary traffic: disjoint ids per variant. The test is DeLong's AUC variance of each
// variant on its own rows, as independent samples.
TEST_F(ChallengerReportTest, CanaryRowsAreTestedAsIndependentSamples) {
  for (int i = 0; i < 300; ++i) {
    const bool yes = i % 3 == 0;
    // The champion's score is noisy, the challenger's nearly separates the classes.
    const double noise = std::sin(i * 12.9898) * 0.5 + 0.5;
    Add("champion", "a-" + std::to_string(i), yes ? 0.3 + 0.6 * noise : 0.6 * noise,
        yes ? "yes" : "no");
    Add("challenger", "b-" + std::to_string(i), yes ? 0.55 + 0.4 * noise : 0.5 * noise,
        yes ? "yes" : "no");
  }
  Add("champion", "c-x", 0.5, "maybe");  // no class of the model: counted, left out
  const ChallengerReport r = Report();
  EXPECT_EQ(r.mode, "unpaired");
  EXPECT_EQ(r.labels_unmatched, 1u);
  EXPECT_EQ(r.champion.used, 300u);
  EXPECT_EQ(r.challenger.used, 300u);
  ASSERT_TRUE(r.tested);
  EXPECT_EQ(r.test.method, "delong_unpaired");
  truth_["champion"].pop_back();
  scores_["champion"].pop_back();
  auto a = DeLongCovariance(truth_["champion"],
                            std::vector<std::span<const double>>{scores_["champion"]});
  auto b = DeLongCovariance(truth_["challenger"],
                            std::vector<std::span<const double>>{scores_["challenger"]});
  ASSERT_TRUE(a.ok() && b.ok());
  const double diff = b->auc[0] - a->auc[0];
  const double se = std::sqrt(a->Variance(0) + b->Variance(0));
  EXPECT_NEAR(r.test.gain, diff, 1e-12);
  EXPECT_NEAR(r.test.p_value, TwoSidedNormalPValue(diff / se), 1e-12);
  EXPECT_LT(r.test.p_value, 0.05);
  EXPECT_EQ(r.verdict, "promote") << r.reason;
  EXPECT_EQ(r.champion.versions, std::vector<std::string>{"1"});
}

// Shadow traffic: the same ids scored by both; a challenger giving the same scores is no
// better (gain 0): keep.
TEST_F(ChallengerReportTest, ShadowRowsArePairedAndAnEqualChallengerIsKept) {
  for (int i = 0; i < 200; ++i) {
    const bool yes = i % 4 == 0;
    const double p = std::fmod(i * 0.377, 1.0) * 0.5 + (yes ? 0.4 : 0);
    Add("champion", "c-" + std::to_string(i), p, yes ? "yes" : "no");
    Add("challenger", "c-" + std::to_string(i), p, yes ? "yes" : "no");
    labels_.pop_back();  // one label per id
  }
  const ChallengerReport r = Report();
  EXPECT_EQ(r.mode, "paired");
  EXPECT_EQ(r.test.method, "delong");
  EXPECT_EQ(r.test.gain, 0);
  EXPECT_EQ(r.verdict, "keep");
}

TEST_F(ChallengerReportTest, TooFewLabelsSayHowManyMore) {
  for (int i = 0; i < 40; ++i) {
    Add("champion", "c-" + std::to_string(i), (i % 2) * 0.5 + 0.1, i % 2 ? "yes" : "no");
  }
  const ChallengerReport r = Report();
  EXPECT_EQ(r.verdict, "not_enough_labels");
  EXPECT_FALSE(r.tested);  // no challenger row at all
  EXPECT_EQ(r.more_labels_needed, 100u);
}

// Beside the gate, each variant's traffic: the CBPE estimate over the predictions without a
// label, the drift of its logged inputs against its model's training profile, and the fairness
// audit and gate of its labeled rows by the schema's sensitive column.
TEST_F(ChallengerReportTest, EachVariantsTrafficHasCbpeDriftAndFairness) {
  Model model = testing::WithTrainingProfile(testing::TinyBinaryModel());
  ColumnSchema gender;
  gender.name = "gender";
  gender.kind = ColumnKind::kCategorical;
  gender.role = Role::kSensitive;
  gender.categories = {"f", "m"};
  model.schema.columns.push_back(gender);
  // 200 requests of customers aged 60..79 (all above the training median): women get 0.8,
  // men 0.3; the first 120 are labeled.
  std::vector<double> unlabeled;
  for (int i = 0; i < 200; ++i) {
    const bool woman = i % 2 == 0;
    const double p = woman ? 0.8 : 0.3;
    const std::string id = "c-" + std::to_string(i);
    // The record's fields are views: the texts live here.
    const std::string inputs =
        R"({"customer_id":")" + id + R"(","age":)" + std::to_string(60 + i % 20) +
        R"(,"color":"red","active":true,"gender":")" + (woman ? "f" : "m") + "\"}";
    const std::string output =
        "{\"prob_no\":" + std::to_string(1 - p) + ",\"prob_yes\":" + std::to_string(p) + "}";
    registry::LoggedPrediction r;
    r.request_id = "r";
    r.model = "churn";
    r.model_version = "1";
    r.inputs_json = inputs;
    r.output_json = output;
    r.variant = "champion";
    r.record_id = id;
    ASSERT_TRUE(registry::InsertPredictions(*db_, {&r, 1}).ok());
    if (i < 120) {
      labels_.push_back({id, i % 3 == 0 ? "yes" : "no"});
    } else {
      unlabeled.push_back(std::stod(std::to_string(p)));
    }
  }
  ASSERT_TRUE(registry::StoreLabels(*db_, "churn", labels_, 0, 1).ok());
  ChallengerReportOptions o;
  o.model = "churn";
  o.resamples = 50;
  o.champion_model = &model;
  auto limits = fairness::FairnessLimitsFromJson({{"demographic_parity_difference", 0.1}});
  ASSERT_TRUE(limits.ok());
  o.fairness_limits = *limits;
  auto r = BuildChallengerReport(*db_, o, Context{1, false, nullptr});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const VariantTraffic& t = r->champion.traffic;
  EXPECT_EQ(t.rows, 200u);
  EXPECT_EQ(t.unlabeled, 80u);
  ASSERT_TRUE(t.estimated.has_value());
  const drift::BinaryPerformance cbpe = drift::EstimateBinaryPerformance(unlabeled, 0.5);
  EXPECT_EQ(t.estimated->rows, 80u);
  EXPECT_DOUBLE_EQ(t.estimated->roc_auc, cbpe.roc_auc);
  EXPECT_DOUBLE_EQ(t.estimated->accuracy, cbpe.accuracy);
  // Ages 60..79 against a training profile of 20..79: age drifts, and so does the prediction.
  ASSERT_TRUE(t.drift.has_value()) << t.drift_note;
  bool age_drifted = false;
  for (const drift::FeatureDrift& f : t.drift->features) {
    if (f.feature == "age") age_drifted = f.drifted;
  }
  EXPECT_TRUE(age_drifted);
  EXPECT_EQ(t.drift->current_rows, 200u);
  // Every woman is selected, no man: a demographic parity difference of 1 breaks the limit.
  ASSERT_TRUE(t.audit.has_value()) << t.fairness_note;
  EXPECT_EQ(t.audit->rows, 120u);
  const fairness::AttributeAudit* a = t.audit->Find("gender");
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(t.gate.has_value());
  EXPECT_FALSE(t.gate->passed);
  ASSERT_FALSE(t.gate->violations.empty());
  EXPECT_EQ(t.gate->violations[0].attribute, "gender");
  EXPECT_DOUBLE_EQ(t.gate->violations[0].value, 1.0);
  // No row and no model for the challenger: the sections say why.
  EXPECT_EQ(r->challenger.traffic.rows, 0u);
  EXPECT_EQ(r->challenger.traffic.drift_note, "no model given for this variant");
  const nlohmann::json j = r->ToJson();
  EXPECT_EQ(j["champion"]["estimated"]["method"], "cbpe");
  EXPECT_EQ(j["champion"]["fairness"]["gate"]["passed"], false) << j["champion"]["fairness"];
  EXPECT_TRUE(j["champion"]["drift"].contains("features"));
  const std::string text = r->ToText();
  EXPECT_NE(text.find("80 without a label; CBPE estimate: roc_auc"), std::string::npos) << text;
  EXPECT_NE(text.find("input drift: "), std::string::npos) << text;
  EXPECT_NE(text.find("fairness gate: failed"), std::string::npos) << text;
  EXPECT_NE(text.find("input drift: none (no model given for this variant)"), std::string::npos)
      << text;
}

// Predictions without any label yet: no verdict, but the label-free estimate.
TEST_F(ChallengerReportTest, WithoutLabelsTheEstimateIsStillThere) {
  for (int i = 0; i < 30; ++i) {
    registry::LoggedPrediction r;
    r.request_id = "r";
    r.model = "churn";
    r.model_version = "1";
    r.inputs_json = "{}";
    r.output_json = R"({"prob_no":0.25,"prob_yes":0.75})";
    r.variant = i % 2 ? "challenger" : "champion";
    const std::string id = "c-" + std::to_string(i);
    r.record_id = id;
    ASSERT_TRUE(registry::InsertPredictions(*db_, {&r, 1}).ok());
  }
  const ChallengerReport r = Report();
  EXPECT_EQ(r.verdict, "not_enough_labels");
  EXPECT_EQ(r.labels, 0u);
  ASSERT_TRUE(r.challenger.traffic.estimated.has_value());
  EXPECT_EQ(r.challenger.traffic.unlabeled, 15u);
  EXPECT_DOUBLE_EQ(r.challenger.traffic.estimated->accuracy, 0.75);
}

}  // namespace
}  // namespace keel::serve
