// End-to-end tests of `keel serve`: every route over real HTTP on a loopback port, against a
// hand-built model whose predictions and SHAP values are computed by hand (see
// src/serve/test_model.h).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "http_test_client.h"
#include "keel_process.h"
#include "model/model_io.h"
#include "serve/test_model.h"
#include "serve_process.h"

namespace keel::e2e {
namespace {

using nlohmann::json;

// P(yes) of the tiny model for a margin.
double Sigmoid(double m) {
  return 1.0 / (1.0 + std::exp(-m));
}

const std::string kInstanceA = R"({"customer_id":"c-1","age":30,"color":"red"})";  // -0.5
const std::string kInstanceB = R"({"age":50,"color":"blue","active":true})";       // 1.75

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_path_ = dir_.File("tiny.keel");
    ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), model_path_).ok());
  }
  std::unique_ptr<ServeProcess> Start(std::vector<std::string> extra = {},
                                      std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args = {"--model", model_path_};
    if (std::find(extra.begin(), extra.end(), "--log-db") == extra.end() &&
        std::find(extra.begin(), extra.end(), "--no-log") == extra.end()) {
      args.insert(args.end(), {"--log-db", dir_.File("log.db")});
    }
    args.insert(args.end(), extra.begin(), extra.end());
    auto p = std::make_unique<ServeProcess>(args, env);
    EXPECT_GT(p->port(), 0) << p->err();
    return p;
  }
  static json Json(const HttpReply& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }

  TempDir dir_;
  std::string model_path_;
};

TEST_F(ServeTest, HealthAndServerMetadata) {
  auto server = Start();
  HttpTestClient c(server->port());
  HttpReply r = c.Get("/v2/health/live");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json(r), json({{"live", true}}));
  r = c.Get("/v2/health/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json(r), json({{"ready", true}}));
  r = c.Get("/v2");
  EXPECT_EQ(r.status, 200);
  json meta = Json(r);
  EXPECT_EQ(meta["name"], "keel");
  EXPECT_TRUE(meta["version"].is_string());
  EXPECT_TRUE(meta["extensions"].is_array());
  EXPECT_EQ(r.headers["content-type"], "application/json");
}

TEST_F(ServeTest, ModelMetadataAndReadinessFollowTheProtocol) {
  auto server = Start();
  HttpTestClient c(server->port());
  HttpReply r = c.Get("/v2/models/tiny");
  ASSERT_EQ(r.status, 200) << r.body;
  json m = Json(r);
  EXPECT_EQ(m["name"], "tiny");
  EXPECT_EQ(m["platform"], "keel");
  ASSERT_EQ(m["versions"].size(), 1u);
  const std::string version = m["versions"][0];
  ASSERT_EQ(m["inputs"].size(), 4u);
  EXPECT_EQ(m["inputs"][0], json({{"name", "age"}, {"datatype", "FP32"}, {"shape", {-1}}}));
  EXPECT_EQ(m["inputs"][1], json({{"name", "color"}, {"datatype", "BYTES"}, {"shape", {-1}}}));
  EXPECT_EQ(m["outputs"][0]["name"], "probabilities");
  EXPECT_EQ(m["outputs"][0]["shape"], json({-1, 2}));
  EXPECT_EQ(m["parameters"]["classes"], json({"no", "yes"}));

  r = c.Get("/v2/models/tiny/ready");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Json(r), json({{"name", "tiny"}, {"ready", true}}));
  r = c.Get("/v2/models/tiny/versions/" + version + "/ready");
  EXPECT_EQ(r.status, 200);
  r = c.Get("/v2/models/tiny/versions/nope/ready");
  EXPECT_EQ(r.status, 404);
  r = c.Get("/v2/models/other");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(Json(r)["error"].get<std::string>().find("other"), std::string::npos);
  r = c.Get("/v2/models/tiny/infer");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["allow"], "POST");
  r = c.Get("/nowhere");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(Json(r)["error"].is_string());
}

