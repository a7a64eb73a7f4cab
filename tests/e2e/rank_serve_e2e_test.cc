// `keel serve --objectives`: POST /v1/models/{name}/rank with the server's objectives, over
// real HTTP, against the hand-built model of the serving tests (src/serve/test_model.h) whose
// probabilities are known: P(yes) = sigmoid(margin), margins below.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http_test_client.h"
#include "keel_process.h"
#include "model/model_io.h"
#include "serve/test_model.h"
#include "serve_process.h"

namespace keel::e2e {
namespace {

using nlohmann::json;

double Sigmoid(double m) {
  return 1.0 / (1.0 + std::exp(-m));
}

// Margins: A (30, red) -0.5; B (50, blue, active) 1.75; C (50, green) 1 - 0.25 = 0.75;
// D (20, blue, inactive) -1.25. `bid` is a request-only field the model never saw.
const char* kCandidates = R"({"candidates": [
  {"age": 30, "color": "red", "bid": 10},
  {"age": 50, "color": "blue", "active": true, "bid": 1},
  {"age": 50, "color": "green", "bid": 100},
  {"age": 20, "color": "blue", "active": false, "bid": 2}]})";

// retain = p, value = p * bid at weight 0.5, never a green one, two slots:
// A 0.3775 * (1 + 5) = 2.265, B 0.852 * 1.5 = 1.278, D 0.2227 * 2 = 0.445.
const char* kObjectives = R"(objectives:
  retain: p
  value: {expr: p * bid, weight: 0.5}
  constraints:
    - color != "green"
  fields: {bid: number}
  top: 2
)";

class RankServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_path_ = dir_.File("tiny.keel");
    ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), model_path_).ok());
    objectives_path_ = dir_.File("o.yaml");
    WriteText(objectives_path_, kObjectives);
  }
  static json Json(const HttpReply& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }
  static std::vector<int> Indexes(const json& j) {
    std::vector<int> out;
    for (const auto& t : j["top"]) out.push_back(t["index"].get<int>());
    return out;
  }

  TempDir dir_;
  std::string model_path_;
  std::string objectives_path_;
};

TEST_F(RankServeTest, ServerObjectivesRankRequestsWithoutTheirOwn) {
  ServeProcess server(
      {"--model", "tiny=" + model_path_, "--no-log", "--objectives", "tiny=" + objectives_path_});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  HttpReply r = c.PostJson("/v1/models/tiny/rank", kCandidates);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Json(r);
  EXPECT_EQ(j["objectives_source"], "server");
  EXPECT_EQ(j["candidates"], 4);
  EXPECT_EQ(j["eligible"], 3);  // the green one fails the constraint
  ASSERT_EQ(Indexes(j), (std::vector<int>{0, 1}));
  const double pa = Sigmoid(-0.5), pb = Sigmoid(1.75);
  EXPECT_NEAR(j["top"][0]["score"].get<double>(), pa + 0.5 * pa * 10, 1e-9);
  EXPECT_NEAR(j["top"][0]["objectives"]["value"].get<double>(), pa * 10, 1e-9);
  EXPECT_NEAR(j["top"][1]["objectives"]["retain"].get<double>(), pb, 1e-9);

  // A request's own objectives still win: by p alone B leads, and green is allowed.
  r = c.PostJson("/v1/models/tiny/rank",
                 std::string(R"({"objectives": {"retain": "p"}, "top": 3, )") + (kCandidates + 1));
  ASSERT_EQ(r.status, 200) << r.body;
  j = Json(r);
  EXPECT_EQ(j["objectives_source"], "request");
  EXPECT_EQ(Indexes(j), (std::vector<int>{1, 2, 0}));

  // The request's top overrides the server's.
  r = c.PostJson("/v1/models/tiny/rank", std::string(R"({"top": 1, )") + (kCandidates + 1));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Indexes(Json(r)), (std::vector<int>{0}));

  // A candidate without the declared field: a clear 400, not a crash.
  r = c.PostJson("/v1/models/tiny/rank", R"({"candidates": [{"age": 30, "color": "red"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(Json(r)["error"].get<std::string>().find("bid"), std::string::npos) << r.body;
}

