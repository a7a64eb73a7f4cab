#include "train/params.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/model.h"

namespace keel {
namespace {

TEST(Params, DefaultsComeFromTheTableAndAreValid) {
  const TrainParams p = DefaultParams();
  EXPECT_TRUE(ValidateParams(p).ok());
  EXPECT_EQ(p.algo, "gbdt");
  EXPECT_EQ(p.num_leaves, 31);
  EXPECT_DOUBLE_EQ(p.test_size, 0.2);
  EXPECT_EQ(p.max_bins, 255);
  for (const ParamSpec& s : ParamTable()) {
    EXPECT_EQ(ParamText(s, p), std::string(s.default_text)) << s.name;
  }
}

TEST(Params, NamesAndFlagsAreUnique) {
  std::set<std::string_view> names;
  std::set<std::string> flags;
  for (const ParamSpec& s : ParamTable()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    for (const std::string& f : ParamFlags(s)) EXPECT_TRUE(flags.insert(f).second) << f;
    EXPECT_FALSE(s.help.empty()) << s.name;
  }
}

TEST(Params, TheKeelYamlNameIsAFlagToo) {
  for (const ParamSpec& s : ParamTable()) {
    std::string dashed(s.name);
    for (char& c : dashed) c = c == '_' ? '-' : c;
    const std::vector<std::string> flags = ParamFlags(s);
    ASSERT_FALSE(flags.empty());
    EXPECT_EQ(flags[0], s.flag);
    EXPECT_NE(std::find(flags.begin(), flags.end(), dashed), flags.end()) << s.name;
    EXPECT_EQ(FindParam(dashed), &s) << dashed;
  }
  EXPECT_EQ(ParamFlags(*FindParam("num_trees")), (std::vector<std::string>{"trees", "num-trees"}));
  EXPECT_EQ(ParamFlags(*FindParam("subsample")), (std::vector<std::string>{"subsample"}));
}

TEST(Params, AnUnknownNameNamesTheNearestParameter) {
  TrainParams p = DefaultParams();
  const Status s = SetParam("num_tree", "10", &p);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("did you mean 'num_trees'?"), std::string::npos) << s.message();
}

TEST(Params, SetByNameOrFlagWithBoundsChecked) {
  TrainParams p = DefaultParams();
  ASSERT_TRUE(SetParam("leaves", "63", &p).ok());
  EXPECT_EQ(p.num_leaves, 63);
  ASSERT_TRUE(SetParam("learning_rate", "0.05", &p).ok());
  EXPECT_DOUBLE_EQ(p.learning_rate, 0.05);
  ASSERT_TRUE(SetParam("split", "time:event_time", &p).ok());
  EXPECT_EQ(p.split, "time:event_time");

  Status s = SetParam("bins", "300", &p);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("[2, 255]"), std::string::npos) << s.message();
  EXPECT_FALSE(SetParam("lr", "0", &p).ok());  // (0, 1]
  EXPECT_FALSE(SetParam("lr", "abc", &p).ok());
  EXPECT_FALSE(SetParam("trees", "1.5", &p).ok());
  EXPECT_FALSE(SetParam("algo", "forest", &p).ok());
  EXPECT_FALSE(SetParam("split", "time:", &p).ok());
  EXPECT_EQ(SetParam("no_such", "1", &p).code(), StatusCode::kNotFound);
}

TEST(Params, SplitFractionsMustLeaveTrainingRows) {
  TrainParams p = DefaultParams();
  p.test_size = 0.6;
  p.valid_size = 0.4;
  Status s = ValidateParams(p);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("test_size"), std::string::npos);
}

