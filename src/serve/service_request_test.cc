// The server's request path in process: raw HTTP bytes through ServeConnectionBytes
// (http_exchange.h) into Service::Handle with the tiny test models, as the HTTP fuzz target
// (tests/fuzz/http_request_fuzzer.cc) drives it. Regression tests of its findings live here.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/model_io.h"
#include "serve/http_exchange.h"
#include "serve/model_store.h"
#include "serve/service.h"
#include "serve/test_model.h"

namespace keel::serve {
namespace {

struct Reply {
  int status;
  std::string body;
  nlohmann::json json;
  Route route;
};

class ServiceRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("keel_service_request_test_" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    Add("tiny", testing::TinyBinaryModel());
    Add("multi", testing::TinyMulticlassModel());
    Add("reg", testing::TinyRegressionModel());
    ServiceOptions o;
    o.admin_token = "token";
    o.max_instances = 32;
    service_ = std::make_unique<Service>(o, &store_, nullptr, &metrics_);
    service_->SetReady(true);
  }
  void TearDown() override {
    service_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void Add(const std::string& name, Model model) {
    const std::string path = (dir_ / (name + ".keel")).string();
    ASSERT_TRUE(SaveModel(model, path).ok());
    auto served = ServedModel::FromModel(name, std::move(model), "v1", path);
    ASSERT_TRUE(served.ok()) << served.status().ToString();
    ASSERT_TRUE(store_.Add(name, path, *served).ok());
  }
  std::vector<Reply> Send(std::string_view bytes) {
    std::vector<Reply> out;
    ServeConnectionBytes(
        bytes, HttpServerOptions{}, service_.get(), &metrics_, [&](const ExchangedResponse& e) {
          Reply r{e.response->status, e.response->body, nullptr, e.response->route};
          r.json = nlohmann::json::parse(r.body, nullptr, false);
          out.push_back(std::move(r));
        });
    return out;
  }
  static std::string Post(std::string_view target, std::string_view body,
                          std::string_view extra = "") {
    return "POST " + std::string(target) + " HTTP/1.1\r\nContent-Type: application/json\r\n" +
           std::string(extra) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
  }

  std::filesystem::path dir_;
  HttpMetrics metrics_;
  ModelStore store_;
  std::unique_ptr<Service> service_;
};

TEST_F(ServiceRequestTest, PipelinedRoutesAnswerInOrder) {
  const auto r =
      Send("GET /v2/health/live HTTP/1.1\r\n\r\n" +
           Post("/v1/models/tiny/predict", R"({"instances":[{"age":30,"color":"red"}]})") +
           Post("/v2/models/reg/infer",
                R"({"inputs":[{"name":"age","shape":[1],"datatype":"FP32","data":[50]}]})") +
           "GET /v2/models/multi/ready HTTP/1.1\r\n\r\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].json, nlohmann::json({{"live", true}}));
  ASSERT_EQ(r[1].status, 200) << r[1].body;
  EXPECT_NEAR(r[1].json["predictions"][0]["prob_yes"].get<double>(), 0.3775406687981454, 1e-12);
  ASSERT_EQ(r[2].status, 200) << r[2].body;
  EXPECT_EQ(r[2].json["outputs"][0]["data"][0], 13.0);
  EXPECT_EQ(r[3].status, 200);
}

TEST_F(ServiceRequestTest, ReloadNeedsTheTokenAndSwapsTheModel) {
  auto r = Send(Post("/v1/models/tiny/reload", "", "Authorization: Bearer wrong\r\n"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 401);
  r = Send(Post("/v1/models/tiny/reload", "", "Authorization: Bearer token\r\n"));
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].status, 200) << r[0].body;
  EXPECT_EQ(r[0].json["previous_version"], "v1");
  EXPECT_NE(r[0].json["version"], "v1");
}

// A reload whose artifact changes the request contract (here: the task) is refused with 409
// and the differences, on the HTTP route and on SIGHUP, and counted; the old model keeps
// serving. ?allow_contract_change=true lets one reload through. (Such reloads used to answer
// 200, after which every client's requests failed.)
TEST_F(ServiceRequestTest, ReloadThatChangesTheRequestContractIsRefusedWith409) {
  ASSERT_TRUE(SaveModel(testing::TinyRegressionModel(), (dir_ / "tiny.keel").string()).ok());
  const std::string auth = "Authorization: Bearer token\r\n";
  auto r = Send(Post("/v1/models/tiny/reload", "", auth));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 409) << r[0].body;
  EXPECT_EQ(r[0].json["version"], "v1");
  EXPECT_EQ(
      r[0].json["contract_changes"],
      nlohmann::json::parse(R"([{"kind": "task_changed", "from": "binary", "to": "regression"}])"));
  const std::string error = r[0].json["error"];
  EXPECT_NE(error.find("task binary -> regression"), std::string::npos) << error;
  EXPECT_NE(error.find("--allow-contract-change"), std::string::npos) << error;
  EXPECT_EQ(store_.Find("tiny")->Get()->model().task, Task::kBinary);

