// End-to-end tests of champion and challenger serving and of labels fed back: `keel serve
// --challenger`, `--registry` with `--traffic` (staging = challenger), and
// POST /v1/models/{name}/feedback, over real HTTP with the tiny hand-built model.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "http_test_client.h"
#include "keel_process.h"
#include "model/model_io.h"
#include "serve/test_model.h"
#include "serve_process.h"

namespace keel::e2e {
namespace {

using nlohmann::json;

// Rows of a one-column query on a SQLite file (read-only).
std::vector<std::string> Query(const std::string& path, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    out.push_back(t == nullptr ? "NULL" : reinterpret_cast<const char*>(t));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::string Instance(int i, int age = 30) {
  return R"({"instances":[{"customer_id":"c-)" + std::to_string(i) + R"(","age":)" +
         std::to_string(age) + R"(,"color":"red"}]})";
}

class ChallengerE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    champion_ = dir_.File("champion.keel");
    challenger_ = dir_.File("challenger.keel");
    ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), champion_).ok());
    Model shifted = serve::testing::TinyBinaryModel();
    shifted.base_margin = {0.7};
    ASSERT_TRUE(SaveModel(shifted, challenger_).ok());
    log_ = dir_.File("log.db");
  }
  static json Json(const HttpReply& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }

  TempDir dir_;
  std::string champion_, challenger_, log_;
};

TEST_F(ChallengerE2eTest, ShadowAndCanaryFromTheCommandLine) {
  {
    ServeProcess server({"--model", "tiny=" + champion_, "--challenger", "tiny=" + challenger_,
                         "--traffic", "shadow", "--log-db", log_, "--json"});
    ASSERT_GT(server.port(), 0) << server.err();
    HttpTestClient c(server.port());
    for (int i = 0; i < 20; ++i) {
      const json j = Json(c.PostJson("/v1/models/tiny/predict", Instance(i)));
      EXPECT_EQ(j["variant"], "champion");
      EXPECT_NEAR(j["predictions"][0]["prob_yes"].get<double>(), 1 / (1 + std::exp(0.5)), 1e-12);
    }
    const json status = Json(c.Get("/v1/models/tiny/challenger"));
    EXPECT_EQ(status["traffic"], "shadow");
    EXPECT_EQ(status["champion"]["requests"], 20);
    server.Signal(SIGTERM);
    ASSERT_EQ(server.Wait(), 0) << server.err();
    const json started = json::parse(server.out());
    EXPECT_EQ(started["models"][0]["challenger"]["traffic"], "shadow");
  }
  // Every champion row has its shadow row, with the challenger's own answer.
  EXPECT_EQ(Query(log_,
                  "SELECT variant || ':' || COUNT(*) FROM predictions GROUP BY variant "
                  "ORDER BY variant"),
            (std::vector<std::string>{"challenger:20", "champion:20"}));
  EXPECT_EQ(Query(log_, "SELECT COUNT(DISTINCT record_id) FROM predictions")[0], "20");

  ServeProcess server({"--model", "tiny=" + champion_, "--challenger", "tiny=" + challenger_,
                       "--traffic", "canary:50", "--log-db", log_});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  std::set<std::string> seen;
  for (int i = 0; i < 40; ++i) {
    const json j = Json(c.PostJson("/v1/models/tiny/predict", Instance(i)));
    const json again = Json(c.PostJson("/v1/models/tiny/predict", Instance(i, 70)));
    EXPECT_EQ(j["variant"], again["variant"]) << i;
    seen.insert(j["variant"].get<std::string>() + "/" + j["model_version"].get<std::string>());
  }
  EXPECT_EQ(seen.size(), 2u);  // both variants answered, each with its own version
  EXPECT_EQ(c.Get("/v1/models/tiny/challenger").status, 200);
  const std::string metrics = c.Get("/metrics").body;
  EXPECT_NE(metrics.find("keel_variant_requests_total{model=\"tiny\",variant=\"challenger\"}"),
            std::string::npos);
  EXPECT_NE(metrics.find("route=\"v1_challenger\""), std::string::npos) << metrics;
}

