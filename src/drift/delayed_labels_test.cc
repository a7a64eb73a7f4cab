#include "drift/delayed_labels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/random.h"

namespace keel::drift {
namespace {

MonitorSetup BinarySetup() {
  MonitorSetup s;
  s.task = Task::kBinary;
  s.classes = {"no", "yes"};
  s.labels.classes = s.classes;
  s.id_column = "id";
  s.label_column = "label";
  s.score_columns = {"prob_no", "prob_yes"};
  s.reference = {{"split", "test"}, {"roc_auc", 0.95}};
  return s;
}

struct Files {
  Table log, labels;
};

// 1000 predictions; labels (drawn from the probabilities) for the first `labeled` ids, in
// reverse order, one id twice and one unknown id.
Files MakeFiles(size_t labeled) {
  Rng rng(3);
  std::vector<std::string> ids, lab_ids, lab;
  std::vector<double> yes, no;
  for (size_t i = 0; i < 1000; ++i) {
    ids.push_back("r" + std::to_string(i));
    const double p = rng.Uniform();
    yes.push_back(p);
    no.push_back(1 - p);
  }
  Rng ly(4);
  for (size_t i = labeled; i-- > 0;) {
    lab_ids.push_back(ids[i]);
    lab.push_back(ly.Uniform() < yes[i] ? "yes" : "no");
  }
  lab_ids.push_back("r0");
  lab.push_back(lab[labeled - 1]);  // the same label again for r0
  lab_ids.push_back("ghost");
  lab.push_back("yes");
  Files f;
  EXPECT_TRUE(f.log.AddColumn(Column::String("id", ids)).ok());
  EXPECT_TRUE(f.log.AddColumn(Column::Numeric("prob_no", no)).ok());
  EXPECT_TRUE(f.log.AddColumn(Column::Numeric("prob_yes", yes)).ok());
  EXPECT_TRUE(f.labels.AddColumn(Column::String("id", lab_ids)).ok());
  EXPECT_TRUE(f.labels.AddColumn(Column::String("label", lab)).ok());
  return f;
}

TEST(MonitorPerformance, RealizedWhereLabelsArrivedEstimatedElsewhere) {
  Files f = MakeFiles(450);
  MonitorOptions o;
  o.window_rows = 250;
  auto r = MonitorPerformance(f.log, f.labels, BinarySetup(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->windows.size(), 4u);
  EXPECT_EQ(r->matched, 450u);
  EXPECT_EQ(r->labels_without_prediction, 1u);
  EXPECT_EQ(r->duplicate_label_ids, 1u);
  EXPECT_EQ(r->windows[0].basis, "realized");
  EXPECT_EQ(r->windows[0].labeled, 250u);
  EXPECT_EQ(r->windows[1].basis, "realized");  // 200 labels >= 50
  EXPECT_EQ(r->windows[2].basis, "estimated");
  EXPECT_EQ(r->windows[3].labeled, 0u);
  for (const auto& w : r->windows) {
    EXPECT_TRUE(std::isfinite(w.estimated.roc_auc));
    EXPECT_EQ(w.reference, 0.95);
    // Uniform probabilities: expected AUC 5/6 (about 0.83), far below 0.95 - 0.05.
    EXPECT_TRUE(w.degraded);
  }
  auto j = MonitorReportToJson(*r);
  EXPECT_TRUE(j["windows"][2]["is_estimate"].get<bool>());
  EXPECT_FALSE(j["windows"][0]["is_estimate"].get<bool>());
  EXPECT_TRUE(j["windows"][3]["realized"].is_null());
  EXPECT_EQ(j["degraded_windows"], 4);
}

TEST(MonitorPerformance, TimeWindowsUseTheLogTime) {
  Files f = MakeFiles(100);
  std::vector<int64_t> t;
  for (size_t i = 0; i < 1000; ++i) t.push_back(static_cast<int64_t>(i) * 60 * 1000000LL);  // 1/min
  ASSERT_TRUE(f.log.AddColumn(Column::Timestamp("ts", t)).ok());
  MonitorSetup s = BinarySetup();
  s.time_column = "ts";
  MonitorOptions o;
  o.by_time = true;
  o.window_micros = 3600LL * 1000000;
  auto r = MonitorPerformance(f.log, f.labels, s, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->windows.size(), 17u);  // 1000 minutes
  EXPECT_EQ(r->windows[0].rows, 60u);
  EXPECT_EQ(r->windows[16].rows, 40u);
  EXPECT_EQ(FormatTimestamp(r->windows[1].start_time), "1970-01-01T01:00:00Z");
}

TEST(MonitorPerformance, ClearErrorsForMissingColumnsAndBadOptions) {
  Files f = MakeFiles(10);
  MonitorSetup s = BinarySetup();
  s.label_column = "outcome";
  auto r = MonitorPerformance(f.log, f.labels, s, MonitorOptions{});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("outcome"), std::string::npos);
  MonitorOptions o;
  o.threshold = 2;
  EXPECT_FALSE(MonitorPerformance(f.log, f.labels, BinarySetup(), o).ok());
  MonitorOptions t;
  t.by_time = true;
  t.window_micros = 1000;
  EXPECT_FALSE(MonitorPerformance(f.log, f.labels, BinarySetup(), t).ok());  // no time column
}

TEST(MonitorSetupForModel, ReadsTheTrainingMetrics) {
  Model m;
  m.task = Task::kBinary;
  m.labels.classes = {"0", "1"};
  m.target = "clicked";
  m.schema.columns.push_back({.name = "uid", .kind = ColumnKind::kString, .role = Role::kId});
  m.sections["metrics"] = {{"train", {{"auc", 0.8}}}, {"test", {{"auc", 0.7}, {"accuracy", 0.9}}}};
  MonitorSetup s = MonitorSetupForModel(m);
  EXPECT_EQ(s.id_column, "uid");
  EXPECT_EQ(s.label_column, "clicked");
  EXPECT_EQ(s.score_columns, (std::vector<std::string>{"prob_0", "prob_1"}));
  EXPECT_EQ(s.reference["split"], "test");
  EXPECT_EQ(s.reference["roc_auc"], 0.7);
}

}  // namespace
}  // namespace keel::drift
