// The server against hostile and broken clients: malformed HTTP, malformed and deeply nested
// JSON, huge bodies, wrong content types, slow clients, random bytes, too many connections.
// After each, the server must still be up and answer the next good request.
#include <gtest/gtest.h>

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

const std::string kGood = R"({"instances":[{"age":30,"color":"red"}]})";

class ServeBadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), dir_->File("tiny.keel")).ok());
    server_ = new ServeProcess({"--model", dir_->File("tiny.keel"), "--no-log", "--max-body-bytes",
                                "4096", "--max-header-bytes", "2048", "--max-instances", "3",
                                "--read-timeout-ms", "600", "--max-connections", "16"});
    ASSERT_GT(server_->port(), 0) << server_->err();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  void TearDown() override {
    // The server survived and still answers a good request on a fresh connection.
    HttpTestClient c(port());
    ASSERT_TRUE(c.connected()) << server_->err();
    HttpReply r = c.PostJson("/v1/models/tiny/predict", kGood);
    EXPECT_EQ(r.status, 200) << r.body << server_->err();
  }
  static int port() { return server_->port(); }
  static std::string ErrorOf(const HttpReply& r) {
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("error")) return "";
    return j["error"];
  }

  static TempDir* dir_;
  static ServeProcess* server_;
};
TempDir* ServeBadInputTest::dir_ = nullptr;
ServeProcess* ServeBadInputTest::server_ = nullptr;

TEST_F(ServeBadInputTest, MalformedRequestLineGets400AndClose) {
  for (const std::string raw : {"HELLO\r\n\r\n", "GET\r\n\r\n", "GET /v2 HTTX/1.1\r\n\r\n",
                                "POST /x HTTP/1.1\r\nContent-Length: zz\r\n\r\n",
                                "GET /v2 HTTP/1.1\r\nBad Header Line\r\n\r\n"}) {
    HttpTestClient c(port());
    ASSERT_TRUE(c.SendRaw(raw));
    HttpReply r = c.ReadReply(std::chrono::seconds(5));
    EXPECT_EQ(r.status, 400) << raw << " -> " << r.body;
    EXPECT_NE(ErrorOf(r).find("malformed HTTP"), std::string::npos) << r.body;
    EXPECT_TRUE(c.WaitClosed(std::chrono::seconds(5)));
  }
}

