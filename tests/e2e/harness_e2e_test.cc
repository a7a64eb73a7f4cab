// The e2e harness itself (keel_process.h): a child that printed a sanitizer report fails the
// test even when its exit code is the one the test expects, and a clean error does not.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "keel_process.h"

namespace keel::e2e {
namespace {

// A child that reports like each sanitizer, then exits 1 as a clean error would.
TEST(Harness, AChildsSanitizerReportFailsTheTestWhateverItsExitCode) {
  EXPECT_NONFATAL_FAILURE(
      RunProgram({"sh", "-c",
                  "echo '==7==ERROR: AddressSanitizer: heap-use-after-free on address' >&2; "
                  "exit 1"}),
      "printed a sanitizer report");
  EXPECT_NONFATAL_FAILURE(
      RunProgram(
          {"sh", "-c", "echo 'src/a.cc:3:9: runtime error: signed integer overflow' >&2; exit 1"}),
      "printed a sanitizer report");
  EXPECT_NONFATAL_FAILURE(
      RunProgram({"sh", "-c", "echo '==7==ERROR: LeakSanitizer: detected memory leaks' >&2"}),
      "printed a sanitizer report");
}

TEST(Harness, ACleanErrorIsNoSanitizerReport) {
  auto r = RunKeel(
      {"predict", "--model", "/nonexistent/m.keel", "--data", "/nonexistent/d.csv", "--out", "-"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(HasSanitizerReport(r.err)) << r.err;
  EXPECT_FALSE(
      HasSanitizerReport("error: data.csv:3: column 'age': runtime error is not a number"));
}

}  // namespace
}  // namespace keel::e2e
