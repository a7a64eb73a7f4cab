#include "pipeline/project.h"

#include <gtest/gtest.h>

namespace keel::pipeline {
namespace {

Result<Project> Parse(const std::string& text) {
  return ParseProject(text, "keel.yaml", "/proj");
}

TEST(Project, MinimalFileGetsDefaultsAndResolvesPaths) {
  auto p = Parse("data: {path: d.csv}\ntarget: churn\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->data_path, "/proj/d.csv");
  EXPECT_EQ(p->target, "churn");
  EXPECT_EQ(p->name, "d");
  EXPECT_EQ(p->baseline.params.algo, "linear");
  EXPECT_EQ(p->candidate.params.algo, "gbdt");
  EXPECT_EQ(p->output_dir, "/proj/keel-out");
  EXPECT_TRUE(p->fairness.enabled);
  EXPECT_DOUBLE_EQ(p->compare.min_gain, 0.005);
}

TEST(Project, FullFileIsRead) {
  auto p = Parse(R"(name: churn
data:
  path: /data/d.csv
  schema: s.yaml
  missing: ["", NA]
  drop_duplicates: true
target: {column: churn, positive: "Yes"}
columns: {customer_id: id, gender: sensitive}
exclude: [total]
split: {method: stratified, test_size: 0.3, valid_size: 0.1, seed: 9}
baseline: {algo: linear, linear_l2: 0.5}
candidate: {num_trees: 50, learning_rate: 0.1}
compare: {metric: logloss, min_gain: 0.01, alpha: 0.01, latency_budget_us: 200, resamples: 500, seed: 3}
fairness: {sensitive: gender, min_group_size: 10, threshold: 0.4, limits: {demographic_parity_difference: 0.1}}
explain: {rows: 200, top: 5}
drift: {data: new.csv}
output: {dir: out}
)");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->data_path, "/data/d.csv");
  EXPECT_EQ(p->schema_path, "/proj/s.yaml");
  ASSERT_TRUE(p->missing_tokens.has_value());
  EXPECT_EQ(p->missing_tokens->size(), 2u);
  EXPECT_TRUE(p->drop_duplicates);
  EXPECT_EQ(p->positive, "Yes");
  EXPECT_EQ(p->roles.at("customer_id"), Role::kId);
  EXPECT_EQ(p->roles.at("gender"), Role::kSensitive);
  // The split is shared by both models.
  for (const auto* m : {&p->baseline, &p->candidate}) {
    EXPECT_EQ(m->params.split, "stratified");
    EXPECT_DOUBLE_EQ(m->params.test_size, 0.3);
    EXPECT_DOUBLE_EQ(m->params.valid_size, 0.1);
    EXPECT_EQ(m->params.seed, 9);
  }
  EXPECT_DOUBLE_EQ(p->baseline.params.linear_l2, 0.5);
  EXPECT_EQ(p->candidate.params.num_trees, 50);
  ASSERT_TRUE(p->compare.metric.has_value());
  EXPECT_EQ(*p->compare.metric, Metric::kLogLoss);
  EXPECT_EQ(p->compare.resamples, 500u);
  EXPECT_EQ(p->fairness.sensitive, std::vector<std::string>{"gender"});
  EXPECT_DOUBLE_EQ(p->fairness.limits["demographic_parity_difference"].get<double>(), 0.1);
  EXPECT_EQ(p->explain.rows, 200u);
  EXPECT_EQ(p->drift.data, "/proj/new.csv");
  EXPECT_EQ(p->output_dir, "/proj/out");
}

// Every mistake names the line and what is wrong.
TEST(Project, ErrorsNameTheKeyAndLine) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"data: {path: d.csv}\ntarget: y\ncandidat: {}\n", "keel.yaml:3: unknown key \"candidat\""},
      {"data: {path: d.csv}\ntarget: y\ncandidate:\n  num_tres: 5\n",
       "keel.yaml:4: unknown key \"num_tres\""},
      {"data: {path: d.csv}\ntarget: y\ncandidate:\n  num_trees: -5\n", "keel.yaml:4: candidate:"},
      {"data: {path: d.csv}\ntarget: y\ncandidate:\n  test_size: 0.5\n",
       "belongs in the `split:` section"},
      {"data: {path: d.csv}\ntarget: y\nsplit: {method: sideways}\n", "keel.yaml:3: split.method"},
      {"target: y\n", "the `data` section is required"},
      {"data: {path: d.csv}\n", "`target`"},
      {"data: {path: d.csv}\ntarget: y\ncolumns: {a: boss}\n", "unknown role \"boss\""},
      {"data: {path: d.csv}\ntarget: y\ncompare: {alpha: 2}\n", "compare.alpha must be between"},
      {"data: {path: d.csv}\ntarget: y\ncompare: {metric: happiness}\n", "unknown metric"},
      {"data: {path: d.csv}\ntarget: y\nfairness: {limits: {nonsense_gap: 0.1}}\n",
       "fairness.limits"},
      {"data: {path: d.csv}\ntarget: y\nexplain: {rows: 0}\n", "explain.rows"},
      {"data: [1, 2\n", "keel.yaml:"},
      {"- a\n- b\n", "must be a map"},
  };
  for (const Case& c : cases) {
    auto p = Parse(c.text);
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_NE(p.status().message().find(c.expected), std::string::npos)
        << "text:\n"
        << c.text << "message: " << p.status().message();
  }
}

}  // namespace
}  // namespace keel::pipeline
