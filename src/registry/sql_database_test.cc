#include "registry/sql_database.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>

#include "registry/postgres_database.h"
#include "registry/registry_test_backends.h"

namespace keel::registry {
namespace {

using testing::Backend;
using testing::BackendTest;

class SqlDatabaseTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto db = OpenDatabase(location_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  std::unique_ptr<SqlDatabase> db_;
};

TEST_P(SqlDatabaseTest, ValuesRoundTripIncludingBinaryAndNull) {
  const char* ddl = GetParam() == Backend::kSqlite ? "CREATE TABLE t (i INTEGER, s TEXT, b BLOB)"
                                                   : "CREATE TABLE t (i BIGINT, s TEXT, b BYTEA)";
  ASSERT_TRUE(db_->ExecScript(ddl).ok());
  const std::string bytes("\0\x01\xff'\"\\x$1", 10);
  const std::string text = "it's \"quoted\" $1 ?1 \xc3\xa9";
  auto ins = db_->Exec("INSERT INTO t (i, s, b) VALUES ($1, $2, $3)",
                       {int64_t{-9007199254740993}, std::string_view(text), SqlBytes{bytes}});
  ASSERT_TRUE(ins.ok()) << ins.status().ToString();
  EXPECT_EQ(ins->affected, 1u);
  ASSERT_TRUE(
      db_->Exec("INSERT INTO t (i, s, b) VALUES ($1, $2, $3)", {nullptr, nullptr, nullptr}).ok());
  auto r = db_->Exec("SELECT i, s, b FROM t ORDER BY i NULLS LAST");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->Int(0, 0), -9007199254740993);
  EXPECT_EQ(r->Text(0, 1), text);
  EXPECT_EQ(r->Text(0, 2), bytes);
  EXPECT_FALSE(r->rows[1][0].has_value());
  EXPECT_FALSE(r->rows[1][2].has_value());
}

TEST_P(SqlDatabaseTest, ParametersAreNeverSplicedIntoSql) {
  ASSERT_TRUE(db_->ExecScript("CREATE TABLE t (s TEXT)").ok());
  const std::string hostile = "x'); DROP TABLE t; --";
  ASSERT_TRUE(db_->Exec("INSERT INTO t (s) VALUES ($1)", {std::string_view(hostile)}).ok());
  auto r = db_->Exec("SELECT s FROM t WHERE s = $1", {std::string_view(hostile)});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->Text(0, 0), hostile);
}

TEST_P(SqlDatabaseTest, ErrorsNameTheStatementAndRollbackUndoes) {
  auto bad = db_->Exec("SELECT * FROM no_such_table");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kIoError);
  EXPECT_NE(bad.status().message().find("no_such_table"), std::string::npos);
  ASSERT_TRUE(db_->ExecScript("CREATE TABLE t (s TEXT)").ok());
  {
    WriteTransaction tx(db_.get());
    ASSERT_TRUE(tx.Begin(42).ok());
    ASSERT_TRUE(db_->Exec("INSERT INTO t (s) VALUES ('gone')").ok());
  }  // no Commit: rolled back
  auto r = db_->Exec("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Int(0, 0), 0);
}

TEST_P(SqlDatabaseTest, APreparedStatementRunsManyTimesWithItsOwnValues) {
  const char* ddl = GetParam() == Backend::kSqlite ? "CREATE TABLE t (i INTEGER, s TEXT, b BLOB)"
                                                   : "CREATE TABLE t (i BIGINT, s TEXT, b BYTEA)";
  ASSERT_TRUE(db_->ExecScript(ddl).ok());
  auto insert = db_->Prepare("INSERT INTO t (i, s, b) VALUES ($1, $2, $3)");
  ASSERT_TRUE(insert.ok()) << insert.status().ToString();
  const std::string bytes("\0\x01\xff", 3);
  for (int64_t i = 0; i < 5; ++i) {
    // Each run's texts die after the call: the statement must not keep them.
    const std::string text = "row " + std::to_string(i) + " it's $1";
    const std::array<SqlValue, 3> values = {
        i, i == 2 ? SqlValue(nullptr) : SqlValue(std::string_view(text)), SqlBytes{bytes}};
    auto n = (*insert)->Run(values);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    EXPECT_EQ(*n, 1u);
  }
  auto r = db_->Exec("SELECT i, s, b FROM t ORDER BY i");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 5u);
  EXPECT_EQ(r->Text(4, 1), "row 4 it's $1");
  EXPECT_FALSE(r->rows[2][1].has_value());
  EXPECT_EQ(r->Text(3, 2), bytes);
  // A failing run names the statement, and the statement keeps working afterwards.
  ASSERT_TRUE(db_->ExecScript("CREATE UNIQUE INDEX t_i ON t (i)").ok());
  const std::array<SqlValue, 3> dup = {int64_t{4}, std::string_view("dup"), nullptr};
  auto failed = (*insert)->Run(dup);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_NE(failed.status().message().find("INSERT INTO t"), std::string::npos)
      << failed.status().ToString();
  const std::array<SqlValue, 3> next = {int64_t{5}, std::string_view("five"), nullptr};
  ASSERT_TRUE((*insert)->Run(next).ok());
  EXPECT_EQ(db_->Exec("SELECT COUNT(*) FROM t")->Int(0, 0), 6);
  EXPECT_EQ(db_->Prepare("INSERT INTO no_such_table VALUES ($1)").status().code(),
            StatusCode::kIoError);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlDatabaseTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

TEST(OpenDatabase, RefusesANonDatabaseFileAndUnknownSchemes) {
  const std::string path = ::testing::TempDir() + "/keel_not_a_db.txt";
  {
    std::ofstream f(path);
    f << "this is a text file, not a SQLite database, padded to be long enough.............\n";
  }
  auto db = OpenDatabase(path);
  EXPECT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIoError);
  EXPECT_EQ(OpenDatabase("mysql://u:p@h/db").status().code(), StatusCode::kUnsupported);
  std::remove(path.c_str());
}

TEST(OpenDatabase, UnreachablePostgresIsAnIoErrorWithoutThePassword) {
  auto db = OpenDatabase("postgresql://keel:s3cret@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIoError);
  EXPECT_EQ(db.status().message().find("s3cret"), std::string::npos) << db.status().ToString();
}

TEST(RedactPassword, HidesUrlAndKeywordPasswords) {
  EXPECT_EQ(RedactPassword("postgresql://u:pw@h:5/db"), "postgresql://u:***@h:5/db");
  EXPECT_EQ(RedactPassword("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(RedactPassword("host=h password=pw dbname=d"), "host=h password=*** dbname=d");
}

}  // namespace
}  // namespace keel::registry
