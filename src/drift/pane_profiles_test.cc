#include "drift/pane_profiles.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/random.h"
#include "drift/window_test_reference.h"

namespace keel::drift {
namespace {

constexpr int64_t kHour = int64_t{3600} * 1000000;

// The collector's panes as they travel: JSON text and back.
void Publish(PaneCollector* c, const std::string& instance, const WindowOptions& o,
             PaneMerger* merger) {
  PaneMessage m;
  m.instance = instance;
  m.slide_micros = c->slide_micros();
  m.size_micros = o.size_micros;
  m.latest = c->latest();
  for (auto& [pane, profile] : c->Take()) {
    m.pane = pane;
    m.profile = std::make_shared<Profile>(std::move(profile));
    auto back = PaneMessageFromJson(nlohmann::json::parse(PaneMessageToJson(m).dump()));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_TRUE(merger->Add(*back).ok());
  }
}

PaneMessage Pane(const std::string& instance, int64_t pane, uint64_t rows,
                 const std::shared_ptr<Profile>& ref, double shift = 0) {
  PaneMessage m;
  m.instance = instance;
  m.pane = pane;
  m.slide_micros = kHour;
  m.size_micros = kHour;
  m.latest = pane;
  m.profile = std::make_shared<Profile>(ref->shared_layout());
  Rng rng(static_cast<uint64_t>(pane) + 7);
  for (uint64_t i = 0; i < rows; ++i) m.profile->AddNumber(0, rng.Uniform() + shift);
  m.profile->AddRows(rows);
  return m;
}

TEST(PaneMerger, ThreeConsumersPanesMergeIntoTheWindowsOfOneMonitor) {
  auto ref = Reference(20000, 1);
  WindowOptions o;
  o.mode = WindowOptions::Mode::kTime;
  o.size_micros = 4 * kHour;
  o.slide_micros = kHour;
  std::vector<WindowResult> single, merged;
  WindowMonitor one(ref, o, [&](const WindowResult& w) { single.push_back(w); });
  PaneMerger merger(ref, o, 1000, [&](const WindowResult& w) { merged.push_back(w); });
  std::vector<PaneCollector> consumers(3, PaneCollector(ref->shared_layout(), kHour));
  const std::vector<std::string> names = {"a", "b", "c"};
  Rng rng(2);
  const int rows = 12000;  // one every 10 s: 33h20m, the drift from row 7000 (19h26m) on
  for (int i = 0; i < rows; ++i) {
    const int64_t t = int64_t{i} * 10 * 1000000;
    const double v = rng.Uniform() + (i >= 7000 ? 0.3 : 0.0);
    Profile& p = one.BeginRow(t);
    p.AddNumber(0, v);
    one.EndRow();
    // Batches of 100 rows go to the consumers in turn, as fetches of a shared consumer do.
    PaneCollector& c = consumers[static_cast<size_t>(i / 100) % 3];
    c.BeginRow(t).AddNumber(0, v);
    c.EndRow();
    if (i % 100 == 99) {
      Publish(&c, names[static_cast<size_t>(i / 100) % 3], o, &merger);
    }
  }
  ASSERT_TRUE(one.Finish().ok());
  ASSERT_TRUE(merger.Finish().ok());
  ASSERT_EQ(merged.size(), single.size());
  ASSERT_GT(single.size(), 25u);
  bool drifted = false;
  for (size_t w = 0; w < single.size(); ++w) {
    EXPECT_EQ(merged[w].index, single[w].index);
    EXPECT_EQ(merged[w].rows, single[w].rows) << w;
    EXPECT_EQ(merged[w].start_time, single[w].start_time) << w;
    EXPECT_EQ(merged[w].end_time, single[w].end_time) << w;
    EXPECT_EQ(merged[w].partial, single[w].partial) << w;
    EXPECT_EQ(merged[w].drifted, single[w].drifted) << w;
    // Histogram tests count exactly; the window's KS comes from exact values or the sketch.
    ASSERT_EQ(merged[w].report.features.size(), 1u);
    EXPECT_NEAR(merged[w].report.features[0].statistic, single[w].report.features[0].statistic,
                1e-9)
        << w;
    drifted |= merged[w].drifted;
  }
  EXPECT_TRUE(drifted);
  EXPECT_EQ(merger.late_rows(), 0u);
}

TEST(PaneMerger, AWindowIsFinalWhenEveryInstanceMovedPastItOrAfterTheGrace) {
  auto ref = Reference(5000, 3);
  WindowOptions o;
  o.mode = WindowOptions::Mode::kTime;
  o.size_micros = kHour;
  std::vector<int64_t> ends;
  PaneMerger merger(ref, o, 2, [&](const WindowResult& w) { ends.push_back(w.end_time / kHour); });
  // a and b both in pane 0; a moves to pane 1: b has not moved past 0 yet.
  ASSERT_TRUE(merger.Add(Pane("a", 0, 200, ref)).ok());
  ASSERT_TRUE(merger.Add(Pane("b", 0, 200, ref)).ok());
  ASSERT_TRUE(merger.Add(Pane("a", 1, 200, ref)).ok());
  EXPECT_TRUE(ends.empty());
  // b moves to pane 1: window 0 (ending at hour 1) is final.
  ASSERT_TRUE(merger.Add(Pane("b", 1, 200, ref)).ok());
  EXPECT_EQ(ends, std::vector<int64_t>({1}));
  // b stalls in pane 1; a runs on. Pane 1 is final once a is 2 windows past it (pane 4).
  ASSERT_TRUE(merger.Add(Pane("a", 2, 200, ref)).ok());
  ASSERT_TRUE(merger.Add(Pane("a", 3, 200, ref)).ok());
  EXPECT_EQ(ends, std::vector<int64_t>({1}));
  ASSERT_TRUE(merger.Add(Pane("a", 4, 200, ref)).ok());
  EXPECT_EQ(ends, std::vector<int64_t>({1, 2}));
  // b's late rows for pane 1 are counted, not merged; b says goodbye: all but the last pane.
  ASSERT_TRUE(merger.Add(Pane("b", 1, 50, ref)).ok());
  EXPECT_EQ(merger.late_rows(), 50u);
  PaneMessage bye;
  bye.instance = "b";
  bye.slide_micros = bye.size_micros = kHour;
  bye.done = true;
  ASSERT_TRUE(merger.Add(bye).ok());
  EXPECT_EQ(ends, std::vector<int64_t>({1, 2, 3, 4}));
  ASSERT_TRUE(merger.Finish().ok());
  EXPECT_EQ(ends, std::vector<int64_t>({1, 2, 3, 4, 5}));
  EXPECT_EQ(merger.instances(), 2u);
}

TEST(PaneMerger, PanesOfAnotherWindowSizeAreAnError) {
  auto ref = Reference(1000, 5);
  WindowOptions o;
  o.mode = WindowOptions::Mode::kTime;
  o.size_micros = 2 * kHour;
  PaneMerger merger(ref, o, 2, [](const WindowResult&) {});
  const Status s = merger.Add(Pane("a", 0, 10, ref));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("instance 'a'"), std::string::npos) << s.message();
}

TEST(PaneMessage, BadJsonIsCorruptNamingTheField) {
  auto m = PaneMessageFromJson(nlohmann::json{{"format", "keel.pane"}, {"instance", "a"}});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("'pane'"), std::string::npos);
  EXPECT_FALSE(PaneMessageFromJson(nlohmann::json::array()).ok());
}

}  // namespace
}  // namespace keel::drift
