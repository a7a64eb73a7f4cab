// End-to-end tests of what `keel serve` does in the background: the live drift windows
// (`--drift-window-rows`, GET /v1/models/{name}/drift, the keel_drift_* metrics) on a model
// trained by `keel train` (which stores the training profile), and `--log-retention` pruning
// the prediction log at start.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "http_test_client.h"
#include "keel_process.h"
#include "model/model_io.h"
#include "serve/test_model.h"
#include "serve_process.h"

namespace keel::e2e {
namespace {

using nlohmann::json;

// n rows of x ~ N(shift, 1) and c uniform in {a, b}; the label is x + N(0, 1) > 0.
struct Rows {
  std::vector<double> x;
  std::vector<std::string> c;
  std::vector<int> y;
};

Rows MakeRows(size_t n, double shift, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto normal = [&rng] {  // Box-Muller: the same numbers with every standard library
    const double u1 = (static_cast<double>(rng() >> 11) + 1) / 9007199254740993.0;
    const double u2 = static_cast<double>(rng() >> 11) / 9007199254740992.0;
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  };
  Rows r;
  for (size_t i = 0; i < n; ++i) {
    r.x.push_back(shift + normal());
    r.c.push_back(rng() % 2 == 0 ? "a" : "b");
    r.y.push_back(r.x.back() + normal() > 0 ? 1 : 0);
  }
  return r;
}

std::string Csv(const Rows& r) {
  std::string s = "x,c,y\n";
  for (size_t i = 0; i < r.x.size(); ++i) {
    s += json(r.x[i]).dump() + "," + r.c[i] + "," + std::to_string(r.y[i]) + "\n";
  }
  return s;
}

// {"instances": [...]} of rows [from, to), without the label.
std::string Instances(const Rows& r, size_t from, size_t to) {
  json instances = json::array();
  for (size_t i = from; i < to; ++i) instances.push_back({{"x", r.x[i]}, {"c", r.c[i]}});
  return json({{"instances", instances}}).dump();
}

class ServeDriftTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteText(dir_->File("train.csv"), Csv(MakeRows(2000, 0.0, 1)));
    auto t = RunKeel({"train", "--data", dir_->File("train.csv"), "--target", "y", "--positive",
                      "1", "--trees", "20", "--out", dir_->File("m.keel"), "--quiet"});
    ASSERT_EQ(t.exit_code, 0) << t.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  // GET /v1/models/m/drift until `windows` windows are evaluated (the drift thread drains
  // the queue every 200 ms); the last answer.
  static json WaitForWindows(HttpTestClient& c, uint64_t windows, uint64_t rows) {
    json j;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      const HttpReply r = c.Get("/v1/models/m/drift");
      EXPECT_EQ(r.status, 200) << r.body;
      j = json::parse(r.body, nullptr, false);
      if (j.is_object() && j.value("windows", uint64_t{0}) >= windows &&
          j.value("rows", uint64_t{0}) >= rows) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return j;
  }

  static bool Lists(const json& list, const std::string& name) {
    return std::find(list.begin(), list.end(), json(name)) != list.end();
  }