TEST_F(ServeTest, RecordPredictGivesHandComputedProbabilities) {
  auto server = Start();
  HttpTestClient c(server->port());
  HttpReply r = c.PostJson("/v1/models/tiny/predict",
                           R"({"instances":[)" + kInstanceA + "," + kInstanceB + ",{}]}");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Json(r);
  EXPECT_EQ(j["model"], "tiny");
  EXPECT_TRUE(j["model_version"].is_string());
  EXPECT_FALSE(j["request_id"].get<std::string>().empty());
  EXPECT_EQ(r.headers["x-request-id"], j["request_id"]);
  const json& p = j["predictions"];
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0]["id"], "c-1");
  EXPECT_NEAR(p[0]["prob_yes"].get<double>(), Sigmoid(-0.5), 1e-12);
  EXPECT_NEAR(p[0]["prob_no"].get<double>(), 1 - Sigmoid(-0.5), 1e-12);
  EXPECT_EQ(p[0]["label"], "no");
  EXPECT_EQ(p[0]["anomalies"], json::array());
  EXPECT_NEAR(p[1]["prob_yes"].get<double>(), Sigmoid(1.75), 1e-12);
  EXPECT_EQ(p[1]["label"], "yes");
  EXPECT_FALSE(p[1].contains("id"));
  EXPECT_NEAR(p[2]["prob_yes"].get<double>(), Sigmoid(-1.25), 1e-12);  // all missing

  // A client's request id is kept.
  r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[{}]})", {{"X-Request-Id", "abc-1"}});
  EXPECT_EQ(Json(r)["request_id"], "abc-1");
}

TEST_F(ServeTest, AnomaliesAreTheSchemaVerdict) {
  auto server = Start();
  HttpTestClient c(server->port());
  HttpReply r =
      c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"age":150,"color":"purple"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json a = Json(r)["predictions"][0]["anomalies"];
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0], json({{"field", "age"}, {"kind", "out_of_range"}, {"value", 150}}));
  // A category the schema does not list is unseen_category, as docs/serving.md says (the
  // server used to report ingestion's name for it, new_category), in the answer, the metrics
  // and the prediction log alike.
  EXPECT_EQ(a[1], json({{"field", "color"}, {"kind", "unseen_category"}, {"value", "purple"}}));
  // The unseen color is missing: 1 (age >= 40) - 0.25 (missing color and active).
  EXPECT_NEAR(Json(r)["predictions"][0]["prob_yes"].get<double>(), Sigmoid(0.75), 1e-12);
  const std::string metrics = c.Get("/metrics").body;
  EXPECT_NE(
      metrics.find("keel_instance_anomalies_total{model=\"tiny\",kind=\"unseen_category\"} 1"),
      std::string::npos)
      << metrics;
  EXPECT_EQ(metrics.find("new_category"), std::string::npos) << metrics;
  server->Signal(SIGTERM);
  ASSERT_EQ(server->Wait(), 0) << server->err();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(dir_.File("log.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT output FROM predictions", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  const std::string logged = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_NE(logged.find("\"kind\":\"unseen_category\""), std::string::npos) << logged;
  EXPECT_EQ(logged.find("new_category"), std::string::npos) << logged;
}

TEST_F(ServeTest, ExplainGivesExactTreeShapAndTopReasons) {
  auto server = Start();
  HttpTestClient c(server->port());
  // Hand-computed TreeSHAP of instance A (see test_model.h): age -0.8, color 0.425,
  // active -0.1, signup 0, bias -0.025; they sum to the margin -0.5.
  HttpReply r = c.PostJson("/v1/models/tiny/explain", R"({"instances":[)" + kInstanceA + "]}");
  ASSERT_EQ(r.status, 200) << r.body;
  const json e = Json(r)["explanations"][0];
  EXPECT_EQ(e["id"], "c-1");
  const json shap = e["shap"];
  EXPECT_NEAR(shap["age"].get<double>(), -0.8, 1e-12);
  EXPECT_NEAR(shap["color"].get<double>(), 0.425, 1e-12);
  EXPECT_NEAR(shap["active"].get<double>(), -0.1, 1e-12);
  EXPECT_NEAR(shap["signup"].get<double>(), 0.0, 1e-12);
  EXPECT_NEAR(shap["bias"].get<double>(), -0.025, 1e-12);

  r = c.PostJson("/v1/models/tiny/predict", R"({"explain":2,"instances":[)" + kInstanceA + "]}");
  ASSERT_EQ(r.status, 200) << r.body;
  const json reasons = Json(r)["predictions"][0]["reasons"];
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0]["feature"], "age");
  EXPECT_EQ(reasons[0]["value"], 30);
  EXPECT_NEAR(reasons[0]["contribution"].get<double>(), -0.8, 1e-12);
  EXPECT_EQ(reasons[1]["feature"], "color");
  EXPECT_EQ(reasons[1]["value"], "red");

  r = c.PostJson("/v1/models/tiny/explain", R"({"explain":2,"instances":[{}]})");
  EXPECT_EQ(r.status, 400);
}

