// The command-line contract every subcommand keeps (DESIGN.md).
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "keel_process.h"

namespace keel::e2e {
namespace {

// The longest number in `text` by significant digits (leading zeros and exponents not
// counted), e.g. 16 for "338.4172415254398", 4 for "338.4" and "0.001234". Digits inside
// words ("sha256", hex digests) are not numbers.
size_t LongestNumber(const std::string& text, std::string* which) {
  auto alpha = [&](size_t at) {
    return at < text.size() && std::isalpha(static_cast<unsigned char>(text[at]));
  };
  size_t longest = 0;
  for (size_t i = 0; i < text.size();) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    if (i > 0 && alpha(i - 1)) {  // inside a word: skip it
      while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
      continue;
    }
    const size_t start = i;
    size_t digits = 0;
    bool leading = true;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) ||
                               (text[i] == '.' && i + 1 < text.size() &&
                                std::isdigit(static_cast<unsigned char>(text[i + 1]))))) {
      if (text[i] != '.') {
        if (text[i] != '0') leading = false;
        if (!leading) ++digits;
      }
      ++i;
    }
    if (alpha(i)) {  // a word starting with digits
      while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i]))) ++i;
      continue;
    }
    if (digits > longest) {
      longest = digits;
      *which = text.substr(start, i - start);
    }
  }
  return longest;
}

// Text meant for people: no number with more digits than a person reads, and no JSON.
void ExpectReadable(const ProcessResult& r, const std::string& what) {
  EXPECT_EQ(r.exit_code, 0) << what << ": " << r.err;
  std::string number;
  EXPECT_LE(LongestNumber(r.out, &number), 8u) << what << " prints " << number << ":\n" << r.out;
  EXPECT_EQ(r.out.find("{\""), std::string::npos) << what << " prints JSON:\n" << r.out;
}

