#include "registry/prediction_log_store.h"

#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(Backends, PredictionLogStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace keel::registry
