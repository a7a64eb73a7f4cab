#include "drift/profile.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/random.h"

namespace keel::drift {
namespace {

std::shared_ptr<ProfileLayout> TestLayout(const std::vector<double>& cont,
                                          const std::vector<double>& discrete) {
  auto layout = std::make_shared<ProfileLayout>();
  layout->sketch_k = 200;
  ColumnSpec a;
  a.name = "amount";
  a.edges = QuantileEdges(cont, 20);
  ColumnSpec b;
  b.name = "hour";
  b.edges = QuantileEdges(discrete, 20);
  ColumnSpec c;
  c.name = "device";
  c.kind = ValueKind::kCategorical;
  c.source_kind = ColumnKind::kCategorical;
  c.SetCategories({"mobile", "desktop"});
  ColumnSpec p;
  p.name = "prob_yes";
  p.role = ProfileRole::kPrediction;
  p.edges = {0.25, 0.5, 0.75};
  layout->columns = {a, b, c, p};
  GroupSpec g;
  g.attribute = "gender";
  g.groups = {"f", "m"};
  layout->groups = {g};
  return layout;
}

struct Rows {
  std::vector<double> amount, hour, prob;
  std::vector<std::string> device;
  std::vector<int> gender;
};

Rows MakeRows(size_t n) {
  Rng rng(5);
  Rows r;
  const char* devices[] = {"mobile", "desktop", "tablet", "tv"};
  for (size_t i = 0; i < n; ++i) {
    r.amount.push_back(i % 97 == 0 ? std::nan("") : std::exp(rng.Uniform() * 4));
    r.hour.push_back(static_cast<double>(rng.Below(24)));
    r.device.push_back(i % 50 == 0 ? "" : devices[rng.Below(4)]);
    r.prob.push_back(rng.Uniform());
    r.gender.push_back(static_cast<int>(rng.Below(3)) - 1);
  }
  return r;
}

void AddRange(Profile* p, const Rows& r, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    p->AddNumber(0, r.amount[i]);
    p->AddNumber(1, r.hour[i]);
    if (r.device[i].empty()) {
      p->AddCategory(2, kMissingCode);
    } else {
      p->AddCategoryText(2, r.device[i]);
    }
    p->AddNumber(3, r.prob[i]);
    p->AddGroupRow(0, r.gender[i], r.prob[i]);
  }
  p->AddRows(end - begin);
}

TEST(Profile, MergedHalvesEqualTheWhole) {
  const Rows r = MakeRows(60000);
  auto layout = TestLayout(r.amount, r.hour);
  Profile whole(layout), a(layout), b(layout);
  AddRange(&whole, r, 0, r.amount.size());
  AddRange(&a, r, 0, 25000);
  AddRange(&b, r, 25000, r.amount.size());
  ASSERT_TRUE(a.Merge(b).ok());

  EXPECT_EQ(a.rows(), whole.rows());
  for (size_t c = 0; c < layout->columns.size(); ++c) {
    const ColumnStats& x = a.column(c);
    const ColumnStats& y = whole.column(c);
    SCOPED_TRACE(layout->columns[c].name);
    // Exact: counts, histograms, category frequencies, exact value tables, extremes.
    EXPECT_EQ(x.count, y.count);
    EXPECT_EQ(x.missing, y.missing);
    EXPECT_EQ(x.histogram, y.histogram);
    EXPECT_EQ(x.others.Items(), y.others.Items());
    EXPECT_EQ(x.exact.overflowed(), y.exact.overflowed());
    EXPECT_EQ(x.exact.Sorted(), y.exact.Sorted());
    if (layout->columns[c].kind == ValueKind::kNumeric) {
      EXPECT_EQ(x.min, y.min);
      EXPECT_EQ(x.max, y.max);
      // Up to rounding: the merged mean and variance.
      EXPECT_NEAR(x.mean, y.mean, 1e-12 * std::max(1.0, std::fabs(y.mean)));
      EXPECT_NEAR(x.StdDev(), y.StdDev(), 1e-10 * std::max(1.0, y.StdDev()));
      // Within the sketch's guarantee: quantiles.
      EXPECT_EQ(x.sketch.count(), y.sketch.count());
      const double eps = QuantileSketch::RankErrorBound(layout->sketch_k);
      for (double q : {0.05, 0.25, 0.5, 0.75, 0.95}) {
        const double v = y.sketch.Quantile(q);
        EXPECT_NEAR(x.sketch.Rank(v), y.sketch.Rank(v), 2 * eps) << "q=" << q;
      }
    }
  }
  // The discrete column keeps exact values, the continuous one gives up.
  EXPECT_FALSE(a.column(1).exact.overflowed());
  EXPECT_TRUE(a.column(0).exact.overflowed());
  // New categories ("tablet", "tv") land in the others summary, missing ones in missing.
  EXPECT_EQ(a.column(2).others.Items().size(), 2u);
  EXPECT_EQ(a.column(2).missing, 1200u);
  EXPECT_EQ(a.group(0).rows, whole.group(0).rows);
  EXPECT_EQ(a.group(0).selected, whole.group(0).selected);
}

TEST(Profile, MergeRejectsADifferentLayout) {
  const Rows r = MakeRows(100);
  Profile a(TestLayout(r.amount, r.hour));
  auto other = TestLayout(r.amount, r.hour);
  other->columns[1].edges = {1, 2, 3};
  Profile b(other);
  EXPECT_EQ(a.Merge(b).code(), StatusCode::kFailedPrecondition);
}

TEST(Profile, JsonRoundTripPreservesEverything) {
  const Rows r = MakeRows(5000);
  Profile p(TestLayout(r.amount, r.hour));
  AddRange(&p, r, 0, 5000);
  auto back = Profile::FromJson(p.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), p.ToJson());
  EXPECT_TRUE(back->layout().CheckSameAs(p.layout()).ok());
  // A loaded profile merges with a freshly built one of the same layout.
  Profile fresh(back->shared_layout());
  AddRange(&fresh, r, 0, 100);
  EXPECT_TRUE(fresh.Merge(*back).ok());
}

