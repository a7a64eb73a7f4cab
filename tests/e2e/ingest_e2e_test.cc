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
  const auto r = RunKeel({"ingest", DataFile("messy/wa_churn_messy.csv"), "--rejects", rejects, "--json"});
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
  WriteText(data, header +
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
