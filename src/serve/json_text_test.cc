#include "serve/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace keel::serve {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(&out, text);
  return out;
}

TEST(AppendJsonString, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(Quoted("a\"b\\c\n\t\x01"), R"("a\"b\\c\n\t\u0001")");
}

TEST(AppendJsonString, WellFormedUtf8PassesThrough) {
  for (std::string_view s : {"caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9D\x84\x9E", "\xEF\xBF\xBD",
                             "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(Quoted(s), "\"" + std::string(s) + "\"");
  }
}

// Regression (HTTP fuzz target): a 404 quoting a request path with raw bytes >= 0x80 answered a
// body that was not valid JSON. Ill-formed UTF-8 now becomes U+FFFD.
TEST(AppendJsonString, IllFormedUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Quoted("a\xFF"
                   "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(Quoted("\xE2\x82"), R"("\ufffd\ufffd")");                      // truncated sequence
  EXPECT_EQ(Quoted("\xC0\xAF"), R"("\ufffd\ufffd")");                      // overlong '/'
  EXPECT_EQ(Quoted("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");            // a surrogate
  EXPECT_EQ(Quoted("\xF4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  EXPECT_EQ(Quoted("\x80\xC3\xA9"), "\"\\ufffd\xC3\xA9\"");  // stray continuation, then é
  for (int b = 0x80; b <= 0xFF; ++b) {
    const std::string text = "x" + std::string(1, static_cast<char>(b)) + "y";
    const auto j = nlohmann::json::parse(Quoted(text), nullptr, false);
    EXPECT_TRUE(j.is_string()) << "byte " << b;
  }
}

TEST(AppendJsonNumber, NonFiniteIsNull) {
  std::string out;
  AppendJsonNumber(&out, std::nan(""));
  EXPECT_EQ(out, "null");
}

}  // namespace
}  // namespace keel::serve
