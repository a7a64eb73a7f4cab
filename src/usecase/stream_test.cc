#include "usecase/stream.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "model/model_io.h"
#include "serve/test_model.h"

namespace keel::usecase {
namespace {

void WriteAll(int fd, const std::string& text) {
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

// A stream waiting on a quiet input stops with Cancelled once the caller cancels and the input
// wakes it, after scoring what it had: what the Python package does on Ctrl-C.
TEST(StreamUseCase, CancellingStopsTheStreamAfterTheLinesItHas) {
  const std::string model = (std::filesystem::temp_directory_path() /
                             ("keel_stream_cancel_" + std::to_string(::getpid()) + ".keel"))
                                .string();
  ASSERT_TRUE(SaveModel(serve::testing::TinyBinaryModel(), model).ok());
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);

  StreamRequest request;
  request.model_path = model;
  request.drift_windows = false;
  Context ctx;
  ctx.num_threads = 1;
  ctx.cancel = std::make_shared<CancelFlag>();
  auto run =
      std::async(std::launch::async, [&] { return Stream(request, ctx, fds[0], out, stdout); });
  WriteAll(fds[1], "{\"age\": 30, \"color\": \"red\"}\n{\"age\": 50, \"color\": \"blue\"}\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(run.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout)
      << "the stream ended before its input did";
  ctx.cancel->Cancel();
  WriteAll(fds[1], "{\"age\": 20, \"color\": \"green\"}\n");
  const bool stopped = run.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  ::close(fds[1]);  // end of input: a stream that ignored the cancellation ends here
  auto result = run.get();
  EXPECT_TRUE(stopped) << "the stream went on reading after it was cancelled";
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCancelled) << result.status().ToString();

  std::rewind(out);
  std::string written;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, out)) > 0;) written.append(buf, n);
  EXPECT_NE(written.find("0.377540668798145"), std::string::npos) << written;
  std::fclose(out);
  ::close(fds[0]);
  std::filesystem::remove(model);
}

}  // namespace
}  // namespace keel::usecase
