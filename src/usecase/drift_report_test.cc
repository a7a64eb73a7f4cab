#include "usecase/drift_report.h"

#include <gtest/gtest.h>

#include <string>

namespace keel::usecase {
namespace {

drift::FeatureDrift Feature(std::string name, double score, bool drifted, bool tested = true) {
  drift::FeatureDrift f;
  f.feature = std::move(name);
  f.test = tested ? "ks" : "none";
  f.statistic = score / 10;
  f.threshold = 0.1;
  f.score = score;
  f.drifted = drifted;
  f.tested = tested;
  f.bin_labels = {"< 1", ">= 1"};
  f.reference_shares = {0.5, 0.5};
  f.current_shares = {0.2, 0.8};
  return f;
}

// A report as the drift stage ranks it (drifted first, then by score), written out by hand.
drift::DriftReport Report() {
  drift::DriftReport r;
  r.features = {Feature("tenure", 4, true), Feature("charges", 2, true),
                Feature("empty", 0, false, /*tested=*/false), Feature("plan", 0.5, false)};
  r.verdict.tested_features = 3;
  r.verdict.drifted_features = 2;
  r.verdict.share_drifted = 2.0 / 3;
  r.verdict.dataset_drift = true;
  r.reference_rows = 1000;
  r.current_rows = 200;
  return r;
}

TEST(DriftChartData, BarsForEveryTestedFeatureAndHistogramsForTheTop) {
  const DriftChartData d = MakeDriftChartData(Report(), 2);
  ASSERT_EQ(d.bars.size(), 3u);  // the untested feature has no score
  EXPECT_EQ(d.bars[0].feature, "tenure");
  EXPECT_EQ(d.bars[2].feature, "plan");
  EXPECT_DOUBLE_EQ(d.bars[1].score, 2);
  EXPECT_TRUE(d.bars[1].drifted);
  ASSERT_EQ(d.histograms.size(), 2u);
  EXPECT_EQ(d.histograms[1].feature, "charges");
  EXPECT_EQ(d.histograms[1].current_shares, (std::vector<double>{0.2, 0.8}));
  EXPECT_TRUE(d.verdict.dataset_drift);
  EXPECT_EQ(MakeDriftChartData(Report(), 10).histograms.size(), 3u);
}

TEST(DriftReport, SectionSaysWhatWasComparedAndListsEveryFeature) {
  report::HtmlReport html("t");
  html.BeginSection("drift", "Drift");
  AddDriftReport(Report(), "training rows", "new.csv", &html);
  const std::string page = html.Render();
  EXPECT_NE(page.find("new.csv (200 rows) compared with training rows (1000 rows)"),
            std::string::npos);
  EXPECT_NE(page.find("2 of 3 columns drifted (dataset drift)."), std::string::npos);
  EXPECT_NE(page.find("<td>empty</td>"), std::string::npos);  // untested, still listed
  EXPECT_NE(page.find("tenure (ks)"), std::string::npos);     // the score bar's label
}

}  // namespace
}  // namespace keel::usecase
