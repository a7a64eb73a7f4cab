#include "usecase/project.h"

#include <gtest/gtest.h>

namespace keel::usecase {
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
  EXPECT_EQ(p->fairness.audit.sensitive, std::vector<std::string>{"gender"});
  EXPECT_DOUBLE_EQ(p->fairness.limits["demographic_parity_difference"].get<double>(), 0.1);
  EXPECT_EQ(p->explain.rows, 200u);
  EXPECT_EQ(p->drift.data, "/proj/new.csv");
  EXPECT_EQ(p->output_dir, "/proj/out");
}

// Every mistake names the line and what is wrong.
TEST(Project, ConstraintsTakeAMapAndAListOfLists) {
  auto p = Parse(
      "data: {path: d.csv}\ntarget: churn\ncandidate:\n  monotone: {tenure: -1, charges: +1}\n"
      "  interactions: [[tenure, charges], [contract]]\n");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->candidate.params.monotone, "tenure=-1,charges=+1");
  EXPECT_EQ(p->candidate.params.interactions, "tenure,charges;contract");
  // The text forms work too, and a bad direction names the line.
  auto text = Parse(
      "data: {path: d.csv}\ntarget: churn\ncandidate: {monotone: \"tenure=-1\", interactions: "
      "\"a,b;c\"}\n");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(text->candidate.params.interactions, "a,b;c");
  auto bad = Parse("data: {path: d.csv}\ntarget: churn\ncandidate:\n  monotone: {tenure: 2}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("keel.yaml:4"), std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("direction '2' of tenure"), std::string::npos);
}

TEST(Project, TheCandidateIsTunedUnlessKeelYamlSaysOtherwise) {
  const std::string head = "data: {path: d.csv}\ntarget: churn\n";
  auto p = Parse(head);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->candidate.params.tune, "auto");
  EXPECT_EQ(p->baseline.params.tune, "off");
  auto off = Parse(head + "candidate: {tune: off}\n");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(off->candidate.params.tune, "off");
  auto budget = Parse(head + "candidate: {tune: 40trials/30s}\n");
  ASSERT_TRUE(budget.ok()) << budget.status().ToString();
  EXPECT_EQ(budget->candidate.params.tune, "40trials/30s");
  // A linear candidate has nothing to tune: off by default, an error when asked for.
  auto linear = Parse(head + "candidate: {algo: linear}\n");
  ASSERT_TRUE(linear.ok()) << linear.status().ToString();
  EXPECT_EQ(linear->candidate.params.tune, "off");
  auto asked = Parse(head + "candidate: {algo: linear, tune: 8trials}\n");
  ASSERT_FALSE(asked.ok());
  EXPECT_NE(asked.status().message().find("gbdt models only"), std::string::npos);
  auto bad = Parse(head + "candidate:\n  tune: 8 trials\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("keel.yaml:4"), std::string::npos)
      << bad.status().message();
}

TEST(Project, DataDecimalIsTheCsvDecimalMark) {
  auto p = Parse("data: {path: d.csv}\ntarget: y\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->decimal, 0);  // sniffed
  for (const char* mark : {"\",\"", "comma"}) {
    p = Parse(std::string("data: {path: d.csv, decimal: ") + mark + "}\ntarget: y\n");
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(p->decimal, ',');
  }
  p = Parse("data:\n  path: d.csv\n  decimal: \".\"\ntarget: y\n");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->decimal, '.');
  p = Parse("data:\n  path: d.csv\n  decimal: x\ntarget: y\n");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("keel.yaml:3: data.decimal"), std::string::npos)
      << p.status().message();
}

TEST(Project, ErrorsNameTheKeyAndLine) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"data: {path: d.csv}\ntarget: y\ncandidat: {}\n", "keel.yaml:3: unknown key \"candidat\""},
      {"data: {path: d.csv}\ntarget: y\ncandidate:\n  num_tres: 5\n",
       "keel.yaml:4: unknown key \"num_tres\""},
      {"data: {path: d.csv}\ntarget: y\ncandidate:\n  num_tres: 5\n",
       "; did you mean 'num_trees'?"},
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

const char* kAdsProject = R"(data: {path: ads.csv}
target: clicked
objectives:
  clicks: {expr: p, outcome: clicked}
  revenue: {expr: p * bid, weight: 0.5, outcome: clicked * bid}
  constraints:
    - bid >= reserve
    - country != "XX"
    - {max_per: advertiser, count: 1}
  top: 3
  group_by: request_id
)";

