#include "drift/model_profile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/random.h"
#include "drift/drift_detector.h"
#include "drift/table_drift.h"

namespace keel::drift {
namespace {

Model BinaryModel() {
  Model m;
  m.task = Task::kBinary;
  m.objective = Objective::kBinaryLogistic;
  m.features.push_back({"age", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.features.push_back({"device",
                        FeatureSpec::Kind::kCategorical,
                        {"mobile", "desktop", "tablet"},
                        ColumnKind::kCategorical});
  m.target = "y";
  m.labels.classes = {"no", "yes"};
  m.schema.columns.push_back({.name = "age", .kind = ColumnKind::kNumeric});
  m.schema.columns.push_back({.name = "device", .kind = ColumnKind::kCategorical});
  m.schema.columns.push_back(
      {.name = "gender", .kind = ColumnKind::kCategorical, .role = Role::kSensitive});
  m.schema.columns.push_back(
      {.name = "y", .kind = ColumnKind::kCategorical, .role = Role::kTarget});
  return m;
}

struct Data {
  Table table;
  std::vector<double> predictions;
};

// `age_shift` moves age; `new_device` sends some rows to a device the model never saw.
Data MakeData(size_t n, double age_shift, bool new_device, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> age(n), pred(n);
  std::vector<int32_t> device(n), gender(n), y(n);
  for (size_t i = 0; i < n; ++i) {
    age[i] = std::floor(18 + rng.Uniform() * 50 + age_shift);
    if (i % 101 == 0) age[i] = NAN;
    device[i] = static_cast<int32_t>(rng.Below(new_device ? 4 : 3));
    gender[i] = static_cast<int32_t>(rng.Below(2));
    pred[i] = 1 / (1 + std::exp(-(age[i] - 40) / 10));
    if (std::isnan(pred[i])) pred[i] = 0.3;
    y[i] = rng.Uniform() < pred[i] ? 1 : 0;
  }
  Data d;
  EXPECT_TRUE(d.table.AddColumn(Column::Numeric("age", age)).ok());
  EXPECT_TRUE(d.table
                  .AddColumn(Column::Categorical("device", device,
                                                 {"mobile", "desktop", "tablet", "watch"}))
                  .ok());
  EXPECT_TRUE(d.table.AddColumn(Column::Categorical("gender", gender, {"f", "m"})).ok());
  EXPECT_TRUE(d.table.AddColumn(Column::Categorical("y", y, {"no", "yes"})).ok());
  d.predictions = pred;
  return d;
}

TEST(BuildReferenceProfile, ProfilesFeaturesPredictionsLabelsAndGroups) {
  Model m = BinaryModel();
  Data d = MakeData(20000, 0, false, 1);
  auto p = BuildReferenceProfile(m, d.table, {}, d.predictions, {}, Context{});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const ProfileLayout& l = p->layout();
  ASSERT_EQ(l.columns.size(), 4u);
  EXPECT_EQ(l.columns[0].name, "age");
  EXPECT_EQ(l.columns[1].kind, ValueKind::kCategorical);
  EXPECT_EQ(l.columns[2].name, "prob_yes");
  EXPECT_EQ(l.columns[2].role, ProfileRole::kPrediction);
  EXPECT_EQ(l.columns[3].role, ProfileRole::kLabel);
  EXPECT_EQ(l.columns[3].categories(), (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(p->rows(), 20000u);
  EXPECT_EQ(p->column(0).missing, 199u);  // rows 0, 101, ..., 19998
  EXPECT_EQ(p->column(0).count + p->column(0).missing, 20000u);
  EXPECT_FALSE(p->column(0).exact.overflowed());  // 50 distinct ages: exact table kept
  ASSERT_EQ(l.groups.size(), 1u);
  EXPECT_EQ(l.groups[0].attribute, "gender");
  EXPECT_EQ(p->group(0).rows[0] + p->group(0).rows[1], 20000u);
}

TEST(BuildReferenceProfile, DoesNotDependOnTheThreadCount) {
  Model m = BinaryModel();
  Data d = MakeData(150000, 0, false, 2);  // three chunks
  auto a = BuildReferenceProfile(m, d.table, {}, d.predictions, {}, Context{}.WithThreads(1));
  auto b = BuildReferenceProfile(m, d.table, {}, d.predictions, {}, Context{}.WithThreads(2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->ToJson(), b->ToJson());
}

TEST(BuildReferenceProfile, RowSubsetEqualsTheSubsetTable) {
  Model m = BinaryModel();
  Data d = MakeData(3000, 0, false, 3);
  std::vector<uint32_t> rows;
  std::vector<double> preds;
  for (uint32_t r = 0; r < 3000; r += 3) {
    rows.push_back(r);
    preds.push_back(d.predictions[r]);
  }
  auto a = BuildReferenceProfile(m, d.table, rows, preds, {}, Context{});
  Table sub = d.table.Take(rows);
  auto b = BuildReferenceProfile(m, sub, {}, preds, {}, Context{});
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_EQ(a->ToJson(), b->ToJson());
}

TEST(BuildReferenceProfile, RejectsMissingFeatureColumnsAndBadShapes) {
  Model m = BinaryModel();
  Data d = MakeData(100, 0, false, 4);
  std::vector<double> short_preds(10, 0.5);
  EXPECT_EQ(BuildReferenceProfile(m, d.table, {}, short_preds, {}, Context{}).status().code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(d.table.RemoveColumn("age").ok());
  auto r = BuildReferenceProfile(m, d.table, {}, d.predictions, {}, Context{});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("age"), std::string::npos);
  std::vector<uint32_t> bad_rows = {5000};
  EXPECT_FALSE(
      BuildReferenceProfile(m, MakeData(10, 0, false, 1).table, bad_rows, {}, {}, Context{}).ok());
}

TEST(LoadReferenceProfile, RoundTripsThroughTheModelSections) {
  Model m = BinaryModel();
  EXPECT_EQ(LoadReferenceProfile(m).status().code(), StatusCode::kNotFound);
  Data d = MakeData(5000, 0, false, 5);
  ASSERT_TRUE(AttachReferenceProfile(&m, d.table, {}, d.predictions, {}, Context{}).ok());
  // Through text, as the artifact stores it.
  m.sections[kProfileSection] = nlohmann::json::parse(m.sections[kProfileSection].dump());
  auto p = LoadReferenceProfile(m);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->rows(), 5000u);
  m.sections[kProfileSection]["columns"][0]["count"] = "lots";
  EXPECT_EQ(LoadReferenceProfile(m).status().code(), StatusCode::kCorrupt);
}

TEST(ProfileDrift, WindowsOfShiftedDataDriftAndWindowsOfTheSameDataDoNot) {
  Model m = BinaryModel();
  Data train = MakeData(30000, 0, false, 6);
  auto ref = BuildReferenceProfile(m, train.table, {}, train.predictions, {}, Context{});
  ASSERT_TRUE(ref.ok());
  Data same = MakeData(5000, 0, false, 7);
  Data shifted = MakeData(5000, 15, true, 8);
  auto p_same =
      ProfileTable(ref->shared_layout(), m, same.table, same.predictions, Context{}.WithThreads(2));
  auto p_shift = ProfileTable(ref->shared_layout(), m, shifted.table, shifted.predictions,
                              Context{}.WithThreads(2));
  ASSERT_TRUE(p_same.ok() && p_shift.ok());
  auto r_same = CompareProfiles(*ref, *p_same, DriftOptions{});
  auto r_shift = CompareProfiles(*ref, *p_shift, DriftOptions{});
  ASSERT_TRUE(r_same.ok() && r_shift.ok());
  EXPECT_EQ(r_same->verdict.drifted_features, 0u);
  EXPECT_EQ(r_same->verdict.prediction_drift, false);
  EXPECT_TRUE(r_shift->verdict.dataset_drift);
  EXPECT_EQ(r_shift->verdict.prediction_drift, true);
  for (const auto& f : r_shift->features) {
    if (f.feature == "device") {
      EXPECT_EQ(f.new_categories, std::vector<std::string>{"watch"});
    }
  }
  // Against raw current data the same verdicts hold, with exact KS for the discrete age.
  auto raw = CompareTableToProfile(*ref, m, shifted.table, shifted.predictions, TableDriftOptions{},
                                   Context{});
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_TRUE(raw->verdict.dataset_drift);
  EXPECT_TRUE(raw->features[0].exact);
}

TEST(ProfileTable, AbsentFeatureIsMissingEverywhereAndListed) {
  Model m = BinaryModel();
  Data train = MakeData(2000, 0, false, 9);
  auto ref = BuildReferenceProfile(m, train.table, {}, train.predictions, {}, Context{});
  ASSERT_TRUE(ref.ok());
  Data cur = MakeData(500, 0, false, 10);
  ASSERT_TRUE(cur.table.RemoveColumn("device").ok());
  ASSERT_TRUE(cur.table.RemoveColumn("y").ok());
  std::vector<std::string> absent;
  auto p = ProfileTable(ref->shared_layout(), m, cur.table, {}, Context{}.WithThreads(1), &absent);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(absent, std::vector<std::string>{"device"});
  EXPECT_EQ(p->column(1).missing, 500u);
  EXPECT_EQ(p->column(2).count + p->column(2).missing, 0u);  // no predictions given
  EXPECT_EQ(p->column(3).count + p->column(3).missing, 0u);  // no label column
  auto r = CompareProfiles(*ref, *p, DriftOptions{});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->prediction.has_value());
  EXPECT_FALSE(r->label.has_value());
}

}  // namespace
}  // namespace keel::drift
