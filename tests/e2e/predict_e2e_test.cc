// keel import / predict / inspect end to end: imported XGBoost and LightGBM models predict
// what their library predicts, the output keeps one line per input record, and damaged model
// files are refused with a clear message.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "keel_process.h"

namespace keel::e2e {
namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

std::vector<std::string> SplitCells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

double Cell(const std::string& s) {
  return s.empty() ? std::nan("") : std::stod(s);
}

std::string Import(const TempDir& dir, const std::string& from, const std::string& file,
                   const std::vector<std::string>& extra = {}) {
  const std::string out = dir.File("m.keel");
  std::vector<std::string> args = {"import", "--from", from, file, "--out", out};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = RunKeel(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

TEST(PredictE2e, ImportedXGBoostModelsPredictWhatXGBoostPredicts) {
  for (const std::string name : {"binary_missing", "categorical", "multiclass", "regression"}) {
    TempDir dir;
    const std::string model =
        Import(dir, "xgboost", FixtureFile("xgboost/" + name + "_model.json"));
    auto r = RunKeel({"predict", "--model", model, "--data",
                      FixtureFile("xgboost/" + name + "_rows.csv"), "--out", dir.File("p.csv"),
                      "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["rows_rejected"], 0);
    const auto got = SplitLines(ReadText(dir.File("p.csv")));
    const auto want = SplitLines(ReadText(FixtureFile("xgboost/" + name + "_pred.csv")));
    ASSERT_EQ(got.size(), want.size()) << name;
    const auto head = SplitCells(got[0]);
    const auto want_head = SplitCells(want[0]);
    // prob_0, prob_1 (binary: positive last) / prob_<k> / prediction.
    if (name == "multiclass") {
      EXPECT_EQ(head, (std::vector<std::string>{"prob_0", "prob_1", "prob_2"}));
    } else if (name == "regression") {
      EXPECT_EQ(head, (std::vector<std::string>{"prediction"}));
    } else {
      EXPECT_EQ(head, (std::vector<std::string>{"prob_0", "prob_1"}));
    }
    double worst = 0;
    for (size_t i = 1; i < got.size(); ++i) {
      const auto g = SplitCells(got[i]);
      const auto w = SplitCells(want[i]);
      for (size_t c = 0; c < head.size(); ++c) {
        // The fixture holds the positive-class probability for binary models.
        const double keel = Cell(g[name == "binary_missing" || name == "categorical" ? 1 : c]);
        const double xgb = Cell(w[c]);
        const double err = std::abs(keel - xgb) / std::max(1.0, std::abs(xgb));
        worst = std::max(worst, err);
        if (name == "binary_missing" || name == "categorical") break;
      }
    }
    EXPECT_LE(worst, 1e-6) << name;
  }
}

TEST(PredictE2e, RawMarginsAndThreads) {
  TempDir dir;
  const std::string model =
      Import(dir, "xgboost", FixtureFile("xgboost/binary_missing_model.json"));
  const std::string rows = FixtureFile("xgboost/binary_missing_rows.csv");
  auto r1 = RunKeel({"predict", "--model", model, "--data", rows, "--out", dir.File("a.csv"),
                     "--raw", "--threads", "1"});
  auto r2 = RunKeel({"predict", "--model", model, "--data", rows, "--out", dir.File("b.csv"),
                     "--raw", "--threads", "2"});
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const std::string a = ReadText(dir.File("a.csv"));
  EXPECT_EQ(a, ReadText(dir.File("b.csv")));
  const auto lines = SplitLines(a);
  EXPECT_EQ(lines[0], "prob_0,prob_1,raw_1");
  const auto want = SplitLines(ReadText(FixtureFile("xgboost/binary_missing_pred.csv")));
  for (size_t i = 1; i < lines.size(); ++i) {
    const double margin = Cell(SplitCells(lines[i])[2]);
    EXPECT_NEAR(margin, Cell(SplitCells(want[i])[1]), 1e-5);
  }
}

// The LightGBM 4.6.0 fixtures (tests/fixtures/lightgbm/README.md) through the command line,
// as a user would: keel import, keel predict --raw and keel explain on the rows CSV give
// LightGBM's predictions and raw scores within 1e-9 relative and its pred_contrib within
// 1e-6, on every held-out and edge row.
TEST(PredictE2e, LightGBMFixturesEqualLightGBMThroughTheCommandLine) {
  struct Case {
    const char* name;
    size_t rows;
  };
  for (const Case c :
       {Case{"binary_categorical", 603}, Case{"binary_missing", 576}, Case{"binary_zero", 573},
        Case{"multiclass_categorical", 576}, Case{"regression_categorical", 682}}) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    const std::string base = FixtureFile(std::string("lightgbm/") + c.name);
    const std::string model = Import(dir, "lightgbm", base + ".txt");
    auto p = RunKeel({"predict", "--model", model, "--data", base + "_rows.csv", "--raw", "--out",
                      dir.File("p.csv")});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    auto e = RunKeel(
        {"explain", "--model", model, "--data", base + "_rows.csv", "--out", dir.File("s.csv")});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const auto want = SplitLines(ReadText(base + "_expected.csv"));
    const auto pred = SplitLines(ReadText(dir.File("p.csv")));
    const auto shap = SplitLines(ReadText(dir.File("s.csv")));
    ASSERT_EQ(want.size(), c.rows + 1);
    ASSERT_EQ(pred.size(), c.rows + 1);
    ASSERT_EQ(shap.size(), c.rows + 1);
    // Expected: set, note, raw_0..raw_{K-1}, pred_0..pred_{K-1}, contributions in Keel's
    // SHAP column order (per class: the features, then the bias).
    const auto header = SplitCells(want[0]);
    size_t k = 0;
    while (header[2 + k].rfind("raw_", 0) == 0) ++k;
    const auto out_header = SplitCells(pred[0]);
    auto near = [](double got, double expected, double tol) {
      return std::abs(got - expected) <= tol * std::max(std::abs(expected), 1e-300);
    };
    for (size_t r = 1; r <= c.rows; ++r) {
      const auto w = SplitCells(want[r]);
      const auto g = SplitCells(pred[r]);
      for (size_t o = 0; o < k; ++o) {
        const double raw = Cell(w[2 + o]), prob = Cell(w[2 + k + o]);
        if (k == 1 && out_header[0] == "prediction") {  // prediction, raw
          EXPECT_TRUE(near(Cell(g[0]), prob, 1e-9)) << "row " << r << ": " << pred[r];
          EXPECT_TRUE(near(Cell(g[1]), raw, 1e-9)) << "row " << r << ": " << pred[r];
        } else if (k == 1) {  // prob_0, prob_1, raw_1
          EXPECT_TRUE(near(Cell(g[1]), prob, 1e-9)) << "row " << r << ": " << pred[r];
          EXPECT_TRUE(near(Cell(g[2]), raw, 1e-9)) << "row " << r << ": " << pred[r];
        } else {  // prob_0..prob_{K-1}, raw_0..raw_{K-1}
          EXPECT_TRUE(near(Cell(g[o]), prob, 1e-9)) << "row " << r << ": " << pred[r];
          EXPECT_TRUE(near(Cell(g[k + o]), raw, 1e-9)) << "row " << r << ": " << pred[r];
        }
      }
      const auto s = SplitCells(shap[r]);
      ASSERT_EQ(s.size(), w.size() - 2 - 2 * k) << "row " << r;
      for (size_t j = 0; j < s.size(); ++j) {
        EXPECT_NEAR(Cell(s[j]), Cell(w[2 + 2 * k + j]), 1e-6) << "row " << r << " column " << j;
      }
    }
  }
}

TEST(PredictE2e, RejectedRecordsKeepTheirPlaceAndAreReported) {
  TempDir dir;
  const std::string model = Import(dir, "lightgbm", FixtureFile("lightgbm/regression_zero.txt"));
  WriteText(dir.File("d.csv"), "u,v\n0,0.1\nabc,0.2\n0.5,0.1\n,\n");
  auto r = RunKeel({"predict", "--model", model, "--data", dir.File("d.csv"), "--out",
                    dir.File("p.csv"), "--rejects", dir.File("rej.csv"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s = nlohmann::json::parse(r.out);
  EXPECT_EQ(s["rows_read"], 4);
  EXPECT_EQ(s["rows_rejected"], 1);
  EXPECT_EQ(s["rows_predicted"], 3);
  EXPECT_EQ(s["output_rows"], 4);
  EXPECT_NE(r.err.find(":3:"), std::string::npos) << r.err;  // the bad record's line
  const auto lines = SplitLines(ReadText(dir.File("p.csv")));
  // Hand-computed (tests/fixtures/lightgbm/README.md): (0, 0.1) -> 10 + 1;
  // (0.5, 0.1) -> 20 + 1 (the double 0.1 is on tree 0's threshold 0.10000000000000001, so it
  // goes left, as LightGBM 4.6.0 predicts; read as a float it was above it: 30 + 1);
  // (missing, missing) -> 10 + 2.
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "prediction");
  EXPECT_EQ(lines[1], "11");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "21");
  EXPECT_EQ(lines[4], "12");
  EXPECT_NE(ReadText(dir.File("rej.csv")).find("abc"), std::string::npos);
}

TEST(PredictE2e, IdColumnFromSchemaIsPassedThrough) {
  TempDir dir;
  WriteText(dir.File("s.yaml"),
            "version: 1\ncolumns:\n  - name: key\n    kind: string\n    role: id\n"
            "  - name: x\n    kind: numeric\n  - name: y\n    kind: numeric\n");
  const std::string model = Import(dir, "lightgbm", FixtureFile("lightgbm/multiclass.txt"),
                                   {"--schema", dir.File("s.yaml")});
  WriteText(dir.File("d.csv"), "y,key,x\n2,k1,3\n1,k2,9\n");
  auto r = RunKeel({"predict", "--model", model, "--data", dir.File("d.csv"), "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "key,prob_0,prob_1,prob_2");
  EXPECT_EQ(lines[1].substr(0, 3), "k1,");
  // Hand-computed margins for (x=3, y=2): (1, 0.625, 0.5).
  const auto cells = SplitCells(lines[1]);
  const double z = std::exp(1) + std::exp(0.625) + std::exp(0.5);
  EXPECT_NEAR(Cell(cells[1]), std::exp(1) / z, 1e-15);
  EXPECT_NEAR(Cell(cells[3]), std::exp(0.5) / z, 1e-15);
}

TEST(PredictE2e, InspectShowsEverythingButTreeArrays) {
  TempDir dir;
  const std::string model = Import(dir, "xgboost", FixtureFile("xgboost/multiclass_model.json"));
  auto r = RunKeel({"inspect", model, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["task"], "multiclass");
  EXPECT_EQ(j["forest"]["trees"], 60);
  EXPECT_EQ(j["forest"]["trees_per_output"], nlohmann::json({20, 20, 20}));
  EXPECT_LE(j["forest"]["depth"]["max"].get<int>(), 3);
  EXPECT_EQ(j["features"].size(), 7u);
  EXPECT_EQ(j["labels"]["classes"].size(), 3u);
  EXPECT_EQ(j["file"]["format_version"], 1);
  EXPECT_EQ(j["file"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["sections"]["import"]["from"], "xgboost");
  EXPECT_EQ(r.out.find("split_conditions"), std::string::npos);
  EXPECT_FALSE(j.contains("trees"));
  auto text = RunKeel({"inspect", model});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("60 trees"), std::string::npos) << text.out;
}

TEST(PredictE2e, DamagedModelFilesAreRefusedClearly) {
  TempDir dir;
  const std::string model = Import(dir, "lightgbm", FixtureFile("lightgbm/binary_splits.txt"));
  std::string bytes = ReadText(model);
  WriteText(dir.File("cut.keel"), bytes.substr(0, bytes.size() / 2));
  bytes[bytes.size() / 3] ^= 0x10;
  WriteText(dir.File("flip.keel"), bytes);
  WriteText(dir.File("d.csv"), "a,b,c,d\n1,2,3,4\n");
  for (const std::string bad : {"cut.keel", "flip.keel"}) {
    auto r = RunKeel({"predict", "--model", dir.File(bad), "--data", dir.File("d.csv"), "--out",
                      dir.File("p.csv"), "--json"});
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["ok"], false);
    auto i = RunKeel({"inspect", dir.File(bad)});
    EXPECT_EQ(i.exit_code, 1);
  }
  auto r = RunKeel({"import", "--from", "xgboost", FixtureFile("lightgbm/binary_splits.txt"),
                    "--out", dir.File("x.keel")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("binary_splits.txt"), std::string::npos) << r.err;
  r = RunKeel({"import", "--from", "catboost", "x", "--out", dir.File("x.keel")});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(PredictE2e, MissingFeatureColumnIsAnErrorUnlessAllowed) {
  TempDir dir;
  const std::string model = Import(dir, "lightgbm", FixtureFile("lightgbm/regression_zero.txt"));
  WriteText(dir.File("d.csv"), "u\n0\n");
  auto r = RunKeel(
      {"predict", "--model", model, "--data", dir.File("d.csv"), "--out", dir.File("p.csv")});
  EXPECT_EQ(r.exit_code, 1);
  // The reader, given the model's schema, refuses the file before any prediction: the message
  // names the file and the absent feature column.
  EXPECT_NE(r.err.find("d.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"v\""), std::string::npos) << r.err;
  r = RunKeel({"predict", "--model", model, "--data", dir.File("d.csv"), "--out", dir.File("p.csv"),
               "--allow-missing-columns"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // u = 0 (zero: default left) -> 10; v missing (default right) -> 2.
  EXPECT_EQ(SplitLines(ReadText(dir.File("p.csv")))[1], "12");
}

TEST(PredictE2e, HelpExplainsEveryFlag) {
  for (const std::string cmd : {"predict", "import", "inspect"}) {
    auto r = RunKeel({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("--json"), std::string::npos) << cmd;
  }
  auto r = RunKeel({"predict", "--help"});
  for (const char* flag : {"--model", "--data", "--out", "--raw", "--threads", "--rejects"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

// New data has no target: `keel predict` and `keel explain` score the training file without
// its target column with no extra flag, and give the rows the same predictions as with it.
// (They used to fail with 'schema column "churn" not in the data' unless given
// --allow-missing-columns, which also hides absent features.)
TEST(PredictE2e, UnlabeledDataIsScoredAndExplainedWithNoFlag) {
  TempDir dir;
  const std::string data = DataFile("wa_churn.csv");
  auto t = RunKeel(
      {"train", "--data", data, "--target", "churn", "--trees", "20", "--out", dir.File("m.keel")});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  // The same file without its first column (the target).
  std::string unlabeled;
  for (const std::string& line : SplitLines(ReadText(data))) {
    unlabeled += line.substr(line.find(',') + 1) + "\n";
  }
  WriteText(dir.File("new.csv"), unlabeled);
  auto with = RunKeel(
      {"predict", "--model", dir.File("m.keel"), "--data", data, "--out", dir.File("with.csv")});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  auto without = RunKeel({"predict", "--model", dir.File("m.keel"), "--data", dir.File("new.csv"),
                          "--out", dir.File("without.csv"), "--json"});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(nlohmann::json::parse(without.out)["rows_rejected"], 0);
  EXPECT_EQ(ReadText(dir.File("with.csv")), ReadText(dir.File("without.csv")));
  auto explain = RunKeel({"explain", "--model", dir.File("m.keel"), "--data", dir.File("new.csv"),
                          "--out", dir.File("shap.csv"), "--top", "2", "--json"});
  ASSERT_EQ(explain.exit_code, 0) << explain.err;
  EXPECT_EQ(nlohmann::json::parse(explain.out)["rows_explained"], 7043);
  // A feature column that is absent is still an error, naming it, unless allowed.
  std::string no_tenure;
  for (const std::string& line : SplitLines(ReadText(data))) {
    std::vector<std::string> cells = SplitCells(line);
    std::string row;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i == 0 || i == 5) continue;  // churn, tenure
      row += (row.empty() ? "" : ",") + cells[i];
    }
    no_tenure += row + "\n";
  }
  WriteText(dir.File("no_tenure.csv"), no_tenure);
  auto absent = RunKeel({"predict", "--model", dir.File("m.keel"), "--data",
                         dir.File("no_tenure.csv"), "--out", dir.File("x.csv")});
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_NE(absent.err.find("tenure"), std::string::npos) << absent.err;
  EXPECT_EQ(absent.err.find("churn"), std::string::npos) << absent.err;
}

}  // namespace
}  // namespace keel::e2e