TEST_F(ChallengerE2eTest, AChallengerThatChangesTheContractIsRefusedAtStart) {
  Model other = serve::testing::TinyBinaryModel();
  other.labels.classes = {"stay", "leave"};
  other.schema.labels = other.labels;
  ASSERT_TRUE(SaveModel(other, dir_.File("other.keel")).ok());
  const ProcessResult r = RunKeel({"serve", "--model", "tiny=" + champion_, "--challenger",
                                   "tiny=" + dir_.File("other.keel"), "--port", "0", "--no-log"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("changes the request contract"), std::string::npos) << r.err;
  const ProcessResult bad = RunKeel({"serve", "--model", "tiny=" + champion_, "--challenger",
                                     "tiny=" + challenger_, "--traffic", "canary:0", "--no-log"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("shadow or canary:PERCENT"), std::string::npos) << bad.err;
}

TEST_F(ChallengerE2eTest, TheRegistrysStagingVersionIsTheChallengerFollowedLive) {
  const std::string reg = dir_.File("registry.db");
  ASSERT_EQ(RunKeel({"registry", "add", champion_, "--name", "tiny", "--db", reg}).exit_code, 0);
  ASSERT_EQ(RunKeel({"registry", "promote", "tiny@1", "--to", "production", "--db", reg}).exit_code,
            0);
  ServeProcess server(
      {"--registry", reg, "--registry-poll-ms", "50", "--traffic", "canary:100", "--log-db", log_});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  // No staging version yet: no challenger, so the answer names no variant.
  EXPECT_FALSE(Json(c.PostJson("/v1/models/tiny/predict", Instance(1))).contains("variant"));
  ASSERT_EQ(RunKeel({"registry", "add", challenger_, "--name", "tiny", "--db", reg}).exit_code, 0);
  ASSERT_EQ(RunKeel({"registry", "promote", "tiny@2", "--to", "staging", "--db", reg}).exit_code,
            0);
  json j = json::object();
  for (int i = 0; i < 100 && j.value("variant", "") != "challenger"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    j = Json(c.PostJson("/v1/models/tiny/predict", Instance(1)));
  }
  EXPECT_EQ(j["variant"], "challenger");
  EXPECT_EQ(j["model_version"], "2");
  // Promoted to production: the champion now, and no challenger is left.
  ASSERT_EQ(RunKeel({"registry", "promote", "tiny@2", "--to", "production", "--db", reg}).exit_code,
            0);
  for (int i = 0; i < 100 && j.value("variant", "") != "champion"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    j = Json(c.PostJson("/v1/models/tiny/predict", Instance(1)));
  }
  EXPECT_EQ(j["variant"], "champion");
  EXPECT_EQ(j["model_version"], "2");
}

// The anomaly-rate guard rail from a registry: the staging version's schema reads ages above 50
// as out of range, the canary traffic is of older customers, so the first window of 20 requests
// takes it out; the event is logged, archived in the registry's history and on /metrics.
TEST_F(ChallengerE2eTest, AnAnomalousCanaryIsTakenOutAndArchivedInTheRegistry) {
  Model narrow = serve::testing::TinyBinaryModel();
  narrow.base_margin = {0.7};
  for (ColumnSchema& c : narrow.schema.columns) {
    if (c.name == "age") c.max = 50;
  }
  ASSERT_TRUE(SaveModel(narrow, dir_.File("narrow.keel")).ok());
  const std::string reg = dir_.File("registry.db");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"registry", "add", champion_, "--name", "tiny", "--db", reg},
           {"registry", "promote", "tiny@1", "--to", "production", "--db", reg},
           {"registry", "add", dir_.File("narrow.keel"), "--name", "tiny", "--db", reg},
           {"registry", "promote", "tiny@2", "--to", "staging", "--db", reg}}) {
    const ProcessResult r = RunKeel(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ServeProcess server({"--registry", reg, "--registry-poll-ms", "50", "--traffic", "canary:100",
                       "--canary-max-anomaly-rate", "0.5", "--canary-min-requests", "20",
                       "--log-db", log_});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  for (int i = 0; i < 20; ++i) {
    const json j = Json(c.PostJson("/v1/models/tiny/predict", Instance(i, 60)));
    EXPECT_EQ(j["variant"], "challenger") << j.dump();
  }
  EXPECT_EQ(Json(c.PostJson("/v1/models/tiny/predict", Instance(99, 60)))["variant"], "champion");
  const std::string metrics = c.Get("/metrics").body;
  EXPECT_NE(metrics.find("keel_variant_anomalous_requests_total{model=\"tiny\",variant="
                         "\"challenger\"} 20"),
            std::string::npos)
      << metrics;
  // The next poll archives the staging version with the guard's reason.
  std::string history;
  for (int i = 0; i < 100 && history.find("canary guard rails") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    history = RunKeel({"registry", "history", "tiny", "--db", reg, "--json"}).out;
  }
  EXPECT_NE(history.find("canary guard rails: anomaly rate 1 (20 of the last 20 requests had an "
                         "input anomaly) exceeds --canary-max-anomaly-rate 0.5"),
            std::string::npos)
      << history;
  server.Signal(SIGTERM);
  ASSERT_EQ(server.Wait(), 0) << server.err();
  EXPECT_NE(server.err().find("canary challenger version 2 taken out of traffic: anomaly rate"),
            std::string::npos)
      << server.err();
}

TEST_F(ChallengerE2eTest, FeedbackCountsUnknownDuplicateAndLateLabels) {
  ServeProcess server(
      {"--model", "tiny=" + champion_, "--log-db", log_, "--feedback-late-after", "3s"});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(c.PostJson("/v1/models/tiny/predict", Instance(i)).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the log commits within 20 ms
  HttpReply r = c.PostJson("/v1/models/tiny/feedback",
                           R"({"labels":[{"id":"c-0","label":"yes"},{"id":"c-1","label":"no"},
                              {"id":"c-1","label":"yes"},{"id":"nobody","label":"no"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r), json({{"model", "tiny"},
                           {"received", 4},
                           {"stored", 3},
                           {"duplicates", 1},
                           {"unknown_ids", 1},
                           {"late", 0}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  r = c.PostJson("/v1/models/tiny/feedback",
                 R"({"labels":[{"id":"c-2","label":"yes"},{"id":"c-0","label":"no"}]})");
  EXPECT_EQ(Json(r), json({{"model", "tiny"},
                           {"received", 2},
                           {"stored", 1},
                           {"duplicates", 1},
                           {"unknown_ids", 0},
                           {"late", 1}}));
  r = c.PostJson("/v1/models/tiny/feedback", R"({"labels":[{"id":"c-9"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("labels[0].label"), std::string::npos) << r.body;
  // The first label of an id is kept.
  EXPECT_EQ(Query(log_, "SELECT record_id || '=' || label FROM labels ORDER BY record_id"),
            (std::vector<std::string>{"c-0=yes", "c-1=no", "c-2=yes", "nobody=no"}));
}

// Every acknowledged label is on disk, however abruptly the server dies after the answer.
TEST_F(ChallengerE2eTest, NoAcknowledgedLabelIsLostToSigkill) {
  ServeProcess server({"--model", "tiny=" + champion_, "--log-db", log_});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  std::set<std::string> acknowledged;
  for (int batch = 0; batch < 20; ++batch) {
    std::string body = R"({"labels":[)";
    for (int i = 0; i < 25; ++i) {
      if (i > 0) body += ",";
      body += R"({"id":"c-)" + std::to_string(batch * 25 + i) + R"(","label":"yes"})";
    }
    body += "]}";
    const HttpReply r = c.PostJson("/v1/models/tiny/feedback", body);
    ASSERT_EQ(r.status, 200) << r.body;
    for (int i = 0; i < 25; ++i) acknowledged.insert("c-" + std::to_string(batch * 25 + i));
  }
  server.Signal(SIGKILL);
  EXPECT_EQ(server.Wait(), 128 + SIGKILL);
  const std::vector<std::string> stored = Query(log_, "SELECT record_id FROM labels");
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()), acknowledged);
}

// A model whose schema has no id column keys its rows by the pii subject: fed-back ids are
// pseudonymized with the server's key before the join, by the route and by `keel log
// feedback --pseudonymize` alike, and the clear value is stored nowhere.
TEST_F(ChallengerE2eTest, PiiIdsArePseudonymizedBeforeTheJoin) {
  Model m = serve::testing::TinyBinaryModel();
  for (auto& c : m.schema.columns) {
    if (c.role == Role::kId) c.role = Role::kIgnore;
  }
  const std::string path = dir_.File("pii.keel");
  ASSERT_TRUE(SaveModel(m, path).ok());
  {
    ServeProcess server({"--model", "tiny=" + path, "--log-db", log_},
                        {{"KEEL_PII_KEY", "0123456789abcdef0123456789abcdef"}});
    ASSERT_GT(server.port(), 0) << server.err();
    HttpTestClient c(server.port());
    for (const char* email : {"a@example.com", "b@example.com"}) {
      const std::string body =
          std::string(R"({"instances":[{"email":")") + email + R"(","age":30}]})";
      ASSERT_EQ(c.PostJson("/v1/models/tiny/predict", body).status, 200);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const HttpReply r = c.PostJson("/v1/models/tiny/feedback",
                                   R"({"labels":[{"id":"a@example.com","label":"yes"}]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Json(r)["unknown_ids"], 0) << r.body;
    server.Signal(SIGTERM);
    ASSERT_EQ(server.Wait(), 0);
  }
  WriteText(dir_.File("labels.csv"), "email,outcome\nb@example.com,no\nz@example.com,yes\n");
  setenv("KEEL_PII_KEY", "0123456789abcdef0123456789abcdef", 1);
  const ProcessResult r = RunKeel({"log", "feedback", "--db", log_, "--model", "tiny", "--labels",
                                   dir_.File("labels.csv"), "--id-column", "email",
                                   "--label-column", "outcome", "--pseudonymize", "--json"});
  unsetenv("KEEL_PII_KEY");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["received"], 2);
  EXPECT_EQ(j["stored"], 2);
  EXPECT_EQ(j["unknown_ids"], 1);  // z@ never got a prediction
  // Both known labels join their predictions; no clear e-mail is stored.
  EXPECT_EQ(Query(log_,
                  "SELECT COUNT(*) FROM labels l JOIN predictions p ON p.record_id = "
                  "l.record_id AND p.model = l.model")[0],
            "2");
  EXPECT_TRUE(Query(log_, "SELECT record_id FROM labels WHERE record_id LIKE '%@%'").empty());
  // Without the key the ids could not match: refused, nothing stored.
  const ProcessResult nokey = RunKeel({"log", "feedback", "--db", log_, "--model", "tiny",
                                       "--labels", dir_.File("labels.csv"), "--id-column", "email",
                                       "--label-column", "outcome", "--pseudonymize"});
  EXPECT_EQ(nokey.exit_code, 1);
  EXPECT_NE(nokey.err.find("--pseudonymize needs the key"), std::string::npos) << nokey.err;
}

TEST_F(ChallengerE2eTest, LogFeedbackRefusesABadFileWhole) {
  ASSERT_EQ(RunKeel({"log", "stats", "--db", log_}).exit_code, 1);  // no log yet
  {
    ServeProcess server({"--model", "tiny=" + champion_, "--log-db", log_});
    ASSERT_GT(server.port(), 0);
  }
  WriteText(dir_.File("bad.csv"), "id,label\nc-1,yes\nc-2,\n");
  const ProcessResult r = RunKeel(
      {"log", "feedback", "--db", log_, "--model", "tiny", "--labels", dir_.File("bad.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("line 3, column label: empty label"), std::string::npos) << r.err;
  EXPECT_TRUE(Query(log_, "SELECT record_id FROM labels").empty());
}

// The gate on live data, end to end: wa_churn rows get a customer_id; a model trained on 150
// rows (three stumps) and one trained on 3,000 serve side by side in shadow mode; 1,500 further
// rows are replayed, their labels fed back, and `keel challenger report` must say promote when the
// better model is the challenger and keep when it is the champion, with the p-value of `keel
// compare` on the same rows.
class ChallengerGateTest : public ChallengerE2eTest {
 protected:
  void SetUp() override {
    ChallengerE2eTest::SetUp();
    const std::string text = ReadText(DataFile("wa_churn.csv"));
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t nl = text.find('\n', pos);
      lines.push_back(text.substr(pos, nl - pos));
      pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    ASSERT_GT(lines.size(), 4501u);
    auto write = [&](const std::string& name, size_t from, size_t to) {
      std::string out = "\"customer_id\"," + lines[0] + "\n";
      for (size_t i = from; i < to; ++i)
        out += "\"c-" + std::to_string(i) + "\"," + lines[i] + "\n";
      WriteText(dir_.File(name), out);
    };
    write("big.csv", 1, 3001);
    write("small.csv", 1, 151);
    write("live.csv", 3001, 4501);
    for (size_t i = 3001; i < 4501; ++i) live_.push_back(lines[i]);
    header_ = Split(lines[0]);
    const ProcessResult schema = RunKeel({"schema", "infer", dir_.File("big.csv")});
    ASSERT_EQ(schema.exit_code, 0) << schema.err;
    // `female` is a sensitive attribute (not a feature): the report audits each variant on it.
    std::string yaml = schema.out;
    const std::string female = "  - name: female\n    kind: numeric\n    role: feature";
    const size_t at = yaml.find(female);
    ASSERT_NE(at, std::string::npos) << yaml;
    yaml.replace(at, female.size(), "  - name: female\n    kind: numeric\n    role: sensitive");
    WriteText(dir_.File("schema.yaml"), yaml);
    ASSERT_NE(schema.out.find("role: id"), std::string::npos) << schema.out;
    // The worse model: 150 rows, three stumps.
    for (const auto& [data, out, trees, leaves] :
         {std::tuple{"big.csv", "big.keel", "100", "31"},
          std::tuple{"small.csv", "small.keel", "3", "2"}}) {
      const ProcessResult t =
          RunKeel({"train", "--data", dir_.File(data), "--target", "churn", "--schema",
                   dir_.File("schema.yaml"), "--test-size", "0", "--trees", trees, "--leaves",
                   leaves, "--out", dir_.File(out), "--quiet"});
      ASSERT_EQ(t.exit_code, 0) << t.err;
    }
  }
  static std::vector<std::string> Split(const std::string& line) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
      const size_t comma = line.find(',', pos);
      out.push_back(line.substr(pos, comma - pos));
      if (comma == std::string::npos) return out;
      pos = comma + 1;
    }
  }
  // Replays the live rows through a shadow server and feeds their labels back.
  json ReplayAndReport(const std::string& champion, const std::string& challenger,
                       const std::string& log) {
    ServeProcess server({"--model", "churn=" + dir_.File(champion), "--challenger",
                         "churn=" + dir_.File(challenger), "--traffic", "shadow", "--log-db", log});
    EXPECT_GT(server.port(), 0) << server.err();
    HttpTestClient c(server.port());
    json labels = json::array();
    for (size_t i = 0; i < live_.size(); ++i) {
      const std::vector<std::string> cells = Split(live_[i]);
      json inst = {{"customer_id", "c-" + std::to_string(3001 + i)}};
      std::string label;
      for (size_t k = 0; k < cells.size(); ++k) {
        std::string v = cells[k];
        const std::string name = header_[k].substr(1, header_[k].size() - 2);
        const bool quoted = v.size() >= 2 && v.front() == '"';
        if (quoted) v = v.substr(1, v.size() - 2);
        if (name == "churn") {
          label = v;
        } else if (!v.empty()) {
          inst[name] = quoted ? json(v) : json(std::stod(v));
        }
      }
      const HttpReply r =
          c.PostJson("/v1/models/churn/predict", json({{"instances", json::array({inst})}}).dump());
      EXPECT_EQ(r.status, 200) << r.body;
      labels.push_back({{"id", "c-" + std::to_string(3001 + i)}, {"label", label}});
    }
    // Labels join logged predictions: wait until both variants' rows are in the log (on a
    // loaded machine the shadow worker and the log writer lag the answers by seconds).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      const ProcessResult st = RunKeel({"log", "stats", "--db", log, "--json"});
      const json j = json::parse(st.out, nullptr, false);
      if (j.is_object() && j.value("rows", 0) >= 2 * live_.size()) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "the log did not reach " << 2 * live_.size() << " rows: " << st.out;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    // No label yet: no verdict, but each variant's CBPE estimate over all its rows.
    const ProcessResult before =
        RunKeel({"challenger", "report", "--db", log, "--model", "churn", "--json"});
    EXPECT_EQ(before.exit_code, 0) << before.err;
    const json early = json::parse(before.out, nullptr, false);
    EXPECT_EQ(early["verdict"], "not_enough_labels") << before.out;
    for (const char* v : {"champion", "challenger"}) {
      EXPECT_EQ(early[v]["unlabeled"], live_.size()) << before.out;
      EXPECT_EQ(early[v]["estimated"]["rows"], live_.size()) << before.out;
      EXPECT_GT(early[v]["estimated"]["roc_auc"].get<double>(), 0.5) << before.out;
    }
    const HttpReply fb = c.PostJson("/v1/models/churn/feedback", json({{"labels", labels}}).dump());
    EXPECT_EQ(fb.status, 200) << fb.body;
    const json route = Json(c.Get("/v1/models/churn/challenger"));
    server.Signal(SIGTERM);
    EXPECT_EQ(server.Wait(), 0) << server.err();  // every shadow row is logged before exit
    const ProcessResult r = RunKeel({"challenger", "report", "--db", log, "--model", "churn",
                                     "--json", "--champion-model", dir_.File(champion),
                                     "--challenger-model", dir_.File(challenger)});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json report = json::parse(r.out, nullptr, false);
    // Every row labeled: no estimate; the live rows' drift against each model's training
    // profile, and each variant's fairness audit on `female` (no limit: the gate passes).
    for (const char* v : {"champion", "challenger"}) {
      EXPECT_EQ(report[v]["unlabeled"], 0) << r.out;
      EXPECT_TRUE(report[v]["estimated"].is_null()) << r.out;
      EXPECT_EQ(report[v]["drift"]["current_rows"], live_.size()) << report[v]["drift"].dump();
      EXPECT_FALSE(report[v]["drift"]["features"].empty());
      EXPECT_TRUE(report[v]["fairness"]["attributes"].contains("female"))
          << report[v]["fairness"].dump();
      EXPECT_EQ(report[v]["fairness"]["gate"]["passed"], true) << report[v]["fairness"].dump();
    }
    // A limit of 0 fails the gate of a variant that selects the two groups at other rates
    // (the larger model does; the three stumps select no one).
    const std::string& larger = champion == "big.keel" ? champion : challenger;
    const char* larger_variant = champion == "big.keel" ? "champion" : "challenger";
    const char* other_variant = champion == "big.keel" ? "challenger" : "champion";
    const ProcessResult strict =
        RunKeel({"challenger", "report", "--db", log, "--model", "churn", "--json",
                 champion == "big.keel" ? "--champion-model" : "--challenger-model",
                 dir_.File(larger), "--fairness-limit", "demographic_parity_difference=0"});
    EXPECT_EQ(strict.exit_code, 0) << strict.err;
    const json s = json::parse(strict.out, nullptr, false);
    EXPECT_EQ(s[larger_variant]["fairness"]["gate"]["passed"], false)
        << s[larger_variant]["fairness"].dump();
    EXPECT_EQ(s[other_variant]["fairness"]["error"], "no model given for this variant");
    // The server's route judges the same rows the same way (the log was flushed for it too,
    // but shadow rows may still have been queued then: compare the verdict only).
    EXPECT_TRUE(route.contains("report")) << route.dump();
    // The route judges each variant's inputs against the served models' training profiles.
    for (const char* v : {"champion", "challenger"}) {
      EXPECT_TRUE(route["report"][v]["drift"].contains("features")) << route.dump().substr(0, 2000);
      EXPECT_TRUE(route["report"][v]["fairness"].contains("gate")) << v;
    }
    return report;
  }
  double ComparePValue(const std::string& baseline, const std::string& candidate) {
    const ProcessResult r = RunKeel({"compare", dir_.File(baseline), dir_.File(candidate), "--data",
                                     dir_.File("live.csv"), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["test"]["p_value"].get<double>();
  }

  std::vector<std::string> live_;
  std::vector<std::string> header_;
};

TEST_F(ChallengerGateTest, ABetterShadowIsPromotedAWorseOneKept) {
  const json better = ReplayAndReport("small.keel", "big.keel", dir_.File("better.db"));
  EXPECT_EQ(better["verdict"], "promote") << better.dump(1);
  EXPECT_EQ(better["mode"], "paired");
  EXPECT_EQ(better["champion"]["used"], 1500);
  EXPECT_EQ(better["test"]["method"], "delong");
  EXPECT_EQ(better["test"]["p_value"].get<double>(), ComparePValue("small.keel", "big.keel"));

  const json worse = ReplayAndReport("big.keel", "small.keel", dir_.File("worse.db"));
  EXPECT_EQ(worse["verdict"], "keep") << worse.dump(1);
  EXPECT_LT(worse["test"]["gain"].get<double>(), 0);
  EXPECT_EQ(worse["test"]["p_value"].get<double>(), ComparePValue("big.keel", "small.keel"));

  // --html: the challenger sections hold the verdict and the numbers of --json.
  const std::string page = dir_.File("challenger.html");
  const ProcessResult html =
      RunKeel({"challenger", "report", "--db", dir_.File("better.db"), "--model", "churn", "--json",
               "--html", page, "--champion-model", dir_.File("small.keel"), "--challenger-model",
               dir_.File("big.keel")});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  const json hj = json::parse(html.out);
  const std::string doc = ReadText(page);
  auto fixed = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", v);
    return std::string(buf);
  };
  for (const char* id : {"id=\"challenger\"", "id=\"challenger-over-time\"",
                         "id=\"challenger-drift\"", "id=\"challenger-fairness\""}) {
    EXPECT_NE(doc.find(id), std::string::npos) << id;
  }
  EXPECT_NE(doc.find("Verdict: promote."), std::string::npos);
  EXPECT_NE(doc.find(fixed(hj["test"]["champion"].get<double>())), std::string::npos);
  EXPECT_NE(doc.find(fixed(hj["test"]["challenger"].get<double>())), std::string::npos);
  EXPECT_NE(doc.find(fixed(hj["test"]["gain"].get<double>())), std::string::npos);
  char p_text[64];
  std::snprintf(p_text, sizeof p_text, "%.4g", hj["test"]["p_value"].get<double>());
  EXPECT_NE(doc.find(p_text), std::string::npos) << p_text;
  ASSERT_FALSE(hj["timeline"]["buckets"].empty());
  for (const json& b : hj["timeline"]["buckets"]) {
    for (const char* v : {"champion", "challenger"}) {
      if (b[v]["value"].is_number()) {
        EXPECT_NE(doc.find(fixed(b[v]["value"].get<double>())), std::string::npos) << b.dump();
      }
    }
  }
  EXPECT_NE(doc.find("fairness gate passed"), std::string::npos);

  // Fewer labels than --min-labels: no verdict yet, and how many more are needed.
  const ProcessResult few = RunKeel({"challenger", "report", "--db", dir_.File("better.db"),
                                     "--model", "churn", "--min-labels", "2000", "--json"});
  ASSERT_EQ(few.exit_code, 0) << few.err;
  const json j = json::parse(few.out);
  EXPECT_EQ(j["verdict"], "not_enough_labels");
  EXPECT_EQ(j["more_labels_needed"], 500);

  // keel registry promote --require-verdict: churn@1 (small) in production, churn@2 (big) in
  // staging. The log where big was the worse champion's challenger says keep; the one where it
  // was the challenger says promote, about its version (logged under its SHA-256 prefix).
  const std::string reg = dir_.File("registry.db");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"registry", "add", dir_.File("small.keel"), "--name", "churn", "--db", reg},
           {"registry", "promote", "churn@1", "--to", "production", "--db", reg},
           {"registry", "add", dir_.File("big.keel"), "--name", "churn", "--db", reg},
           {"registry", "promote", "churn@2", "--to", "staging", "--db", reg}}) {
    const ProcessResult r = RunKeel(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const ProcessResult kept = RunKeel({"registry", "promote", "churn", "--require-verdict",
                                      "--log-db", dir_.File("worse.db"), "--db", reg});
  EXPECT_EQ(kept.exit_code, 1);
  EXPECT_NE(kept.err.find("says keep, not promote (p = "), std::string::npos) << kept.err;
  EXPECT_NE(kept.err.find("churn@2 not promoted"), std::string::npos) << kept.err;
  const ProcessResult few_labels =
      RunKeel({"registry", "promote", "churn@2", "--to", "production", "--require-verdict",
               "--log-db", dir_.File("missing.db"), "--db", reg});
  EXPECT_EQ(few_labels.exit_code, 1);
  EXPECT_NE(few_labels.err.find("no prediction log at"), std::string::npos) << few_labels.err;
  // Refused: churn@2 is still in staging.
  const json listed =
      json::parse(RunKeel({"registry", "list", "churn", "--db", reg, "--json"}).out);
  EXPECT_EQ(listed["versions"][1]["stage"], "staging") << listed.dump();
  const ProcessResult promoted =
      RunKeel({"registry", "promote", "churn", "--require-verdict", "--log-db",
               dir_.File("better.db"), "--db", reg, "--json"});
  ASSERT_EQ(promoted.exit_code, 0) << promoted.err;
  const json t = json::parse(promoted.out);
  EXPECT_EQ(t["version"], 2);
  EXPECT_EQ(t["to_stage"], "production");
  EXPECT_EQ(t["replaced_version"], 1);
}

}  // namespace
}  // namespace keel::e2e