TEST(Params, ValidSizeTakesAutoBesidesFractions) {
  TrainParams p = DefaultParams();
  EXPECT_EQ(p.valid_size, kAutoParam);
  EXPECT_EQ(ParamText(*FindParam("valid_size"), p), "auto");
  EXPECT_EQ(ParamsToJson(p)["valid_size"], "auto");
  EXPECT_TRUE(ValidateParams(p).ok());
  ASSERT_TRUE(SetParam("valid-size", "0.25", &p).ok());
  EXPECT_EQ(p.valid_size, 0.25);
  EXPECT_FALSE(SetParam("valid-size", "-1", &p).ok());  // the stored sentinel is not a value
  EXPECT_FALSE(SetParam("valid-size", "automatic", &p).ok());
  ASSERT_TRUE(SetParam("valid_size", "auto", &p).ok());
  // With "auto" folds, data this small is cross-validated instead: no validation split.
  EXPECT_EQ(ResolvedValidSize(p, 1000, Task::kBinary), 0);
  p.folds = 0;
  // auto: 10% of the non-test rows (test_size 0.2 of 1000 rows: 80 of 800), none below 500.
  EXPECT_DOUBLE_EQ(ResolvedValidSize(p, 1000, Task::kBinary) * 1000, 80);
  EXPECT_EQ(ResolvedValidSize(p, 600, Task::kBinary), 0);
  EXPECT_FALSE(SetParam("test_size", "auto", &p).ok());  // only valid_size and folds have it
  EXPECT_TRUE(SetParam("calibrate", "isotonic", &p).ok());
  EXPECT_FALSE(SetParam("calibrate", "platt", &p).ok());
}

TEST(Params, JsonHasEveryParameter) {
  const nlohmann::json j = ParamsToJson(DefaultParams());
  EXPECT_EQ(j.size(), ParamTable().size());
  EXPECT_EQ(j["num_trees"], 100);
  EXPECT_EQ(j["split"], "auto");
}

TEST(Params, HelpStatesDefaultAndRange) {
  const std::string h = ParamHelp(*FindParam("bins"));
  EXPECT_NE(h.find("default 255"), std::string::npos) << h;
  EXPECT_NE(h.find("[2, 255]"), std::string::npos) << h;
}

TEST(Params, ConstraintTextsAreCheckedByTheirSyntax) {
  TrainParams p = DefaultParams();
  EXPECT_TRUE(p.monotone.empty() && p.interactions.empty());
  ASSERT_TRUE(SetParam("monotone", "Income=-1,Debt=+1", &p).ok());
  EXPECT_EQ(p.monotone, "Income=-1,Debt=+1");
  ASSERT_TRUE(SetParam("interactions", "a,b;c", &p).ok());
  const Status bad = SetParam("monotone", "Income=up", &p);
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(IsParamError(bad));
  EXPECT_TRUE(IsParamError(bad.WithContext("training on d.csv")));
  EXPECT_FALSE(IsParamError(Status::InvalidArgument("column x: bad value")));
  EXPECT_EQ(FindParam("monotone")->repeat_join, ',');
  EXPECT_EQ(FindParam("interactions")->repeat_join, ';');
  EXPECT_NE(ParamHelp(*FindParam("interactions")).find("form: a,b;c,d,e"), std::string::npos);
  // The linear baseline takes no constraints.
  p.algo = "linear";
  const Status linear = ValidateParams(p);
  EXPECT_NE(linear.message().find("applies to gbdt models only"), std::string::npos)
      << linear.message();
}

// docs/params.md is generated from the table; regenerate it with
//   build/src/train/keel_train_tests --gtest_filter=Params.DocsMatchTheTable
// after setting KEEL_WRITE_PARAMS_DOC=1.
TEST(Params, DocsMatchTheTable) {
  const std::string path = std::string(KEEL_SOURCE_DIR) + "/docs/params.md";
  const std::string want = RenderParamsMarkdown();
  if (std::getenv("KEEL_WRITE_PARAMS_DOC") != nullptr) {
    std::ofstream(path) << want;
  }
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), want) << "docs/params.md is stale: run this test with "
                               "KEEL_WRITE_PARAMS_DOC=1 to regenerate it";
}

}  // namespace
}  // namespace keel
