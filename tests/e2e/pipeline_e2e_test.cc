// keel run / keel quickstart end to end: a project file in, a model, a report with every
// section and a JSON summary out; bad project files fail with the key and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "keel_process.h"

namespace keel::e2e {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const char* kChurnProject = R"(name: churn_small
data: {path: churn.csv}
target: {column: churn, positive: "Yes"}
columns: {female: sensitive, senior_citizen: sensitive}
split: {method: stratified, test_size: 0.3, seed: 1}
candidate: {num_trees: 60, num_leaves: 8, learning_rate: 0.1, tune: off}
compare: {metric: auc, min_gain: 0.001, resamples: 200}
fairness: {limits: {demographic_parity_difference: 0.5}}
explain: {rows: 200, top: 8}
output: {dir: out}
)";

TEST(PipelineE2e, RunWritesModelReportAndSummary) {
  TempDir dir;
  WriteHead(DataFile("wa_churn.csv"), dir.File("churn.csv"), 2000);
  WriteText(dir.File("keel.yaml"), kChurnProject);
  ProcessResult r = RunKeel({"run", dir.File("keel.yaml"), "--json", "--threads", "2"}, "", 300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["data"]["rows_used"].get<int>(), 2000);
  EXPECT_EQ(j["split"]["test"].get<int>(), 600);
  EXPECT_EQ(j["task"], "binary");
  EXPECT_EQ(j["comparison"]["metric"], "auc");
  EXPECT_EQ(j["comparison"]["method"], "delong");
  const double auc_b = j["models"]["baseline"]["metrics"]["auc"]["value"].get<double>();
  const double auc_c = j["models"]["candidate"]["metrics"]["auc"]["value"].get<double>();
  EXPECT_GT(auc_b, 0.75);
  EXPECT_GT(auc_c, 0.75);
  EXPECT_NEAR(j["comparison"]["gain"].get<double>(), auc_c - auc_b, 1e-12);
  const std::string ship = j["verdict"]["ship"];
  EXPECT_TRUE(ship == "baseline" || ship == "candidate");
  EXPECT_FALSE(j["verdict"]["reason"].get<std::string>().empty());
  // The verdict follows from its three checks.
  const bool all = j["verdict"]["gain_reaches_min"].get<bool>() &&
                   j["verdict"]["significant"].get<bool>() &&
                   j["verdict"]["within_budget"].get<bool>();
  EXPECT_EQ(ship == "candidate", all);
  // Fairness audited on the two declared columns, gate judged.
  ASSERT_TRUE(j["fairness"].contains("attributes")) << j["fairness"].dump();
  EXPECT_TRUE(j["fairness"]["attributes"].contains("female"));
  EXPECT_TRUE(j["fairness"]["attributes"].contains("senior_citizen"));
  EXPECT_TRUE(j["fairness"]["gate"].contains("passed"));
  EXPECT_EQ(j["explanations"]["rows"].get<int>(), 200);
  EXPECT_LE(j["explanations"]["top_features"].size(), 8u);
  EXPECT_EQ(j["drift"]["current"], "test rows");

  // Every output exists; the shipped model predicts.
  for (const char* key : {"model", "report", "summary", "rejects", "baseline", "candidate"}) {
    EXPECT_TRUE(std::filesystem::exists(j["outputs"][key].get<std::string>())) << key;
  }
  ProcessResult p = RunKeel({"predict", "--model", j["outputs"]["model"].get<std::string>(),
                             "--data", dir.File("churn.csv"), "--out", dir.File("p.csv")});
  EXPECT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(ReadText(dir.File("p.csv")).find("prob_Yes"), std::string::npos);

  // The report: self-contained, every section, charts.
  const std::string html = ReadText(j["outputs"]["report"].get<std::string>());
  for (const char* id :
       {"summary", "data", "models", "curves", "comparison", "explanations", "fairness", "drift"}) {
    EXPECT_NE(html.find(std::string("id=\"") + id + "\""), std::string::npos) << id;
  }
  EXPECT_GE(Count(html, "<svg"), 8u);
  // Nothing fetched from the network (the SVG namespace URI is a name, not a fetch).
  for (const char* fetch : {"<script", "src=\"http", "href=\"http", "url(http", "@import"}) {
    EXPECT_EQ(html.find(fetch), std::string::npos) << fetch;
  }
  // summary.json holds the same verdict as stdout.
  const auto s = nlohmann::json::parse(ReadText(j["outputs"]["summary"].get<std::string>()));
  EXPECT_EQ(s["verdict"], j["verdict"]);
}

