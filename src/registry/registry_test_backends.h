// Test fixture base for suites that run against both backends: a fresh SQLite file, or a
// fresh database on the shared throwaway PostgreSQL server (postgres_test_cluster.h).
// Test-only.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "registry/postgres_test_cluster.h"

namespace keel::registry::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "keel-reg-XXXXXX").string();
      ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
      location_ = dir_ + "/keel.db";
      return;
    }
    std::string why;
    bool missing = false;
    PostgresTestCluster* cluster = PostgresTestCluster::Shared(&why, &missing);
    if (cluster == nullptr && missing) GTEST_SKIP() << "PostgreSQL backend not tested: " << why;
    ASSERT_NE(cluster, nullptr) << "cannot start the test PostgreSQL server: " << why;
    location_ = cluster->CreateDatabase();
    ASSERT_FALSE(location_.empty()) << cluster->last_error();
  }
  void TearDown() override {
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  std::string location_;  // a SQLite path or a postgresql:// URL
  std::string dir_;
};

}  // namespace keel::registry::testing