TEST_F(ServeBadInputTest, RandomBytesNeverCrashTheServer) {
  std::mt19937 rng(7);
  for (int round = 0; round < 40; ++round) {
    std::string junk(1 + rng() % 3000, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    if (round % 2 == 1) junk = "POST /v1/models/tiny/predict HTTP/1.1\r\n" + junk;
    HttpTestClient c(port());
    c.SendRaw(junk);
    c.ReadReply(std::chrono::milliseconds(1500));  // whatever it answers, if anything
  }
}

TEST_F(ServeBadInputTest, MalformedJsonGets400WithPosition) {
  HttpTestClient c(port());
  for (const std::string body :
       {"{", "{\"instances\":[{\"age\":}]}", "{\"instances\":[1,]}", "nul", "{\"instances\":\"x\"}",
        "\"\\u12\"", "{\"instances\":[{\"age\":1e999}]}"}) {
    HttpReply r = c.PostJson("/v1/models/tiny/predict", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_FALSE(ErrorOf(r).empty()) << r.body;
    EXPECT_FALSE(r.closed);  // a bad body does not cost the connection
  }
  HttpReply r = c.PostJson("/v1/models/tiny/predict", "{\"instances\":[\n{\"age\":30,}]}");
  EXPECT_NE(ErrorOf(r).find("line 2"), std::string::npos) << r.body;
  // Invalid UTF-8 inside a string.
  r = c.PostJson("/v1/models/tiny/predict", "{\"instances\":[{\"color\":\"\xff\xfe\"}]}");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(c.PostJson("/v2/models/tiny/infer", "{\"inputs\":[{\"name\":}]}").status, 400);
}

TEST_F(ServeBadInputTest, DeeplyNestedJsonGets400) {
  HttpTestClient c(port());
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  HttpReply r = c.PostJson("/v1/models/tiny/predict", "{\"instances\":[{\"age\":" + deep + "}]}");
  EXPECT_EQ(r.status, 400) << r.body;
  r = c.PostJson("/v1/models/tiny/predict", "{\"instances\":" + deep + "}");
  EXPECT_EQ(r.status, 400) << r.body;
  r = c.PostJson(
      "/v2/models/tiny/infer",
      R"({"inputs":[{"name":"age","shape":[1],"datatype":"FP32","data":)" + deep + "}]}");
  EXPECT_EQ(r.status, 400) << r.body;
  r = c.PostJson("/v1/models/tiny/predict", std::string(3000, '['));
  EXPECT_EQ(r.status, 400) << r.body;
}

TEST_F(ServeBadInputTest, HugeBodiesGet413) {
  {
    // Announced by Content-Length: refused before the body is read.
    HttpTestClient c(port());
    ASSERT_TRUE(
        c.SendRaw("POST /v1/models/tiny/predict HTTP/1.1\r\nHost: x\r\n"
                  "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"));
    HttpReply r = c.ReadReply();
    EXPECT_EQ(r.status, 413) << r.body;
    EXPECT_NE(ErrorOf(r).find("4096"), std::string::npos) << r.body;
    EXPECT_TRUE(r.closed);
  }
  {
    // Chunked: refused once the limit is passed.
    HttpTestClient c(port());
    std::string chunk(3000, ' ');
    std::string raw =
        "POST /v1/models/tiny/predict HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) raw += "bb8\r\n" + chunk + "\r\n";
    c.SendRaw(raw);
    HttpReply r = c.ReadReply();
    EXPECT_EQ(r.status, 413) << r.body;
  }
  {
    // Too many instances.
    HttpTestClient c(port());
    HttpReply r = c.PostJson("/v1/models/tiny/predict", R"({"instances":[{},{},{},{}]})");
    EXPECT_EQ(r.status, 413) << r.body;
    EXPECT_NE(ErrorOf(r).find("--max-instances"), std::string::npos);
  }
  {
    // A huge header.
    HttpTestClient c(port());
    c.SendRaw("GET /v2 HTTP/1.1\r\nX-Big: " + std::string(5000, 'a') + "\r\n\r\n");
    HttpReply r = c.ReadReply();
    EXPECT_EQ(r.status, 431) << r.body;
  }
}

TEST_F(ServeBadInputTest, WrongContentTypeGets415) {
  HttpTestClient c(port());
  HttpReply r = c.Request("POST", "/v1/models/tiny/predict", kGood,
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 415) << r.body;
  // The answer names the header to send (curl -d sends the form type unless told).
  EXPECT_NE(r.body.find("Content-Type: application/json"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("curl -d"), std::string::npos) << r.body;
  r = c.Request("POST", "/v2/models/tiny/infer", "<xml/>", {{"Content-Type", "text/xml"}});
  EXPECT_EQ(r.status, 415) << r.body;
  r = c.Request("POST", "/v1/models/tiny/predict", kGood,
                {{"Content-Type", "Application/JSON; charset=utf-8"}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ServeBadInputTest, SlowClientsGet408WhileOthersAreServed) {
  HttpTestClient slow(port());
  const std::string req =
      "POST /v1/models/tiny/predict HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(kGood.size()) + "\r\n\r\n" + kGood;
  const auto start = std::chrono::steady_clock::now();
  bool got = false;
  HttpReply r;
  // Dribble one byte every 100 ms: the 600 ms read timeout must cut it off.
  for (size_t i = 0; i < req.size() && !got; ++i) {
    if (!slow.SendRaw(req.substr(i, 1))) break;
    // Meanwhile a normal client is served promptly.
    if (i == 2) {
      HttpTestClient fast(port());
      EXPECT_EQ(fast.PostJson("/v1/models/tiny/predict", kGood).status, 200);
    }
    r = slow.ReadReply(std::chrono::milliseconds(100));
    got = r.status != 0 || r.closed;
  }
  if (!got) r = slow.ReadReply(std::chrono::seconds(3));
  EXPECT_EQ(r.status, 408) << r.body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));

  // A client that opens a request and goes silent.
  HttpTestClient silent(port());
  silent.SendRaw("GET /v2 HTTP/1.1\r\n");
  r = silent.ReadReply(std::chrono::seconds(3));
  EXPECT_EQ(r.status, 408) << r.body;
  EXPECT_TRUE(silent.WaitClosed(std::chrono::seconds(3)));
}

TEST_F(ServeBadInputTest, ConnectionsBeyondTheLimitGet503) {
  std::vector<std::unique_ptr<HttpTestClient>> held;
  for (int i = 0; i < 16; ++i) {
    held.push_back(std::make_unique<HttpTestClient>(port()));
    ASSERT_EQ(held.back()->Get("/v2/health/live").status, 200) << i;
  }
  HttpTestClient extra(port());
  HttpReply r = extra.ReadReply(std::chrono::seconds(5));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(ErrorOf(r).find("--max-connections"), std::string::npos) << r.body;
  held.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the server see the closes
}

TEST_F(ServeBadInputTest, PipelinedRequestsAreAnsweredInOrder) {
  HttpTestClient c(port());
  std::string raw;
  for (int i = 0; i < 3; ++i) {
    raw += "POST /v1/models/tiny/predict HTTP/1.1\r\nHost: x\r\nX-Request-Id: r" +
           std::to_string(i) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(kGood.size()) +
           "\r\n\r\n" + kGood;
  }
  ASSERT_TRUE(c.SendRaw(raw));
  for (int i = 0; i < 3; ++i) {
    HttpReply r = c.ReadReply();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["x-request-id"], "r" + std::to_string(i));
  }
}

TEST_F(ServeBadInputTest, ExpectContinueIsHonoured) {
  HttpTestClient c(port());
  ASSERT_TRUE(
      c.SendRaw("POST /v1/models/tiny/predict HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                "Content-Length: " +
                std::to_string(kGood.size()) + "\r\n\r\n"));
  HttpReply r = c.ReadReply(std::chrono::seconds(2));
  EXPECT_EQ(r.status, 100);
  ASSERT_TRUE(c.SendRaw(kGood));
  r = c.ReadReply();
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace keel::e2e