TEST_F(ServeTest, OpenInferenceProtocolInferPerFeatureAndMatrix) {
  auto server = Start();
  HttpTestClient c(server->port());
  // The protocol's example shape: an "id" echoed back, named inputs with shape and datatype,
  // nested data, and the requested outputs only.
  HttpReply r = c.PostJson("/v2/models/tiny/infer", R"({
      "id" : "42",
      "inputs" : [
        {"name" : "age", "shape" : [2], "datatype" : "FP32", "data" : [30, 50]},
        {"name" : "color", "shape" : [2, 1], "datatype" : "BYTES", "data" : [["red"], ["blue"]]},
        {"name" : "active", "shape" : [2], "datatype" : "BOOL", "data" : [false, true]}
      ],
      "outputs" : [{"name" : "probabilities"}]
    })");
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Json(r);
  EXPECT_EQ(j["id"], "42");
  EXPECT_EQ(j["model_name"], "tiny");
  ASSERT_EQ(j["outputs"].size(), 1u);
  const json& out = j["outputs"][0];
  EXPECT_EQ(out["name"], "probabilities");
  EXPECT_EQ(out["datatype"], "FP64");
  EXPECT_EQ(out["shape"], json({2, 2}));
  ASSERT_EQ(out["data"].size(), 4u);
  EXPECT_NEAR(out["data"][1].get<double>(), Sigmoid(-0.5), 1e-12);
  EXPECT_NEAR(out["data"][3].get<double>(), Sigmoid(1.75), 1e-12);

  // One FP32 matrix in metadata feature order (categorical as codes, null = missing), with
  // every output.
  r = c.PostJson("/v2/models/tiny/infer", R"({"inputs":[{"name":"input-0","shape":[2,4],
      "datatype":"FP32","data":[[30,0,null,null],[50,2,1,null]]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = Json(r);
  EXPECT_FALSE(j.contains("id"));
  ASSERT_EQ(j["outputs"].size(), 2u);
  EXPECT_NEAR(j["outputs"][0]["data"][1].get<double>(), Sigmoid(-0.5), 1e-12);
  EXPECT_EQ(j["outputs"][1]["name"], "label");
  EXPECT_EQ(j["outputs"][1]["datatype"], "BYTES");
  EXPECT_EQ(j["outputs"][1]["data"], json({"no", "yes"}));

  // The specification's literal example request does not fit this model: a clear 400 with
  // the protocol's error object.
  r = c.PostJson("/v2/models/tiny/infer", R"({
      "id" : "42",
      "inputs" : [
        {"name" : "input0", "shape" : [ 2, 2 ], "datatype" : "UINT32", "data" : [ 1, 2, 3, 4 ]},
        {"name" : "input1", "shape" : [ 3 ], "datatype" : "BOOL", "data" : [ true ]}
      ],
      "outputs" : [{"name" : "output0"}]
    })");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Json(r)["error"].is_string()) << r.body;

  // Shape and data must agree.
  r = c.PostJson("/v2/models/tiny/infer",
                 R"({"inputs":[{"name":"age","shape":[3],"datatype":"FP32","data":[1,2]}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(Json(r)["error"].get<std::string>().find("age"), std::string::npos);
}

