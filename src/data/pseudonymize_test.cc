#include "data/pseudonymize.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "data/ingest.h"

namespace keel {
namespace {

constexpr const char* kKey = "0123456789abcdef-test-key";
constexpr const char* kOtherKey = "fedcba9876543210-other-key";

// Planted personal data: none of these may survive ingestion in clear.
const std::vector<std::string> kPlanted = {
    "alice.planted@example.com", "Zebediah",   "+1 (555) 010-7788", "4111 1111 1111 1111",
    "bob.planted@example.org",   "Quintavius", "203.0.113.77"};

// Enough ordinary rows that `amount` is inferred numeric (95% rule) and the bad one rejected.
std::string Filler() {
  std::string rows;
  for (int i = 0; i < 40; ++i) {
    rows += "user" + std::to_string(i) + "@example.net,Name" + std::to_string(i) + ",555-020-" +
            std::to_string(1000 + i) + ",4111 1111 1111 1111,pro," + std::to_string(i) + "\n";
  }
  return rows;
}

std::string Data() {
  return "email,first_name,phone,card,plan,amount\n"
         "alice.planted@example.com,Zebediah,+1 (555) 010-7788,4111 1111 1111 1111,basic,10\n"
         "bob.planted@example.org,Quintavius,+44 20 7946 0958,5500 0000 0000 0004,pro,20\n"
         "carol@example.net,Anneliese,555-010-1234,4012 8888 8888 1881,basic,30\n"
         // A rejected record (amount is not a number) that carries PII in clear.
         "dave@example.net,Bartholomew,555-010-9999,3782 822463 10005,pro,lots 203.0.113.77\n"
         "erin@example.net,Cornelius,555-010-0000,6011 1111 1111 1117,basic,50\n" +
         Filler();
}

IngestResult Ingest(const std::string& key) {
  ReadOptions o;
  o.pii_key = key;
  auto r = ReadTableFromBuffer(Data(), "people.csv", o, Context{}.WithThreads(1));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(*r) : IngestResult{};
}

std::string Everything(const IngestResult& r) {
  std::string all = IngestReportToJson(r.report).dump() + RejectsToCsv(r.report);
  for (const Column& c : r.table.columns()) {
    for (size_t i = 0; i < c.size(); ++i) all += c.CellText(i) + "\n";
  }
  for (const ColumnSchema& c : r.schema.columns) {
    for (const auto& cat : c.categories) all += cat + "\n";
  }
  return all;
}

TEST(Pseudonym, IsHmacSha256AsLowercaseHex) {
  // RFC 4231, test case 2.
  EXPECT_EQ(Pseudonym("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Pseudonymize, IngestReplacesEveryPiiColumnAndReportsWhy) {
  const IngestResult r = Ingest(kKey);
  ASSERT_EQ(r.report.rows_rejected, 1u);
  ASSERT_EQ(r.report.pii_columns.size(), 4u);
  EXPECT_EQ(r.report.pii_columns[0].column, "email");
  EXPECT_EQ(r.report.pii_columns[0].kind, "email");
  EXPECT_EQ(r.report.pii_columns[1].kind, "person_name");
  EXPECT_EQ(r.report.pii_columns[2].kind, "phone");
  EXPECT_EQ(r.report.pii_columns[3].kind, "card_number");
  for (const auto& p : r.report.pii_columns) EXPECT_EQ(p.action, "pseudonymized");
  const Column* email = r.table.Find("email");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->kind(), ColumnKind::kString);
  EXPECT_EQ(email->CellText(0), Pseudonym(kKey, "alice.planted@example.com"));
  EXPECT_EQ(r.schema.Find("email")->role, Role::kPii);
  // Non-PII columns are untouched.
  EXPECT_EQ(r.table.Find("plan")->CellText(1), "pro");
  const auto json = IngestReportToJson(r.report);
  ASSERT_TRUE(json.contains("pii_columns"));
  EXPECT_EQ(json["pii_columns"][0]["reason"].get<std::string>().find("@"), std::string::npos);
}

TEST(Pseudonymize, NoPlantedValueSurvivesInTableSchemaReportOrRejects) {
  const std::string all = Everything(Ingest(kKey));
  for (const auto& v : kPlanted) {
    EXPECT_EQ(all.find(v), std::string::npos) << v << " in " << all;
  }
  // The rejected record's PII is scrubbed too, but its fault stays visible.
  for (const char* v : {"dave@example.net", "Bartholomew", "3782 822463 10005"}) {
    EXPECT_EQ(all.find(v), std::string::npos) << v;
  }
  EXPECT_NE(all.find("lots"), std::string::npos);
  EXPECT_EQ(all.find(kKey), std::string::npos);
}

TEST(Pseudonymize, StableUnderOneKeyDifferentUnderAnother) {
  const IngestResult a = Ingest(kKey), b = Ingest(kKey), c = Ingest(kOtherKey);
  for (const char* col : {"email", "first_name", "phone", "card"}) {
    for (size_t i = 0; i < a.table.num_rows(); ++i) {
      EXPECT_EQ(a.table.Find(col)->CellText(i), b.table.Find(col)->CellText(i));
      EXPECT_NE(a.table.Find(col)->CellText(i), c.table.Find(col)->CellText(i));
      EXPECT_EQ(a.table.Find(col)->CellText(i).size(), 64u);
    }
  }
}

TEST(Pseudonymize, WithoutAKeyPiiColumnsAreDropped) {
  unsetenv("KEEL_PII_KEY");
  unsetenv("KEEL_PII_KEY_FILE");
  const IngestResult r = Ingest("");
  EXPECT_EQ(r.table.Find("email"), nullptr);
  EXPECT_EQ(r.table.Find("first_name"), nullptr);
  EXPECT_NE(r.table.Find("plan"), nullptr);
  EXPECT_EQ(r.schema.Find("email"), nullptr);
  ASSERT_EQ(r.report.pii_columns.size(), 4u);
  EXPECT_EQ(r.report.pii_columns[0].action, "dropped");
  const std::string all = Everything(r);
  for (const auto& v : kPlanted) EXPECT_EQ(all.find(v), std::string::npos) << v;
  EXPECT_NE(all.find("<pii>"), std::string::npos);  // the reject's raw text is redacted
}

TEST(Pseudonymize, KeyComesFromTheEnvironmentAndShortKeysAreRefused) {
  setenv("KEEL_PII_KEY", kKey, 1);
  unsetenv("KEEL_PII_KEY_FILE");
  auto key = LoadPiiKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, kKey);
  setenv("KEEL_PII_KEY", "short", 1);
  auto bad = LoadPiiKey();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("short"), std::string::npos);  // never echo the key
  unsetenv("KEEL_PII_KEY");
  auto none = LoadPiiKey();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "");
  EXPECT_FALSE(LoadPiiKey("/nonexistent/keel.key").ok());
}

TEST(Pseudonymize, JsonLinesRejectsAreScrubbedByKey) {
  const std::string raw = R"({"email":"zed.planted@example.com","nick":"Zed","n":"x"})";
  const std::vector<std::string> names = {"nick"};
  const std::string out = ScrubRecordText(raw, 0, {}, names, kKey);
  EXPECT_EQ(out.find("zed.planted@example.com"), std::string::npos);
  EXPECT_EQ(out.find("Zed"), std::string::npos) << out;
  EXPECT_NE(out.find(Pseudonym(kKey, "Zed")), std::string::npos);
  EXPECT_EQ(ScrubRecordText("{not json 10.1.2.3", 0, {}, {}, "").find("10.1.2.3"),
            std::string::npos);
}

}  // namespace
}  // namespace keel
