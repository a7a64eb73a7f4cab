#include "serve/metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace keel::serve {
namespace {

TEST(Histogram, BucketsAreCumulativeAndCountEqualsInfBucket) {
  Histogram h({1.0, 2.0, 5.0});
  for (double v : {0.5, 1.0, 1.5, 3.0, 7.0, 9.0}) h.Observe(v);
  std::string out;
  h.AppendSeries(&out, "x", "m=\"a\"");
  EXPECT_NE(out.find("x_bucket{m=\"a\",le=\"1\"} 2\n"), std::string::npos) << out;  // 0.5, 1.0
  EXPECT_NE(out.find("x_bucket{m=\"a\",le=\"2\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_bucket{m=\"a\",le=\"5\"} 4\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_bucket{m=\"a\",le=\"+Inf\"} 6\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_sum{m=\"a\"} 22\n"), std::string::npos) << out;
  EXPECT_NE(out.find("x_count{m=\"a\"} 6\n"), std::string::npos) << out;
}

TEST(Histogram, NaNGoesToInfBucketAndStaysOutOfTheSum) {
  Histogram h({1.0});
  h.Observe(std::numeric_limits<double>::quiet_NaN());
  h.Observe(0.25);
  std::string out;
  h.AppendSeries(&out, "y", "");
  EXPECT_NE(out.find("y_bucket{le=\"1\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("y_bucket{le=\"+Inf\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("y_sum 0.25\n"), std::string::npos) << out;
}

TEST(HttpMetrics, CountsByRouteAndStatusWithOtherForRareCodes) {
  HttpMetrics m;
  m.RecordRequest(Route::kPredict, 200, 0.001);
  m.RecordRequest(Route::kPredict, 200, 0.002);
  m.RecordRequest(Route::kPredict, 400, 0.001);
  m.RecordRequest(Route::kOther, 418, 0.001);
  std::string out;
  m.AppendText(&out);
  EXPECT_NE(out.find("keel_http_requests_total{route=\"v1_predict\",status=\"200\"} 2\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("keel_http_requests_total{route=\"v1_predict\",status=\"400\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("keel_http_requests_total{route=\"other\",status=\"other\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("# TYPE keel_http_request_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(out.find("keel_http_request_duration_seconds_count{route=\"v1_predict\"} 3\n"),
            std::string::npos);
}

TEST(LabelValue, EscapesQuoteBackslashAndNewline) {
  std::string out;
  AppendLabelValue(&out, "a\"b\\c\nd");
  EXPECT_EQ(out, "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace keel::serve