TEST_F(ServeTest, StrictRejectsUnknownFieldsLenientCountsThem) {
  {
    auto server = Start();
    HttpTestClient c(server->port());
    HttpReply r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"agee":30}]})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(Json(r)["error"].get<std::string>().find("instances[0].agee"), std::string::npos)
        << r.body;
    r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"age":"old"}]})");
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(Json(r)["error"].get<std::string>().find("instances[0].age"), std::string::npos);
  }
  auto server = Start({"--lenient"});
  HttpTestClient c(server->port());
  HttpReply r = c.PostJson("/v1/models/tiny/predict",
                           R"({"instances":[{"agee":30,"age":"old","color":"red"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json p = Json(r)["predictions"][0];
  EXPECT_NEAR(p["prob_yes"].get<double>(), Sigmoid(-1 + 0.5), 1e-12);  // age read as missing
  EXPECT_EQ(p["anomalies"].size(), 2u);
  r = c.Get("/metrics");
  EXPECT_NE(r.body.find("keel_ignored_fields_total{model=\"tiny\",reason=\"unknown_field\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("keel_ignored_fields_total{model=\"tiny\",reason=\"wrong_type\"} 1"),
            std::string::npos);
}

TEST_F(ServeTest, MetricsArePrometheusText) {
  auto server = Start();
  HttpTestClient c(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(c.PostJson("/v1/models/tiny/predict", R"({"instances":[)" + kInstanceA + "]}").status,
              200);
  }
  EXPECT_EQ(c.PostJson("/v1/models/tiny/predict", "{").status, 400);
  HttpReply r = c.Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r.body;
  EXPECT_NE(m.find("keel_http_requests_total{route=\"v1_predict\",status=\"200\"} 3\n"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("keel_http_requests_total{route=\"v1_predict\",status=\"400\"} 1\n"),
            std::string::npos);
  EXPECT_NE(m.find("keel_http_request_duration_seconds_count{route=\"v1_predict\"} 4\n"),
            std::string::npos);
  EXPECT_NE(m.find("keel_model_info{model=\"tiny\",version=\""), std::string::npos);
  EXPECT_NE(m.find("keel_model_instances_total{model=\"tiny\"} 3\n"), std::string::npos);
  // P(yes) = 0.3775 falls in the (0.35, 0.4] bucket: 3 below 0.4, none below 0.35.
  EXPECT_NE(
      m.find("keel_prediction_value_bucket{model=\"tiny\",output=\"prob_yes\",le=\"0.4\"} 3\n"),
      std::string::npos);
  EXPECT_NE(
      m.find("keel_prediction_value_bucket{model=\"tiny\",output=\"prob_yes\",le=\"0.35\"} 0\n"),
      std::string::npos);
  EXPECT_NE(m.find("# TYPE keel_prediction_log_rows_dropped_total counter"), std::string::npos);
  // Every sample line is "name{labels} value" or "name value".
  size_t pos = 0;
  while (pos < m.size()) {
    const size_t e = m.find('\n', pos);
    ASSERT_NE(e, std::string::npos);
    const std::string line = m.substr(pos, e - pos);
    pos = e + 1;
    if (line.rfind("# ", 0) == 0) continue;
    EXPECT_NE(line.rfind(' '), std::string::npos) << line;
    EXPECT_EQ(line.rfind("keel_", 0), 0u) << line;
  }
}

TEST_F(ServeTest, AdminRoutesNeedTheBearerToken) {
  {
    auto server = Start();  // no token configured: admin routes are off
    HttpTestClient c(server->port());
    HttpReply r = c.Request("POST", "/v1/models/tiny/reload", "", {{"Authorization", "Bearer x"}});
    EXPECT_EQ(r.status, 403);
  }
  auto server = Start({}, {{"KEEL_ADMIN_TOKEN", "s3cret"}});
  HttpTestClient c(server->port());
  EXPECT_EQ(c.Request("POST", "/v1/models/tiny/reload").status, 401);
  EXPECT_EQ(
      c.Request("POST", "/v1/models/tiny/reload", "", {{"Authorization", "Bearer nope"}}).status,
      401);
  HttpReply r =
      c.Request("POST", "/v1/models/tiny/reload", "", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(c.Request("GET", "/v1/models/tiny/reload").status, 405);

  // The token may come from a file instead.
  WriteText(dir_.File("token"), "filetoken\n");
  auto server2 = Start({"--admin-token-file", dir_.File("token")});
  HttpTestClient c2(server2->port());
  EXPECT_EQ(
      c2.Request("POST", "/v1/models/tiny/reload", "", {{"Authorization", "Bearer filetoken"}})
          .status,
      200);
}

TEST_F(ServeTest, HotReloadSwapsAndRefusesACorruptFile) {
  auto server = Start({}, {{"KEEL_ADMIN_TOKEN", "t"}});
  HttpTestClient c(server->port());
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer t"}};
  auto prob = [&] {
    HttpReply r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[)" + kInstanceA + "]}");
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r)["predictions"][0]["prob_yes"].get<double>();
  };
  EXPECT_NEAR(prob(), Sigmoid(-0.5), 1e-12);
  const std::string v1 = Json(c.Get("/v2/models/tiny"))["versions"][0];

  // A new artifact: the age tree's leaves swapped, so instance A's margin is 1 + 0.5.
  Model m2 = serve::testing::TinyBinaryModel();
  std::swap(m2.forest.trees[0].nodes[1].value, m2.forest.trees[0].nodes[2].value);
  ASSERT_TRUE(SaveModel(m2, model_path_).ok());
  HttpReply r = c.Request("POST", "/v1/models/tiny/reload", "", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string v2 = Json(r)["version"];
  EXPECT_EQ(Json(r)["previous_version"], v1);
  EXPECT_NE(v2, v1);
  EXPECT_NEAR(prob(), Sigmoid(1.5), 1e-12);

  // A corrupt file is refused and version 2 keeps serving.
  std::string bytes = ReadText(model_path_);
  bytes[bytes.size() / 2] ^= 0x5a;
  WriteText(model_path_, bytes);
  r = c.Request("POST", "/v1/models/tiny/reload", "", auth);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(Json(r)["error"].get<std::string>().find("keeps serving"), std::string::npos);
  EXPECT_EQ(Json(r)["version"], v2);
  EXPECT_NEAR(prob(), Sigmoid(1.5), 1e-12);
  WriteText(model_path_, "not a model");
  EXPECT_EQ(c.Request("POST", "/v1/models/tiny/reload", "", auth).status, 422);
  EXPECT_NEAR(prob(), Sigmoid(1.5), 1e-12);

  // SIGHUP reloads from the file too.
  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), model_path_).ok());
  server->Signal(SIGHUP);
  bool back = false;
  for (int i = 0; i < 200 && !back; ++i) {
    back = std::fabs(prob() - Sigmoid(-0.5)) < 1e-12;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(back) << server->err();
  r = c.Get("/metrics");
  EXPECT_NE(r.body.find("keel_model_reloads_total{model=\"tiny\",result=\"ok\"} 2"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("keel_model_reloads_total{model=\"tiny\",result=\"error\"} 2"),
            std::string::npos);
}

// A reload whose artifact changes the request contract used to answer 200, after which
// every client's requests failed or changed meaning. Now it is refused with 409 and the
// differences, the old model keeps serving, and the refusal is counted; a server started
// with --allow-contract-change takes it.
TEST_F(ServeTest, ReloadThatChangesTheRequestContractIsRefusedWith409) {
  auto server = Start({}, {{"KEEL_ADMIN_TOKEN", "t"}});
  HttpTestClient c(server->port());
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer t"}};
  const std::string v1 = Json(c.Get("/v2/models/tiny"))["versions"][0];
  Model changed = serve::testing::TinyBinaryModel();
  changed.features[3].name = "joined";  // signup renamed: one feature removed, one added
  changed.schema.columns[5].name = "joined";
  changed.labels.classes = {"stay", "leave"};
  changed.schema.labels = changed.labels;
  ASSERT_TRUE(SaveModel(changed, model_path_).ok());
  HttpReply r = c.Request("POST", "/v1/models/tiny/reload", "", auth);
  ASSERT_EQ(r.status, 409) << r.body;
  json j = Json(r);
  EXPECT_EQ(j["version"], v1);
  EXPECT_EQ(j["contract_changes"], json::parse(R"([
      {"kind": "classes_changed", "from": ["no", "yes"], "to": ["stay", "leave"]},
      {"kind": "feature_removed", "name": "signup", "from": "timestamp"},
      {"kind": "feature_added", "name": "joined", "to": "timestamp"}])"));
  EXPECT_NE(j["error"].get<std::string>().find("--allow-contract-change"), std::string::npos);
  // Clients keep being answered by the old model, with the old classes.
  r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[)" + kInstanceA + "]}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NEAR(Json(r)["predictions"][0]["prob_yes"].get<double>(), Sigmoid(-0.5), 1e-12);
  EXPECT_EQ(Json(c.Get("/v2/models/tiny"))["versions"][0], v1);
  r = c.Get("/metrics");
  EXPECT_NE(r.body.find("keel_model_reloads_total{model=\"tiny\",result=\"contract_refused\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_TRUE(server->WaitForErr("changes the request contract")) << server->err();

  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), model_path_).ok());
  auto allowing = Start({"--allow-contract-change", "--log-db", dir_.File("log2.db")},
                        {{"KEEL_ADMIN_TOKEN", "t"}});
  HttpTestClient c2(allowing->port());
  ASSERT_TRUE(SaveModel(changed, model_path_).ok());
  r = c2.Request("POST", "/v1/models/tiny/reload", "", auth);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Json(r)["contract_changes"].size(), 3u);
  r = c2.PostJson("/v1/models/tiny/predict", R"({"instances":[)" + kInstanceA + "]}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Json(r)["predictions"][0].contains("prob_leave")) << r.body;
}

