// `keel train --tune` and the tuned candidate of `keel run` (docs/tuning.md), as a user runs them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "keel_process.h"

namespace keel::e2e {
namespace {

nlohmann::json Lineage(const std::string& model_path) {
  const ProcessResult r = RunKeel({"inspect", model_path, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out)["sections"]["lineage"];
}

TEST(TuneE2e, TrainTuneListsTheTrialsAndTheModelRecordsTheChoice) {
  TempDir dir;
  const std::string model = dir.File("m.keel");
  const std::vector<std::string> args = {"train",    "--data",    DataFile("credit_data.csv"),
                                         "--target", "Status",    "--tune",
                                         "8trials",  "--threads", "2"};
  std::vector<std::string> json_args = args;
  json_args.insert(json_args.end(), {"--out", model, "--json"});
  const ProcessResult r = RunKeel(json_args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& t = j["tuning"];
  ASSERT_EQ(t["trials"].size(), 8u) << r.out;
  EXPECT_EQ(t["budget"], "8trials");
  EXPECT_EQ(t["configs"], 5);  // rungs of 5, 2 and 1 configurations
  EXPECT_EQ(t["rungs"], 3);
  for (const nlohmann::json& trial : t["trials"]) {
    for (const char* key : {"config", "rung", "loss", "trees", "num_trees", "learning_rate",
                            "num_leaves", "min_data_in_leaf", "lambda_l2"}) {
      EXPECT_TRUE(trial.contains(key)) << key << " in " << trial.dump();
    }
  }
  EXPECT_EQ(t["trials"][0]["config"], 0);  // the given parameters come first
  EXPECT_EQ(t["trials"][0]["learning_rate"], 0.1);
  // The saved model was fitted with the chosen parameters and carries the search.
  const nlohmann::json lineage = Lineage(model);
  EXPECT_EQ(lineage["tuning"]["chosen"], t["chosen"]);
  for (const auto& [name, value] : t["chosen"].items()) {
    EXPECT_EQ(lineage["parameters"][name], value) << name;
  }
  // The same seed and trial budget choose the same again; the text report shows the search.
  const ProcessResult text = RunKeel(args);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("tuned 8trials: 8 trials of 5 configurations"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("config rung  trees    logloss"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("; chose colsample "), std::string::npos) << text.out;
  // keel inspect shows it.
  const ProcessResult inspect = RunKeel({"inspect", model});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("tuned       8trials: 8 trials of 5 configurations"),
            std::string::npos)
      << inspect.out;
}

TEST(TuneE2e, ABadBudgetIsAUsageError) {
  for (const char* budget : {"forty", "8trials,60s", "0trials"}) {
    const ProcessResult r = RunKeel(
        {"train", "--data", DataFile("credit_data.csv"), "--target", "Status", "--tune", budget});
    EXPECT_EQ(r.exit_code, 2) << budget << ": " << r.err;
    EXPECT_NE(r.err.find("parameter tune (--tune)"), std::string::npos) << r.err;
  }
  const ProcessResult linear = RunKeel({"train", "--data", DataFile("credit_data.csv"), "--target",
                                        "Status", "--algo", "linear", "--tune", "8trials"});
  EXPECT_EQ(linear.exit_code, 2) << linear.err;
  EXPECT_NE(linear.err.find("gbdt models only"), std::string::npos) << linear.err;
}

TEST(TuneE2e, RunTunesTheCandidateByDefaultAndTuneOffTurnsItOff) {
  TempDir dir;
  WriteHead(DataFile("wa_churn.csv"), dir.File("churn.csv"), 1500);
  const std::string common =
      "data: {path: churn.csv}\ntarget: churn\nexplain: {rows: 50}\ncompare: {resamples: 100}\n";
  WriteText(dir.File("keel.yaml"), common);
  const ProcessResult r =
      RunKeel({"run", dir.File("keel.yaml"), "--out", dir.File("on"), "--json", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const nlohmann::json& t = j["models"]["candidate"]["tuning"];
  ASSERT_TRUE(t.is_object()) << j["models"].dump();
  EXPECT_EQ(t["budget"], "auto");
  EXPECT_EQ(t["trials"].size(), 40u);  // auto = 40trials/60s: one bracket of 27, 9, 3, 1
  EXPECT_FALSE(j["models"]["baseline"].contains("tuning"));
  const nlohmann::json lineage = Lineage(dir.File("on/candidate.keel"));
  EXPECT_EQ(lineage["tuning"]["chosen"], t["chosen"]);
  EXPECT_EQ(lineage["parameters"]["num_trees"], t["chosen"]["num_trees"]);
  EXPECT_NE(ReadText(dir.File("on/report.html")).find("The candidate was tuned auto: 40 trials"),
            std::string::npos);

  WriteText(dir.File("keel.yaml"), common + "candidate: {tune: off}\n");
  const ProcessResult off =
      RunKeel({"run", dir.File("keel.yaml"), "--out", dir.File("off"), "--json", "--threads", "2"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_FALSE(nlohmann::json::parse(off.out)["models"]["candidate"].contains("tuning"));
  EXPECT_FALSE(Lineage(dir.File("off/candidate.keel")).contains("tuning"));
  EXPECT_EQ(Lineage(dir.File("off/candidate.keel"))["parameters"]["num_trees"], 100);
}

}  // namespace
}  // namespace keel::e2e