  service_->OnReloadSignal();  // SIGHUP: refused the same way
  EXPECT_EQ(store_.Find("tiny")->Get()->model().task, Task::kBinary);
  std::string metrics;
  service_->AppendMetrics(&metrics);
  EXPECT_NE(metrics.find("keel_model_reloads_total{model=\"tiny\",result=\"contract_refused\"} 2"),
            std::string::npos)
      << metrics;

  r = Send(Post("/v1/models/tiny/reload?allow_contract_change=true", "", auth));
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0].status, 200) << r[0].body;
  EXPECT_EQ(r[0].json["reloaded"], true);
  EXPECT_EQ(r[0].json["contract_changes"].size(), 1u);
  EXPECT_EQ(store_.Find("tiny")->Get()->model().task, Task::kRegression);
}

// Regression (HTTP fuzz target): an error quoting a path with bytes that are not UTF-8
// answered a body that was not valid JSON.
TEST_F(ServiceRequestTest, ErrorQuotingANonUtf8PathIsValidJson) {
  const auto r =
      Send("GET /metrics\xFFx=\xC3 HTTP/1.1\r\n\r\n" + Post("/v1/models/t\xE9/predict", "{}") +
           "POST /v1/models/tiny/predict HTTP/1.1\r\nContent-Type: text/\xFF\r\n"
           "Content-Length: 2\r\n\r\n{}");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status, 404);
  EXPECT_EQ(r[1].status, 404);
  EXPECT_EQ(r[2].status, 415);
  for (const Reply& x : r) {
    ASSERT_TRUE(x.json.is_object()) << x.body;
    EXPECT_NE(x.json["error"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
  }
}

// Which route each path form reaches and what it answers: the trailing slashes, versions and
// empty names the route patterns accept, the paths they do not, and the checks in order
// (method, auth, content type, model, version).
TEST_F(ServiceRequestTest, EveryPathFormReachesItsRoute) {
  const std::string v = store_.Find("tiny")->Get()->version();
  struct Case {
    std::string request;
    int status;
    Route route;
  };
  auto get = [](std::string_view path, std::string_view method = "GET") {
    return std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n\r\n";
  };
  const std::string infer =
      R"({"inputs":[{"name":"age","shape":[1],"datatype":"FP32","data":[5]}]})";
  const std::vector<Case> cases = {
      {get("/v2/health/live"), 200, Route::kHealthLive},
      {get("/v2/health/live/"), 404, Route::kOther},
      {get("/v2/health/ready?x=1"), 200, Route::kHealthReady},
      {get("/v2"), 200, Route::kServerMetadata},
      {get("/v2/"), 200, Route::kServerMetadata},
      {get("/v2//"), 404, Route::kOther},
      {get("/v2/models"), 404, Route::kOther},
      {get("/v2/models/tiny"), 200, Route::kModelMetadata},
      {get("/v2/models/tiny/"), 200, Route::kModelMetadata},
      {get("/v2/models/tiny/versions/" + v), 200, Route::kModelMetadata},
      {get("/v2/models/tiny/versions/" + v + "/"), 200, Route::kModelMetadata},
      {get("/v2/models/tiny/versions/"), 200, Route::kModelMetadata},
      {get("/v2/models/tiny/versions/nope"), 404, Route::kModelMetadata},
      {get("/v2/models/tiny/versions/" + v + "/ready"), 200, Route::kModelReady},
      {get("/v2/models/tiny/versions/nope/ready"), 404, Route::kModelReady},
      {get("/v2/models/tiny/ready"), 200, Route::kModelReady},
      {get("/v2/models/tiny/ready/"), 404, Route::kOther},
      {get("/v2/models/nope/ready"), 404, Route::kModelReady},
      {get("/v2/models//ready"), 404, Route::kModelReady},
      {get("/v2/models/versions/ready"), 404, Route::kModelReady},
      {get("/v2/models/tiny/other"), 404, Route::kOther},
      {get("/v2/models/tiny/versions/1/versions/2"), 404, Route::kOther},
      {Post("/v2/models/reg/infer", infer), 200, Route::kInfer},
      {Post("/v2/models/reg/versions/" + store_.Find("reg")->Get()->version() + "/infer", infer),
       200, Route::kInfer},
      {Post("/v2/models/reg/versions/nope/infer", infer), 404, Route::kInfer},
      {get("/v2/models/reg/infer", "PUT"), 405, Route::kInfer},
      {Post("/v1/models/tiny/predict", R"({"instances":[{"age":30}]})"), 200, Route::kPredict},
      {Post("/v1/models/tiny/predict/", "{}"), 404, Route::kOther},
      {Post("/v1/models//predict", "{}"), 404, Route::kPredict},
      {get("/v1/models/tiny/predict"), 405, Route::kPredict},
      {get("/v1/models/nope/predict"), 405, Route::kPredict},
      {Post("/v1/models/tiny/explain", R"({"instances":[{"age":30}]})"), 200, Route::kExplain},
      {Post("/v1/models/tiny/reload", ""), 401, Route::kReload},
      {Post("/v1/models/nope/reload", ""), 401, Route::kReload},
      {Post("/v1/models/nope/reload", "", "Authorization: Bearer token\r\n"), 404, Route::kReload},
      {get("/v1/models/tiny/reload"), 405, Route::kReload},
      {get("/v1/models/tiny/drift"), 422, Route::kDrift},
      {get("/v1/models/nope/drift"), 404, Route::kDrift},
      {get("/v1/models/tiny/drift", "POST"), 405, Route::kDrift},
      {Post("/v1/models/tiny/rank", "{}"), 400, Route::kRank},
      {get("/v1/models/tiny/unknown"), 404, Route::kOther},
      {get("/v1/models/tiny"), 404, Route::kOther},
      {get("/metrics"), 200, Route::kMetrics},
      {get("/metrics", "HEAD"), 405, Route::kMetrics},
      {get("/metrics/"), 404, Route::kOther},
      {get("/METRICS"), 404, Route::kOther},
      {get("/"), 404, Route::kOther},
  };
  for (const Case& c : cases) {
    const auto r = Send(c.request);
    ASSERT_EQ(r.size(), 1u) << c.request;
    EXPECT_EQ(r[0].status, c.status) << c.request << r[0].body;
    EXPECT_EQ(RouteName(r[0].route), RouteName(c.route)) << c.request;
  }
}

// A 405 names the method the route takes in an Allow header; a 415 comes before the model
// lookup, so it answers the same for any name.
TEST_F(ServiceRequestTest, WrongMethodAndContentTypeAnswersNameWhatToSend) {
  auto r = Send("DELETE /v1/models/tiny/predict HTTP/1.1\r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 405);
  EXPECT_EQ(r[0].json["error"], "/v1/models/tiny/predict takes POST only");
  r = Send(
      "POST /v1/models/nope/predict HTTP/1.1\r\nContent-Type: text/plain\r\n"
      "Content-Length: 2\r\n\r\n{}");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 415);
}

}  // namespace
}  // namespace keel::serve
