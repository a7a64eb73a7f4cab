// drift::BatchScorer, the scoring path every stream source shares: per-line outputs and errors
// handed to the sink in input order, and a batch the sink refuses is not counted (a NATS
// consumer that could not publish a batch leaves it to be redelivered, not half-counted).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "drift/stream_scorer.h"
#include "model/lightgbm_fixture_cases.h"
#include "model/lightgbm_import.h"
#include "predict/predictor.h"

namespace keel::drift {
namespace {

namespace fx = lightgbm_fixtures;

TEST(BatchScorer, SinkGetsEachLinesOutputOrErrorAndARefusedBatchIsNotCounted) {
  const std::string name = fx::Cases().front().name;
  auto model = ImportLightGBMFile(fx::Path(name + ".txt"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto predictor = Predictor::Create(*model);
  ASSERT_TRUE(predictor.ok()) << predictor.status().ToString();
  StreamOptions options;
  options.batch_rows = 8;
  auto scorer = BatchScorer::Create(*model, **predictor, nullptr, options, 2, nullptr);
  ASSERT_TRUE(scorer.ok()) << scorer.status().ToString();

  // A valid object (every feature missing), bytes that are no JSON, an array, another object.
  const std::vector<std::string> events = {"{}", "not json", "[1, 2]", "{\"unknown\": 1}"};
  std::string text;
  std::vector<StreamLine> lines;
  for (size_t i = 0; i < events.size(); ++i) text += events[i] + "\n";
  text.append(simdjson::SIMDJSON_PADDING, ' ');
  size_t at = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    lines.push_back({text.data() + at, events[i].size(), 100 + i});
    at += events[i].size() + 1;
  }

  std::vector<bool> ok;
  std::vector<std::string> outputs, errors;
  std::string blocks;
  auto keep = [&](const ScoredBatch& b) -> Status {
    for (size_t i = 0; i < b.rows(); ++i) {
      ok.push_back(b.ok(i));
      outputs.emplace_back(b.output(i));
      errors.emplace_back(b.error(i));
    }
    for (std::string_view block : b.blocks()) blocks.append(block);
    return Status::OK();
  };
  ASSERT_TRUE((*scorer)->Score(lines, text.data() + text.size(), keep).ok());
  ASSERT_EQ(ok, (std::vector<bool>{true, false, false, true}));
  EXPECT_EQ(outputs[0].front(), '{');
  EXPECT_NE(outputs[0].find("\"prob_"), std::string::npos) << outputs[0];
  EXPECT_EQ(errors[0], "");
  EXPECT_FALSE(errors[1].empty());
  EXPECT_EQ(outputs[1].rfind("{\"line\":101,\"error\":", 0), 0u) << outputs[1];
  EXPECT_EQ(outputs[2].rfind("{\"line\":102,\"error\":", 0), 0u) << outputs[2];
  // The blocks are the outputs, one per line, in order.
  EXPECT_EQ(blocks, outputs[0] + "\n" + outputs[1] + "\n" + outputs[2] + "\n" + outputs[3] + "\n");
  EXPECT_EQ((*scorer)->summary().lines, 4u);
  EXPECT_EQ((*scorer)->summary().rows_predicted, 2u);
  EXPECT_EQ((*scorer)->summary().parse_errors, 2u);

  const Status refused = (*scorer)->Score(lines, text.data() + text.size(), [](const auto&) {
    return Status::Unavailable("the broker is gone");
  });
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_EQ((*scorer)->summary().lines, 4u);
  EXPECT_EQ((*scorer)->summary().rows_predicted, 2u);
}

}  // namespace
}  // namespace keel::drift
