#include "registry/prediction_log_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "registry/registry_test_backends.h"

namespace keel::registry {
namespace {

using testing::Backend;
using testing::BackendTest;

class PredictionLogStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto db = OpenDatabase(location_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    ASSERT_TRUE(EnsurePredictionLogSchema(*db_).ok());
  }
  // Rows at times 1000, 2000, ... with subjects cycling over `subjects` ("" = none).
  void Fill(int n, const std::vector<std::string>& subjects) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back("req-" + std::to_string(i));
    std::vector<LoggedPrediction> rows;
    for (int i = 0; i < n; ++i) {
      LoggedPrediction r;
      r.request_id = ids[i];
      r.instance = 0;
      r.time_micros = 1000 * (i + 1);
      r.model = "churn";
      r.model_version = "3";
      r.subject = subjects[i % subjects.size()];
      r.inputs_json = R"({"age":30})";
      r.output_json = R"({"prob_yes":0.25})";
      rows.push_back(r);
    }
    ASSERT_TRUE(InsertPredictions(*db_, rows).ok());
  }
  uint64_t Count(std::optional<std::string_view> subject = std::nullopt) {
    auto c = CountPredictions(*db_, subject);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : 0;
  }
  std::unique_ptr<SqlDatabase> db_;
};

// A redelivered stream event logs its row again: the idempotent writer keeps one.
TEST_P(PredictionLogStoreTest, IdempotentWriterSkipsARowAlreadyLogged) {
  auto writer = PredictionLogWriter::OpenIdempotent(db_.get());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto row = [](std::string_view id, int32_t instance) {
    LoggedPrediction r;
    r.request_id = id;
    r.instance = instance;
    r.time_micros = 1000;
    r.model = "churn";
    r.model_version = "3";
    r.inputs_json = "{}";
    r.output_json = R"({"prob_yes":0.25})";
    return r;
  };
  const std::vector<LoggedPrediction> first = {row("EVENTS:1", 0), row("EVENTS:2", 0)};
  ASSERT_TRUE((*writer)->Insert(first).ok());
  // EVENTS:2 again (and twice within one batch), and a new one.
  const std::vector<LoggedPrediction> again = {row("EVENTS:2", 0), row("EVENTS:3", 0),
                                               row("EVENTS:3", 0), row("EVENTS:2", 1)};
  Status st = (*writer)->Insert(again);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Count(), 4u);  // EVENTS:1, EVENTS:2, EVENTS:3 and EVENTS:2 instance 1
}

TEST_P(PredictionLogStoreTest, PruneDeletesExactlyTheRowsBeforeTheCutoff) {
  Fill(10, {""});
  auto removed = PrunePredictions(*db_, 4000);  // rows at 1000, 2000, 3000
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 3u);
  EXPECT_EQ(Count(), 7u);
  auto again = PrunePredictions(*db_, 4000);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  auto rest = db_->Exec("SELECT MIN(time_us) FROM predictions");
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->Int(0, 0), 4000);
}

TEST_P(PredictionLogStoreTest, ForgetRemovesExactlyOneSubjectsRows) {
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c');
  Fill(30, {a, b, c, ""});  // a: 8 rows, b: 8, c: 7, none: 7
  ASSERT_EQ(Count(a), 8u);
  auto removed = ForgetSubject(*db_, b);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, 8u);
  EXPECT_EQ(Count(b), 0u);
  EXPECT_EQ(Count(a), 8u);
  EXPECT_EQ(Count(c), 7u);
  EXPECT_EQ(Count(), 22u);
  auto none = ForgetSubject(*db_, std::string(64, 'f'));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  EXPECT_EQ(ForgetSubject(*db_, "").status().code(), StatusCode::kInvalidArgument);
}