TEST(Cli, VersionPrintsVersionAndGitHash) {
  auto r = RunKeel({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("keel 0."), std::string::npos);
  EXPECT_NE(r.out.find("git "), std::string::npos);
}

TEST(Cli, VersionJsonIsOneObjectOnStdout) {
  auto r = RunKeel({"version", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.contains("version"));
  EXPECT_TRUE(j.contains("git"));
}

TEST(Cli, HelpListsCommands) {
  auto r = RunKeel({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("version"), std::string::npos);
}

TEST(Cli, UnknownCommandIsUsageError) {
  auto r = RunKeel({"no-such-command"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST(Cli, NoCommandIsUsageError) {
  auto r = RunKeel({});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, AMisspeltCommandNamesTheNearestOne) {
  auto r = RunKeel({"trian", "--data", "d.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("keel: unknown command 'trian'; did you mean 'train'?"), std::string::npos)
      << r.err;
  auto far = RunKeel({"fly"});
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown command 'fly'"), std::string::npos) << far.err;
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
}

TEST(Cli, AMisspeltFlagNamesTheNearestFlagOfItsCommand) {
  struct Case {
    std::vector<std::string> args;
    std::string want;
  };
  const std::vector<Case> cases = {
      {{"evaluate", "--modle", "m.keel", "--data", "d.csv"},
       "keel evaluate: unknown option '--modle'; did you mean '--model'?"},
      // Case and '_' versus '-' do not count as differences.
      {{"train", "--data", "d.csv", "--target", "y", "--test_size", "0.3"},
       "keel train: unknown option '--test_size'; did you mean '--test-size'?"},
      {{"train", "--Data", "d.csv", "--target", "y"},
       "keel train: unknown option '--Data'; did you mean '--data'?"},
      {{"drift", "--reference", "m.keel", "--data", "d.csv", "--alpah=0.1"},
       "keel drift: unknown option '--alpah'; did you mean '--alpha'?"},
  };
  for (const Case& c : cases) {
    auto r = RunKeel(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.want;
    EXPECT_NE(r.err.find(c.want), std::string::npos) << r.err;
  }
}

// Every command's flag values are checked when the flags are parsed: a bad one is a usage
// error (exit 2) naming the flag, like a word given to a numeric flag of CLI11's own types.
TEST(Cli, BadFlagValuesAreUsageErrors) {
  const std::string data = DataFile("penguins.csv");
  struct Case {
    std::vector<std::string> args;
    std::string want;  // in the message
  };
  const std::vector<Case> cases = {
      {{"train", "--data", data, "--target", "species", "--trees", "abc"}, "--trees"},
      {{"train", "--data", data, "--target", "species", "--num-trees", "abc"}, "not an integer"},
      {{"train", "--data", data, "--target", "species", "--lr", "fast"}, "not a number"},
      {{"train", "--data", data, "--target", "species", "--bins", "300"}, "[2, 255]"},
      {{"train", "--data", data, "--target", "species", "--algo", "forest"}, "gbdt|linear"},
      {{"train", "--data", data, "--target", "species", "--test-size", "0.6", "--valid-size",
        "0.5"},
       "below 1"},
      {{"train", "--data", data, "--target", "species", "--fair-bound", "abc"}, "--fair-bound"},
      {{"stream", "--model", "m.keel", "--window-time", "5x"}, "unknown unit 'x'"},
      {{"stream", "--model", "m.keel", "--window", "many"}, "--window"},
      {{"monitor", "--log", "l.jsonl", "--labels", "l.csv", "--window-time", "soon"},
       "expected a duration"},
      {{"predict", "--model", "m.keel", "--data", data, "--threads", "all"}, "--threads"},
      {{"train", "--data", data, "--target", "species", "--fair-constraint", "parity"},
       "expected demographic_parity or equalized_odds"},
      {{"drift", "--reference", data, "--data", data, "--numeric-test", "kss"},
       "--numeric-test: \"kss\": expected auto, ks"},
      {{"drift", "--reference", data, "--data", data, "--correction", "holm"}, "bonferroni"},
      {{"compare", "a.keel", "b.keel", "--data", data, "--metric", "acc"}, "expected a metric"},
      {{"audit", "--model", "m.keel", "--data", data, "--threshold", "2"}, "--threshold"},
      {{"audit", "--model", "m.keel", "--data", data, "--slice-loss", "hinge"}, "error_rate"},
      {{"audit", "--model", "m.keel", "--data", data, "--fit-thresholds", "parity"},
       "equalized_odds"},
      {{"evaluate", "--model", "m.keel", "--data", data, "--confidence", "1.5"}, "(0, 1)"},
      {{"compare", "a.keel", "b.keel", "--data", data, "--alpha", "2"}, "--alpha"},
      {{"drift", "--reference", data, "--data", data, "--drift-share", "0"}, "(0, 1]"},
      {{"stream", "--model", "m.keel", "--alpha", "1"}, "--alpha"},
      {{"monitor", "--log", "l.jsonl", "--labels", "l.csv", "--threshold", "1"}, "--threshold"},
  };
  for (const Case& c : cases) {
    auto r = RunKeel(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << c.want << ": " << r.err;
    EXPECT_NE(r.err.find(c.want), std::string::npos) << r.err;
  }
}

// Column names in keel.yaml go through the same check as the flags' names.
TEST(Cli, KeelYamlColumnTyposNameTheNearestColumn) {
  TempDir dir;
  const std::string data = DataFile("wa_churn.csv");
  for (const auto& [yaml, want] :
       {std::pair{"target: chrun\n", "did you mean 'churn'?"},
        std::pair{"target: churn\nfairness: {sensitive: [femal]}\n", "did you mean 'female'?"},
        std::pair{"target: churn\nexclude: [Total_Charges]\n", "did you mean 'total_charges'?"}}) {
    WriteText(dir.File("keel.yaml"), "data: {path: " + data + "}\n" + yaml);
    auto r = RunKeel({"run", dir.File("keel.yaml"), "--out", dir.File("out")});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << r.err;
    const std::string named = dir.File("keel.yaml") + ": ";
    EXPECT_EQ(r.err.find(named + named), std::string::npos) << "keel.yaml named twice: " << r.err;
  }
}

TEST(Cli, LongestNumberCountsSignificantDigits) {
  std::string n;
  EXPECT_EQ(LongestNumber("x 338.4172415254398 per 1k", &n), 16u);
  EXPECT_EQ(n, "338.4172415254398");
  EXPECT_EQ(LongestNumber("0.001234 and 1,234 rows; v0.3.", &n), 4u);
  EXPECT_EQ(LongestNumber("sha256 d280fa6476483713 1234567a9 ok", &n), 0u);
}

// The text modes round for people (the --json outputs keep round-trip numbers).
TEST(Cli, TextOutputIsRoundedForPeople) {
  TempDir dir;
  const std::string train = FixtureFile("rank/train.csv");
  const std::string cands = FixtureFile("rank/candidates.csv");
  const std::string objectives = FixtureFile("rank/objectives.yaml");
  const std::string linear = dir.File("linear.keel"), gbdt = dir.File("gbdt.keel");
  for (const auto& [algo, out] : {std::pair{"linear", linear}, std::pair{"gbdt", gbdt}}) {
    auto t = RunKeel({"train", "--data", train, "--target", "clicked", "--positive", "1", "--algo",
                      algo, "--trees", "20", "--out", out});
    ExpectReadable(t, std::string("train --algo ") + algo);
  }
  ExpectReadable(RunKeel({"ingest", train, "--target", "clicked"}), "ingest");
  ExpectReadable(RunKeel({"ingest", DataFile("ames.csv")}), "ingest ames");
  ExpectReadable(
      RunKeel({"tradeoff", "--model", linear, "--objectives", objectives, "--data", cands}),
      "tradeoff");
  ExpectReadable(RunKeel({"rank", "--model", linear, "--objectives", objectives, "--data", cands,
                          "--out", dir.File("ranked.csv")}),
                 "rank");
  ExpectReadable(RunKeel({"evaluate", "--model", gbdt, "--data", train}), "evaluate");
  ExpectReadable(RunKeel({"compare", linear, gbdt, "--data", train}), "compare");
  ExpectReadable(RunKeel({"inspect", gbdt}), "inspect gbdt");
  ExpectReadable(RunKeel({"inspect", linear}), "inspect linear");
  ExpectReadable(RunKeel({"explain", "--model", gbdt, "--data", train, "--out",
                          dir.File("shap.csv"), "--partial-dependence", "quality"}),
                 "explain");
  ExpectReadable(RunKeel({"audit", "--model", gbdt, "--data", train, "--sensitive", "advertiser"}),
                 "audit");
  ExpectReadable(RunKeel({"drift", "--reference", train, "--data", cands}), "drift");
  ExpectReadable(RunKeel({"predict", "--model", gbdt, "--data", train, "--out", dir.File("p.csv")}),
                 "predict");
}

}  // namespace
}  // namespace keel::e2e