// The commands of a README's ```sh blocks, backslash continuations joined; a command whose
// quoted text spans lines (curl -d '{...}') keeps its newlines.
std::vector<std::string> ShellCommands(const std::string& markdown) {
  std::vector<std::string> out;
  std::istringstream in(markdown);
  std::string line, command;
  bool in_block = false;
  int quotes = 0;  // single quotes seen in the current command
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      in_block = line == "```sh";
      continue;
    }
    if (!in_block) continue;
    if (command.empty() && (line.empty() || line[0] == '#')) continue;
    quotes += static_cast<int>(std::count(line.begin(), line.end(), '\''));
    const bool continued = !line.empty() && line.back() == '\\';
    if (continued) line.pop_back();
    command += line;
    if (continued || quotes % 2 == 1) {
      command += continued ? " " : "\n";
      continue;
    }
    out.push_back(command);
    command.clear();
    quotes = 0;
  }
  return out;
}

std::vector<std::string> Words(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// examples/ads/README.md's serving example, run as written (its curl command used to get 415:
// it sent no JSON content type).
TEST(ServeReadmeExample, AdsRankCurlCommandIsAnswered) {
  if (RunProgram({"curl", "--version"}).exit_code != 0) GTEST_SKIP() << "curl is not installed";
  const std::string root = KEEL_SOURCE_DIR;
  const std::vector<std::string> commands =
      ShellCommands(ReadText(root + "/examples/ads/README.md"));
  TempDir dir;
  auto find = [&](const std::string& prefix) {
    for (const auto& c : commands) {
      if (c.rfind(prefix, 0) == 0) return c;
    }
    ADD_FAILURE() << "no `" << prefix << "` command in the README";
    return std::string();
  };
  // The README's paths are relative to the repository root; its model goes to the temp dir.
  auto localize = [&](std::vector<std::string> words) {
    for (auto& w : words) {
      if (w.rfind("examples/", 0) == 0) w = root + "/" + w;
      const size_t eq = w.find("=examples/");
      if (eq != std::string::npos) w = w.substr(0, eq + 1) + root + "/" + w.substr(eq + 1);
      if (w == "ads.keel") w = dir.File("ads.keel");
      if (w.size() > 9 && w.substr(w.size() - 9) == "=ads.keel") {
        w = w.substr(0, w.size() - 8) + dir.File("ads.keel");
      }
    }
    return std::vector<std::string>(words.begin() + 1, words.end());  // without "keel"
  };
  ProcessResult trained = RunKeel(localize(Words(find("keel train"))));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  std::vector<std::string> serve = localize(Words(find("keel serve")));
  ASSERT_EQ(serve[0], "serve");
  serve.erase(serve.begin());
  const auto port_flag = std::find(serve.begin(), serve.end(), "--port");
  if (port_flag != serve.end()) serve.erase(port_flag, port_flag + 2);  // a free port instead
  serve.push_back("--no-log");
  ServeProcess server(serve);
  ASSERT_GT(server.port(), 0) << server.err();
  std::string curl = find("curl");
  const size_t host = curl.find("localhost:8080");
  ASSERT_NE(host, std::string::npos) << curl;
  curl.replace(host, 14, "127.0.0.1:" + std::to_string(server.port()));
  curl.insert(4, " -w '\\nHTTP %{http_code}'");
  ProcessResult r = RunProgram({"sh", "-c", curl});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t status = r.out.rfind("\nHTTP ");
  ASSERT_NE(status, std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(status + 6), "200") << r.out;
  const json answer = json::parse(r.out.substr(0, status), nullptr, false);
  ASSERT_TRUE(answer.is_object()) << r.out;
  EXPECT_EQ(answer["objectives_source"], "server") << r.out;
  ASSERT_TRUE(answer["top"].is_array()) << r.out;
  EXPECT_EQ(answer["top"].size(), 3u) << r.out;  // three slots, as objectives.yaml says
}

TEST_F(ServeTest, SeveralModelsByName) {
  const std::string reg = dir_.File("reg.keel");
  ASSERT_TRUE(SaveModel(serve::testing::TinyRegressionModel(), reg).ok());
  const std::string multi = dir_.File("multi.keel");
  ASSERT_TRUE(SaveModel(serve::testing::TinyMulticlassModel(), multi).ok());
  auto server = Start({"--model", "price=" + reg, "--model", multi});
  HttpTestClient c(server->port());
  HttpReply r = c.PostJson("/v1/models/price/predict", R"({"instances":[{"age":30},{"age":60}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NEAR(Json(r)["predictions"][0]["prediction"].get<double>(), 8.0, 1e-12);
  EXPECT_NEAR(Json(r)["predictions"][1]["prediction"].get<double>(), 13.0, 1e-12);
  r = c.PostJson("/v1/models/multi/predict", R"({"instances":[{"age":30,"color":"red"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  // Margins (-1, 0.5, 0) through softmax.
  const double z = std::exp(-1.0) + std::exp(0.5) + 1.0;
  const json p = Json(r)["predictions"][0];
  EXPECT_NEAR(p["prob_a"].get<double>(), std::exp(-1.0) / z, 1e-12);
  EXPECT_NEAR(p["prob_b"].get<double>(), std::exp(0.5) / z, 1e-12);
  EXPECT_NEAR(p["prob_c"].get<double>(), 1.0 / z, 1e-12);
  EXPECT_EQ(p["label"], "b");
  r = c.PostJson("/v1/models/multi/explain", R"({"instances":[{"age":30,"color":"red"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json shap = Json(r)["explanations"][0]["shap"];
  EXPECT_NEAR(shap["a"]["age"].get<double>(), -0.8, 1e-12);
  EXPECT_NEAR(shap["b"]["color"].get<double>(), 0.425, 1e-12);
  EXPECT_EQ(c.Get("/v2/models/tiny").status, 200);
  EXPECT_EQ(c.Get("/v2/models/price").status, 200);
}

TEST_F(ServeTest, PiiNeverAppearsInClearInTheLog) {
  const std::string planted = "planted.person@example.org";
  const std::string log_db = dir_.File("log.db");
  {
    auto server = Start({}, {{"KEEL_PII_KEY", "k3y"}});
    HttpTestClient c(server->port());
    for (int i = 0; i < 5; ++i) {
      HttpReply r = c.PostJson("/v1/models/tiny/predict",
                               R"({"instances":[{"email":")" + planted + R"(","age":30}]})");
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.body.find(planted), std::string::npos) << "pii echoed in the answer";
    }
    server->Signal(SIGTERM);
    ASSERT_EQ(server->Wait(), 0) << server->err();
    EXPECT_EQ(server->err().find(planted), std::string::npos);
  }
  std::string bytes = ReadText(log_db) + ReadText(log_db + "-wal");
  ASSERT_GT(bytes.size(), 0u);
  EXPECT_EQ(bytes.find(planted), std::string::npos);
  EXPECT_EQ(bytes.find("planted.person"), std::string::npos);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(log_db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT count(*), min(subject), max(subject), min(inputs), "
                               "min(model), min(output) FROM predictions",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 5);
  const std::string subject = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
  EXPECT_EQ(subject.size(), 64u);  // hex HMAC-SHA256: stable pseudonym of one subject
  EXPECT_EQ(subject, reinterpret_cast<const char*>(sqlite3_column_text(st, 2)));
  const std::string inputs = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
  EXPECT_NE(inputs.find("\"email\":\"hmac-sha256:" + subject + "\""), std::string::npos) << inputs;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 4))), "tiny");
  const std::string output = reinterpret_cast<const char*>(sqlite3_column_text(st, 5));
  EXPECT_NE(output.find("prob_yes"), std::string::npos);
  sqlite3_finalize(st);
  sqlite3_close(db);

  // Without a key the pii column is dropped from the log.
  {
    auto server = Start({"--log-db", dir_.File("log2.db")});
    HttpTestClient c(server->port());
    ASSERT_EQ(
        c.PostJson("/v1/models/tiny/predict", R"({"instances":[{"email":")" + planted + R"("}]})")
            .status,
        200);
    server->Signal(SIGTERM);
    ASSERT_EQ(server->Wait(), 0);
  }
  bytes = ReadText(dir_.File("log2.db")) + ReadText(dir_.File("log2.db") + "-wal");
  EXPECT_EQ(bytes.find(planted), std::string::npos);
}

