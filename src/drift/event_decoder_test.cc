#include "drift/event_decoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "drift/model_profile.h"

namespace keel::drift {
namespace {

Model TestModel() {
  Model m;
  m.task = Task::kBinary;
  m.features.push_back({"amount", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.features.push_back(
      {"device", FeatureSpec::Kind::kCategorical, {"mobile", "Desktop"}, ColumnKind::kCategorical});
  m.features.push_back({"seen", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kTimestamp});
  m.target = "y";
  m.labels.classes = {"no", "yes"};
  m.schema.columns.push_back({.name = "uid", .kind = ColumnKind::kString, .role = Role::kId});
  m.schema.columns.push_back({.name = "ts", .kind = ColumnKind::kTimestamp, .role = Role::kTime});
  m.schema.columns.push_back(
      {.name = "sex", .kind = ColumnKind::kCategorical, .role = Role::kSensitive});
  m.schema.columns.push_back(
      {.name = "y", .kind = ColumnKind::kCategorical, .role = Role::kTarget});
  return m;
}

std::shared_ptr<const ProfileLayout> TestLayout(const Model& m) {
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::Numeric("amount", {1, 2, 3, 4})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("device", {0, 1, 0, 0}, {"mobile", "Desktop"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Timestamp("seen", {0, 1000000, 2000000, 3000000})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("sex", {0, 1, 0, 1}, {"f", "m"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("y", {0, 1, 0, 1}, {"no", "yes"})).ok());
  std::vector<double> preds = {0.1, 0.9, 0.2, 0.8};
  auto p = BuildReferenceProfile(m, t, {}, preds, {}, Context{});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p->shared_layout();
}

class EventDecoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = TestModel();
    layout_ = TestLayout(model_);
    auto d = EventDecoder::Create(model_, layout_);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    decoder_ = std::move(*d);
  }
  Status Decode(const std::string& line) {
    buffer_ = line + std::string(simdjson::SIMDJSON_PADDING, ' ');
    row_.features = features_;
    row_.profile = profile_;
    row_.groups = groups_;
    untracked_.clear();
    return decoder_->Decode(buffer_.data(), line.size(), buffer_.size(), 0, &row_, &untracked_);
  }
  Model model_;
  std::shared_ptr<const ProfileLayout> layout_;
  std::unique_ptr<EventDecoder> decoder_;
  std::string buffer_;
  float features_[3];
  double profile_[3];
  int32_t groups_[1];
  DecodedRow row_;
  std::vector<UntrackedText> untracked_;
};

TEST_F(EventDecoderTest, DecodesEveryRole) {
  ASSERT_TRUE(
      Decode(R"({"uid": "a-7", "ts": "2024-01-01T00:00:01Z", "amount": 2.5, )"
             R"("device": "desktop", "seen": "1970-01-01T00:00:10Z", "sex": "m", "y": "yes",)"
             R"( "extra": {"nested": [1, 2]}})")
          .ok());
  EXPECT_EQ(row_.id, "\"a-7\"");
  EXPECT_EQ(row_.time, 1704067201000000LL);
  EXPECT_EQ(row_.time_raw, "\"2024-01-01T00:00:01Z\"");
  EXPECT_FLOAT_EQ(features_[0], 2.5f);
  EXPECT_DOUBLE_EQ(profile_[0], 2.5);
  EXPECT_FLOAT_EQ(features_[1], 1.0f);   // "desktop" matches "Desktop" case-insensitively
  EXPECT_FLOAT_EQ(features_[2], 10.0f);  // timestamp feature in epoch seconds
  EXPECT_EQ(groups_[0], 1);
  EXPECT_EQ(row_.label, 1.0);
  EXPECT_TRUE(untracked_.empty());
  EXPECT_EQ(decoder_->invalid_values(), 0u);
}

TEST_F(EventDecoderTest, MissingWrongAndUnseenValues) {
  ASSERT_TRUE(
      Decode(R"({"amount": "12.5", "device": "tablet", "seen": null, "y": "maybe", "uid": 17})")
          .ok());
  EXPECT_FLOAT_EQ(features_[0], 12.5f);   // numeric text reads as a number
  EXPECT_TRUE(std::isnan(features_[1]));  // unseen category: missing for the model...
  EXPECT_EQ(profile_[1], kUntracked);     // ...and a new category for drift
  EXPECT_TRUE(std::isnan(features_[2]));
  EXPECT_EQ(row_.id, "17");
  EXPECT_EQ(row_.label, kUntracked);
  ASSERT_EQ(untracked_.size(), 2u);
  EXPECT_EQ(untracked_[0].text, "tablet");
  EXPECT_EQ(untracked_[1].text, "maybe");
  EXPECT_EQ(row_.time, kMissingTime);
  EXPECT_EQ(groups_[0], -1);
  ASSERT_TRUE(Decode(R"({"amount": "lots", "device": [1], "seen": true})").ok());
  EXPECT_TRUE(std::isnan(features_[0]));
  EXPECT_TRUE(std::isnan(features_[1]));
  EXPECT_FLOAT_EQ(features_[2], 1.0f);  // true reads as 1
  EXPECT_EQ(decoder_->invalid_values(), 2u);
}

TEST_F(EventDecoderTest, NumbersAsCategoriesAndEscapedKeys) {
  ASSERT_TRUE(Decode(R"({"am\u006funt": 3, "device": "mobile"})").ok());
  EXPECT_FLOAT_EQ(features_[0], 3.0f);
  EXPECT_FLOAT_EQ(features_[1], 0.0f);
  // The key order cache must not confuse a different order.
  ASSERT_TRUE(Decode(R"({"device": "mobile", "amount": 4})").ok());
  EXPECT_FLOAT_EQ(features_[0], 4.0f);
  EXPECT_FLOAT_EQ(features_[1], 0.0f);
}

TEST_F(EventDecoderTest, HostileLinesAreParseErrorsNotCrashes) {
  for (const std::string& bad :
       std::vector<std::string>{"{\"amount\": 1", "[1, 2, 3]", "42", "", "{\"amount\" 1}",
                                "{\"amount\": 1}}", std::string("{\"a\":\"\xff\xfe\"}"),
                                "{\"amount\": 1e999999}", std::string(100000, '[')}) {
    Status st = Decode(bad);
    if (st.ok()) continue;  // a lenient but safe reading is fine too
    EXPECT_EQ(st.code(), StatusCode::kParseError) << bad.substr(0, 40);
    EXPECT_FALSE(st.message().empty());
  }
  EXPECT_FALSE(Decode("{\"amount\": 1").ok());
  EXPECT_FALSE(Decode("[1, 2, 3]").ok());
  EXPECT_FALSE(Decode("").ok());
}

TEST(EventDecoder, WithoutAProfileOnlyFeaturesAndIdAreDecoded) {
  Model m = TestModel();
  auto d = EventDecoder::Create(m, nullptr);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->num_groups(), 0u);
  EXPECT_EQ((*d)->label_column(), -1);
  std::string line = R"({"uid": "x", "amount": 1, "y": "yes"})";
  std::string buf = line + std::string(simdjson::SIMDJSON_PADDING, ' ');
  float f[3];
  DecodedRow row;
  row.features = f;
  std::vector<UntrackedText> u;
  ASSERT_TRUE((*d)->Decode(buf.data(), line.size(), buf.size(), 0, &row, &u).ok());
  EXPECT_FLOAT_EQ(f[0], 1.0f);
  EXPECT_TRUE(std::isnan(row.label));
}

}  // namespace
}  // namespace keel::drift
