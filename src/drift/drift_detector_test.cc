#include "drift/drift_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/random.h"
#include "drift/multiple_testing.h"
#include "drift/table_drift.h"

namespace keel::drift {
namespace {

double Normal(Rng& rng) {
  const double u1 = rng.Uniform(), u2 = rng.Uniform();
  return std::sqrt(-2 * std::log(1 - u1)) * std::cos(2 * M_PI * u2);
}

// Brute-force sup |F_a - F_b| over every sample point.
double BruteKs(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  double d = 0;
  for (const auto* s : {&a, &b}) {
    for (double x : *s) {
      const double fa =
          static_cast<double>(std::upper_bound(a.begin(), a.end(), x) - a.begin()) / a.size();
      const double fb =
          static_cast<double>(std::upper_bound(b.begin(), b.end(), x) - b.begin()) / b.size();
      d = std::max(d, std::fabs(fa - fb));
    }
  }
  return d;
}

struct Tables {
  Table ref, cur;
  std::vector<double> ref_shifted, cur_shifted;
};

// Columns: shifted (numeric, +shift sd in current), stable (numeric), device (categorical).
Tables MakeTables(size_t n_ref, size_t n_cur, double shift, uint64_t seed) {
  Rng rng(seed);
  Tables t;
  auto make = [&](size_t n, double s, std::vector<double>* keep) {
    std::vector<double> a(n), b(n);
    std::vector<int32_t> dev(n);
    for (size_t i = 0; i < n; ++i) {
      a[i] = std::round((Normal(rng) + s) * 1000) / 1000;
      b[i] = std::round(Normal(rng) * 1000) / 1000;
      dev[i] = static_cast<int32_t>(rng.Below(3));
    }
    *keep = a;
    Table table;
    EXPECT_TRUE(table.AddColumn(Column::Numeric("shifted", a)).ok());
    EXPECT_TRUE(table.AddColumn(Column::Numeric("stable", b)).ok());
    EXPECT_TRUE(
        table.AddColumn(Column::Categorical("device", dev, {"mobile", "desktop", "tablet"})).ok());
    return table;
  };
  t.ref = make(n_ref, 0, &t.ref_shifted);
  t.cur = make(n_cur, shift, &t.cur_shifted);
  return t;
}

const FeatureDrift& Find(const DriftReport& r, const std::string& name) {
  for (const auto& f : r.features) {
    if (f.feature == name) return f;
  }
  static FeatureDrift none;
  ADD_FAILURE() << "no feature " << name;
  return none;
}

TEST(CompareTables, FlagsTheShiftedColumnOnlyAndKsIsExact) {
  for (auto [n_ref, n_cur] : {std::pair<size_t, size_t>{400, 300}, {5000, 4000}}) {
    Tables t = MakeTables(n_ref, n_cur, 0.5, 7);
    auto r = CompareTables(t.ref, t.cur, Schema{}, TableDriftOptions{}, Context{});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const FeatureDrift& s = Find(*r, "shifted");
    EXPECT_TRUE(s.drifted) << s.reason;
    EXPECT_NEAR(s.ks, BruteKs(t.ref_shifted, t.cur_shifted), 1e-12);
    EXPECT_TRUE(s.exact);
    EXPECT_FALSE(Find(*r, "stable").drifted) << Find(*r, "stable").reason;
    EXPECT_FALSE(Find(*r, "device").drifted) << Find(*r, "device").reason;
    // Ranked: the drifted feature first.
    EXPECT_EQ(r->features.front().feature, "shifted");
    // Small samples are decided by p-values, large ones by distances.
    if (n_cur <= 1000) {
      EXPECT_EQ(s.test, "ks");
      EXPECT_EQ(Find(*r, "device").test, "chi2");
    } else {
      EXPECT_EQ(s.test, "wasserstein");
      EXPECT_EQ(Find(*r, "device").test, "jensen_shannon");
    }
    EXPECT_EQ(r->verdict.tested_features, 3u);
    EXPECT_EQ(r->verdict.drifted_features, 1u);
    EXPECT_FALSE(r->verdict.dataset_drift);
  }
}

TEST(CompareTables, NewAndVanishedCategoriesAreReportedNotFatal) {
  Table ref, cur;
  ASSERT_TRUE(
      ref.AddColumn(Column::Categorical("cat", {0, 1, 0, 1, 2, 0}, {"retail", "food", "tech"}))
          .ok());
  ASSERT_TRUE(
      cur.AddColumn(Column::Categorical("cat", {0, 1, 0, 1, 0, kMissingCode}, {"food", "crypto"}))
          .ok());
  auto r = CompareTables(ref, cur, Schema{}, TableDriftOptions{}, Context{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const FeatureDrift& f = Find(*r, "cat");
  EXPECT_EQ(f.new_categories, std::vector<std::string>{"crypto"});
  std::vector<std::string> gone = f.missing_categories;
  std::sort(gone.begin(), gone.end());
  EXPECT_EQ(gone, (std::vector<std::string>{"retail", "tech"}));
  EXPECT_TRUE(std::isfinite(f.chi2));
  EXPECT_EQ(f.chi2_dof, 3);
  EXPECT_EQ(f.current_missing, 1u);
}

TEST(CompareTables, AbsentColumnIsReportedDriftedNotAnError) {
  Tables t = MakeTables(200, 200, 0, 3);
  ASSERT_TRUE(t.cur.RemoveColumn("stable").ok());
  auto r = CompareTables(t.ref, t.cur, Schema{}, TableDriftOptions{}, Context{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const FeatureDrift& f = Find(*r, "stable");
  EXPECT_FALSE(f.tested);
  EXPECT_TRUE(f.drifted);
  EXPECT_NE(f.reason.find("absent"), std::string::npos);
}

TEST(CompareTables, SkipsIdAndStringColumnsAndComparesTheTargetAsLabel) {
  Tables t = MakeTables(300, 300, 0, 5);
  for (Table* tab : {&t.ref, &t.cur}) {
    std::vector<std::string> ids;
    std::vector<int32_t> y;
    for (size_t i = 0; i < tab->num_rows(); ++i) {
      ids.push_back("id" + std::to_string(i));
      y.push_back(static_cast<int32_t>(i % 2));
    }
    ASSERT_TRUE(tab->AddColumn(Column::String("uid", ids)).ok());
    ASSERT_TRUE(tab->AddColumn(Column::Categorical("y", y, {"no", "yes"})).ok());
  }
  Schema schema;
  schema.columns.push_back({.name = "uid", .kind = ColumnKind::kString, .role = Role::kId});
  schema.columns.push_back({.name = "y", .kind = ColumnKind::kCategorical, .role = Role::kTarget});
  auto r = CompareTables(t.ref, t.cur, schema, TableDriftOptions{}, Context{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->label.has_value());
  EXPECT_EQ(r->label->feature, "y");
  EXPECT_EQ(r->verdict.label_drift, false);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_NE(r->skipped[0].find("uid"), std::string::npos);
  for (const auto& f : r->features) EXPECT_NE(f.feature, "y");
}

TEST(Decide, CorrectsPValuesWithBenjaminiHochberg) {
  std::vector<FeatureDrift> fs(4);
  const double p[] = {0.01, 0.04, 0.03, 0.5};
  for (size_t i = 0; i < 4; ++i) {
    fs[i].feature = "f" + std::to_string(i);
    fs[i].kind = ValueKind::kNumeric;
    fs[i].p_value = p[i];
    fs[i].ks = 0.2;
    fs[i].reference_count = fs[i].current_count = 100;
  }
  DriftReport r = Decide(fs, std::nullopt, std::nullopt, DriftOptions{});
  // Hand-computed BH: sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.0533, 0.0533, 0.5.
  auto adj = [&](const std::string& n) { return Find(r, n).p_value_adjusted; };
  EXPECT_NEAR(adj("f0"), 0.04, 1e-12);
  EXPECT_NEAR(adj("f2"), 0.04 * 4 / 3, 1e-12);
  EXPECT_NEAR(adj("f1"), 0.04 * 4 / 3, 1e-12);
  EXPECT_NEAR(adj("f3"), 0.5, 1e-12);
  EXPECT_TRUE(Find(r, "f0").drifted);
  EXPECT_FALSE(Find(r, "f1").drifted);  // 0.04 alone would pass; corrected it does not
  DriftOptions bonf;
  bonf.correction = Correction::kBonferroni;
  DriftReport b = Decide(fs, std::nullopt, std::nullopt, bonf);
  EXPECT_NEAR(Find(b, "f0").p_value_adjusted, 0.04, 1e-12);
  EXPECT_NEAR(Find(b, "f2").p_value_adjusted, 0.12, 1e-12);
}

TEST(AdjustPValues, KeepsNaNAndOrder) {
  std::vector<double> p = {0.2, NAN, 0.01};
  auto a = AdjustPValues(p, Correction::kBenjaminiHochberg);
  EXPECT_NEAR(a[0], 0.2, 1e-12);
  EXPECT_TRUE(std::isnan(a[1]));
  EXPECT_NEAR(a[2], 0.02, 1e-12);
}

TEST(DriftReportToJson, CarriesTheContractKeys) {
  Tables t = MakeTables(500, 500, 1.0, 11);
  auto r = CompareTables(t.ref, t.cur, Schema{}, TableDriftOptions{}, Context{});
  ASSERT_TRUE(r.ok());
  auto j = DriftReportToJson(*r, true);
  ASSERT_TRUE(j["features"].is_array());
  for (const auto& f : j["features"]) {
    EXPECT_TRUE(f["feature"].is_string());
    EXPECT_TRUE(f["drifted"].is_boolean());
    EXPECT_TRUE(f["test"].is_string());
    EXPECT_TRUE(f["threshold"].is_number());
    EXPECT_TRUE(f["histogram"]["bins"].is_array());
    if (f["kind"] == "numeric") {
      for (const char* k : {"ks", "ks_p_value", "psi", "wasserstein", "jensen_shannon"}) {
        EXPECT_TRUE(f[k].is_number()) << k;
      }
    } else {
      for (const char* k : {"chi2", "chi2_p_value", "psi", "jensen_shannon"}) {
        EXPECT_TRUE(f[k].is_number()) << k;
      }
    }
  }
  EXPECT_EQ(j["correction"], "benjamini-hochberg");
  EXPECT_TRUE(j["dataset"]["dataset_drift"].is_boolean());
  EXPECT_TRUE(j["dataset"]["share_drifted"].is_number());
}

TEST(DriftOptions, RejectsTestsThatDoNotFitTheKind) {
  DriftOptions o;
  o.categorical_test = DriftTest::kKs;
  EXPECT_FALSE(o.Validate().ok());
  o = DriftOptions{};
  o.alpha = 1.5;
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_TRUE(DriftOptions{}.Validate().ok());
}

}  // namespace
}  // namespace keel::drift