TEST(Profile, RejectsCorruptJsonWithAClearMessage) {
  const Rows r = MakeRows(500);
  Profile p(TestLayout(r.amount, r.hour));
  AddRange(&p, r, 0, 500);
  const nlohmann::json good = p.ToJson();
  auto expect_bad = [](nlohmann::json j, const std::string& needle) {
    auto res = Profile::FromJson(j);
    ASSERT_FALSE(res.ok()) << needle;
    EXPECT_NE(res.status().message().find(needle), std::string::npos) << res.status().ToString();
  };
  {
    auto j = good;
    j["columns"][0]["histogram"][0] = 1u << 30;
    expect_bad(j, "histogram holds");
  }
  {
    auto j = good;
    j["columns"][1]["edges"] = {3, 2, 1};
    expect_bad(j, "strictly increasing");
  }
  {
    auto j = good;
    j["columns"][2]["kind"] = "weird";
    expect_bad(j, "unknown kind");
  }
  {
    auto j = good;
    j["columns"][2].erase("others");
    expect_bad(j, "others");
  }
  {
    auto j = good;
    j["version"] = 7;
    expect_bad(j, "version 7");
  }
  {
    auto j = good;
    j["columns"][1]["values"][0][1] = "many";
    expect_bad(j, "values");
  }
  expect_bad(nlohmann::json::parse("[1,2]"), "not a JSON object");
}

TEST(QuantileEdges, OneBinPerValueForDiscreteData) {
  std::vector<double> v = {3, 1, 2, 2, 3, 1, NAN};
  EXPECT_EQ(QuantileEdges(v, 20), (std::vector<double>{2, 3}));
}

TEST(QuantileEdges, QuantilesForContinuousData) {
  std::vector<double> v;
  for (int i = 0; i < 1000; ++i) v.push_back(i);
  auto e = QuantileEdges(v, 10);
  EXPECT_EQ(e, (std::vector<double>{100, 200, 300, 400, 500, 600, 700, 800, 900}));
  EXPECT_TRUE(QuantileEdges(std::vector<double>{}, 10).empty());
}

}  // namespace
}  // namespace keel::drift
