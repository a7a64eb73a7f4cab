// End-to-end tests of the registry, privacy, retention and erasure as a user runs them:
// `keel registry`, `keel ingest`/`train` with planted PII, `keel log prune|forget`, `keel serve
// --registry` (two servers on one PostgreSQL registry) and SIGKILL durability of the log.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "http_test_client.h"
#include "keel_process.h"
#include "model/model_io.h"
#include "registry/postgres_test_cluster.h"
#include "registry/prediction_log_store.h"
#include "registry/registry.h"
#include "serve/test_model.h"
#include "serve_process.h"

namespace keel::e2e {
namespace {

using nlohmann::json;

json Json(const ProcessResult& r) {
  json j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "stdout: " << r.out << "\nstderr: " << r.err;
  return j;
}

// The location of a fresh registry: a SQLite file in `dir`, or a new database on the shared
// throwaway PostgreSQL server ("" + *skip when the server binaries are absent).
std::string NewLocation(bool postgres, const TempDir& dir, std::string* skip) {
  if (!postgres) return dir.File("registry.db");
  std::string why;
  bool missing = false;
  auto* cluster = registry::testing::PostgresTestCluster::Shared(&why, &missing);
  if (cluster == nullptr) {
    if (missing)
      *skip = "PostgreSQL backend not tested: " + why;
    else
      ADD_FAILURE() << "cannot start the test PostgreSQL server: " << why;
    return "";
  }
  std::string url = cluster->CreateDatabase();
  EXPECT_FALSE(url.empty()) << cluster->last_error();
  return url;
}

// Two artifacts of the tiny serving model that answer differently (tree 0's left leaf).
void WriteModels(const TempDir& dir) {
  Model a = serve::testing::TinyBinaryModel();
  Model b = serve::testing::TinyBinaryModel();
  b.forest.trees[0].nodes[1].value = -3.0;
  ASSERT_TRUE(SaveModel(a, dir.File("a.keel")).ok());
  ASSERT_TRUE(SaveModel(b, dir.File("b.keel")).ok());
}

class RegistryCliTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = NewLocation(GetParam(), dir_, &skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_FALSE(db_.empty());
    WriteModels(dir_);
  }
  ProcessResult Keel(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db_});
    return RunKeel(args);
  }
  TempDir dir_;
  std::string db_;
};