  static TempDir* dir_;
};
TempDir* ServeDriftTest::dir_ = nullptr;

TEST_F(ServeDriftTest, WindowsCompareLiveRowsWithTheTrainingProfile) {
  ServeProcess server({"--model", dir_->File("m.keel"), "--no-log", "--drift-window-rows", "200"});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  const Rows same = MakeRows(200, 0.0, 2);
  const Rows shifted = MakeRows(200, 3.0, 3);  // x moved by three standard deviations

  // Half a window: counted, not evaluated.
  ASSERT_EQ(c.PostJson("/v1/models/m/predict", Instances(same, 0, 100)).status, 200);
  json j = WaitForWindows(c, 0, 100);
  EXPECT_EQ(j["model"], "m");
  EXPECT_EQ(j["window_rows"], 200);
  EXPECT_EQ(j["rows"], 100);
  EXPECT_EQ(j["rows_dropped"], 0);
  EXPECT_EQ(j["windows"], 0);
  EXPECT_TRUE(j["last_window"].is_null()) << j.dump();

  // A full window drawn like the training data: x does not drift.
  ASSERT_EQ(c.PostJson("/v1/models/m/predict", Instances(same, 100, 200)).status, 200);
  j = WaitForWindows(c, 1, 200);
  ASSERT_EQ(j["windows"], 1) << j.dump();
  EXPECT_EQ(j["rows"], 200);
  EXPECT_EQ(j["last_window"]["window"]["rows"], 200);
  EXPECT_FALSE(Lists(j["last_window"]["drifted_features"], "x")) << j.dump();
  EXPECT_EQ(j["last_window"]["dataset_drift"], false) << j.dump();
  // (The prediction column may drift by chance: KS p = 0.034 on this window.)
  const uint64_t drifted_before = j["drifted_windows"].get<uint64_t>();

  // A window with x shifted: x drifts, c (drawn as in training) does not.
  ASSERT_EQ(c.PostJson("/v1/models/m/predict", Instances(shifted, 0, 100)).status, 200);
  ASSERT_EQ(c.PostJson("/v1/models/m/predict", Instances(shifted, 100, 200)).status, 200);
  j = WaitForWindows(c, 2, 400);
  ASSERT_EQ(j["windows"], 2) << j.dump();
  EXPECT_EQ(j["rows"], 400);
  EXPECT_EQ(j["drifted_windows"], drifted_before + 1) << j.dump();
  EXPECT_EQ(j["last_window"]["drifted"], true);
  EXPECT_TRUE(Lists(j["last_window"]["drifted_features"], "x")) << j.dump();
  EXPECT_FALSE(Lists(j["last_window"]["drifted_features"], "c")) << j.dump();

  // The same numbers in /metrics.
  const std::string metrics = c.Get("/metrics").body;
  for (const std::string& line : std::vector<std::string>{
           "keel_drift_rows_total{model=\"m\"} 400", "keel_drift_rows_dropped_total{model=\"m\"} 0",
           "keel_drift_windows_total{model=\"m\"} 2",
           "keel_drift_windows_drifted_total{model=\"m\"} " + std::to_string(drifted_before + 1),
           "keel_drift_last_window_drifted{model=\"m\"} 1",
           "keel_drift_feature_drifted{model=\"m\",feature=\"x\"} 1",
           "keel_drift_feature_drifted{model=\"m\",feature=\"c\"} 0"}) {
    EXPECT_NE(metrics.find(line + "\n"), std::string::npos) << line << "\n" << metrics;
  }
  EXPECT_NE(metrics.find("keel_drift_last_window_share_drifted{model=\"m\"} "), std::string::npos);
}

TEST_F(ServeDriftTest, WindowsOffOrWithoutAProfileAnswer422) {
  {
    ServeProcess server({"--model", dir_->File("m.keel"), "--no-log", "--drift-window-rows", "0"});
    ASSERT_GT(server.port(), 0) << server.err();
    HttpTestClient c(server.port());
    const HttpReply r = c.Get("/v1/models/m/drift");
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find("no live drift windows"), std::string::npos) << r.body;
    EXPECT_EQ(c.Get("/metrics").body.find("keel_drift_rows_total{"), std::string::npos);
  }
  // A model without a training profile (built by hand, as an imported model has none).
  TempDir dir;
  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), dir.File("tiny.keel")).ok());
  ServeProcess server({"--model", dir.File("tiny.keel"), "--no-log"});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  const HttpReply r = c.Get("/v1/models/tiny/drift");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("no live drift windows"), std::string::npos) << r.body;
}

// Rows of the prediction log: (id, time_us), by id.
std::vector<std::pair<int64_t, int64_t>> LogRows(const std::string& path) {
  std::vector<std::pair<int64_t, int64_t>> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(
      sqlite3_prepare_v2(db, "SELECT id, time_us FROM predictions ORDER BY id", -1, &st, nullptr),
      SQLITE_OK);
  while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
    out.emplace_back(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

void SetTime(const std::string& path, int64_t id, int64_t time_us) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql = "UPDATE predictions SET time_us = " + std::to_string(time_us) +
                          " WHERE id = " + std::to_string(id);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

// Three logged predictions aged 3 h, 30 min and 0; a server started with --log-retention 1h
// deletes the first at start and keeps the others.
TEST(ServeLogRetention, RowsOlderThanTheRetentionAreDeletedAtStart) {
  TempDir dir;
  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), dir.File("tiny.keel")).ok());
  const std::string log = dir.File("log.db");
  {
    ServeProcess server({"--model", dir.File("tiny.keel"), "--log-db", log, "--log-durable"});
    ASSERT_GT(server.port(), 0) << server.err();
    HttpTestClient c(server.port());
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"age":30}]})").status, 200);
    }
    server.Signal(SIGTERM);
    EXPECT_EQ(server.Wait(), 0) << server.err();
  }
  auto rows = LogRows(log);
  ASSERT_EQ(rows.size(), 3u);
  const int64_t now = rows[2].second;
  const int64_t minute = 60'000'000;
  SetTime(log, rows[0].first, now - 180 * minute);
  SetTime(log, rows[1].first, now - 30 * minute);

  ServeProcess server({"--model", dir.File("tiny.keel"), "--log-db", log, "--log-retention", "1h"});
  ASSERT_GT(server.port(), 0) << server.err();
  EXPECT_TRUE(server.WaitForErr("pruned 1 rows past retention")) << server.err();
  rows = LogRows(log);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].second, now - 30 * minute);
  EXPECT_EQ(rows[1].second, now);
}

TEST(ServeLogRetention, ADurationWithoutAUnitIsAUsageError) {
  TempDir dir;
  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), dir.File("tiny.keel")).ok());
  for (const char* bad : {"soon", "-1d", "1w", "12 h"}) {
    auto r = RunKeel({"serve", "--model", dir.File("tiny.keel"), "--no-log", "--port", "0",
                      "--log-retention", bad},
                     "", 30);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("retention"), std::string::npos) << bad << ": " << r.err;
  }
}

}  // namespace
}  // namespace keel::e2e
