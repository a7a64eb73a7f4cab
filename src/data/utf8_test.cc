#include "data/utf8.h"

#include <gtest/gtest.h>

#include "data/missing_tokens.h"

namespace keel {
namespace {

TEST(Utf8, AcceptsAsciiAndMultibyte) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii text, longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("M\xC3\xBCller, Jos\xC3\xA9 \xE2\x80\x94 caf\xC3\xA9"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80 emoji"));
  EXPECT_TRUE(IsValidUtf8("\xEF\xBB\xBF"));
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(FindInvalidUtf8("abc\xFFxyz"), 3u);
  EXPECT_EQ(FindInvalidUtf8("0123456789\xC3"), 10u);           // truncated sequence at the end
  EXPECT_EQ(FindInvalidUtf8("ab\xC0\xAF"), 2u);                 // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);               // surrogate
  EXPECT_EQ(FindInvalidUtf8("x\xF4\x90\x80\x80"), 1u);          // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("caf\xE9 latin-1"), 3u);            // Latin-1 e-acute
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0u);
}

TEST(MissingTokens, DefaultsAndWhitespace) {
  MissingTokens m;
  for (const char* s : {"", "NA", "N/A", "null", "NULL", "NaN", "?"}) EXPECT_TRUE(m.IsMissing(s)) << s;
  for (const char* s : {"na", "Null", "0", "none", "-", "n/a"}) EXPECT_FALSE(m.IsMissing(s)) << s;
}

TEST(MissingTokens, CustomTokensAreTrimmedAndLongOnesWork) {
  const std::string long_token(80, 'x');
  MissingTokens m({" -- ", "none", long_token});
  EXPECT_TRUE(m.IsMissing("--"));
  EXPECT_TRUE(m.IsMissing("none"));
  EXPECT_TRUE(m.IsMissing(long_token));
  EXPECT_FALSE(m.IsMissing("NA"));
  EXPECT_TRUE(m.IsMissing(""));
}

}  // namespace
}  // namespace keel