TEST_P(PredictionLogStoreTest, PruneOnADatabaseWithoutALogIsNotFound) {
  auto db = OpenDatabase(location_ + (GetParam() == Backend::kSqlite ? ".other" : ""));
  ASSERT_TRUE(db.ok());
  if (GetParam() == Backend::kPostgres) {
    ASSERT_TRUE((*db)->ExecScript("DROP TABLE predictions").ok());
  }
  EXPECT_EQ(PrunePredictions(**db, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ForgetSubject(**db, "x").status().code(), StatusCode::kNotFound);
}

TEST_P(PredictionLogStoreTest, WriterInsertsBatchAfterBatchWithNullSubjects) {
  // A second database on the same backend: the writer creates the table itself.
  const std::string other = location_ + (GetParam() == Backend::kSqlite ? ".writer" : "");
  auto db = OpenDatabase(other);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  if (GetParam() == Backend::kPostgres) {
    ASSERT_TRUE((*db)->ExecScript("DROP TABLE predictions").ok());
  }
  auto writer = PredictionLogWriter::Open(db->get());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  const std::string subject(64, 'e');
  for (int batch = 0; batch < 3; ++batch) {
    std::vector<std::string> ids;
    for (int i = 0; i < 4; ++i) ids.push_back(fmt::format("b{}-{}", batch, i));
    std::vector<LoggedPrediction> rows;
    for (int i = 0; i < 4; ++i) {
      rows.push_back({ids[i], i, 1000 * batch + i, "churn", "3",
                      i % 2 == 0 ? std::string_view(subject) : "", R"({"age":30})",
                      R"({"prob_yes":0.25})"});
    }
    const Status st = (*writer)->Insert(rows);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  ASSERT_TRUE((*writer)->Insert({}).ok());
  auto count = CountPredictions(**db);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 12u);
  EXPECT_EQ(*CountPredictions(**db, subject), 6u);
  auto r = (*db)->Exec(
      "SELECT request_id, instance, time_us, subject, inputs FROM predictions ORDER BY id");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 12u);
  EXPECT_EQ(r->Text(11, 0), "b2-3");
  EXPECT_EQ(r->Int(11, 1), 3);
  EXPECT_EQ(r->Int(11, 2), 2003);
  EXPECT_FALSE(r->rows[11][3].has_value());  // "" is stored as NULL
  EXPECT_EQ(r->Text(10, 3), subject);
  EXPECT_EQ(r->Text(10, 4), R"({"age":30})");
}

TEST(PredictionLogSchema, ASqliteLogOfANewerLayoutIsRefused) {
  const std::string path = ::testing::TempDir() + "/keel_newer_log.db";
  std::remove(path.c_str());
  auto db = OpenDatabase(path);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_TRUE((*db)->ExecScript("PRAGMA user_version = 3").ok());
  auto writer = PredictionLogWriter::Open(db->get());
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(writer.status().message().find("schema version 3"), std::string::npos)
      << writer.status().ToString();
  std::remove(path.c_str());
}

// A log written before champion/challenger serving (layout 1: no variant, no record id) is
// migrated when opened: its rows keep their values, become the champion's, and new rows
// carry both columns.
TEST_P(PredictionLogStoreTest, ALayoutOneLogIsMigrated) {
  const bool sqlite = GetParam() == Backend::kSqlite;
  ASSERT_TRUE(db_->ExecScript("DROP TABLE predictions; DROP TABLE labels").ok());
  ASSERT_TRUE(
      db_
          ->ExecScript(fmt::format(
              "CREATE TABLE predictions (id {}, request_id TEXT NOT NULL, instance "
              "INTEGER NOT NULL, time_us BIGINT NOT NULL, model TEXT NOT NULL, "
              "model_version TEXT NOT NULL, subject TEXT, inputs TEXT NOT NULL, output "
              "TEXT NOT NULL);"
              "INSERT INTO predictions (request_id, instance, time_us, model, "
              "model_version, inputs, output) VALUES ('old', 0, 5, 'churn', '1', '{{}}', "
              "'{{}}');",
              sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))
          .ok());
  if (sqlite) ASSERT_TRUE(db_->ExecScript("PRAGMA user_version = 1").ok());
  auto writer = PredictionLogWriter::Open(db_.get());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  LoggedPrediction r;
  r.request_id = "new";
  r.model = "churn";
  r.model_version = "2";
  r.inputs_json = "{}";
  r.output_json = "{}";
  r.variant = "challenger";
  r.record_id = "c-1";
  ASSERT_TRUE((*writer)->Insert({&r, 1}).ok());
  auto rows = db_->Exec("SELECT request_id, variant, record_id FROM predictions ORDER BY id", {});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->rows.size(), 2u);
  EXPECT_EQ(rows->Text(0, 0), "old");
  EXPECT_EQ(rows->Text(0, 1), "champion");
  EXPECT_FALSE(rows->rows[0][2].has_value());
  EXPECT_EQ(rows->Text(1, 1), "challenger");
  EXPECT_EQ(rows->Text(1, 2), "c-1");
  EXPECT_TRUE(db_->Exec("SELECT COUNT(*) FROM labels", {}).ok());
  if (sqlite) {
    auto v = db_->Exec("PRAGMA user_version", {});
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->Int(0, 0), 2);
  }
  // Opening again changes nothing (the columns exist).
  EXPECT_TRUE(PredictionLogWriter::Open(db_.get()).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, PredictionLogStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace keel::registry
