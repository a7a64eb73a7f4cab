#include "serve/oip_request.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "serve/test_model.h"

namespace keel::serve {
namespace {

class OipRequestTest : public ::testing::Test {
 protected:
  Status Parse(std::string text) {
    body_ = std::move(text);
    body_.reserve(body_.size() + simdjson::SIMDJSON_PADDING);
    return ParseInferRequest(*model_, body_, OipOptions{}, &parser_, &batch_);
  }

  std::shared_ptr<const ServedModel> model_ =
      *ServedModel::FromModel("tiny", testing::TinyBinaryModel(), "v1");
  simdjson::ondemand::parser parser_;
  OipBatch batch_;
  std::string body_;
};

TEST_F(OipRequestTest, NullElementsAreMissing) {
  ASSERT_TRUE(
      Parse(R"({"inputs":[{"name":"age","shape":[2],"datatype":"FP32","data":[null,30]}]})").ok());
  ASSERT_EQ(batch_.n, 2u);
  EXPECT_TRUE(std::isnan(batch_.x[0]));
  EXPECT_EQ(batch_.x[model_->num_features()], 30.0f);
}

// Regression (oip_request / record_request fuzz targets): a token that only starts like null
// (`ntll`) was taken for null instead of being refused as malformed JSON.
TEST_F(OipRequestTest, MalformedNullLiteralIsAParseError) {
  for (const char* data : {"[ntll]", "[nul]", "[[1],[nulll]]"}) {
    const Status st = Parse(std::string(R"({"inputs":[{"name":"age","shape":[1],"datatype":)"
                                        R"("FP32","data":)") +
                            data + "}]}");
    EXPECT_EQ(st.code(), StatusCode::kParseError) << data << ": " << st.ToString();
  }
  const Status st =
      Parse(R"({"inputs":[{"name":"color","shape":[1],"datatype":"BYTES","data":[nope]}]})");
  EXPECT_EQ(st.code(), StatusCode::kParseError) << st.ToString();
}

}  // namespace
}  // namespace keel::serve