TEST_P(RegistryCliTest, AddPromoteRollbackShowAndHistory) {
  ProcessResult r = Keel({"registry", "add", dir_.File("a.keel"), "--name", "churn", "--json",
                          "--actor", "alice", "--reason", "first cut"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = Json(r);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
  WriteText(dir_.File("gate.json"),
            R"({"verdict":{"ship":"candidate","ship_candidate":true,"reason":"ship"},)"
            R"("test":{"p_value":0.01}})");
  r = Keel({"registry", "add", dir_.File("b.keel"), "--name", "churn", "--gate",
            dir_.File("gate.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Keel({"registry", "promote", "churn@1", "--to", "production", "--json", "--actor", "alice"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Keel({"registry", "promote", "churn@2", "--to", "production", "--json", "--actor", "bob",
            "--why", "better auc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["replaced_version"], 1);

  r = Keel({"registry", "show", "churn", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = Json(r);
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["stage"], "production");
  EXPECT_EQ(j["parent_version"], 1);
  EXPECT_EQ(j["metadata"]["target"], "churned");
  EXPECT_TRUE(j["metadata"].contains("schema"));
  EXPECT_EQ(j["metadata"]["gate"]["verdict"]["ship"], "candidate");
  ASSERT_TRUE(j["events"].is_array());
  EXPECT_EQ(j["events"].back()["actor"], "bob");
  EXPECT_EQ(j["events"].back()["reason"], "better auc");

  r = Keel({"registry", "show", "churn@2"});  // the text form names the lineage parts
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"sha256", "parent", "schema", "history"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << " in\n" << r.out;
  }

  r = Keel({"registry", "rollback", "churn", "--json", "--actor", "carol", "--reason", "oops"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["version"], 1);
  r = Keel({"registry", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = Json(r);
  ASSERT_EQ(j["versions"].size(), 2u);
  EXPECT_EQ(j["versions"][0]["stage"], "production");
  EXPECT_EQ(j["versions"][1]["stage"], "archived");

  r = Keel({"registry", "history", "churn", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = Json(r);
  ASSERT_EQ(j["events"].size(), 5u);
  EXPECT_EQ(j["events"][4]["action"], "rollback");
  EXPECT_EQ(j["events"][4]["actor"], "carol");

  r = Keel({"registry", "export", "churn@2", "--out", dir_.File("out.keel")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadText(dir_.File("out.keel")), ReadText(dir_.File("b.keel")));
}

TEST_P(RegistryCliTest, ErrorsAreClearAndChangeNothing) {
  ASSERT_EQ(Keel({"registry", "add", dir_.File("a.keel"), "--name", "churn"}).exit_code, 0);
  WriteText(dir_.File("junk.keel"), "not a model");
  ProcessResult r = Keel({"registry", "add", dir_.File("junk.keel"), "--name", "churn", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Json(r)["ok"], false);
  r = Keel({"registry", "add", dir_.File("a.keel"), "--name", "churn", "--audit",
            dir_.File("junk.keel")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not valid JSON"), std::string::npos) << r.err;
  r = Keel({"registry", "promote", "churn@9", "--to", "production"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("churn@9"), std::string::npos) << r.err;
  r = Keel({"registry", "promote", "churn", "--to", "production"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NAME@VERSION"), std::string::npos) << r.err;
  r = Keel({"registry", "promote", "churn@1", "--to", "prod"});
  EXPECT_EQ(r.exit_code, 1);
  r = Keel({"registry", "rollback", "churn"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no production version"), std::string::npos) << r.err;
  r = Keel({"registry", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  ASSERT_EQ(Json(r)["versions"].size(), 1u);
  EXPECT_EQ(Json(r)["versions"][0]["stage"], "none");
}

TEST_P(RegistryCliTest, LogForgetRemovesExactlyOneSubjectAndPruneHonoursRetention) {
  // A prediction log in the same backend, filled as a server would.
  auto db = registry::OpenDatabase(db_);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(registry::EnsurePredictionLogSchema(**db).ok());
  const std::string alice(64, 'a'), bob(64, 'b');
  const int64_t now = registry::NowMicros();
  const int64_t day = 86400LL * 1000000;
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) ids.push_back("r" + std::to_string(i));
  std::vector<registry::LoggedPrediction> rows;
  for (int i = 0; i < 12; ++i) {
    // alice: rows 0, 3, 6, 9; bob: 1, 4, 7, 10; nobody: the rest. Rows 0-5 are 40 days old.
    const std::string_view subject = i % 3 == 0   ? std::string_view(alice)
                                     : i % 3 == 1 ? std::string_view(bob)
                                                  : std::string_view();
    rows.push_back({ids[i], 0, i < 6 ? now - 40 * day : now, "churn", "1", subject, "{}", "{}"});
  }
  ASSERT_TRUE(registry::InsertPredictions(**db, rows).ok());

  ProcessResult r =
      RunKeel({"log", "forget", "--subject", "hmac-sha256:" + bob, "--db", db_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["rows_removed"], 4);
  EXPECT_EQ(*registry::CountPredictions(**db, std::string_view(bob)), 0u);
  EXPECT_EQ(*registry::CountPredictions(**db, std::string_view(alice)), 4u);
  EXPECT_EQ(*registry::CountPredictions(**db), 8u);

  r = RunKeel({"log", "prune", "--retention", "30d", "--db", db_, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Old rows left after forget: 0, 2, 3, 5 (alice 0, 3; nobody 2, 5).
  EXPECT_EQ(Json(r)["rows_removed"], 4);
  EXPECT_EQ(Json(r)["rows_remaining"], 4);
  r = RunKeel({"log", "prune", "--retention", "soon", "--db", db_});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // a bad flag value is a usage error
  EXPECT_NE(r.err.find("retention \"soon\""), std::string::npos) << r.err;
}

// A gate as `keel compare --json` writes it (the parts the registry reads, plus numbers).
std::string GateJson(bool ship) {
  return json({{"ok", true},
               {"test", {{"metric", "auc"}, {"gain", 0.0012345678901}, {"p_value", 0.4123456789}}},
               {"verdict",
                {{"ship", ship ? "candidate" : "baseline"},
                 {"ship_candidate", ship},
                 {"reason", ship ? "ship the candidate" : "not significant: keep the baseline"}}}})
      .dump();
}

// `promote --to production` used to succeed on a version whose gate said keep the baseline.
TEST_P(RegistryCliTest, PromotingOverAKeepTheBaselineGateNeedsOverrideGate) {
  WriteText(dir_.File("gate.json"), GateJson(false));
  ASSERT_EQ(Keel({"registry", "add", dir_.File("a.keel"), "--name", "churn", "--gate",
                  dir_.File("gate.json")})
                .exit_code,
            0);
  ProcessResult r = Keel({"registry", "promote", "churn@1", "--to", "production", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Json(r)["error"]["code"], "failed precondition") << r.out;
  EXPECT_NE(r.err.find("keep the baseline"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--override-gate"), std::string::npos) << r.err;
  r = Keel({"registry", "promote", "churn@1", "--to", "production", "--override-gate",
            "ship for the holiday traffic test", "--actor", "dana", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["gate_override"], "ship for the holiday traffic test");
  r = Keel({"registry", "history", "churn", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json events = Json(r)["events"];
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["gate_override"], "ship for the holiday traffic test");
  EXPECT_EQ(events[1]["actor"], "dana");
  EXPECT_EQ(events[0]["gate_override"], nullptr);
  r = Keel({"registry", "history", "churn"});
  EXPECT_NE(r.out.find("[gate overridden: ship for the holiday traffic test]"), std::string::npos)
      << r.out;
}

// Adding the same artifact twice used to make a second, identical version silently.
TEST_P(RegistryCliTest, AddingTheSameArtifactTwiceIsRefusedNamingTheVersion) {
  ASSERT_EQ(Keel({"registry", "add", dir_.File("a.keel"), "--name", "churn"}).exit_code, 0);
  ProcessResult r = Keel({"registry", "add", dir_.File("a.keel"), "--name", "churn", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Json(r)["error"]["code"], "already exists") << r.out;
  EXPECT_NE(r.err.find("churn@1"), std::string::npos) << r.err;
  r = Keel({"registry", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["versions"].size(), 1u);
}

// `registry show` used to print the attached reports as raw JSON (50 KB for a real audit).
TEST_P(RegistryCliTest, ShowSummarisesForPeopleAndJsonKeepsEverything) {
  json audit = {{"ok", true}, {"demographic_parity_difference", 0.123456789012}};
  for (int g = 0; g < 400; ++g) {
    audit["groups"].push_back({{"group", "g" + std::to_string(g)},
                               {"selection_rate", 0.1 + g / 1e4},
                               {"true_positive_rate", 1.0 / (g + 3)}});
  }
  ASSERT_GT(audit.dump().size(), 30000u);
  WriteText(dir_.File("audit.json"), audit.dump());
  WriteText(dir_.File("gate.json"), GateJson(true));
  ASSERT_EQ(Keel({"registry", "add", dir_.File("a.keel"), "--name", "churn", "--audit",
                  dir_.File("audit.json"), "--gate", dir_.File("gate.json")})
                .exit_code,
            0);
  ProcessResult r = Keel({"registry", "show", "churn@1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.out.size(), 4000u) << r.out;
  EXPECT_NE(r.out.find("gate         ship the candidate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("demographic_parity_difference=0.1235"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("groups=[400 items]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("0.123456789012"), std::string::npos) << r.out;
  r = Keel({"registry", "show", "churn@1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["metadata"]["audit"], audit);  // full round-trip data
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryCliTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "Postgres" : "Sqlite";
                         });

// Commands that read used to create an empty registry or log at a mistyped --db and answer
// as if it were real ("0 versions", "removed 0 rows").
TEST(RegistryCliE2E, ReadingCommandsNeverCreateARegistryOrLog) {
  TempDir dir;
  WriteModels(dir);
  const std::string typo = dir.File("typo.db");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"registry", "list"},
           {"registry", "history"},
           {"registry", "show", "churn"},
           {"registry", "export", "churn@1", "--out", dir.File("x.keel")},
           {"registry", "promote", "churn@1", "--to", "staging"},
           {"registry", "rollback", "churn"},
           {"registry", "archive", "churn@1"}}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--db", typo});
    ProcessResult r = RunKeel(a);
    EXPECT_EQ(r.exit_code, 1) << args[1];
    EXPECT_NE(r.err.find("no registry at " + typo), std::string::npos) << args[1] << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(typo)) << args[1] << " created " << typo;
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"log", "stats"},
           {"log", "prune", "--retention", "30d"},
           {"log", "forget", "--subject", std::string(64, 'a')}}) {
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--db", typo});
    ProcessResult r = RunKeel(a);
    EXPECT_EQ(r.exit_code, 1) << args[1];
    EXPECT_NE(r.err.find("no prediction log at " + typo), std::string::npos)
        << args[1] << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(typo)) << args[1] << " created " << typo;
  }
  // add creates the registry; then the reads work.
  ASSERT_EQ(
      RunKeel({"registry", "add", dir.File("a.keel"), "--name", "churn", "--db", typo}).exit_code,
      0);
  EXPECT_EQ(RunKeel({"registry", "list", "--db", typo}).exit_code, 0);
}

// `keel log forget --subject VALUE` without --clear used to report "removed 0 rows" and exit
// 0 for a VALUE that is not a pseudonym, which can match no row: an unfulfilled erasure.
TEST(LogForgetE2E, ASubjectThatIsNotAPseudonymIsAnErrorThatSaysWhy) {
  TempDir dir;
  auto db = registry::OpenDatabase(dir.File("log.db"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE(registry::EnsurePredictionLogSchema(**db).ok());
  const std::string subject(64, 'c');
  std::vector<registry::LoggedPrediction> rows = {
      {"r1", 0, registry::NowMicros(), "churn", "1", subject, "{}", "{}"}};
  ASSERT_TRUE(registry::InsertPredictions(**db, rows).ok());
  const std::string clear = "zoe.erasure@example.com";
  ProcessResult r =
      RunKeel({"log", "forget", "--subject", clear, "--db", dir.File("log.db"), "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Json(r)["ok"], false);
  EXPECT_NE(r.err.find("not a pseudonym"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--clear"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find(clear), std::string::npos) << "the clear value was echoed";
  EXPECT_EQ(*registry::CountPredictions(**db), 1u);
  // The pseudonym in upper case is the same subject.
  r = RunKeel(
      {"log", "forget", "--subject", std::string(64, 'C'), "--db", dir.File("log.db"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json(r)["rows_removed"], 1);
}

// A model served from the registry reports its artifact's SHA-256 (it used to be empty).
TEST(ServeRegistryE2E, RegistryModelMetadataCarriesTheArtifactSha256) {
  TempDir dir;
  WriteModels(dir);
  const std::string db = dir.File("registry.db");
  ASSERT_EQ(
      RunKeel({"registry", "add", dir.File("a.keel"), "--name", "churn", "--db", db}).exit_code, 0);
  ASSERT_EQ(RunKeel({"registry", "promote", "churn@1", "--to", "production", "--db", db}).exit_code,
            0);
  ProcessResult shown = RunKeel({"registry", "show", "churn@1", "--json", "--db", db});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const std::string sha = Json(shown)["sha256"];
  ServeProcess server({"--registry", db, "--no-log"});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  HttpReply r = c.Get("/v2/models/churn");
  ASSERT_EQ(r.status, 200) << r.body;
  json meta = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(meta.is_object()) << r.body;
  EXPECT_EQ(meta["parameters"]["sha256"], sha) << r.body;
}

// Everything a process wrote: stdout, stderr and the files in `dir`.
std::string AllBytes(const TempDir& dir, const std::vector<ProcessResult>& runs) {
  std::string all;
  for (const auto& r : runs) all += r.out + r.err;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (e.is_regular_file() && e.path().filename() != "people.csv") {
      all += ReadText(e.path().string());
    }
  }
  return all;
}

TEST(PrivacyE2E, PlantedPiiNeverLeavesInClear) {
  TempDir dir;
  const std::vector<std::string> planted = {"zoe.planted@example.com", "Zebulon",
                                            "+1 (555) 010-4242",       "4111 1111 1111 1111",
                                            "198.51.100.23",           "078-05-1120"};
  std::string csv = "email,first_name,phone,card,ip,ssn,age,plan,churned\n";
  for (int i = 0; i < 60; ++i) {
    const bool p = i == 7;
    csv += (p ? planted[0] : "u" + std::to_string(i) + "@example.net") + "," +
           (p ? planted[1] : "Name" + std::to_string(i)) + "," +
           (p ? planted[2] : "+1 555 020 " + std::to_string(1000 + i)) + "," +
           (p ? planted[3] : "5500 0000 0000 0004") + "," +
           (p ? planted[4] : "10.0.0." + std::to_string(i)) + "," +
           (p ? planted[5] : "123-45-" + std::to_string(6000 + i)) + "," + std::to_string(20 + i) +
           "," + (i % 2 ? "pro" : "basic") + "," + (i % 3 ? "no" : "yes") + "\n";
  }
  // A rejected record carrying PII (age is not a number).
  csv += planted[0] + "," + planted[1] + "," + planted[2] + "," + planted[3] + "," + planted[4] +
         "," + planted[5] + ",old,pro,no\n";
  WriteText(dir.File("people.csv"), csv);
  setenv("KEEL_PII_KEY", "e2e-key-0123456789abcdef", 1);
  std::vector<ProcessResult> runs;
  runs.push_back(
      RunKeel({"ingest", dir.File("people.csv"), "--json", "--rejects", dir.File("rejects.csv")}));
  runs.push_back(RunKeel({"ingest", dir.File("people.csv"), "--rejects", dir.File("r2.csv")}));
  runs.push_back(RunKeel({"schema", "infer", dir.File("people.csv")}));
  runs.push_back(RunKeel({"train", "--data", dir.File("people.csv"), "--target", "churned", "--out",
                          dir.File("m.keel"), "--json"}));
  unsetenv("KEEL_PII_KEY");
  ASSERT_EQ(runs[0].exit_code, 0) << runs[0].err;
  json j = Json(runs[0]);
  ASSERT_EQ(j["pii_columns"].size(), 6u) << j["pii_columns"].dump();
  std::set<std::string> kinds;
  for (const auto& p : j["pii_columns"]) {
    EXPECT_EQ(p["action"], "pseudonymized");
    EXPECT_FALSE(p["reason"].get<std::string>().empty());
    kinds.insert(p["kind"].get<std::string>());
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"email", "person_name", "phone", "card_number",
                                          "ip_address", "national_id"}));
  EXPECT_EQ(j["rows_rejected"], 1);
  EXPECT_NE(runs[1].out.find("pii: email pseudonymized"), std::string::npos) << runs[1].out;
  ASSERT_EQ(runs[3].exit_code, 0) << runs[3].err;
  ASSERT_FALSE(ReadText(dir.File("m.keel")).empty());
  const std::string all = AllBytes(dir, runs);
  for (const auto& v : planted) EXPECT_EQ(all.find(v), std::string::npos) << v;
  EXPECT_EQ(all.find("e2e-key-0123456789abcdef"), std::string::npos) << "the key leaked";
}

// Two servers polling one PostgreSQL registry both switch to a newly promoted version.
TEST(ServeRegistryE2E, TwoServersOnOnePostgresRegistrySwitchWithinSeconds) {
  TempDir dir;
  std::string skip;
  const std::string db = NewLocation(true, dir, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_FALSE(db.empty());
  WriteModels(dir);
  for (const char* m : {"a.keel", "b.keel"}) {
    ASSERT_EQ(RunKeel({"registry", "add", dir.File(m), "--name", "churn", "--db", db}).exit_code,
              0);
  }
  ASSERT_EQ(RunKeel({"registry", "promote", "churn@1", "--to", "production", "--db", db}).exit_code,
            0);
  std::vector<std::unique_ptr<ServeProcess>> servers;
  for (int i = 0; i < 2; ++i) {
    servers.push_back(std::make_unique<ServeProcess>(
        std::vector<std::string>{"--registry", db, "--registry-poll-ms", "200", "--log-db",
                                 dir.File("log" + std::to_string(i) + ".db")}));
    ASSERT_GT(servers.back()->port(), 0) << servers.back()->err();
  }
  auto version_of = [](int port) {
    HttpTestClient c(port);
    HttpReply r = c.PostJson("/v1/models/churn/predict", R"({"instances":[{"age":30}]})");
    json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("model_version") ? j["model_version"].dump() : r.body;
  };
  for (auto& s : servers) EXPECT_EQ(version_of(s->port()), "\"1\"");
  ASSERT_EQ(RunKeel({"registry", "promote", "churn@2", "--to", "production", "--db", db}).exit_code,
            0);
  const auto start = std::chrono::steady_clock::now();
  for (auto& s : servers) {
    while (version_of(s->port()) != "\"2\"" &&
           std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(version_of(s->port()), "\"2\"") << s->err();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 5.0);
  RecordProperty("switch_seconds", std::to_string(seconds));
  // And back on rollback.
  ASSERT_EQ(RunKeel({"registry", "rollback", "churn", "--db", db}).exit_code, 0);
  for (auto& s : servers) {
    const auto t0 = std::chrono::steady_clock::now();
    while (version_of(s->port()) != "\"1\"" &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(version_of(s->port()), "\"1\"");
  }
}

// SIGKILL while logging under load in durable mode: every acknowledged prediction's row is in
// the SQLite log afterwards, and the log opens and passes an integrity check.
TEST(PredictionLogE2E, SigkillLosesNoAcknowledgedRowInDurableMode) {
  TempDir dir;
  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), dir.File("tiny.keel")).ok());
  const std::string log = dir.File("log.db");
  auto server = std::make_unique<ServeProcess>(std::vector<std::string>{
      "--model", dir.File("tiny.keel"), "--log-db", log, "--log-durable", "--threads", "2"});
  ASSERT_GT(server->port(), 0) << server->err();
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      HttpTestClient c(server->port());
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = "k" + std::to_string(t) + "-" + std::to_string(i);
        HttpReply r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"age":30}]})",
                                 {{"X-Request-Id", id}});
        if (r.status != 200) break;  // the server is gone
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.push_back(id);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  server->Signal(SIGKILL);
  server->Wait();
  stop = true;
  for (auto& c : clients) c.join();
  ASSERT_GT(acknowledged.size(), 20u) << "too little load to test anything";

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(log.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "ok");
  sqlite3_finalize(st);
  std::set<std::string> logged;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT request_id FROM predictions", -1, &st, nullptr),
            SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    logged.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  size_t lost = 0;
  for (const auto& id : acknowledged) lost += logged.count(id) == 0;
  EXPECT_EQ(lost, 0u) << "of " << acknowledged.size() << " acknowledged";
  RecordProperty("acknowledged", std::to_string(acknowledged.size()));
}

// Low traffic with the default settings (no --log-durable): one request a second, then a
// wait past the commit interval, then SIGKILL. Every row must be in the log. The writer used
// to be woken only by a full batch, so at this rate /metrics showed rows queued and none
// written, and the kill left an empty log.
TEST(PredictionLogE2E, SigkillAtLowTrafficLosesNothingOlderThanTheCommitInterval) {
  TempDir dir;
  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), dir.File("tiny.keel")).ok());
  const std::string log = dir.File("log.db");
  ServeProcess server({"--model", dir.File("tiny.keel"), "--log-db", log});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  const int kRequests = 3;
  for (int i = 0; i < kRequests; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    HttpReply r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"age":30}]})",
                             {{"X-Request-Id", "slow-" + std::to_string(i)}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // The documented bound is ~0.2 s; wait well past it.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  HttpReply metrics = c.Get("/metrics");
  EXPECT_NE(metrics.body.find("keel_prediction_log_rows_written_total 3"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("keel_prediction_log_rows_queued 0"), std::string::npos);
  server.Signal(SIGKILL);
  server.Wait();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(log.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT request_id FROM predictions ORDER BY request_id", -1,
                               &st, nullptr),
            SQLITE_OK);
  std::vector<std::string> logged;
  while (sqlite3_step(st) == SQLITE_ROW) {
    logged.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(logged, (std::vector<std::string>{"slow-0", "slow-1", "slow-2"}));
}

// docs/registry.md documents every subcommand of `keel registry` and `keel log` and every
// flag each one lists in its --help.
TEST(RegistryDocs, EverySubcommandAndFlagIsDocumented) {
  const std::string doc = ReadText(std::string(KEEL_SOURCE_DIR) + "/docs/registry.md");
  ASSERT_FALSE(doc.empty());
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"registry", {"add", "list", "show", "promote", "rollback", "archive", "history", "export"}},
      {"log", {"prune", "forget", "stats", "feedback"}}};
  for (const auto& [command, subcommands] : commands) {
    for (const std::string& sub : subcommands) {
      const auto r = RunKeel({command, sub, "--help"});
      ASSERT_EQ(r.exit_code, 0) << command << " " << sub;
      EXPECT_NE(doc.find("keel " + command + " " + sub), std::string::npos)
          << "keel " << command << " " << sub << " is not in docs/registry.md";
      for (const std::string& flag : HelpFlags(r.out)) {
        EXPECT_NE(doc.find("`" + flag), std::string::npos)
            << "keel " << command << " " << sub << " " << flag << " is not in docs/registry.md";
      }
    }
  }
}

}  // namespace
}  // namespace keel::e2e
