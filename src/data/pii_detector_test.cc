#include "data/pii_detector.h"

#include <gtest/gtest.h>

namespace keel {
namespace {

Column Strings(const std::string& name, std::vector<std::string> v) {
  return Column::String(name, std::move(v));
}

TEST(PiiValues, LuhnMatchesHandComputedCases) {
  EXPECT_TRUE(LuhnValid("79927398713"));  // the textbook example
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("4111x"));
}

TEST(PiiValues, CardNumbersNeedLuhnLengthAndIssuerPrefix) {
  EXPECT_TRUE(LooksLikeCardNumber("4111 1111 1111 1111"));
  EXPECT_TRUE(LooksLikeCardNumber("5500-0000-0000-0004"));
  EXPECT_TRUE(LooksLikeCardNumber("378282246310005"));    // Amex, 15 digits
  EXPECT_FALSE(LooksLikeCardNumber("4111111111111112"));  // Luhn fails
  EXPECT_FALSE(LooksLikeCardNumber("79927398713"));       // too short
  EXPECT_FALSE(LooksLikeCardNumber("0000000000000000"));
  EXPECT_FALSE(LooksLikeCardNumber("9111111111111111"));  // no issuer starts with 9
  EXPECT_FALSE(LooksLikeCardNumber("4111/1111/1111/1111"));
}

TEST(PiiValues, EmailsPhonesIpsAndNationalIds) {
  EXPECT_TRUE(LooksLikeEmail("jane.doe+tag@example.co.uk"));
  EXPECT_FALSE(LooksLikeEmail("jane@localhost"));
  EXPECT_FALSE(LooksLikeEmail("a@b@c.com"));
  EXPECT_FALSE(LooksLikeEmail("not an email"));
  EXPECT_FALSE(LooksLikeEmail("x@-bad.com"));

  EXPECT_TRUE(LooksLikePhone("+1 (555) 123-4567"));
  EXPECT_TRUE(LooksLikePhone("555-123-4567"));
  EXPECT_TRUE(LooksLikePhone("+447911123456"));
  EXPECT_FALSE(LooksLikePhone("5551234567"));    // a bare digit run: could be any id
  EXPECT_FALSE(LooksLikePhone("2024-01-02"));    // a date
  EXPECT_FALSE(LooksLikePhone("1234567890.5"));  // a decimal number
  EXPECT_FALSE(LooksLikePhone("-1234567890"));

  EXPECT_TRUE(LooksLikeIpAddress("192.168.0.1"));
  EXPECT_TRUE(LooksLikeIpAddress("2001:db8::1"));
  EXPECT_FALSE(LooksLikeIpAddress("256.1.1.1"));
  EXPECT_FALSE(LooksLikeIpAddress("10:30"));
  EXPECT_FALSE(LooksLikeIpAddress("1.5"));

  EXPECT_TRUE(LooksLikeNationalId("123-45-6789"));
  EXPECT_FALSE(LooksLikeNationalId("000-45-6789"));
  EXPECT_FALSE(LooksLikeNationalId("666-45-6789"));
  EXPECT_TRUE(LooksLikeNationalId("AB 12 34 56 C"));
  EXPECT_FALSE(LooksLikeNationalId("DA123456C"));                   // D is not a valid first letter
  EXPECT_TRUE(LooksLikeNationalId("GB82 WEST 1234 5698 7654 32"));  // ISO 13616 example
  EXPECT_TRUE(LooksLikeNationalId("DE89370400440532013000"));
  EXPECT_FALSE(LooksLikeNationalId("GB83 WEST 1234 5698 7654 32"));  // check digits off
}

TEST(PiiColumnNames, MatchWholeNamesOnly) {
  PiiKind k;
  EXPECT_TRUE(PiiKindFromColumnName("First_Name", &k));
  EXPECT_EQ(k, PiiKind::kPersonName);
  EXPECT_TRUE(PiiKindFromColumnName("lastName", &k));
  EXPECT_TRUE(PiiKindFromColumnName("E-mail", &k));
  EXPECT_EQ(k, PiiKind::kEmail);
  EXPECT_TRUE(PiiKindFromColumnName("date of birth", &k));
  EXPECT_EQ(k, PiiKind::kDateOfBirth);
  EXPECT_FALSE(PiiKindFromColumnName("phone_service", &k));
  EXPECT_FALSE(PiiKindFromColumnName("product_name", &k));
  EXPECT_FALSE(PiiKindFromColumnName("Street", &k));
  EXPECT_FALSE(PiiKindFromColumnName("tip", &k));
}

TEST(DetectPii, FindsColumnsByValuesNameAndDeclaration) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Strings("contact", {"a@x.com", "b@y.org", "c@z.net", "n/a"})).ok());
  ASSERT_TRUE(t.AddColumn(Strings("surname", {"Smith", "Jones", "Lee", "Khan"})).ok());
  ASSERT_TRUE(t.AddColumn(Strings("plan", {"basic", "pro", "basic", "pro"})).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("cc", {4111111111111111.0, 5500000000000004.0,
                                                 4012888888881881.0, 378282246310005.0}))
                  .ok());
  ASSERT_TRUE(t.AddColumn(Strings("notes", {"x", "y", "z", "w"})).ok());
  Schema s;
  s.columns.push_back({.name = "notes", .kind = ColumnKind::kString, .role = Role::kPii});
  const auto found = DetectPii(t, &s);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_EQ(found[0].column, "contact");
  EXPECT_EQ(found[0].kind, PiiKind::kEmail);
  EXPECT_EQ(found[0].matched, 3u);
  EXPECT_EQ(found[0].checked, 4u);
  EXPECT_NE(found[0].reason.find("3 of 4 values (75%) are e-mail"), std::string::npos)
      << found[0].reason;
  EXPECT_EQ(found[1].column, "surname");
  EXPECT_EQ(found[1].kind, PiiKind::kPersonName);
  EXPECT_EQ(found[2].column, "cc");
  EXPECT_EQ(found[2].kind, PiiKind::kCardNumber);
  EXPECT_EQ(found[3].column, "notes");
  EXPECT_EQ(found[3].kind, PiiKind::kDeclared);
  // Reasons never quote a value.
  for (const auto& f : found) EXPECT_EQ(f.reason.find("a@x.com"), std::string::npos);
}

TEST(DetectPii, RandomIdsAreNotCardsAndOptOutsAreHonoured) {
  // 16-digit ids: about 10% pass Luhn by chance, far below the match threshold.
  std::vector<double> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(4000000000000000.0 + 7919.0 * i);
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("account", std::move(ids))).ok());
  EXPECT_TRUE(DetectPii(t, nullptr).empty());

  Table u;
  ASSERT_TRUE(u.AddColumn(Strings("ip", {"10.0.0.1", "10.0.0.2"})).ok());
  PiiDetectorOptions o;
  o.not_pii = {"ip"};
  EXPECT_TRUE(DetectPii(u, nullptr, o).empty());
  // A schema that lists the column with another role is the user's decision.
  Schema s;
  s.columns.push_back({.name = "ip", .kind = ColumnKind::kString, .role = Role::kFeature});
  PiiDetectorOptions declared;
  declared.schema_is_declaration = true;
  EXPECT_TRUE(DetectPii(u, &s, declared).empty());
  EXPECT_EQ(DetectPii(u, &s).size(), 1u);
}

}  // namespace
}  // namespace keel