Schema AdsSchema() {
  Schema s;
  for (const auto& [name, kind] :
       std::vector<std::pair<std::string, ColumnKind>>{{"request_id", ColumnKind::kCategorical},
                                                       {"bid", ColumnKind::kNumeric},
                                                       {"reserve", ColumnKind::kNumeric},
                                                       {"country", ColumnKind::kCategorical},
                                                       {"advertiser", ColumnKind::kCategorical},
                                                       {"clicked", ColumnKind::kNumeric}}) {
    ColumnSchema c;
    c.name = name;
    c.kind = kind;
    s.columns.push_back(c);
  }
  return s;
}

TEST(ProjectObjectives, SectionIsParsedWithTheSharedParser) {
  auto p = Parse(kAdsProject);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_TRUE(p->objectives.has_value());
  const rank::Objectives& o = *p->objectives;
  ASSERT_EQ(o.objectives.size(), 2u);
  EXPECT_EQ(o.objectives[1].name, "revenue");
  EXPECT_DOUBLE_EQ(o.objectives[1].weight, 0.5);
  EXPECT_EQ(o.objectives[1].line, 5);
  EXPECT_EQ(o.source, "keel.yaml");
  EXPECT_EQ(o.constraints.size(), 3u);
  EXPECT_EQ(o.top, 3u);
  EXPECT_EQ(o.group_by, "request_id");
  EXPECT_TRUE(CheckProjectObjectives(*p, AdsSchema()).ok());
  EXPECT_TRUE(ProjectToJson(*p).contains("objectives"));
  // Without the section nothing is set and the check passes.
  auto plain = Parse("data: {path: d.csv}\ntarget: churn\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->objectives.has_value());
  EXPECT_TRUE(CheckProjectObjectives(*plain, AdsSchema()).ok());
}

TEST(ProjectObjectives, ParseErrorsNameTheLine) {
  // The objectives' own errors come from rank::ParseObjectives, with keel.yaml's lines.
  auto bad = Parse(
      "data: {path: d.csv}\ntarget: c\nobjectives:\n  group_by: r\n"
      "  clicks: p *\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("keel.yaml:5"), std::string::npos)
      << bad.status().message();
  auto unknown = Parse(
      "data: {path: d.csv}\ntarget: c\nobjectives:\n  group_by: r\n"
      "  clicks: {expr: p, wieght: 2}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("wieght"), std::string::npos);
  // group_by is required in keel.yaml (the replay needs requests).
  auto no_group = Parse("data: {path: d.csv}\ntarget: c\nobjectives:\n  clicks: p\n");
  ASSERT_FALSE(no_group.ok());
  EXPECT_NE(no_group.status().message().find("keel.yaml:4"), std::string::npos)
      << no_group.status().message();
  EXPECT_NE(no_group.status().message().find("group_by"), std::string::npos);
}

TEST(ProjectObjectives, NamesAreCheckedAgainstTheSchemaWithTheLine) {
  auto check = [](const std::string& replace_from, const std::string& replace_to) {
    std::string text = kAdsProject;
    text.replace(text.find(replace_from), replace_from.size(), replace_to);
    auto p = Parse(text);
    EXPECT_TRUE(p.ok()) << p.status().message();
    return p.ok() ? CheckProjectObjectives(*p, AdsSchema()) : Status::OK();
  };
  Status typo = check("p * bid", "p * bidd");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.code(), StatusCode::kNotFound);
  EXPECT_NE(typo.message().find("keel.yaml:5"), std::string::npos) << typo.message();
  EXPECT_NE(typo.message().find("unknown name 'bidd'"), std::string::npos) << typo.message();
  EXPECT_NE(typo.message().find("did you mean 'bid'?"), std::string::npos) << typo.message();
  Status outcome = check("clicked * bid", "clicks * bid");
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.message().find("outcome"), std::string::npos) << outcome.message();
  Status constraint = check("bid >= reserve", "bid >= floor");
  ASSERT_FALSE(constraint.ok());
  EXPECT_NE(constraint.message().find("keel.yaml:7"), std::string::npos) << constraint.message();
  Status cap = check("max_per: advertiser", "max_per: advertiser_id");
  ASSERT_FALSE(cap.ok());
  EXPECT_NE(cap.message().find("advertiser_id"), std::string::npos);
  Status group = check("group_by: request_id", "group_by: request");
  ASSERT_FALSE(group.ok());
  EXPECT_NE(group.message().find("group_by"), std::string::npos);
  // Kinds: text literals compare categorical columns, arithmetic reads numbers.
  Status text_vs_number = check("country != \"XX\"", "bid != \"XX\"");
  ASSERT_FALSE(text_vs_number.ok());
  EXPECT_NE(text_vs_number.message().find("compares it with text"), std::string::npos)
      << text_vs_number.message();
  Status arithmetic_on_category = check("p * bid", "p * country");
  ASSERT_FALSE(arithmetic_on_category.ok());
  EXPECT_NE(arithmetic_on_category.message().find("categorical"), std::string::npos);
  // An objective's value cannot read the target (a live request lacks it); an outcome can.
  Status target = check("expr: p,", "expr: p * clicked,");
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.message().find("reads the target 'clicked'"), std::string::npos)
      << target.message();
}

