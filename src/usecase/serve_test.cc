// The serve use case in process: started, answering, stopped through ServeControl (as a
// Python binding or a caller with its own signal handling stops it), and its start errors.
#include "usecase/serve.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "model/model_io.h"
#include "serve/test_model.h"

namespace keel::usecase {
namespace {

class ServeUseCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("keel_serve_usecase_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    model_ = (dir_ / "tiny.keel").string();
    ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), model_).ok());
    request_.models = {model_};
    request_.port = 0;
    request_.handle_signals = false;
    request_.log_db = (dir_ / "log.db").string();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path dir_;
  std::string model_;
  ServeRequest request_;
};

// One HTTP/1.1 exchange over a fresh connection: the whole answer, "" on a socket error.
std::string Exchange(uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size())) {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) answer.append(buf, n);
  }
  ::close(fd);
  return answer;
}

TEST_F(ServeUseCaseTest, ServesUntilStoppedAndLogsWhatItAnswered) {
  ServeControl control;
  std::promise<ServeStarted> started;
  auto run = std::async(std::launch::async, [&] {
    return Serve(request_, Context{}, &control,
                 [&](const ServeStarted& s) { started.set_value(s); });
  });
  auto ready = started.get_future();
  ASSERT_EQ(ready.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  const ServeStarted s = ready.get();
  ASSERT_GT(s.port, 0);
  EXPECT_EQ(s.ToText(), "keel: listening on http://127.0.0.1:" + std::to_string(s.port) + "\n");
  const nlohmann::json j = s.ToJson();
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["port"], s.port);
  ASSERT_EQ(j["models"].size(), 1u);
  EXPECT_EQ(j["models"][0]["name"], "tiny");
  EXPECT_EQ(j["models"][0]["path"], model_);
  EXPECT_EQ(j["prediction_log"], request_.log_db);

  const std::string body = R"({"instances":[{"age":30,"color":"red"},{"age":50}]})";
  const std::string answer =
      Exchange(s.port,
               "POST /v1/models/tiny/predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               "Content-Type: application/json\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 200") << answer;
  EXPECT_NE(answer.find("0.3775406687981454"), std::string::npos) << answer;

  control.Stop();
  ASSERT_EQ(run.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto result = run.get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->started.port, s.port);
  EXPECT_EQ(result->log.rows_written, 2u);  // flushed before Serve returned
  EXPECT_EQ(result->log.rows_dropped, 0u);
}

TEST_F(ServeUseCaseTest, AStopBeforeTheServerListensEndsItAsSoonAsItStarts) {
  request_.no_log = true;
  ServeControl control;
  control.Stop();
  bool called = false;
  auto result = Serve(request_, Context{}, &control, [&](const ServeStarted& s) {
    called = true;
    EXPECT_TRUE(s.prediction_log.empty());
    EXPECT_TRUE(s.ToJson()["prediction_log"].is_null());
  });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(called);
  EXPECT_EQ(result->log.rows_written, 0u);
}

TEST_F(ServeUseCaseTest, StartErrorsNameWhatIsWrong) {
  ServeRequest none = request_;
  none.models.clear();
  EXPECT_EQ(Serve(none, Context{}).status().code(), StatusCode::kInvalidArgument);

  ServeRequest port = request_;
  port.port = 70000;
  EXPECT_EQ(Serve(port, Context{}).status().code(), StatusCode::kInvalidArgument);

  ServeRequest objectives = request_;
  objectives.objectives = {"other=" + (dir_ / "o.yaml").string()};
  auto st = Serve(objectives, Context{}).status();
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("no model 'other' is served (models: tiny)"), std::string::npos)
      << st.ToString();

  ServeRequest retention = request_;
  retention.log_retention = "5q";
  EXPECT_EQ(Serve(retention, Context{}).status().code(), StatusCode::kInvalidArgument);

  ServeRequest missing = request_;
  missing.models = {"m=" + (dir_ / "absent.keel").string()};
  EXPECT_FALSE(Serve(missing, Context{}).ok());

  Context cancelled;
  cancelled.cancel = std::make_shared<CancelFlag>();
  cancelled.cancel->Cancel();
  EXPECT_EQ(Serve(request_, cancelled).status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace keel::usecase
