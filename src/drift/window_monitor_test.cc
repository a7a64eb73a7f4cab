#include "drift/window_monitor.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/random.h"
#include "drift/window_test_reference.h"

namespace keel::drift {
namespace {

struct Collected {
  std::vector<WindowResult> windows;
};

void Feed(WindowMonitor* m, double value, int64_t time = kMissingTime) {
  Profile& pane = m->BeginRow(time);
  pane.AddNumber(0, value);
  m->EndRow();
}

TEST(WindowMonitor, TumblingWindowsByCountFlagTheShiftedOnes) {
  auto ref = Reference(20000, 1);
  Collected got;
  WindowOptions o;
  o.size_rows = 2000;
  WindowMonitor m(ref, o, [&](const WindowResult& w) { got.windows.push_back(w); });
  Rng rng(2);
  for (int i = 0; i < 10000; ++i) Feed(&m, rng.Uniform() + (i >= 6000 ? 0.3 : 0.0));
  ASSERT_TRUE(m.Finish().ok());
  ASSERT_EQ(got.windows.size(), 5u);
  for (size_t w = 0; w < 5; ++w) {
    EXPECT_EQ(got.windows[w].first_row, w * 2000 + 1);
    EXPECT_EQ(got.windows[w].rows, 2000u);
    EXPECT_EQ(got.windows[w].report.verdict.dataset_drift, w >= 3) << w;
    EXPECT_FALSE(got.windows[w].partial);
  }
}

TEST(WindowMonitor, SlidingWindowsMergePanesAndTheLastPartialWindowIsEvaluated) {
  auto ref = Reference(5000, 3);
  Collected got;
  WindowOptions o;
  o.size_rows = 1000;
  o.slide_rows = 250;
  WindowMonitor m(ref, o, [&](const WindowResult& w) { got.windows.push_back(w); });
  Rng rng(4);
  for (int i = 0; i < 2100; ++i) Feed(&m, rng.Uniform());
  ASSERT_TRUE(m.Finish().ok());
  // Full windows end at rows 1000, 1250, ..., 2000 (5); then the partial one ending at 2100.
  ASSERT_EQ(got.windows.size(), 6u);
  EXPECT_EQ(got.windows[1].first_row, 251u);
  EXPECT_EQ(got.windows[1].last_row, 1250u);
  EXPECT_EQ(got.windows[1].rows, 1000u);
  EXPECT_TRUE(got.windows.back().partial);
  EXPECT_EQ(got.windows.back().last_row, 2100u);
  EXPECT_EQ(got.windows.back().rows, 850u);  // panes 1251-2000 and 2001-2100
}

TEST(WindowMonitor, TimeWindowsAlignToTheEpochCountLateRowsAndSkipGaps) {
  auto ref = Reference(5000, 5);
  Collected got;
  WindowOptions o;
  o.mode = WindowOptions::Mode::kTime;
  o.size_micros = 3600LL * 1000000;  // 1h
  o.min_rows = 10;
  WindowMonitor m(ref, o, [&](const WindowResult& w) { got.windows.push_back(w); });
  Rng rng(6);
  const int64_t h = 3600LL * 1000000;
  const int64_t t0 = 1704067200LL * 1000000 + h / 2;  // 2024-01-01T00:30Z
  for (int i = 0; i < 50; ++i) Feed(&m, rng.Uniform(), t0 + i * 1000000);
  Feed(&m, rng.Uniform(), t0 + h);        // next hour
  Feed(&m, rng.Uniform(), t0 - h);        // late: joins the current pane
  Feed(&m, rng.Uniform(), kMissingTime);  // no time
  for (int i = 0; i < 20; ++i) Feed(&m, rng.Uniform(), t0 + 5 * h + i);  // after a gap
  ASSERT_TRUE(m.Finish().ok());
  EXPECT_EQ(m.late_rows(), 1u);
  EXPECT_EQ(m.untimed_rows(), 1u);
  // 00:00-01:00 (50 rows) is evaluated; 01:00-02:00 (3 rows) and the empty hours are below
  // min_rows; 05:00-06:00 (20 rows) is the final window.
  ASSERT_EQ(got.windows.size(), 2u);
  EXPECT_EQ(FormatTimestamp(got.windows[0].start_time), "2024-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(got.windows[0].end_time), "2024-01-01T01:00:00Z");
  EXPECT_EQ(got.windows[0].rows, 50u);
  EXPECT_EQ(FormatTimestamp(got.windows[1].start_time), "2024-01-01T05:00:00Z");
  EXPECT_EQ(got.windows[1].rows, 20u);
}

TEST(WindowOptions, RejectsSlidesThatDoNotDivideTheWindow) {
  WindowOptions o;
  o.size_rows = 1000;
  o.slide_rows = 300;
  EXPECT_FALSE(o.Validate().ok());
  o.slide_rows = 250;
  EXPECT_TRUE(o.Validate().ok());
  o.size_rows = 0;
  EXPECT_FALSE(o.Validate().ok());
  WindowOptions t;
  t.mode = WindowOptions::Mode::kTime;
  EXPECT_FALSE(t.Validate().ok());
}

TEST(WindowResultToJson, NamesTheEventAndTheDriftedFeatures) {
  auto ref = Reference(5000, 7);
  std::vector<nlohmann::json> events;
  WindowOptions o;
  o.size_rows = 1000;
  WindowMonitor m(ref, o, [&](const WindowResult& w) { events.push_back(WindowResultToJson(w)); });
  for (int i = 0; i < 1000; ++i) Feed(&m, 5.0 + i * 1e-3);
  ASSERT_TRUE(m.Finish().ok());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"], "drift");
  EXPECT_EQ(events[0]["drifted_features"], nlohmann::json::array({"x"}));
  EXPECT_EQ(events[0]["window"]["rows"], 1000);
  EXPECT_TRUE(events[0]["fairness"].is_array());
}

}  // namespace
}  // namespace keel::drift
