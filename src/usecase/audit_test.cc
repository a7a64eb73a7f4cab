// One audit wherever it is run: `keel run`'s audit of its shipped model on its test rows is the
// audit `keel audit` gives that model on a file of those rows.
#include "usecase/audit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/model_io.h"
#include "usecase/project.h"
#include "usecase/run.h"

namespace keel::usecase {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The physical lines of a CSV without quoted line breaks, header = line 1.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `keel run` on the bundled project (smaller models; fairness with `keel audit`'s defaults),
// once for the suite, and its test rows written as the lines of the data file they came from.
class RunAndAuditTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::path(::testing::TempDir()) /
                        ("keel_audit_test_" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    const fs::path data = fs::path(KEEL_SOURCE_DIR) / "examples" / "telco_churn" / "wa_churn.csv";
    const std::string yaml =
        "name: telco\n"
        "data: {path: " +
        data.string() +
        "}\n"
        "target: {column: churn, positive: \"Yes\"}\n"
        "columns: {female: sensitive, senior_citizen: sensitive}\n"
        "exclude: [total_charges]\n"
        "split: {method: stratified, test_size: 0.3, valid_size: 0.1, seed: 42}\n"
        "baseline: {algo: linear}\n"
        "candidate: {algo: gbdt, num_trees: 40, num_leaves: 15, tune: off}\n"
        "compare: {resamples: 100}\n"
        "explain: {enabled: false}\n"
        "output: {dir: " +
        (*dir_ / "out").string() + "}\n";
    auto project = ParseProject(yaml, "keel.yaml", dir_->string());
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    auto run = RunPipeline(*project, Context{}.WithThreads(2).Quiet());
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    run_ = run->release();

    const std::vector<std::string> lines = Lines(ReadText(data));
    const std::vector<uint64_t>& source_lines = run_->data.table.source_lines();
    std::string test_csv = lines[0] + "\n";
    for (uint32_t row : run_->split.test) test_csv += lines[source_lines[row] - 1] + "\n";
    std::ofstream(*dir_ / "test.csv") << test_csv;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete run_;
  }
  static std::string File(const char* name) { return (*dir_ / name).string(); }

  static fs::path* dir_;
  static PipelineRun* run_;
};
fs::path* RunAndAuditTest::dir_ = nullptr;
PipelineRun* RunAndAuditTest::run_ = nullptr;

TEST_F(RunAndAuditTest, RunsAuditIsKeelAuditOnTheShippedModelAndTheTestRows) {
  ASSERT_NE(run_, nullptr);
  ASSERT_TRUE(run_->fairness.has_value());
  // `keel audit --model out/model.keel --data test.csv`, every setting at its default.
  AuditRequest request;
  request.input.model_path = run_->model_path;
  request.input.data_path = File("test.csv");
  auto audit = Audit(request, Context{}.WithThreads(2));
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  EXPECT_EQ(audit->rows_audited, run_->split.test.size());

  nlohmann::json from_run = SummaryJson(*run_)["fairness"];
  from_run.erase("gate");  // the release gate is keel run's own
  nlohmann::json from_audit = audit->ToJson();
  for (const char* key : {"ok", "model", "data", "positive_class", "rows_audited",
                          "rows_without_label", "rows_rejected"}) {
    from_audit.erase(key);  // keel audit's own: what it read
  }
  // Per attribute and intersection: the disparities, their intervals and the group tables.
  for (const char* part : {"attributes", "intersections"}) {
    ASSERT_FALSE(from_run[part].empty()) << part;
    for (const auto& [name, a] : from_run[part].items()) {
      SCOPED_TRACE(name);
      ASSERT_TRUE(from_audit[part].contains(name));
      EXPECT_EQ(a["groups"], from_audit[part][name]["groups"]);
      EXPECT_EQ(a, from_audit[part][name]);
    }
  }
  // And everything else: the decision rule, the bootstrap, the slices and the proxies.
  for (const auto& [key, value] : from_audit.items()) {
    EXPECT_TRUE(from_run.contains(key)) << "keel run's audit lacks " << key;
  }
  for (const auto& [key, value] : from_run.items()) {
    EXPECT_EQ(value, from_audit[key]) << key;
  }
}

TEST_F(RunAndAuditTest, RunsAuditHonoursTheModelsGroupThresholds) {
  ASSERT_NE(run_, nullptr);
  // `keel audit --fit-thresholds` writes the shipped model with group thresholds on `female`.
  AuditRequest fit;
  fit.input.model_path = run_->model_path;
  fit.input.data_path = File("test.csv");
  fit.audit.sensitive = {"female"};
  fit.audit.slices = false;
  fit.audit.proxies = false;
  fit.fit_thresholds = fairness::ThresholdConstraint::kDemographicParity;
  fit.out_path = File("fair.keel");
  const Context ctx = Context{}.WithThreads(2);
  auto fitted = Audit(fit, ctx);
  ASSERT_TRUE(fitted.ok()) << fitted.status().ToString();
  ASSERT_TRUE(fitted->mitigation.has_value());

  // keel run's audit step (AuditTable) on that model decides with its thresholds, as
  // `keel audit` does, and finds the disparity they were fitted to.
  auto model = LoadModel(fit.out_path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto predictor = Predictor::Create(*model);
  ASSERT_TRUE(predictor.ok());
  const Table test = run_->data.table.Take(run_->split.test);
  AuditSettings settings = fit.audit;
  auto audit = AuditTable(*model, **predictor, test, settings, "the test rows", ctx);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  EXPECT_EQ(audit->decision_rule,
            "group thresholds of the model on 'female' (demographic_parity within 0.02)");
  const auto* female = audit->Find("female");
  ASSERT_NE(female, nullptr);
  EXPECT_EQ(female->disparities[0].value, fitted->mitigation->fit.disparity_after);
  // `keel audit --model fair.keel` gives the same audit.
  AuditRequest again;
  again.input.model_path = fit.out_path;
  again.input.data_path = File("test.csv");
  again.audit = settings;
  auto by_keel_audit = Audit(again, ctx);
  ASSERT_TRUE(by_keel_audit.ok()) << by_keel_audit.status().ToString();
  EXPECT_EQ(fairness::AuditToJson(*audit), fairness::AuditToJson(by_keel_audit->audit));
}

}  // namespace
}  // namespace keel::usecase
