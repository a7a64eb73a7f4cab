// Champion and challenger on the predict route, in process (Service::Handle through
// ServeConnectionBytes) with the tiny test model: shadow answers are the champion's, canary
// splits are stable, and a failing challenger never fails or changes a champion answer.
#include "serve/challenger.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "serve/http_exchange.h"
#include "serve/model_store.h"
#include "serve/service.h"
#include "serve/test_model.h"
#include "serve/test_model_profile.h"

namespace keel::serve {
namespace {

// Keeps every row in memory.
class MemoryLog final : public PredictionLog {
 public:
  struct Row {
    std::string request_id, model, model_version, variant, record_id, output;
  };
  uint64_t Append(const PredictionRecord& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    rows_.push_back({std::string(r.request_id), std::string(r.model), std::string(r.model_version),
                     std::string(r.variant), std::string(r.record_id), std::string(r.output_json)});
    return rows_.size();
  }
  Status WaitDurable(uint64_t) override { return Status::OK(); }
  bool durable() const override { return false; }
  PredictionLogStats stats() const override { return {}; }
  void Close() override {}
  std::vector<Row> rows() const {
    std::lock_guard<std::mutex> lock(mu_);
    return rows_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Row> rows_;
};

// The tiny model shifted by `shift` in margin: same request contract, other answers.
Model Shifted(double shift) {
  Model m = testing::TinyBinaryModel();
  m.base_margin = {shift};
  return m;
}

// A regression challenger that loads (finite for an all-missing row, finite leaves) but
// overflows to +inf for age >= 40: two leaves near the largest double add up past it.
Model BrokenForOld() {
  Model m = testing::TinyRegressionModel();
  m.forest.trees.push_back(m.forest.trees[0]);
  for (Tree& t : m.forest.trees) t.nodes[2].value = std::numeric_limits<double>::max() / 1.5;
  return m;
}

// A service with the tiny model as champion "tiny" and, optionally, a challenger.
struct TestServer {
  void Start(Model challenger, const std::string& traffic, ChallengerOptions co = {},
             bool with_challenger = true, Model champion_model = testing::TinyBinaryModel()) {
    auto champion = ServedModel::FromModel("tiny", std::move(champion_model), "champ");
    ASSERT_TRUE(champion.ok()) << champion.status().ToString();
    ASSERT_TRUE(store_.Add("tiny", "", *champion).ok());
    if (with_challenger) {
      auto model = ServedModel::FromModel("tiny", std::move(challenger), "chall");
      ASSERT_TRUE(model.ok()) << model.status().ToString();
      co.split = *TrafficSplit::Parse(traffic);
      co.log = &log_;
      ASSERT_TRUE(challengers_.Add(std::make_unique<Challenger>("tiny", *model, "", co)).ok());
    }
    ServiceOptions o;
    o.challengers = &challengers_;
    service_ = std::make_unique<Service>(o, &store_, &log_, &metrics_);
    service_->SetReady(true);
  }
  // POST /v1/models/tiny/predict with the request id `rid`.
  nlohmann::json Predict(const std::string& body, const std::string& rid, int* status = nullptr) {
    const std::string bytes =
        "POST /v1/models/tiny/predict HTTP/1.1\r\nContent-Type: application/json\r\n"
        "X-Request-Id: " +
        rid + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    nlohmann::json out;
    ServeConnectionBytes(bytes, HttpServerOptions{}, service_.get(), &metrics_,
                         [&](const ExchangedResponse& e) {
                           if (status != nullptr) *status = e.response->status;
                           out = nlohmann::json::parse(e.response->body, nullptr, false);
                         });
    return out;
  }
  std::string Metrics() {
    std::string out;
    service_->AppendMetrics(&out);
    return out;
  }
  static std::string Instance(int i, int age) {
    return R"({"instances":[{"customer_id":"c-)" + std::to_string(i) + R"(","age":)" +
           std::to_string(age) + R"(,"color":"red"}]})";
  }