// Fuzzing (project target, session 4) found that yaml-cpp turns a NUL byte followed by `_`
// into the byte 0xA0, so a keel.yaml that is valid UTF-8 but holds control characters parsed
// into text that is not, and writing the project as JSON threw. Control characters YAML does
// not allow are now a parse error naming line and column, for every YAML file Keel reads.
TEST(ProjectFuzzRegression, ControlCharactersAreAParseError) {
  const std::string nul_text =
      std::string("data: {path: d.csv}\ntarget: c\nexclude: [a, \x1f") + '\0' + "_id]\n";
  auto p = Parse(nul_text);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kParseError);
  EXPECT_NE(p.status().message().find("keel.yaml:3:14: a control character"), std::string::npos)
      << p.status().message();
  for (const char* text : {"data: {path: d.csv}\ntarget: c\x7f\n", "data: {path: \x01}\n"}) {
    EXPECT_EQ(Parse(text).status().code(), StatusCode::kParseError) << text;
  }
  // Tabs, CR LF line ends and escapes YAML defines still parse.
  auto ok = Parse("data: {path: \"d\\x41.csv\"}\r\ntarget:\tc\r\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->target, "c");
}

// Fuzzing (project target, session 4): `path: !tag` is a tagged empty scalar, so the project
// parsed with no data file at all. Empty paths are now an error naming the key and line.
TEST(ProjectFuzzRegression, EmptyPathsAreAnError) {
  for (const char* text : {"data: {path: !d.csv}\ntarget: c\n", "data: {path: \"\"}\ntarget: c\n",
                           "data: {path: d.csv, schema: ''}\ntarget: c\n",
                           "data: {path: d.csv}\ntarget: c\ndrift: {data: !x}\n"}) {
    auto p = Parse(text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.status().code(), StatusCode::kParseError) << text;
    EXPECT_NE(p.status().message().find("must name a file"), std::string::npos)
        << p.status().message();
  }
}

// Fuzzing found that a keel.yaml with bytes that are not UTF-8 parsed, and then writing the
// project as JSON (summary.json) threw. Such a file is now a parse error with its position.
TEST(ProjectFuzzRegression, NonUtf8TextIsAParseErrorNotAThrowLater) {
  auto p = Parse("data: {path: d.csv}\ntarget: c\nname: caf\xe9\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kParseError);
  EXPECT_NE(p.status().message().find("keel.yaml:3:10"), std::string::npos) << p.status().message();
  EXPECT_NE(p.status().message().find("not UTF-8"), std::string::npos);
  auto first = Parse("\xff");
  ASSERT_FALSE(first.ok());
  EXPECT_NE(first.status().message().find("keel.yaml:1:1"), std::string::npos)
      << first.status().message();
  // Valid UTF-8 anywhere (a name, an objective's description) parses and dumps.
  auto ok = Parse(
      "data: {path: d.csv}\ntarget: c\nname: caf\xc3\xa9\nobjectives:\n  group_by: r\n"
      "  c: {expr: p, description: \"d\xc3\xa9j\xc3\xa0\"}\n");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_NO_THROW((void)ProjectToJson(*ok).dump());
}
}  // namespace
}  // namespace keel::usecase
