// `keel ingest` and `keel schema` as a user runs them: the --json contract, the rejects file,
// schema round trips, stdin, and clear errors for bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "keel_process.h"

namespace keel::e2e {
namespace {

using nlohmann::json;

json ParseJson(const ProcessResult& r) {
  EXPECT_FALSE(r.out.empty()) << r.err;
  return json::parse(r.out, nullptr, false);
}

TEST(IngestCli, MessyFileJsonCountsAddUpAndRejectsFileHasEveryBadLine) {
  TempDir dir;
  const std::string rejects = dir.File("rejects.csv");
  const auto r =
      RunKeel({"ingest", DataFile("messy/wa_churn_messy.csv"), "--rejects", rejects, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = ParseJson(r);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["rows_read"], 7065);
  EXPECT_EQ(j["rows_used"], 7050);
  EXPECT_EQ(j["rows_rejected"], 15);
  EXPECT_EQ(j["duplicates"], 7);
  EXPECT_EQ(j["rows_used"].get<int>() + j["rows_rejected"].get<int>(), j["rows_read"].get<int>());
  ASSERT_TRUE(j["columns"].is_array());
  EXPECT_EQ(j["columns"].size(), 21u);
  const json& tenure = j["columns"][5];
  EXPECT_EQ(tenure["name"], "tenure");
  EXPECT_EQ(tenure["kind"], "numeric");
  for (const char* key : {"missing_rate", "cardinality", "min", "max", "mean"}) {
    EXPECT_TRUE(tenure.contains(key)) << key;
  }
  std::set<int> anomaly_lines;
  for (const auto& a : j["anomalies"]) {
    EXPECT_TRUE(a.contains("severity"));
    if (a.contains("line")) anomaly_lines.insert(a["line"].get<int>());
  }
  EXPECT_TRUE(anomaly_lines.count(397));  // garbage "1.2.3" in paperless_billing
  const std::string csv = ReadText(rejects);
  ASSERT_EQ(csv.rfind("line,column,kind,reason,raw\n", 0), 0u);
  for (const char* line : {"\n519,", "\n1403,", "\n397,paperless_billing,type_mismatch,"}) {
    EXPECT_NE(csv.find(line), std::string::npos) << line;
  }
}

TEST(IngestCli, SchemaInferThenValidate) {
  TempDir dir;
  const std::string schema = dir.File("schema.yaml");
  const auto inf = RunKeel({"schema", "infer", DataFile("wa_churn.csv"), "--target", "churn",
                            "--positive", "Yes", "--out", schema});
  ASSERT_EQ(inf.exit_code, 0) << inf.err;
  const std::string yaml = ReadText(schema);
  EXPECT_NE(yaml.find("name: churn"), std::string::npos);
  EXPECT_NE(yaml.find("role: target"), std::string::npos);
  EXPECT_NE(yaml.find("classes: [\"No\", \"Yes\"]"), std::string::npos) << yaml;
  const auto check = RunKeel({"schema", "check", schema, "--json"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  // The clean data validates against its own schema without anomalies.
  const auto clean = RunKeel({"ingest", DataFile("wa_churn.csv"), "--schema", schema, "--json"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  const json cj = ParseJson(clean);
  EXPECT_EQ(cj["anomalies_total"], 0);
  EXPECT_EQ(cj["labels"]["classes"], json::array({"No", "Yes"}));
  // New data: a new category and an out-of-range number are warnings with their line.
  const std::string data = dir.File("new.csv");
  std::string header = ReadText(DataFile("wa_churn.csv"));
  header = header.substr(0, header.find('\n') + 1);
  WriteText(data,
            header +
                "\"Yes\",0,0,1,0,999,1,\"No\",\"Fiber optic\",\"No\",\"No\",\"No\",\"No\",\"No\","
                "\"No\",\"Month-to-month\",1,\"Bitcoin\",70.7,70.7\n");
  const auto drift = RunKeel({"ingest", data, "--schema", schema, "--json"});
  ASSERT_EQ(drift.exit_code, 0) << drift.err;
  const json dj = ParseJson(drift);
  std::set<std::string> kinds;
  for (const auto& a : dj["anomalies"]) {
    kinds.insert(a["kind"].get<std::string>());
    if (a["kind"] != "missing_rate_above") EXPECT_EQ(a["line"], 2);
  }
  EXPECT_TRUE(kinds.count("new_category"));
  EXPECT_TRUE(kinds.count("out_of_range"));
}

TEST(IngestCli, UnknownSchemaKeyIsAnErrorWithItsLine) {
  TempDir dir;
  const std::string schema = dir.File("s.yaml");
  WriteText(schema, "version: 1\ncolumns:\n  - name: a\n    kind: numeric\n    tpye: x\n");
  const auto r = RunKeel({"ingest", DataFile("penguins.csv"), "--schema", schema, "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("s.yaml:5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"tpye\""), std::string::npos) << r.err;
  const json j = ParseJson(r);
  EXPECT_EQ(j["ok"], false);
}

TEST(IngestCli, ReadsStdinAndJsonLines) {
  const auto r = RunKeel({"ingest", "-", "--json"}, "a;b\n1;x\n2;y\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = ParseJson(r);
  EXPECT_EQ(j["rows_used"], 2);
  EXPECT_EQ(j["dialect"]["delimiter"], ";");
  TempDir dir;
  WriteText(dir.File("e.jsonl"), "{\"a\": 1}\n{\"a\": \"x\"\n");
  const auto jl = RunKeel({"ingest", dir.File("e.jsonl"), "--json"});
  ASSERT_EQ(jl.exit_code, 0) << jl.err;
  const json jj = ParseJson(jl);
  EXPECT_EQ(jj["format"], "jsonl");
  EXPECT_EQ(jj["rows_rejected"], 1);
}

// Exported with a European locale: ';' between fields, ',' before the decimals.
constexpr char kDecimalComma[] = "price;city;qty\n3,7;Lyon;2\n12,25;Nice;5\n-0,5;Metz;1\n";
// Every number could be a thousands group or a decimal comma: the sample cannot tell.
constexpr char kAmbiguous[] = "price;city;qty\n1,234;Lyon;2\n5,678;Nice;5\n";

// `keel ingest ARGS --json`, which must succeed.
json IngestJson(std::vector<std::string> args) {
  args.insert(args.begin(), "ingest");
  args.push_back("--json");
  const auto r = RunKeel(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return ParseJson(r);
}

// The statistics of column `name` in an ingest report (an empty object when absent).
json ColumnOf(const json& report, const std::string& name) {
  for (const auto& c : report["columns"]) {
    if (c["name"] == name) return c;
  }
  ADD_FAILURE() << "no column " << name;
  return json::object();
}

TEST(IngestCli, DecimalCommaFileIngestsWithNumericColumns) {
  TempDir dir;
  WriteText(dir.File("eu.csv"), kDecimalComma);
  const json j = IngestJson({dir.File("eu.csv")});
  EXPECT_EQ(j["rows_rejected"], 0);
  json price = ColumnOf(j, "price");
  EXPECT_EQ(price["kind"], "numeric");
  EXPECT_EQ(price["min"], -0.5);
  EXPECT_EQ(price["max"], 12.25);
  EXPECT_EQ(j["dialect"]["delimiter"], ";");
  EXPECT_EQ(j["dialect"]["decimal"], ",");
  EXPECT_EQ(j["dialect"]["decimal_source"], "detected");
  const auto text = RunKeel({"ingest", dir.File("eu.csv")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("format: csv, delimiter ';', decimal mark ',' (detected)"),
            std::string::npos)
      << text.out;
}

TEST(IngestCli, DecimalFlagForcesTheMarkOnAnAmbiguousFile) {
  TempDir dir;
  WriteText(dir.File("amb.csv"), kAmbiguous);
  const json plain = IngestJson({dir.File("amb.csv")});
  EXPECT_EQ(plain["dialect"]["decimal"], ".");
  EXPECT_EQ(plain["dialect"]["decimal_source"], "default");
  for (const char* mark : {",", "comma"}) {
    const json j = IngestJson({dir.File("amb.csv"), "--decimal", mark});
    EXPECT_EQ(j["dialect"]["decimal"], ",");
    EXPECT_EQ(j["dialect"]["decimal_source"], "option");
    json price = ColumnOf(j, "price");
    EXPECT_EQ(price["kind"], "numeric");
    EXPECT_EQ(price["max"], 5.678);
  }
}

TEST(IngestCli, BadDecimalIsAUsageError) {
  TempDir dir;
  WriteText(dir.File("eu.csv"), kDecimalComma);
  for (const char* command : {"ingest", "train", "predict"}) {
    std::vector<std::string> args = {command, "--decimal", "x"};
    if (std::string(command) == "ingest") args.push_back(dir.File("eu.csv"));
    const auto r = RunKeel(args);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.err;
    EXPECT_NE(r.err.find("--decimal"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("give , or ."), std::string::npos) << r.err;
  }
  // A decimal comma cannot also be the delimiter.
  const auto both = RunKeel({"ingest", dir.File("eu.csv"), "--delimiter", ",", "--decimal", ","});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_NE(both.err.find("cannot also be the delimiter"), std::string::npos) << both.err;
}

TEST(IngestCli, SchemaInferRecordsTheDecimalMarkForLaterReads) {
  TempDir dir;
  WriteText(dir.File("eu.csv"), kDecimalComma);
  WriteText(dir.File("amb.csv"), kAmbiguous);
  const auto inf = RunKeel({"schema", "infer", dir.File("eu.csv"), "--out", dir.File("s.yaml")});
  ASSERT_EQ(inf.exit_code, 0) << inf.err;
  EXPECT_NE(ReadText(dir.File("s.yaml")).find("\ndecimal: \",\"\n"), std::string::npos)
      << ReadText(dir.File("s.yaml"));
  const json j = IngestJson({dir.File("amb.csv"), "--schema", dir.File("s.yaml")});
  EXPECT_EQ(j["dialect"]["decimal_source"], "schema");
  EXPECT_EQ(j["rows_rejected"], 0);
  EXPECT_EQ(ColumnOf(j, "price")["max"], 5.678);
}

TEST(IngestCli, TrainAndPredictReadDecimalCommas) {
  TempDir dir;
  std::string train = "x;y\n";
  for (int i = 0; i < 200; ++i) {
    train += std::to_string(i / 8) + "," + std::to_string(i % 8 * 125 + 1000).substr(1) + ";" +
             std::to_string(i) + ",5\n";  // x = i/8 exactly; y = i + 0.5
  }
  WriteText(dir.File("train.csv"), train);
  const auto t = RunKeel({"train", "--data", dir.File("train.csv"), "--target", "y", "--algo",
                          "linear", "--out", dir.File("m.keel"), "--json"});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  // New rows whose numbers all look like thousands groups: the file cannot tell its mark, so
  // the model's (kept in its schema from the training data) decides, as --decimal would.
  WriteText(dir.File("new.csv"), "x;y\n1,250;0\n2,500;0\n");
  const auto kept = RunKeel({"predict", "--model", dir.File("m.keel"), "--data",
                             dir.File("new.csv"), "--out", dir.File("kept.csv"), "--json"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(ParseJson(kept)["rows_rejected"], 0);
  EXPECT_EQ(ParseJson(kept)["rows_predicted"], 2);
  const auto told =
      RunKeel({"predict", "--model", dir.File("m.keel"), "--data", dir.File("new.csv"), "--out",
               dir.File("told.csv"), "--decimal", ",", "--json"});
  ASSERT_EQ(told.exit_code, 0) << told.err;
  const json j = ParseJson(told);
  EXPECT_EQ(j["rows_rejected"], 0);
  EXPECT_EQ(j["rows_predicted"], 2);
  EXPECT_EQ(ReadText(dir.File("kept.csv")), ReadText(dir.File("told.csv")));
  // Told otherwise, the user wins: "1,250" is then not a number and the rows are rejected.
  const auto dot = RunKeel({"predict", "--model", dir.File("m.keel"), "--data", dir.File("new.csv"),
                            "--out", dir.File("dot.csv"), "--decimal", ".", "--json"});
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(ParseJson(dot)["rows_rejected"], 2);
}

TEST(IngestCli, BadInputsFailClearly) {
  TempDir dir;
  WriteText(dir.File("empty.csv"), "");
  const auto empty = RunKeel({"ingest", dir.File("empty.csv")});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("is empty"), std::string::npos) << empty.err;
  const auto missing = RunKeel({"ingest", dir.File("nope.csv")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope.csv"), std::string::npos);
  WriteText(dir.File("trunc.csv"), "a,b\n1,2\n3,\"oops");
  const auto trunc = RunKeel({"ingest", dir.File("trunc.csv"), "--json", "--fail-on-errors"});
  EXPECT_EQ(trunc.exit_code, 1);
  const json tj = ParseJson(trunc);
  EXPECT_EQ(tj["rows_rejected"], 1);
  EXPECT_EQ(tj["rejected_records"][0]["line"], 3);
  const auto usage = RunKeel({"ingest"});
  EXPECT_EQ(usage.exit_code, 2);
}

// The reader flags are declared once (tools/cli/reader_flags.h), so `keel schema infer` reads a
// file as `keel ingest` does: the same delimiter names, the same missing-token flags (in either
// order), and a bad value is a usage error in both.
TEST(IngestCli, SchemaInferAndIngestTakeTheSameReaderFlags) {
  TempDir dir;
  WriteText(dir.File("semi.csv"), "id;grade;score\n1;NA;3\n2;b;?\n3;NA;5\n4;b;6\n");
  for (const char* command : {"ingest", "schema"}) {
    std::vector<std::string> args = {command};
    if (std::string(command) == "schema") args.push_back("infer");
    args.push_back(dir.File("semi.csv"));
    for (const auto& order :
         std::vector<std::vector<std::string>>{{"--no-default-missing", "--missing", "?"},
                                               {"--missing", "?", "--no-default-missing"}}) {
      std::vector<std::string> full = args;
      full.insert(full.end(), {"--delimiter", "semicolon", "--json"});
      full.insert(full.end(), order.begin(), order.end());
      const auto r = RunKeel(full);
      ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
      const json j = ParseJson(r);
      // "NA" is a category once the default tokens are off; "?" stays missing.
      for (const auto& c : j["columns"]) {
        if (c["name"] == "grade") EXPECT_EQ(c["kind"], "categorical") << command;
        if (c["name"] == "score") EXPECT_EQ(c["kind"], "numeric") << command;
      }
      if (j.contains("dialect")) {
        EXPECT_EQ(j["dialect"]["delimiter"], ";");
        EXPECT_EQ(ColumnOf(j, "grade")["missing"], 0) << order[0];
        EXPECT_EQ(ColumnOf(j, "score")["missing"], 1) << order[0];
      }
    }
    for (const std::vector<std::string>& bad : {std::vector<std::string>{"--delimiter", "colon"},
                                                {"--kind", "grade=words"},
                                                {"--kind", "grade"}}) {
      std::vector<std::string> full = args;
      full.insert(full.end(), bad.begin(), bad.end());
      const auto r = RunKeel(full);
      EXPECT_EQ(r.exit_code, 2) << command << " " << bad[1] << ": " << r.err;
      EXPECT_NE(r.err.find(bad[0]), std::string::npos) << r.err;
    }
  }
  const auto role = RunKeel({"schema", "infer", dir.File("semi.csv"), "--role", "grade=boss"});
  EXPECT_EQ(role.exit_code, 2) << role.err;
  EXPECT_NE(role.err.find("--role"), std::string::npos) << role.err;
}

TEST(IngestCli, HelpExplainsEveryFlag) {
  const auto r = RunKeel({"ingest", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--schema", "--rejects", "--json", "--delimiter", "--missing",
                           "--drop-duplicates", "--kind", "--target", "--classes", "--merge"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(r.out.find("default"), std::string::npos);
}

}  // namespace
}  // namespace keel::e2e