TEST_F(ServeTest, DurableLogCommitsBeforeAnswering) {
  auto server = Start({"--log-durable", "--log-db", dir_.File("durable.db")});
  HttpTestClient c(server->port());
  ASSERT_EQ(c.PostJson("/v1/models/tiny/predict",
                       R"({"instances":[)" + kInstanceA + "," + kInstanceB + "]}")
                .status,
            200);
  // Read while the server runs: the rows must already be committed.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(dir_.File("durable.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM predictions", -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 2);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(ServeTest, SigtermDrainsAnInFlightRequest) {
  auto server = Start();
  HttpTestClient c(server->port());
  HttpTestClient idle(server->port());
  ASSERT_EQ(idle.Get("/v2/health/live").status, 200);
  const std::string body = R"({"instances":[)" + kInstanceA + "]}";
  // Half a request is in flight when the server is told to stop.
  ASSERT_TRUE(
      c.SendRaw("POST /v1/models/tiny/predict HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/json\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server->Signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The idle keep-alive connection is closed; new connections are refused.
  EXPECT_TRUE(idle.WaitClosed(std::chrono::seconds(5)));
  ASSERT_TRUE(c.SendRaw(body.substr(10)));
  HttpReply r = c.ReadReply();
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(server->Wait(), 0) << server->err();
  HttpTestClient late(server->port());
  EXPECT_FALSE(late.connected());
}

TEST_F(ServeTest, StartupErrorsAreClear) {
  ProcessResult r = RunKeel({"serve", "--model", dir_.File("missing.keel"), "--port", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.keel"), std::string::npos) << r.err;
  WriteText(dir_.File("junk.keel"), "junk");
  r = RunKeel({"serve", "--model", dir_.File("junk.keel"), "--port", "0", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\"ok\":false"), std::string::npos) << r.out;
  r = RunKeel({"serve", "--model", "a b=" + model_path_, "--port", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("a b"), std::string::npos) << r.err;
  r = RunKeel({"serve", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--model", "--port", "--threads", "--lenient", "--log-db", "--no-log",
                           "--log-durable", "--max-body-bytes", "--max-instances",
                           "--max-connections", "--read-timeout-ms", "--admin-token-file"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

TEST_F(ServeTest, JsonFlagPrintsTheListeningAddress) {
  auto server = Start({"--json", "--no-log"});
  std::string out;
  for (int i = 0; i < 100 && out.find('\n') == std::string::npos; ++i) {
    out = server->out();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["port"], server->port());
  EXPECT_EQ(j["models"][0]["name"], "tiny");
  EXPECT_TRUE(j["prediction_log"].is_null());
}

// docs/serving.md documents every flag `keel serve --help` lists.
TEST(ServeDocs, EveryFlagIsDocumented) {
  const auto r = RunKeel({"serve", "--help"});
  ASSERT_EQ(r.exit_code, 0);
  const std::string doc = ReadText(std::string(KEEL_SOURCE_DIR) + "/docs/serving.md");
  ASSERT_FALSE(doc.empty());
  const std::vector<std::string> flags = HelpFlags(r.out);
  EXPECT_GE(flags.size(), 20u) << r.out;
  for (const std::string& flag : flags) {
    EXPECT_NE(doc.find("`" + flag), std::string::npos) << flag << " is not in docs/serving.md";
  }
}

}  // namespace
}  // namespace keel::e2e