TEST_F(RankServeTest, WithoutServerObjectivesTheRequestMustCarryThem) {
  ServeProcess server({"--model", "tiny=" + model_path_, "--no-log"});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  HttpReply r = c.PostJson("/v1/models/tiny/rank", kCandidates);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(Json(r)["error"].get<std::string>().find("--objectives tiny=O.yaml"), std::string::npos)
      << r.body;
}

TEST_F(RankServeTest, UnknownNameStopsTheServerWithFileLineAndName) {
  std::string text = kObjectives;
  text.replace(text.find("p * bid"), 7, "p * bidd");
  WriteText(objectives_path_, text);
  ProcessResult r = RunKeel({"serve", "--model", "tiny=" + model_path_, "--no-log", "--port", "0",
                             "--objectives", "tiny=" + objectives_path_},
                            "", 60);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(objectives_path_ + ":3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown name 'bidd'"), std::string::npos) << r.err;
  // A text literal against a numeric model column is refused at start too.
  text = kObjectives;
  text.replace(text.find("color != \"green\""), 16, "age == \"old\"");
  WriteText(objectives_path_, text);
  r = RunKeel({"serve", "--model", "tiny=" + model_path_, "--no-log", "--port", "0", "--objectives",
               "tiny=" + objectives_path_},
              "", 60);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("'age' is numeric"), std::string::npos) << r.err;
  // A model name that is not served.
  WriteText(objectives_path_, kObjectives);
  r = RunKeel({"serve", "--model", "tiny=" + model_path_, "--no-log", "--port", "0", "--objectives",
               "other=" + objectives_path_},
              "", 60);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no model 'other' is served"), std::string::npos) << r.err;
}

TEST_F(RankServeTest, ObjectivesAreReReadWhenTheModelReloads) {
  ServeProcess server(
      {"--model", "tiny=" + model_path_, "--no-log", "--objectives", objectives_path_},
      {{"KEEL_ADMIN_TOKEN", "t"}});
  ASSERT_GT(server.port(), 0) << server.err();
  HttpTestClient c(server.port());
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer t"}};
  ASSERT_EQ(Indexes(Json(c.PostJson("/v1/models/tiny/rank", kCandidates))),
            (std::vector<int>{0, 1}));

  // Edited file: retain only, three slots. Unchanged until the model reloads.
  WriteText(objectives_path_, "objectives:\n  retain: p\n  top: 3\n");
  EXPECT_EQ(Indexes(Json(c.PostJson("/v1/models/tiny/rank", kCandidates))),
            (std::vector<int>{0, 1}));
  ASSERT_EQ(c.Request("POST", "/v1/models/tiny/reload", "", auth).status, 200);
  EXPECT_EQ(Indexes(Json(c.PostJson("/v1/models/tiny/rank", kCandidates))),
            (std::vector<int>{1, 2, 0}));

  // A file that no longer fits the model: rank answers 422 with the reason, predict still
  // works, and the next good reload recovers.
  WriteText(objectives_path_, "objectives:\n  retain: p * nope\n");
  ASSERT_EQ(c.Request("POST", "/v1/models/tiny/reload", "", auth).status, 200);
  HttpReply r = c.PostJson("/v1/models/tiny/rank", kCandidates);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(Json(r)["error"].get<std::string>().find("nope"), std::string::npos) << r.body;
  EXPECT_EQ(c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"age":30}]})").status, 200);
  WriteText(objectives_path_, kObjectives);
  ASSERT_EQ(c.Request("POST", "/v1/models/tiny/reload", "", auth).status, 200);
  EXPECT_EQ(Indexes(Json(c.PostJson("/v1/models/tiny/rank", kCandidates))),
            (std::vector<int>{0, 1}));
}

}  // namespace
}  // namespace keel::e2e
