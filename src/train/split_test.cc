#include "train/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace keel {
namespace {

std::vector<uint32_t> AllRows(size_t n) {
  std::vector<uint32_t> r(n);
  std::iota(r.begin(), r.end(), 0u);
  return r;
}

Table MakeTable(size_t n) {
  Table t;
  std::vector<double> x(n), time(n);
  std::vector<int32_t> user(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<double>(i % 10);
    time[i] = static_cast<double>((i * 7919) % n);  // a permutation of 0..n-1
    user[i] = static_cast<int32_t>(i % 37);
  }
  std::vector<std::string> dict;
  for (int u = 0; u < 37; ++u) dict.push_back("u" + std::to_string(u));
  EXPECT_TRUE(t.AddColumn(Column::Numeric("x", x)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("time", time)).ok());
  EXPECT_TRUE(t.AddColumn(Column::Categorical("user", user, dict)).ok());
  return t;
}

void ExpectPartition(const SplitRows& s, size_t n) {
  std::vector<uint32_t> all;
  for (const auto* part : {&s.train, &s.valid, &s.test}) {
    EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
    all.insert(all.end(), part->begin(), part->end());
  }
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, AllRows(n));
}

TEST(Split, RandomFractionsAndSeed) {
  Table t = MakeTable(1000);
  SplitSpec spec;
  spec.test_size = 0.2;
  spec.valid_size = 0.1;
  auto s = SplitTableRows(t, AllRows(1000), {}, spec);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->test.size(), 200u);
  EXPECT_EQ(s->valid.size(), 100u);
  EXPECT_EQ(s->train.size(), 700u);
  ExpectPartition(*s, 1000);
  auto again = SplitTableRows(t, AllRows(1000), {}, spec);
  EXPECT_EQ(again->test, s->test);
  spec.seed = 7;
  auto other = SplitTableRows(t, AllRows(1000), {}, spec);
  EXPECT_NE(other->test, s->test);
}

TEST(Split, StratifiedKeepsClassShares) {
  Table t = MakeTable(1000);
  std::vector<double> cls(1000);
  for (size_t i = 0; i < 1000; ++i) cls[i] = i % 10 == 0 ? 1 : 0;  // 10% positives
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kStratified;
  spec.test_size = 0.25;
  auto s = SplitTableRows(t, AllRows(1000), cls, spec);
  ASSERT_TRUE(s.ok());
  ExpectPartition(*s, 1000);
  size_t pos_test = 0;
  for (uint32_t r : s->test) pos_test += cls[r] > 0 ? 1 : 0;
  EXPECT_EQ(pos_test, 25u);  // exactly 25% of the 100 positives
  EXPECT_EQ(s->test.size(), 250u);
}

TEST(Split, TimeSplitTrainsOnThePast) {
  Table t = MakeTable(500);
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kTime;
  spec.column = "time";
  spec.test_size = 0.2;
  spec.valid_size = 0.2;
  auto s = SplitTableRows(t, AllRows(500), {}, spec);
  ASSERT_TRUE(s.ok());
  ExpectPartition(*s, 500);
  const auto time = t.Find("time")->numeric();
  double train_max = -1, valid_min = 1e9, valid_max = -1, test_min = 1e9;
  for (uint32_t r : s->train) train_max = std::max(train_max, time[r]);
  for (uint32_t r : s->valid) {
    valid_min = std::min(valid_min, time[r]);
    valid_max = std::max(valid_max, time[r]);
  }
  for (uint32_t r : s->test) test_min = std::min(test_min, time[r]);
  EXPECT_LT(train_max, valid_min);
  EXPECT_LT(valid_max, test_min);
  EXPECT_EQ(s->test.size(), 100u);
}

TEST(Split, TimeSplitNeverCutsThroughEqualTimes) {
  Table t;
  std::vector<double> time = {1, 1, 1, 1, 2, 2, 2, 2, 3, 3};
  ASSERT_TRUE(t.AddColumn(Column::Numeric("time", time)).ok());
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kTime;
  spec.column = "time";
  spec.test_size = 0.5;  // would cut inside the time-2 rows
  auto s = SplitTableRows(t, AllRows(10), {}, spec);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->train.size(), 8u);
  EXPECT_EQ(s->test.size(), 2u);
}

TEST(Split, TimeSplitRejectsMissingTimes) {
  Table t;
  ASSERT_TRUE(t.AddColumn(Column::Numeric("time", {1, std::nan(""), 3})).ok());
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kTime;
  spec.column = "time";
  auto s = SplitTableRows(t, AllRows(3), {}, spec);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("line 3"), std::string::npos) << s.status().message();
}

TEST(Split, GroupSplitKeepsEachGroupInOneSplit) {
  Table t = MakeTable(1000);
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kGroup;
  spec.column = "user";
  spec.test_size = 0.3;
  spec.valid_size = 0.1;
  auto s = SplitTableRows(t, AllRows(1000), {}, spec);
  ASSERT_TRUE(s.ok());
  ExpectPartition(*s, 1000);
  const auto codes = t.Find("user")->codes();
  std::set<int32_t> tr, va, te;
  for (uint32_t r : s->train) tr.insert(codes[r]);
  for (uint32_t r : s->valid) va.insert(codes[r]);
  for (uint32_t r : s->test) te.insert(codes[r]);
  for (int32_t u : te) {
    EXPECT_EQ(tr.count(u), 0u);
    EXPECT_EQ(va.count(u), 0u);
  }
  for (int32_t u : va) EXPECT_EQ(tr.count(u), 0u);
  EXPECT_NEAR(static_cast<double>(s->test.size()), 300, 30);
}

TEST(Split, UnknownColumnAndBadSpec) {
  Table t = MakeTable(10);
  SplitSpec spec;
  spec.kind = SplitSpec::Kind::kGroup;
  spec.column = "nope";
  EXPECT_EQ(SplitTableRows(t, AllRows(10), {}, spec).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(ParseSplitSpec("time:").ok());
  EXPECT_FALSE(ParseSplitSpec("kfold").ok());
  auto g = ParseSplitSpec("group:user_id");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->column, "user_id");
}

TEST(Split, NoTrainingRowsIsAnError) {
  Table t = MakeTable(2);
  SplitSpec spec;
  spec.test_size = 0.9;
  EXPECT_FALSE(SplitTableRows(t, AllRows(2), {}, spec).ok());
}

TEST(Leakage, CountsExactDuplicateFeatureRows) {
  Table t;
  // Rows 0..9; row 7 repeats row 1's features, row 8 repeats row 2's (with NaN), row 9
  // differs from row 3 only in the second column.
  std::vector<double> a = {1, 2, 3, 4, 5, 6, 7, 2, 3, 4};
  std::vector<double> b = {0, 0, std::nan(""), 1, 1, 1, 1, 0, std::nan(""), 2};
  ASSERT_TRUE(t.AddColumn(Column::Numeric("a", a)).ok());
  ASSERT_TRUE(t.AddColumn(Column::Numeric("b", b)).ok());
  SplitRows s;
  s.train = {0, 1, 2, 3, 4, 5};
  s.test = {7, 8, 9};
  s.valid = {6};
  const std::vector<size_t> cols = {0, 1};
  const LeakageReport rep = FindLeakage(t, cols, s, 2);
  EXPECT_EQ(rep.test_rows_in_train, 2u);
  EXPECT_EQ(rep.valid_rows_in_train, 0u);
  ASSERT_EQ(rep.examples.size(), 2u);
  EXPECT_EQ(rep.examples[0], (std::pair<uint64_t, uint64_t>{9, 3}));  // line = row + 2
}

}  // namespace
}  // namespace keel
