// keel rank / keel tradeoff end to end: the ranking equals an independent recomputation from
// `keel predict`'s probabilities, constraints hold, bad objectives fail with file and line, and
// the trade-off's Pareto flags are exactly the non-dominated settings.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "keel_process.h"

namespace keel::e2e {
namespace {

std::vector<std::vector<std::string>> ReadCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(std::move(cells));
  }
  return rows;
}

size_t Col(const std::vector<std::string>& header, const std::string& name) {
  auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name;
  return static_cast<size_t>(it - header.begin());
}

std::string TrainModel(const TempDir& dir) {
  const std::string model = dir.File("m.keel");
  auto r = RunKeel({"train", "--data", FixtureFile("rank/train.csv"), "--target", "clicked",
                    "--positive", "1", "--algo", "linear", "--out", model, "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return model;
}

TEST(RankE2e, RankingEqualsIndependentRecomputation) {
  TempDir dir;
  const std::string model = TrainModel(dir);
  const std::string cands = FixtureFile("rank/candidates.csv");
  auto pred = RunKeel(
      {"predict", "--model", model, "--data", cands, "--out", dir.File("p.csv"), "--quiet"});
  ASSERT_EQ(pred.exit_code, 0) << pred.err;
  auto rank =
      RunKeel({"rank", "--model", model, "--objectives", FixtureFile("rank/objectives.yaml"),
               "--data", cands, "--out", dir.File("r.csv"), "--json"});
  ASSERT_EQ(rank.exit_code, 0) << rank.err;
  const auto summary = nlohmann::json::parse(rank.out);
  EXPECT_EQ(summary["requests"], 30);
  EXPECT_EQ(summary["candidates"], 240);

  const auto data = ReadCsv(ReadText(cands));
  const auto probs = ReadCsv(ReadText(dir.File("p.csv")));
  ASSERT_EQ(probs.size(), data.size());
  const auto& h = data[0];
  const size_t c_req = Col(h, "request_id"), c_res = Col(h, "reserve"), c_bid = Col(h, "bid"),
               c_cost = Col(h, "cost"), c_adv = Col(h, "advertiser");
  const size_t c_p = Col(probs[0], "prob_1");

  // Independent recomputation: per request, eligible = bid >= reserve; each objective divided
  // by its max over the eligible; score = clicks + revenue + 2 profit; greedy top 3 with one
  // candidate per advertiser.
  std::map<std::string, std::vector<size_t>> requests;
  std::vector<std::string> order;
  for (size_t i = 1; i < data.size(); ++i) {
    if (!requests.count(data[i][c_req])) order.push_back(data[i][c_req]);
    requests[data[i][c_req]].push_back(i);
  }
  std::map<std::string, std::vector<size_t>> want;  // request -> data row indices in rank order
  std::map<size_t, double> want_score;
  for (const auto& id : order) {
    std::vector<size_t> elig;
    for (size_t i : requests[id]) {
      if (std::stod(data[i][c_bid]) >= std::stod(data[i][c_res])) elig.push_back(i);
    }
    double mc = 0, mr = 0, mp = 0;
    auto vals = [&](size_t i) {
      const double p = std::stod(probs[i][c_p]);
      const double bid = std::stod(data[i][c_bid]), cost = std::stod(data[i][c_cost]);
      return std::array<double, 3>{p, p * bid, p * (bid - cost)};
    };
    for (size_t i : elig) {
      const auto v = vals(i);
      mc = std::max(mc, std::fabs(v[0]));
      mr = std::max(mr, std::fabs(v[1]));
      mp = std::max(mp, std::fabs(v[2]));
    }
    std::vector<std::pair<double, size_t>> scored;
    for (size_t i : elig) {
      const auto v = vals(i);
      const double s = v[0] / mc + v[1] / mr + 2 * v[2] / mp;
      want_score[i] = s;
      scored.push_back({s, i});
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::set<std::string> used;
    for (const auto& [s, i] : scored) {
      if (want[id].size() == 3) break;
      if (used.insert(data[i][c_adv]).second) want[id].push_back(i);
    }
  }

  const auto got = ReadCsv(ReadText(dir.File("r.csv")));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got[0][0], "request_id");
  const size_t g_line = Col(got[0], "line"), g_score = Col(got[0], "score"),
               g_rank = Col(got[0], "rank");
  std::map<std::string, std::vector<size_t>> have;
  for (size_t k = 1; k < got.size(); ++k) {
    const size_t row = std::stoul(got[k][g_line]) - 1;  // header = line 1 = data[0]
    ASSERT_LT(row, data.size());
    have[got[k][0]].push_back(row);
    EXPECT_EQ(std::stoul(got[k][g_rank]), have[got[k][0]].size());
    EXPECT_NEAR(std::stod(got[k][g_score]), want_score[row], 1e-9);
    // Constraints hold for every shown candidate.
    EXPECT_GE(std::stod(data[row][c_bid]), std::stod(data[row][c_res]));
  }
  for (const auto& id : order) {
    EXPECT_EQ(have[id], want[id]) << "request " << id;
    std::set<std::string> advertisers;
    for (size_t row : have[id]) EXPECT_TRUE(advertisers.insert(data[row][c_adv]).second);
  }
}

TEST(RankE2e, UnknownNameFailsWithFileLineAndName) {
  TempDir dir;
  const std::string model = TrainModel(dir);
  const std::string objectives = FixtureFile("rank/unknown_name.yaml");
  auto r = RunKeel({"rank", "--model", model, "--objectives", objectives, "--data",
                    FixtureFile("rank/candidates.csv"), "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(objectives + ":3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown name 'ad_cost'"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], false);

  WriteText(dir.File("typo.yaml"), "objectives:\n  clicks:\n    expr: p\n    wieght: 2\n");
  auto t = RunKeel({"rank", "--model", model, "--objectives", dir.File("typo.yaml"), "--data",
                    FixtureFile("rank/candidates.csv")});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.err.find("typo.yaml:4"), std::string::npos) << t.err;
  EXPECT_NE(t.err.find("wieght"), std::string::npos) << t.err;
}

TEST(TradeoffE2e, ParetoFlagsAreTheNonDominatedSettings) {
  TempDir dir;
  const std::string model = TrainModel(dir);
  const std::string report = dir.File("tradeoff.html");
  auto r =
      RunKeel({"tradeoff", "--model", model, "--objectives", FixtureFile("rank/objectives.yaml"),
               "--data", FixtureFile("rank/candidates.csv"), "--report", report, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& names = j["objective_names"];
  ASSERT_EQ(names.size(), 3u);
  const auto& settings = j["settings"];
  // C(6 + 2, 2) = 28 grid settings; the default (.25, .25, .5) is not on a 1/6 grid.
  ASSERT_EQ(settings.size(), 29u);
  EXPECT_EQ(j["default"], 29);
  std::vector<std::vector<double>> pts;
  for (const auto& s : settings) {
    std::vector<double> p;
    for (const auto& n : names) p.push_back(s["expected_per_1000"][n.get<std::string>()]);
    pts.push_back(p);
    double wsum = 0;
    for (const auto& n : names) wsum += s["weights"][n.get<std::string>()].get<double>();
    EXPECT_NEAR(wsum, 1, 1e-9);
  }
  size_t efficient = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    bool dominated = false;
    for (size_t k = 0; k < pts.size(); ++k) {
      bool ge = true, gt = false;
      for (size_t d = 0; d < 3; ++d) {
        ge = ge && pts[k][d] >= pts[i][d];
        gt = gt || pts[k][d] > pts[i][d];
      }
      dominated = dominated || (ge && gt);
    }
    EXPECT_EQ(settings[i]["pareto"].get<bool>(), !dominated) << "setting " << i + 1;
    efficient += dominated ? 0 : 1;
  }
  EXPECT_EQ(j["pareto_count"], efficient);
  // Each objective's best setting has the largest expected total of that objective.
  for (size_t d = 0; d < 3; ++d) {
    const size_t best = j["best"][names[d].get<std::string>()].get<size_t>() - 1;
    for (const auto& p : pts) EXPECT_LE(p[d], pts[best][d]);
  }
  const std::string html = ReadText(report);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("Pareto-efficient settings"), std::string::npos);
  EXPECT_NE(html.find("Best for profit"), std::string::npos);
}

TEST(TradeoffE2e, NeedsRequests) {
  TempDir dir;
  const std::string model = TrainModel(dir);
  WriteText(dir.File("o.yaml"), "objectives:\n  clicks: p\n");
  auto r = RunKeel({"tradeoff", "--model", model, "--objectives", dir.File("o.yaml"), "--data",
                    FixtureFile("rank/candidates.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--group-by"), std::string::npos) << r.err;
  auto ok = RunKeel({"tradeoff", "--model", model, "--objectives", dir.File("o.yaml"), "--data",
                     FixtureFile("rank/candidates.csv"), "--request-size", "8", "--steps", "1"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// Rank and tradeoff read candidates as every scoring command does (usecase/scoring.h): the
// model's features are required, and nothing else of its schema.
TEST(TradeoffE2e, CandidatesNeedOnlyTheModelsFeatures) {
  TempDir dir;
  const std::string model = dir.File("m.keel");
  auto train = RunKeel({"train", "--data", FixtureFile("rank/train.csv"), "--target", "clicked",
                        "--positive", "1", "--algo", "linear", "--exclude", "advertiser", "--out",
                        model, "--quiet"});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  WriteText(dir.File("o.yaml"),
            "objectives:\n  clicks: {expr: p, outcome: clicked}\n"
            "  revenue: {expr: p * bid, outcome: clicked * bid}\n"
            "  constraints: [bid >= reserve]\n  top: 2\n  group_by: request_id\n");
  // The log without `advertiser` (in the model's schema, excluded from its features) and
  // without `quality` (a feature).
  const auto rows = ReadCsv(ReadText(FixtureFile("rank/candidates.csv")));
  auto write_without = [&](const std::string& column) {
    const size_t drop = Col(rows[0], column);
    std::string csv;
    for (const auto& row : rows) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        if (c != drop) line += (line.empty() ? "" : ",") + row[c];
      }
      csv += line + "\n";
    }
    const std::string path = dir.File("no_" + column + ".csv");
    WriteText(path, csv);
    return path;
  };
  const std::string no_adv = write_without("advertiser");
  const std::string no_quality = write_without("quality");

  for (const char* command : {"rank", "tradeoff"}) {
    auto ok = RunKeel({command, "--model", model, "--objectives", dir.File("o.yaml"), "--data",
                       no_adv, "--json"});
    EXPECT_EQ(ok.exit_code, 0) << command << ": " << ok.err;
    auto missing = RunKeel({command, "--model", model, "--objectives", dir.File("o.yaml"), "--data",
                            no_quality, "--json"});
    EXPECT_EQ(missing.exit_code, 1) << command;
    EXPECT_NE(missing.err.find("\"quality\" not in the data"), std::string::npos)
        << command << ": " << missing.err;
    auto allowed = RunKeel({command, "--model", model, "--objectives", dir.File("o.yaml"), "--data",
                            no_quality, "--allow-missing-columns"});
    EXPECT_EQ(allowed.exit_code, 0) << command << ": " << allowed.err;
  }
}

}  // namespace
}  // namespace keel::e2e
