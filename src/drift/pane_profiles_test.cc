#include "drift/pane_profiles.h"

#include <gtest/gtest.h>

#include <set>
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
  for (PaneDelta& d : c->Take()) {
    m.pane = d.pane;
    m.profile = std::make_shared<Profile>(std::move(d.profile));
    m.sequences = std::move(d.sequences);
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
  std::vector<std::pair<std::string, uint64_t>> late;
  merger.set_late_sink(
      [&](const PaneMessage& m, uint64_t rows) { late.emplace_back(m.instance, rows); });
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
  // b's late rows for pane 1 are counted and reported, not merged; b says goodbye: all but the last
  // pane.
  ASSERT_TRUE(merger.Add(Pane("b", 1, 50, ref)).ok());
  EXPECT_EQ(merger.late_rows(), 50u);
  EXPECT_EQ(late, (std::vector<std::pair<std::string, uint64_t>>{{"b", 50}}));  // reported
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

// Rows lo..hi of a stream (sequence = row number + 1, one row per 10 s) and their values, the
// drift from row 7000 on.
struct Rows {
  static int64_t Time(uint64_t seq) { return static_cast<int64_t>(seq - 1) * 10 * 1000000; }
  static double Value(uint64_t seq) {
    Rng rng(seq * 7919);
    return rng.Uniform() + (seq > 7000 ? 0.3 : 0.0);
  }
};

// A consumer process: profiles the batches it is given and publishes them to the merger
// (through JSON), or dies without publishing.
class Consumer {
 public:
  Consumer(std::string name, const std::shared_ptr<Profile>& ref, const WindowOptions& o)
      : name_(std::move(name)), o_(o), panes_(ref->shared_layout(), o.slide_micros) {}

  // Scores sequences lo..hi; `redelivered` ones are separated, as the NATS consumer does.
  void Score(uint64_t lo, uint64_t hi, const std::set<uint64_t>& redelivered = {}) {
    for (uint64_t s = lo; s <= hi; ++s) {
      if (redelivered.count(s) != 0) panes_.Separate(s);
    }
    for (uint64_t s = lo; s <= hi; ++s) {
      panes_.BeginRow(Rows::Time(s), s).AddNumber(0, Rows::Value(s));
      panes_.EndRow();
    }
  }
  void Publish(PaneMerger* merger) { keel::drift::Publish(&panes_, name_, o_, merger); }
  void Die() { panes_.Take(); }

 private:
  std::string name_;
  WindowOptions o_;
  PaneCollector panes_;
};

std::vector<WindowResult> OneMonitor(const std::shared_ptr<Profile>& ref, const WindowOptions& o,
                                     uint64_t events) {
  std::vector<WindowResult> single;
  WindowMonitor one(ref, o, [&](const WindowResult& w) { single.push_back(w); });
  for (uint64_t s = 1; s <= events; ++s) {
    one.BeginRow(Rows::Time(s)).AddNumber(0, Rows::Value(s));
    one.EndRow();
  }
  EXPECT_TRUE(one.Finish().ok());
  return single;
}

void ExpectSameWindows(const std::vector<WindowResult>& merged,
                       const std::vector<WindowResult>& single) {
  ASSERT_EQ(merged.size(), single.size());
  for (size_t w = 0; w < single.size(); ++w) {
    EXPECT_EQ(merged[w].rows, single[w].rows) << w;
    EXPECT_EQ(merged[w].start_time, single[w].start_time) << w;
    EXPECT_EQ(merged[w].drifted, single[w].drifted) << w;
    EXPECT_NEAR(merged[w].report.features[0].statistic, single[w].report.features[0].statistic,
                1e-9)
        << w;
  }
}

WindowOptions Hourly() {
  WindowOptions o;
  o.mode = WindowOptions::Mode::kTime;
  o.size_micros = kHour;
  o.slide_micros = kHour;
  return o;
}

// A consumer killed after publishing its pane profile but before its acknowledgements reached
// the server: its events are redelivered to another consumer, which profiles them again. The
// merged windows count them once.
TEST(PaneMerger, EventsOfAConsumerKilledAfterPublishingCountOnce) {
  auto ref = Reference(20000, 1);
  const WindowOptions o = Hourly();
  std::vector<WindowResult> merged;
  PaneMerger merger(ref, o, 1000, [&](const WindowResult& w) { merged.push_back(w); });
  Consumer a("a", ref, o), b("b", ref, o), b2("b2", ref, o);
  a.Score(1, 500);
  a.Publish(&merger);  // ... and killed before acknowledging 1..500
  b.Score(501, 700);
  b.Publish(&merger);
  // 1..500 come back to b2 (delivered twice), in a batch with fresh events.
  std::set<uint64_t> again;
  for (uint64_t s = 1; s <= 500; ++s) again.insert(s);
  b2.Score(1, 500, again);
  b2.Score(701, 1000);
  b2.Publish(&merger);
  ASSERT_TRUE(merger.Finish().ok());
  EXPECT_EQ(merger.duplicate_rows(), 500u);
  EXPECT_EQ(merger.overlapping_rows(), 0u);
  EXPECT_EQ(merger.late_rows(), 0u);
  ExpectSameWindows(merged, OneMonitor(ref, o, 1000));
}

// A consumer killed before publishing holds events (here of hour 1) that come back only after
// the ack wait, while the others run hours ahead: the windows holding them wait for them
// instead of being evaluated without them (and the rows then dropped as late).
TEST(PaneMerger, AWindowWaitsForTheEventsAKilledConsumerHeld) {
  auto ref = Reference(20000, 1);
  const WindowOptions o = Hourly();  // 360 events per window
  std::vector<WindowResult> merged;
  PaneMerger merger(ref, o, 2, [&](const WindowResult& w) { merged.push_back(w); });
  Consumer a("a", ref, o), b("b", ref, o), c("c", ref, o);
  a.Score(1, 300);
  a.Publish(&merger);
  c.Score(301, 400);
  c.Publish(&merger);
  a.Score(401, 700);
  a.Die();  // 401..700 (hours 1 and 2) wait for redelivery
  for (uint64_t lo = 701; lo <= 3000; lo += 100) {
    Consumer& next = (lo / 100) % 2 == 0 ? b : c;
    next.Score(lo, lo + 99);
    next.Publish(&merger);
    ASSERT_TRUE(merger.Tick(1).ok());
  }
  // Hour 0 is final (every sequence below hour 1's first row, 361, is in); hour 1 waits for
  // 401..700, although b and c are far more than the grace past it.
  ASSERT_EQ(merged.size(), 1u);
  std::set<uint64_t> again;
  for (uint64_t s = 401; s <= 700; ++s) again.insert(s);
  b.Score(401, 700, again);
  b.Publish(&merger);
  EXPECT_GE(merged.size(), 6u);
  ASSERT_TRUE(merger.Finish().ok());
  EXPECT_EQ(merger.late_rows(), 0u);
  EXPECT_EQ(merger.skipped_sequences(), 0u);
  ExpectSameWindows(merged, OneMonitor(ref, o, 3000));
}

// Sequences no consumer ever accounts for (another subject of the stream, or deleted) hold
// the windows back for `settle` seconds only; dead letters account for theirs.
TEST(PaneMerger, MissingSequencesAreGivenUpAfterTheSettleTime) {
  auto ref = Reference(20000, 1);
  const WindowOptions o = Hourly();
  std::vector<WindowResult> merged;
  PaneMerger merger(ref, o, 2, [&](const WindowResult& w) { merged.push_back(w); });
  merger.set_settle(30);
  Consumer a("a", ref, o);
  a.Score(1, 400);
  a.Publish(&merger);
  // 401 is a dead letter, handled without a row; 402 never comes.
  PaneMessage dead;
  dead.instance = "a";
  dead.slide_micros = dead.size_micros = kHour;
  dead.pane = 1;
  dead.handled.Insert(401);
  ASSERT_TRUE(merger.Add(dead).ok());
  a.Score(403, 1600);
  a.Publish(&merger);
  // Hour 0 is final (every sequence below hour 1's rows is in); hour 1 waits for 402.
  ASSERT_TRUE(merger.Tick(100).ok());
  EXPECT_EQ(merged.size(), 1u);
  ASSERT_TRUE(merger.Tick(129).ok());
  EXPECT_EQ(merged.size(), 1u);
  ASSERT_TRUE(merger.Tick(131).ok());
  EXPECT_EQ(merger.skipped_sequences(), 1u);
  EXPECT_EQ(merged.size(), 4u);  // hours 0 to 3; hour 4, the highest, waits for the end
  ASSERT_TRUE(merger.Finish().ok());
  EXPECT_EQ(merged.size(), 5u);
  EXPECT_EQ(merged[1].rows, 360u - 2);  // 401 and 402 have no row
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
