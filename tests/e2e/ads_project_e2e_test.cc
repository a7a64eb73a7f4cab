// `keel run examples/ads/keel.yaml`: the ads project end to end, with the trade-off between
// the three stakeholders' objectives in summary.json and the report; and the objectives of a
// keel.yaml checked against the data before any training.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

using nlohmann::json;

std::string AdsDir() {
  return std::string(KEEL_SOURCE_DIR) + "/examples/ads";
}

TEST(AdsProjectE2e, RunReplaysTheTestRequestsUnderTheWeightGrid) {
  TempDir dir;
  ProcessResult r = RunKeel(
      {"run", AdsDir() + "/keel.yaml", "--out", dir.File("out"), "--json", "--threads", "2"}, "",
      600);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["data"]["rows_used"].get<int>(), 10000);
  ASSERT_TRUE(j.contains("tradeoff")) << j.dump();
  const json& t = j["tradeoff"];
  EXPECT_EQ(t["objective_names"], json({"clicks", "revenue", "profit"}));
  EXPECT_EQ(t["group_by"], "request_id");
  EXPECT_EQ(t["top"], 3);
  // The split is by request: the replayed candidates are whole requests of 10.
  const int requests = t["requests"].get<int>();
  EXPECT_EQ(t["candidates"].get<int>(), 10 * requests);
  EXPECT_EQ(j["split"]["test"].get<int>(), t["candidates"].get<int>());
  EXPECT_GT(requests, 200);
  EXPECT_LT(requests, 400);
  // Steps of 0.1 over 3 objectives: C(12, 2) = 66 settings, plus the default (1/3 each).
  const json& settings = t["settings"];
  ASSERT_EQ(settings.size(), 67u);
  const json& def = settings[t["default"].get<int>() - 1];
  EXPECT_TRUE(def["default"].get<bool>());
  for (const char* name : {"clicks", "revenue", "profit"}) {
    EXPECT_NEAR(def["weights"][name].get<double>(), 1.0 / 3, 1e-12);
  }
  // Independently: Pareto flags are exactly the non-dominated settings, each objective's best
  // setting maximises it, and shown ads respect top 3 and the logged totals exist.
  std::vector<std::vector<double>> points;
  for (const auto& s : settings) {
    points.push_back({s["expected_per_1000"]["clicks"].get<double>(),
                      s["expected_per_1000"]["revenue"].get<double>(),
                      s["expected_per_1000"]["profit"].get<double>()});
    EXPECT_LE(s["shown_per_request"].get<double>(), 3.0);
    EXPECT_GT(s["logged_per_1000"]["clicks"].get<double>(), 0.0);
  }
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t k = 0; k < points.size() && !dominated; ++k) {
      bool ge = true, gt = false;
      for (int d = 0; d < 3; ++d) {
        ge &= points[k][d] >= points[i][d];
        gt |= points[k][d] > points[i][d];
      }
      dominated = ge && gt;
    }
    EXPECT_EQ(settings[i]["pareto"].get<bool>(), !dominated) << i;
  }
  const char* names[] = {"clicks", "revenue", "profit"};
  for (int d = 0; d < 3; ++d) {
    const size_t best = t["best"][names[d]].get<size_t>() - 1;
    for (const auto& p : points) EXPECT_LE(p[d], points[best][d]) << names[d];
  }
  // Clicks alone maximises expected clicks; each single-objective corner is efficient.
  EXPECT_EQ(settings[t["best"]["clicks"].get<int>() - 1]["weights"]["clicks"].get<double>(), 1.0);
  ASSERT_TRUE(t["table"].contains("header"));
  EXPECT_FALSE(t["table"]["rows"].empty());

  // summary.json holds the same, and the report has the Trade-off section with its charts.
  const json summary = json::parse(ReadText(j["outputs"]["summary"].get<std::string>()));
  EXPECT_EQ(summary["tradeoff"]["settings"], settings);
  const std::string html = ReadText(j["outputs"]["report"].get<std::string>());
  EXPECT_NE(html.find("id=\"tradeoff\""), std::string::npos);
  EXPECT_NE(html.find("Trade-off"), std::string::npos);
  EXPECT_NE(html.find("clicks vs revenue"), std::string::npos);
  EXPECT_NE(html.find("Pareto-efficient settings"), std::string::npos);
}

TEST(AdsProjectE2e, UnknownObjectiveNameFailsBeforeTrainingWithTheLine) {
  TempDir dir;
  std::string yaml = ReadText(AdsDir() + "/keel.yaml");
  yaml.replace(yaml.find("path: ad_requests.csv"), 21, "path: " + AdsDir() + "/ad_requests.csv");
  yaml.replace(yaml.find("expr: p * bid"), 13, "expr: p * bidd");
  WriteText(dir.File("keel.yaml"), yaml);
  ProcessResult r = RunKeel({"run", dir.File("keel.yaml"), "--out", dir.File("out")}, "", 120);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("unknown name 'bidd'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("keel.yaml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("objective \"revenue\""), std::string::npos) << r.err;
  // Nothing was trained.
  EXPECT_FALSE(std::filesystem::exists(dir.File("out/candidate.keel")));
}

}  // namespace
}  // namespace keel::e2e
