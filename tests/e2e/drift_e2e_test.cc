// keel drift, keel stream and keel monitor as a user runs them, on generated click data
// with a known drift point (70% of the rows), trained on the first half.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "click_events.h"
#include "keel_process.h"

namespace keel::e2e {
namespace {

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

const nlohmann::json* FeatureOf(const nlohmann::json& report, const std::string& name) {
  for (const auto& f : report["features"]) {
    if (f["feature"] == name) return &f;
  }
  return nullptr;
}

// Brute-force two-sample KS statistic.
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

TEST(DriftCli, DataReferenceFlagsShiftedColumnsWithExactKs) {
  TempDir dir;
  const auto ev = MakeEvents(6000, 6000, 3);  // no drift inside: shift by hand
  std::string ref = "amount,visits,segment\n", cur = ref;
  std::vector<double> ra, ca;
  Gen g(11);
  char buf[128];
  for (size_t i = 0; i < 3000; ++i) {
    for (int side = 0; side < 2; ++side) {
      const double amount = std::round((100 + 20 * g.Normal()) * (side ? 1.25 : 1.0) * 1000) / 1000;
      std::snprintf(buf, sizeof buf, "%.3f,%d,%s\n", amount, static_cast<int>(g.Uniform() * 10),
                    ev[i + side * 3000].country.c_str());
      (side ? cur : ref) += buf;
      (side ? ca : ra).push_back(std::strtod(buf, nullptr));
    }
  }
  WriteText(dir.File("ref.csv"), ref);
  WriteText(dir.File("cur.csv"), cur);
  auto r = RunKeel(
      {"drift", "--reference", dir.File("ref.csv"), "--data", dir.File("cur.csv"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto* amount = FeatureOf(j, "amount");
  ASSERT_NE(amount, nullptr);
  EXPECT_TRUE((*amount)["drifted"].get<bool>());
  EXPECT_NEAR((*amount)["ks"].get<double>(), BruteKs(ra, ca), 1e-12);
  EXPECT_FALSE((*FeatureOf(j, "visits"))["drifted"].get<bool>());
  EXPECT_FALSE((*FeatureOf(j, "segment"))["drifted"].get<bool>());
  EXPECT_EQ(j["correction"], "benjamini-hochberg");
  EXPECT_EQ(j["dataset"]["drifted_features"], 1);
  // The text form ranks the drifted feature first.
  auto t = RunKeel({"drift", "--reference", dir.File("ref.csv"), "--data", dir.File("cur.csv")});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const size_t first = t.out.find("amount"), second = t.out.find("visits");
  EXPECT_NE(first, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_NE(t.out.find("DRIFT"), std::string::npos);
}

TEST(DriftCli, BadInputsGiveClearErrors) {
  TempDir dir;
  WriteText(dir.File("ref.csv"), "a,b\n1,x\n2,y\n");
  WriteText(dir.File("empty.csv"), "");
  auto missing = RunKeel(
      {"drift", "--reference", dir.File("ref.csv"), "--data", dir.File("nope.csv"), "--json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.csv"), std::string::npos) << missing.err;
  EXPECT_EQ(nlohmann::json::parse(missing.out)["ok"], false);
  auto empty =
      RunKeel({"drift", "--reference", dir.File("empty.csv"), "--data", dir.File("ref.csv")});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_FALSE(empty.err.empty());
  // Flag values that are never valid are usage errors (exit 2), found when the flags are parsed.
  auto test = RunKeel({"drift", "--reference", dir.File("ref.csv"), "--data", dir.File("ref.csv"),
                       "--categorical-test", "ks"});
  EXPECT_EQ(test.exit_code, 2);
  EXPECT_NE(test.err.find("categorical"), std::string::npos) << test.err;
  auto alpha = RunKeel(
      {"drift", "--reference", dir.File("ref.csv"), "--data", dir.File("ref.csv"), "--alpha", "2"});
  EXPECT_EQ(alpha.exit_code, 2);
  EXPECT_NE(alpha.err.find("alpha"), std::string::npos) << alpha.err;
  // A corrupt model is a clear error too.
  WriteText(dir.File("bad.keel"), std::string("\x89KEEL\r\n\x1a", 8) + "garbage");
  auto bad = RunKeel({"drift", "--reference", dir.File("bad.keel"), "--data", dir.File("ref.csv")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_FALSE(bad.err.empty());
}

// Train on the first half, then drift, stream and monitor the rest (drift at 70%).
class DriftModelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    events_ = new std::vector<Event>(MakeEvents(kRows, kDriftRow, 7));
    WriteText(dir_->File("schema.yaml"), kSchema);
    WriteText(dir_->File("train.csv"), Csv(*events_, 0, kRows / 2));
    WriteText(dir_->File("pre.csv"), Csv(*events_, kRows / 2, kDriftRow));
    WriteText(dir_->File("post.csv"), Csv(*events_, kDriftRow, kRows));
    WriteText(dir_->File("rest.csv"), Csv(*events_, kRows / 2, kRows));
    auto t = RunKeel({"train", "--data", dir_->File("train.csv"), "--target", "clicked", "--schema",
                      dir_->File("schema.yaml"), "--positive", "1", "--trees", "40", "--out",
                      dir_->File("m0.keel"), "--quiet"},
                     "", 600);
    ASSERT_EQ(t.exit_code, 0) << t.err;
    auto p =
        RunKeel({"drift", "--reference", dir_->File("m0.keel"), "--data", dir_->File("train.csv"),
                 "--save-profile", dir_->File("m.keel"), "--selection-threshold", "0.5", "--json"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    EXPECT_EQ(nlohmann::json::parse(p.out)["rows"], kRows / 2);
  }
  static void TearDownTestSuite() {
    delete events_;
    delete dir_;
  }
  static constexpr size_t kRows = 20000;
  static constexpr size_t kDriftRow = 14000;
  static TempDir* dir_;
  static std::vector<Event>* events_;
};
TempDir* DriftModelTest::dir_ = nullptr;
std::vector<Event>* DriftModelTest::events_ = nullptr;

TEST_F(DriftModelTest, BatchDriftAgainstTheStoredProfile) {
  auto pre = RunKeel(
      {"drift", "--reference", dir_->File("m.keel"), "--data", dir_->File("pre.csv"), "--json"});
  ASSERT_EQ(pre.exit_code, 0) << pre.err;
  const auto a = nlohmann::json::parse(pre.out);
  EXPECT_FALSE(a["dataset"]["dataset_drift"].get<bool>()) << a["dataset"].dump();
  EXPECT_EQ(a["dataset"]["prediction_drift"], false);
  EXPECT_EQ(a["dataset"]["label_drift"], false);
  EXPECT_EQ(a["reference_kind"], "model");

  auto post = RunKeel({"drift", "--reference", dir_->File("m.keel"), "--data",
                       dir_->File("post.csv"), "--json", "--fail-on-drift"});
  EXPECT_EQ(post.exit_code, 3) << post.err;
  const auto b = nlohmann::json::parse(post.out);
  EXPECT_TRUE(b["dataset"]["dataset_drift"].get<bool>());
  EXPECT_EQ(b["dataset"]["prediction_drift"], true);
  for (const char* f : {"device", "country", "age", "bid"}) {
    ASSERT_NE(FeatureOf(b, f), nullptr) << f;
    EXPECT_TRUE((*FeatureOf(b, f))["drifted"].get<bool>()) << f;
  }
  EXPECT_FALSE((*FeatureOf(b, "hour"))["drifted"].get<bool>());
  EXPECT_EQ((*FeatureOf(b, "country"))["new_categories"], nlohmann::json::array({"BR"}));
}

TEST_F(DriftModelTest, StreamPredictsLikePredictAndFlagsTheFirstWindowAfterTheDrift) {
  const std::string input = Jsonl(*events_, kRows / 2, kRows);
  auto s = RunKeel({"stream", "--model", dir_->File("m.keel"), "--window", "2000", "--all-windows",
                    "--drift-events", dir_->File("events.jsonl"), "--json"},
                   input);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto out = JsonLines(s.out);
  // With --json the summary is the last line on stdout (the CLI contract), after the
  // predictions; stderr holds no JSON.
  ASSERT_EQ(out.size(), kRows / 2 + 1);
  const nlohmann::json summary = out.back();
  out.pop_back();
  EXPECT_EQ(summary["ok"], true);
  EXPECT_EQ(summary["rows_predicted"], kRows / 2);
  EXPECT_EQ(summary["windows"], 5);
  EXPECT_EQ(s.err.find('{'), std::string::npos) << s.err;
  for (const auto& o : out) ASSERT_FALSE(o.contains("ok")) << o.dump();
  // Same predictions as `keel predict` on the same rows, ids passed through in order.
  auto p = RunKeel({"predict", "--model", dir_->File("m.keel"), "--data", dir_->File("rest.csv"),
                    "--out", dir_->File("pred.csv")});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  std::istringstream csv(ReadText(dir_->File("pred.csv")));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "event_id,prob_0,prob_1");
  for (size_t i = 0; std::getline(csv, line); ++i) {
    ASSERT_LT(i, out.size());
    const size_t c1 = line.find(','), c2 = line.find(',', c1 + 1);
    EXPECT_EQ(out[i]["event_id"], line.substr(0, c1));
    EXPECT_NEAR(out[i]["prob_1"].get<double>(), std::stod(line.substr(c2 + 1)), 1e-12);
  }
  // Windows 0-1 hold rows before the drift point; window 2 starts exactly at it.
  const auto windows = JsonLines(ReadText(dir_->File("events.jsonl")));
  ASSERT_EQ(windows.size(), 5u);
  const size_t first_after = (kDriftRow - kRows / 2) / 2000;
  for (size_t w = 0; w < windows.size(); ++w) {
    EXPECT_EQ(windows[w]["drifted"].get<bool>(), w >= first_after)
        << "window " << w << ": " << windows[w]["drifted_features"].dump() << " prediction drift "
        << windows[w]["prediction_drift"];
  }
  EXPECT_EQ(windows[first_after]["window"]["first_row"], kDriftRow - kRows / 2 + 1);
  EXPECT_EQ(windows[first_after]["event"], "drift");
  EXPECT_EQ(windows[0]["event"], "window");
  // Fairness drift: after the drift young women are selected more often than men.
  for (size_t w = 0; w < windows.size(); ++w) {
    EXPECT_EQ(windows[w]["fairness_alert"].get<bool>(), w >= first_after)
        << windows[w]["fairness"].dump();
  }
  EXPECT_EQ(windows[4]["fairness"][0]["attribute"], "gender");
}

TEST_F(DriftModelTest, StreamTimeWindowsSlideAndUnreadableLinesKeepTheirPlace) {
  std::string input = Jsonl(*events_, kRows / 2, kRows / 2 + 3000);
  input.insert(input.find('\n') + 1, "{\"event_id\": \"broken\", \n");  // line 2: cut short
  input += "not json at all\n";
  auto s = RunKeel({"stream", "--model", dir_->File("m.keel"), "--window-time", "6h", "--slide",
                    "2h", "--all-windows", "--drift-events", dir_->File("tw.jsonl"), "--quiet"},
                   input);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto out = JsonLines(s.out);
  ASSERT_EQ(out.size(), 3002u);
  EXPECT_EQ(out[1]["line"], 2);
  EXPECT_TRUE(out[1].contains("error"));
  EXPECT_TRUE(out[3001].contains("error"));
  EXPECT_EQ(out[2]["event_id"], (*events_)[kRows / 2 + 1].id);
  const auto windows = JsonLines(ReadText(dir_->File("tw.jsonl")));
  ASSERT_GE(windows.size(), 3u);
  // Sliding by 2h over 6h, aligned to the epoch: the stream starts at 2024-01-11T10:00.
  EXPECT_EQ(windows[0]["window"]["start_time"], "2024-01-11T10:00:00Z");
  EXPECT_EQ(windows[1]["window"]["start_time"], "2024-01-11T12:00:00Z");
  EXPECT_EQ(windows[1]["window"]["end_time"], "2024-01-11T18:00:00Z");
  EXPECT_EQ(windows[1]["window"]["rows"], 240);  // one event every 90 s
  // All before the drift point: no window's features drifted as a data set.
  for (const auto& w : windows) EXPECT_FALSE(w["dataset_drift"].get<bool>()) << w.dump();
}

TEST_F(DriftModelTest, MonitorJoinsDelayedLabelsAndEstimatesTheRest) {
  const std::string input = Jsonl(*events_, kRows / 2, kRows);
  auto s = RunKeel({"stream", "--model", dir_->File("m.keel"), "--no-drift", "--quiet"}, input);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  WriteText(dir_->File("log.jsonl"), s.out);
  // Labels arrived for the first 6000 logged predictions only, in another order.
  std::string labels = "event_id,clicked\n";
  for (size_t i = kRows / 2 + 6000; i-- > kRows / 2;) {
    labels += (*events_)[i].id + "," + std::to_string((*events_)[i].clicked) + "\n";
  }
  labels += "e999999,1\n";  // a label without a prediction
  WriteText(dir_->File("labels.csv"), labels);
  auto m =
      RunKeel({"monitor", "--log", dir_->File("log.jsonl"), "--labels", dir_->File("labels.csv"),
               "--model", dir_->File("m.keel"), "--window", "2000", "--json"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  const auto j = nlohmann::json::parse(m.out);
  ASSERT_EQ(j["windows"].size(), 5u);
  EXPECT_EQ(j["join"]["matched"], 6000);
  EXPECT_EQ(j["join"]["labels_without_prediction"], 1);
  for (size_t w = 0; w < 5; ++w) {
    const auto& x = j["windows"][w];
    EXPECT_EQ(x["is_estimate"].get<bool>(), w >= 3) << x.dump();
    EXPECT_TRUE(x["estimated"]["roc_auc"].is_number());
    if (w < 3) {
      EXPECT_TRUE(x["realized"]["roc_auc"].is_number());
      // Before the drift the model's probabilities are calibrated: CBPE is close.
      if (w < 2) {
        EXPECT_NEAR(x["estimated"]["roc_auc"].get<double>(), x["realized"]["roc_auc"].get<double>(),
                    0.05);
      }
    }
  }
  EXPECT_TRUE(j["reference"]["roc_auc"].is_number());
  EXPECT_NE(j["estimation"].get<std::string>().find("estimate"), std::string::npos);
  // The text form says which numbers are estimates, in lines for people: the training
  // reference as rounded "name value" pairs, not a JSON object with 17-digit numbers.
  auto t = RunKeel({"monitor", "--log", dir_->File("log.jsonl"), "--labels",
                    dir_->File("labels.csv"), "--model", dir_->File("m.keel"), "--window", "2000"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("ESTIMATE"), std::string::npos);
  EXPECT_EQ(t.out.find('{'), std::string::npos) << t.out;
  char auc[64];
  std::snprintf(auc, sizeof auc, "roc_auc %.4g", j["reference"]["roc_auc"].get<double>());
  EXPECT_NE(t.out.find("training reference (test split, "), std::string::npos) << t.out;
  EXPECT_NE(t.out.find(auc), std::string::npos) << auc << "\n" << t.out;
}

}  // namespace
}  // namespace keel::e2e