  MemoryLog log_;
  HttpMetrics metrics_;
  ModelStore store_;
  Challengers challengers_;
  std::unique_ptr<Service> service_;
};

class ChallengerTest : public ::testing::Test, public TestServer {};

TEST_F(ChallengerTest, ShadowAnswersAreTheChampionsAndBothAreLogged) {
  // The champion alone, for reference.
  TestServer alone;
  alone.Start({}, "shadow", {}, /*with_challenger=*/false);
  Start(Shifted(0.7), "shadow");
  for (int i = 0; i < 50; ++i) {
    const std::string body = Instance(i, 20 + i);
    const std::string rid = "r" + std::to_string(i);
    nlohmann::json with = Predict(body, rid);
    const nlohmann::json without = alone.Predict(body, rid);
    ASSERT_EQ(with["variant"], "champion");
    with.erase("variant");
    EXPECT_EQ(with, without) << body;
  }
  challengers_.StopShadows();  // every shadow copy scored and logged
  int champion_rows = 0, challenger_rows = 0;
  for (const MemoryLog::Row& r : log_.rows()) {
    EXPECT_EQ(r.record_id, "c-" + r.request_id.substr(1));
    if (r.variant == "champion") {
      ++champion_rows;
      EXPECT_EQ(r.model_version, "champ");
    } else {
      ASSERT_EQ(r.variant, "challenger");
      ++challenger_rows;
      EXPECT_EQ(r.model_version, "chall");
    }
  }
  EXPECT_EQ(champion_rows, 50);
  EXPECT_EQ(challenger_rows, 50);
  EXPECT_NE(Metrics().find("keel_variant_requests_total{model=\"tiny\",variant=\"challenger\"} 50"),
            std::string::npos);
}

TEST_F(ChallengerTest, AFailingShadowNeverChangesAChampionAnswer) {
  TestServer alone;
  alone.Start({}, "shadow", {}, /*with_challenger=*/false, testing::TinyRegressionModel());
  Start(BrokenForOld(), "shadow", {}, true, testing::TinyRegressionModel());
  for (int i = 0; i < 20; ++i) {
    const std::string body = Instance(i, 60);  // the challenger gives NaN here
    int status = 0;
    nlohmann::json with = Predict(body, "r", &status);
    EXPECT_EQ(status, 200);
    with.erase("variant");
    EXPECT_EQ(with, alone.Predict(body, "r"));
  }
  challengers_.StopShadows();
  const ShadowQueueStats s = challengers_.Find("tiny")->shadow_stats();
  EXPECT_EQ(s.scored, 20u);
  EXPECT_EQ(s.failed, 20u);
  for (const MemoryLog::Row& r : log_.rows()) EXPECT_EQ(r.variant, "champion");
}

// A shadow challenger that hangs: every champion answer still comes at once (well within a
// bound no hanging wait could meet), unchanged, and the copies beyond the queue are dropped
// and counted.
TEST_F(ChallengerTest, AHangingShadowNeverDelaysAChampionAnswer) {
  TestServer alone;
  alone.Start({}, "shadow", {}, /*with_challenger=*/false);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  ChallengerOptions co;
  co.shadow_queue = 8;
  co.before_shadow_score = [&] {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
  };
  Start(Shifted(0.7), "shadow", co);
  double slowest = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string body = Instance(i, 20 + i % 60);
    const auto start = std::chrono::steady_clock::now();
    nlohmann::json with = Predict(body, "r");
    slowest = std::max(
        slowest, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    ASSERT_EQ(with["variant"], "champion");
    with.erase("variant");
    EXPECT_EQ(with, alone.Predict(body, "r"));
  }
  EXPECT_LT(slowest, 0.25);  // microseconds in practice; a wait for the shadow would hang
  const ShadowQueueStats s = challengers_.Find("tiny")->shadow_stats();
  EXPECT_GE(s.dropped, 200u - 9u);  // the ring holds 8, the worker may hold one more
  EXPECT_EQ(s.submitted + s.dropped, 200u);
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  challengers_.StopShadows();
  EXPECT_EQ(challengers_.Find("tiny")->shadow_stats().scored, s.submitted);
}

// 10,000 requests with distinct ids: the share answered by the challenger is within the
// binomial 99.9% interval of 10%, and an id sent again goes to the same variant.
TEST_F(ChallengerTest, CanaryIsStablePerIdAndNearItsPercent) {
  Start(Shifted(0.7), "canary:10");
  constexpr int kN = 10000;
  std::vector<std::string> first(kN);
  int challenger = 0;
  for (int i = 0; i < kN; ++i) {
    const nlohmann::json j = Predict(Instance(i, 30), "r");
    first[i] = j["variant"];
    ASSERT_EQ(j["model_version"], first[i] == "challenger" ? "chall" : "champ");
    challenger += first[i] == "challenger";
  }
  const double sd = std::sqrt(kN * 0.1 * 0.9);
  EXPECT_NEAR(challenger, kN * 0.1, 3.29 * sd);
  for (int i = 0; i < kN; i += 37) {
    EXPECT_EQ(Predict(Instance(i, 70), "again")["variant"], first[i]) << i;
  }
  // The challenger's answer is its own: margin -0.5 + 0.7 for age 30, red.
  for (int i = 0; i < kN; ++i) {
    if (first[i] != "challenger") continue;
    const nlohmann::json j = Predict(Instance(i, 30), "r");
    EXPECT_NEAR(j["predictions"][0]["prob_yes"].get<double>(), 1 / (1 + std::exp(-0.2)), 1e-12);
    break;
  }
}

TEST_F(ChallengerTest, AFailingCanaryIsAnsweredByTheChampionThenTakenOut) {
  ChallengerOptions co;
  co.canary_max_error_rate = 0.2;
  co.canary_min_requests = 20;
  std::vector<std::string> removed;
  co.on_removed = [&](const std::string& name, const std::string& version,
                      const std::string& reason) {
    removed.push_back(name + "@" + version + ": " + reason);
  };
  Start(BrokenForOld(), "canary:50", co, true, testing::TinyRegressionModel());
  int to_challenger = 0, failed_over = 0;
  for (int i = 0; i < 400; ++i) {
    int status = 0;
    const nlohmann::json j = Predict(Instance(i, 60), "r", &status);
    ASSERT_EQ(status, 200);
    EXPECT_EQ(j["predictions"][0]["prediction"], 13.0);  // the champion's: 10 + 3
    to_challenger += j["variant"] == "challenger";
    failed_over += j["variant"] == "champion";
  }
  EXPECT_EQ(to_challenger, 0);
  Challenger* c = challengers_.Find("tiny");
  EXPECT_FALSE(c->canary_active());
  // Taken out once the 20th challenger request failed: no request reached it after that.
  EXPECT_EQ(c->stats(kChallenger).requests.load(), 20u);
  EXPECT_EQ(c->stats(kChallenger).errors.load(), 20u);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_NE(removed[0].find("tiny@chall: error rate 1"), std::string::npos) << removed[0];
  EXPECT_NE(c->removed_reason().find("--canary-max-error-rate 0.2"), std::string::npos);
  const std::string m = Metrics();
  EXPECT_NE(m.find("keel_challenger_active{model=\"tiny\"} 0"), std::string::npos) << m;
  EXPECT_NE(m.find("keel_variant_errors_total{model=\"tiny\",variant=\"challenger\"} 20"),
            std::string::npos);
}

TEST_F(ChallengerTest, ASlowCanaryIsTakenOutByItsP99) {
  ChallengerOptions co;
  co.canary_max_p99_ms = 1e-6;  // no real scoring is this fast
  co.canary_min_requests = 10;
  Start(Shifted(0.7), "canary:100", co);
  for (int i = 0; i < 30; ++i) Predict(Instance(i, 30), "r");
  Challenger* c = challengers_.Find("tiny");
  EXPECT_FALSE(c->canary_active());
  EXPECT_EQ(c->stats(kChallenger).requests.load(), 10u);
  EXPECT_NE(c->removed_reason().find("p99"), std::string::npos);
  EXPECT_EQ(Predict(Instance(99, 30), "r")["variant"], "champion");
}

// A challenger whose schema reads age above 50 as out of range: the canary traffic of older
// customers is anomalous to it (not to the champion), and the anomaly-rate limit takes it out
// at the end of the first window where more than half of its requests were anomalous.
TEST_F(ChallengerTest, ACanaryFedAnomalousTrafficIsTakenOutByItsAnomalyRate) {
  Model narrow = Shifted(0.7);
  for (ColumnSchema& c : narrow.schema.columns) {
    if (c.name == "age") c.max = 50;
  }
  ChallengerOptions co;
  co.canary_max_anomaly_rate = 0.5;
  co.canary_min_requests = 20;
  std::vector<std::string> removed;
  co.on_removed = [&](const std::string& name, const std::string& version,
                      const std::string& reason) {
    removed.push_back(name + "@" + version + ": " + reason);
  };
  Start(narrow, "canary:100", co);
  Challenger* c = challengers_.Find("tiny");
  // A clean first window, then one where 15 of 20 requests are anomalous.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Predict(Instance(i, 30), "r")["variant"], "challenger");
  }
  EXPECT_TRUE(c->canary_active());
  for (int i = 20; i < 40; ++i) {
    const nlohmann::json j = Predict(Instance(i, i < 35 ? 60 : 30), "r");
    EXPECT_EQ(j["variant"], "challenger") << i;
    if (i < 35) EXPECT_EQ(j["predictions"][0]["anomalies"][0]["kind"], "out_of_range") << j;
  }
  EXPECT_FALSE(c->canary_active());
  EXPECT_EQ(Predict(Instance(99, 30), "r")["variant"], "champion");
  EXPECT_EQ(c->stats(kChallenger).requests.load(), 40u);
  EXPECT_EQ(c->stats(kChallenger).anomalous.load(), 15u);
  EXPECT_EQ(c->stats(kChallenger).errors.load(), 0u);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_NE(removed[0].find("tiny@chall: anomaly rate 0.75 (15 of the last 20 requests"),
            std::string::npos)
      << removed[0];
  EXPECT_NE(c->removed_reason().find("--canary-max-anomaly-rate 0.5"), std::string::npos);
  const std::string m = Metrics();
  EXPECT_NE(m.find("keel_challenger_active{model=\"tiny\"} 0"), std::string::npos) << m;
  EXPECT_NE(
      m.find("keel_variant_anomalous_requests_total{model=\"tiny\",variant=\"challenger\"} 15"),
      std::string::npos)
      << m;
}

// Each variant's predictions against its own model's training profile, per window of 30: a
// window like the training data has no drift, one of young customers only drifts; the means
// are those of the predictions made.
TEST_F(ChallengerTest, EachVariantsPredictionMeanAndDriftAreOnMetrics) {
  ChallengerOptions co;
  co.drift_window_rows = 30;
  Start(testing::WithTrainingProfile(Shifted(0.7), 0.7), "shadow", co, true,
        testing::WithTrainingProfile(testing::TinyBinaryModel()));
  double champion_sum = 0, challenger_sum = 0;
  int n = 0;
  auto send = [&](int age) {
    Predict(Instance(n, age), "r" + std::to_string(n));
    champion_sum += testing::TinyRedProb(age);
    challenger_sum += testing::TinyRedProb(age, 0.7);
    ++n;
  };
  for (int a = 20; a < 80; a += 2) send(a);  // 10 of 30 below 40, as in training
  challengers_.StopShadows();                // every shadow copy scored
  const Challenger* c = challengers_.Find("tiny");
  for (std::string_view v : {kChampion, kChallenger}) {
    const VariantDriftSnapshot d = c->stats(v).drift.Snapshot();
    EXPECT_TRUE(d.has_reference) << v;
    EXPECT_EQ(d.windows, 1u) << v;
    EXPECT_NEAR(d.last_psi, 0, 1e-12) << v;
    EXPECT_NEAR(d.last_js, 0, 1e-12) << v;
  }
  std::string m = Metrics();
  EXPECT_NE(m.find("keel_variant_prediction_psi{model=\"tiny\",variant=\"champion\"} 0\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("keel_variant_prediction_drift_windows_total{model=\"tiny\",variant="
                   "\"challenger\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_NEAR(c->stats(kChampion).drift.Snapshot().mean, champion_sum / n, 1e-12);
  EXPECT_NEAR(c->stats(kChallenger).drift.Snapshot().mean, challenger_sum / n, 1e-12);
}

// The same through the shadow queue (the challenger) and the request path (the champion), with
// a window of young customers only: both variants' predictions drift.
TEST_F(ChallengerTest, AShiftedWindowDriftsForBothVariants) {
  ChallengerOptions co;
  co.drift_window_rows = 30;
  Start(testing::WithTrainingProfile(Shifted(0.7), 0.7), "shadow", co, true,
        testing::WithTrainingProfile(testing::TinyBinaryModel()));
  for (int i = 0; i < 30; ++i) Predict(Instance(i, 25), "r");
  challengers_.StopShadows();
  const Challenger* c = challengers_.Find("tiny");
  for (std::string_view v : {kChampion, kChallenger}) {
    const VariantDriftSnapshot d = c->stats(v).drift.Snapshot();
    EXPECT_EQ(d.windows, 1u) << v;
    EXPECT_GT(d.last_psi, 1) << v;  // one bin holds it all: (1 - 1/3) ln 3 + ... ~ 6.6
    EXPECT_GT(d.last_js, 0.5) << v;
    EXPECT_NEAR(d.last_mean, testing::TinyRedProb(25, v == kChallenger ? 0.7 : 0), 1e-12) << v;
  }
  const nlohmann::json status = c->StatusJson("champ");
  EXPECT_EQ(status["challenger"]["prediction"]["count"], 30);
  EXPECT_GT(status["challenger"]["prediction"]["last_window"]["psi"].get<double>(), 1);
}

}  // namespace
}  // namespace keel::serve
