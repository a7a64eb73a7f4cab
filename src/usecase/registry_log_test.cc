// The registry and prediction-log use cases in process, on SQLite files: what each result
// holds and prints, and the checks each request gets before anything is written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/file_io.h"
#include "model/model_io.h"
#include "registry/prediction_log_store.h"
#include "registry/sql_database.h"
#include "serve/test_model.h"
#include "usecase/log.h"
#include "usecase/registry.h"

namespace keel::usecase {
namespace {

class RegistryUseCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("keel_registry_usecase_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    db_ = File("reg.db");
    Model b = serve::testing::TinyBinaryModel();
    b.forest.trees[0].nodes[1].value = -3.0;
    ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), File("a.keel")).ok());
    ASSERT_TRUE(SaveModel(b, File("b.keel")).ok());
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string File(const std::string& name) const { return (dir_ / name).string(); }
  RegistryAddResult Add(const std::string& artifact) {
    RegistryAddRequest r;
    r.db = db_;
    r.artifact = File(artifact);
    r.name = "churn";
    r.actor = "tester";
    auto added = RegistryAdd(r);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    return added.ok() ? *added : RegistryAddResult{};
  }
  RegistryTransitionResult Promote(const std::string& ref) {
    RegistryPromoteRequest r;
    r.db = db_;
    r.ref = ref;
    r.to = "production";
    r.actor = "tester";
    r.reason = "ship it";
    auto t = RegistryPromote(r);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : RegistryTransitionResult{};
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(RegistryUseCaseTest, AddPromoteShowAndExport) {
  const RegistryAddResult a = Add("a.keel");
  EXPECT_EQ(a.version.version, 1);
  EXPECT_EQ(a.ToJson()["ok"], true);
  EXPECT_EQ(a.ToText().rfind("added churn@1 (sha256 ", 0), 0u) << a.ToText();
  Add("b.keel");
  Promote("churn@1");
  const RegistryTransitionResult t = Promote("churn@2");
  EXPECT_EQ(t.ToText(), "promoted churn@2: none -> production (replaces churn@1, now archived)\n");
  EXPECT_EQ(t.ToJson()["replaced_version"], 1);

  RegistryShowRequest show;
  show.db = db_;
  show.ref = "churn@1";
  auto shown = RegistryShow(show);
  ASSERT_TRUE(shown.ok()) << shown.status().ToString();
  // Version 1's history: its add, its promotion, and the promotion that replaced it; not the
  // add of version 2.
  ASSERT_EQ(shown->events.size(), 3u);
  EXPECT_EQ(shown->events[2].version, 2);
  EXPECT_EQ(shown->ToJson()["events"].size(), 3u);
  const std::string text = shown->ToText();
  EXPECT_EQ(text.rfind("churn@1  stage archived\n", 0), 0u) << text;
  EXPECT_NE(text.find("promote  churn@2 none -> production replacing @1 by tester: ship it"),
            std::string::npos)
      << text;

  RegistryExportRequest exp;
  exp.db = db_;
  exp.ref = "churn@1";
  exp.out = File("out.keel");
  auto exported = RegistryExport(exp);
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  EXPECT_EQ(*ReadFile(exp.out), *ReadFile(File("a.keel")));
  EXPECT_EQ(exported->bytes, ReadFile(exp.out)->size());
}

TEST_F(RegistryUseCaseTest, RequestsAreCheckedBeforeAnythingChanges) {
  Add("a.keel");
  RegistryAddRequest gate;
  gate.db = db_;
  gate.artifact = File("b.keel");
  gate.name = "churn";
  gate.gate = File("gate.json");
  std::ofstream(gate.gate) << "not json";
  auto refused = RegistryAdd(gate);
  EXPECT_EQ(refused.status().code(), StatusCode::kParseError);
  EXPECT_NE(refused.status().message().find("keel compare --json"), std::string::npos);

  RegistryPromoteRequest promote;
  promote.db = db_;
  promote.ref = "churn";
  promote.to = "production";
  EXPECT_EQ(RegistryPromote(promote).status().code(), StatusCode::kInvalidArgument);
  promote.ref = "churn@1";
  promote.to = "archived";
  EXPECT_EQ(RegistryPromote(promote).status().code(), StatusCode::kInvalidArgument);

  RegistryRollbackRequest rollback;
  rollback.db = db_;
  rollback.name = "churn@1";
  EXPECT_EQ(RegistryRollback(rollback).status().code(), StatusCode::kInvalidArgument);

  RegistryListRequest list;
  list.db = db_;
  auto listed = RegistryList(list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->versions.size(), 1u);  // the refused add added nothing
  EXPECT_EQ(listed->versions[0].stage, registry::Stage::kNone);

  list.db = File("absent.db");
  EXPECT_EQ(RegistryList(list).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(list.db));  // reads never create a registry
}

TEST_F(RegistryUseCaseTest, LogPruneForgetAndStats) {
  const std::string log = File("log.db");
  {
    auto db = registry::OpenDatabase(log);
    ASSERT_TRUE(db.ok());
    auto writer = registry::PredictionLogWriter::Open(db->get());
    ASSERT_TRUE(writer.ok());
    const std::string a(64, 'a'), b(64, 'b');
    std::vector<registry::LoggedPrediction> rows = {
        {"r1", 0, 1000, "m", "1", a, "{}", "{}"},  // long past any retention
        {"r2", 0, registry::NowMicros(), "m", "1", a, "{}", "{}"},
        {"r3", 0, registry::NowMicros(), "m", "1", b, "{}", "{}"}};
    ASSERT_TRUE((*writer)->Insert(rows).ok());
  }
  LogStatsRequest stats;
  stats.db = log;
  EXPECT_EQ(LogStats(stats)->rows, 3u);

  LogPruneRequest prune;
  prune.db = log;
  prune.retention = "1d";
  auto pruned = LogPrune(prune);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->rows_removed, 1u);
  EXPECT_EQ(pruned->rows_remaining, 2u);

  LogForgetRequest forget;
  forget.db = log;
  forget.subject = "hmac-sha256:" + std::string(64, 'A');  // prefix and case as logged
  auto forgotten = LogForget(forget);
  ASSERT_TRUE(forgotten.ok()) << forgotten.status().ToString();
  EXPECT_EQ(forgotten->rows_removed, 1u);
  EXPECT_EQ(forgotten->subject, std::string(64, 'a'));
  EXPECT_EQ(forgotten->ToText(),
            "removed 1 prediction log rows of subject " + std::string(64, 'a') + "\n");

  // A subject that is not a pseudonym is refused before the log is even opened.
  forget.db = File("absent.db");
  forget.subject = "jane@example.com";
  EXPECT_EQ(LogForget(forget).status().code(), StatusCode::kInvalidArgument);
  stats.db = forget.db;
  auto none = LogStats(stats);
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("no prediction log at " + stats.db), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(stats.db));
}

}  // namespace
}  // namespace keel::usecase