TEST(PipelineE2e, RegressionProjectRuns) {
  TempDir dir;
  WriteHead(DataFile("ames.csv"), dir.File("ames.csv"), 1200);
  WriteText(dir.File("keel.yaml"), R"(data: {path: ames.csv}
target: Sale_Price
split: {test_size: 0.25}
candidate: {num_trees: 40, tune: off}
compare: {resamples: 200, latency_budget_us: 100000}
)");
  ProcessResult r =
      RunKeel({"run", dir.File("keel.yaml"), "--json", "--out", dir.File("o")}, "", 300);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["task"], "regression");
  EXPECT_EQ(j["comparison"]["metric"], "rmse");
  EXPECT_EQ(j["comparison"]["method"], "paired_bootstrap");
  EXPECT_TRUE(j["fairness"].contains("skipped"));
  EXPECT_TRUE(std::filesystem::exists(dir.File("o/report.html")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("o/model.keel")));
}

TEST(PipelineE2e, BadProjectFilesFailClearly) {
  TempDir dir;
  WriteHead(DataFile("wa_churn.csv"), dir.File("churn.csv"), 300);
  struct Case {
    std::string yaml;
    std::string message;
  };
  const Case cases[] = {
      {"data: {path: churn.csv}\ntarget: churn\nspilt: {test_size: 0.2}\n",
       "keel.yaml:3: unknown key \"spilt\""},
      {"data: {path: churn.csv}\ntarget: churned\n", "the target \"churned\" is not a column"},
      {"data: {path: nothere.csv}\ntarget: churn\n", "nothere.csv"},
      {"data: {path: churn.csv}\ntarget: churn\ncolumns: {gender: sensitive}\n",
       "names \"gender\", which"},
      {"data: {path: churn.csv}\ntarget: churn\nsplit: {test_size: 0}\n", "no test rows"},
  };
  for (const Case& c : cases) {
    WriteText(dir.File("keel.yaml"), c.yaml);
    ProcessResult r = RunKeel({"run", dir.File("keel.yaml"), "--json", "--out", dir.File("o")});
    EXPECT_EQ(r.exit_code, 1) << c.yaml;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.yaml << "\nstderr: " << r.err;
    const auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out;
    EXPECT_FALSE(j["ok"].get<bool>());
  }
  ProcessResult missing = RunKeel({"run", dir.File("absent.yaml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("absent.yaml"), std::string::npos);
}

TEST(PipelineE2e, QuickstartRunsTheBundledExample) {
  TempDir dir;
  ProcessResult r = RunKeel({"quickstart", "--out", dir.File("qs")}, "", 600);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("report.html"), std::string::npos);
  EXPECT_NE(r.out.find("keel serve --model"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.File("qs/report.html")));
  EXPECT_TRUE(std::filesystem::exists(dir.File("qs/model.keel")));

  // The report renders in a real browser: every chart has a size, the console is clean.
  if (RunProgram({"sh", "-c", "command -v chromium"}).exit_code != 0) {
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  }
  ProcessResult check = RunProgram({std::string(KEEL_SOURCE_DIR) + "/scripts/check-report.sh",
                                    dir.File("qs/report.html"), dir.File("qs/report.png"), "10"},
                                   "", 300);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("0 of zero size"), std::string::npos) << check.out;
  EXPECT_GT(std::filesystem::file_size(dir.File("qs/report.png")), 10000u);
}

}  // namespace
}  // namespace keel::e2e
