#include "serve/oip_request.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "serve/test_model.h"

namespace keel::serve {
namespace {

class OipRequestTest : public ::testing::Test {
 protected:
  Status Parse(std::string text, OipOptions options = {}) {
    body_ = std::move(text);
    body_.reserve(body_.size() + simdjson::SIMDJSON_PADDING);
    return ParseInferRequest(*model_, body_, options, &parser_, &batch_);
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

// Ignored parts of a request (parameters at any level, unknown fields and inputs in lenient
// mode, the data of an ignored input) used to be stepped over unread, so malformed JSON inside
// them passed. They are now read to the end: well-formed ones are still ignored, malformed
// ones are a parse error.
TEST_F(OipRequestTest, IgnoredPartsMustStillBeJson) {
  const std::string age = R"({"name":"age","shape":[1],"datatype":"FP32","data":[30])";
  OipOptions lenient;
  lenient.lenient = true;
  struct Case {
    std::string good, bad;
    bool lenient;
  };
  const Case cases[] = {
      {R"({"parameters":{"a":[1,{"b":null}]},"inputs":[)" + age + "}]}",
       R"({"parameters":{"a":[1,{"b":nul}]},"inputs":[)" + age + "}]}", false},
      {R"({"inputs":[)" + age + R"(,"parameters":{"x":true}}]})",
       R"({"inputs":[)" + age + R"(,"parameters":{"x":tru}}]})", false},
      {R"({"inputs":[)" + age + R"(}],"outputs":[{"name":"label","parameters":[1]}]})",
       R"({"inputs":[)" + age + R"(}],"outputs":[{"name":"label","parameters":[1e]}]})", false},
      {R"({"inputs":[)" + age + R"(}],"extra":{"k":"v"}})",
       R"({"inputs":[)" + age + R"(}],"extra":{"k":v}})", true},
      {R"({"inputs":[)" + age + R"(},{"name":"zz","shape":[1],"datatype":"FP32","data":[1]}]})",
       R"({"inputs":[)" + age + R"(},{"name":"zz","shape":[1],"datatype":"FP32","data":[-]}]})",
       true},
  };
  for (const Case& c : cases) {
    const OipOptions options = c.lenient ? lenient : OipOptions{};
    const Status good = Parse(c.good, options);
    EXPECT_TRUE(good.ok()) << c.good << ": " << good.ToString();
    EXPECT_EQ(batch_.x[0], 30.0f) << c.good;
    const Status bad = Parse(c.bad, options);
    EXPECT_EQ(bad.code(), StatusCode::kParseError) << c.bad << ": " << bad.ToString();
  }
}

}  // namespace
}  // namespace keel::serve
