#include "explain/table_explanation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "explain/feature_value_text.h"
#include "explain/shap_summary.h"
#include "predict/reference_evaluator.h"

namespace keel {
namespace {

// churn ~ tenure (numeric) + plan (categorical); schema with an id column.
Model ChurnModel() {
  Model m;
  m.target = "churn";
  m.labels.classes = {"no", "yes"};
  m.base_margin = {-0.5};
  m.features = {
      {"tenure", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric},
      {"plan", FeatureSpec::Kind::kCategorical, {"basic", "gold"}, ColumnKind::kCategorical}};
  m.schema.columns = {{"customer", ColumnKind::kString, Role::kId, {}, {}, {}, {}},
                      {"tenure", ColumnKind::kNumeric, Role::kFeature, {}, {}, {}, {}},
                      {"plan", ColumnKind::kCategorical, Role::kFeature, {}, {}, {}, {}}};
  Tree t;
  t.nodes.resize(5);
  t.nodes[0] = {.left = 1, .right = 2, .feature = 0, .threshold = 12, .cover = 10, .gain = 4};
  t.nodes[1] = {.left = 3,
                .right = 4,
                .feature = 1,
                .is_categorical = true,
                .categories_left = true,
                .categories = {0},
                .cover = 6,
                .gain = 1};
  t.nodes[2].value = -0.8;
  t.nodes[2].cover = 4;
  t.nodes[3].value = 0.9;
  t.nodes[3].cover = 4;
  t.nodes[4].value = 0.2;
  t.nodes[4].cover = 2;
  m.forest.trees.push_back(t);
  return m;
}

Table ChurnTable() {
  Table t;
  EXPECT_TRUE(t.AddColumn(Column::String("customer", {"c1", "c,2", "c3"})).ok());
  EXPECT_TRUE(t.AddColumn(Column::Numeric("tenure", {2, 30, NAN})).ok());
  EXPECT_TRUE(
      t.AddColumn(Column::Categorical("plan", {0, 1, 2}, {"basic", "gold", "platinum"})).ok());
  t.set_source_lines({2, 4, 5});
  return t;
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell.push_back(c);
    }
  }
  cells.push_back(cell);
  return cells;
}

std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) rows.push_back(SplitCsvLine(line));
  return rows;
}

TEST(ExplainTable, RowsSumToTheMarginAndReasonsUseOriginalValues) {
  const Model m = ChurnModel();
  const Table table = ChurnTable();
  auto e = CreateExplainer(m);
  ASSERT_TRUE(e.ok());
  TableExplanationOptions o;
  o.top_k = 4;
  auto te = ExplainTable(m, **e, table, o, Context{}.WithThreads(2));
  ASSERT_TRUE(te.ok()) << te.status().ToString();
  ASSERT_EQ(te->features.rows, 3u);
  ASSERT_EQ(te->reasons.size(), 3u);
  for (size_t r = 0; r < 3; ++r) {
    double margin = 0;
    ReferenceRawMargins(m, te->features.row(r), &margin);
    EXPECT_NEAR(te->attributions[r * 3] + te->attributions[r * 3 + 1] + te->attributions[r * 3 + 2],
                margin, 1e-12);
  }
  EXPECT_EQ(te->encode.unseen[1], 1u);  // platinum
  // Row 0: tenure 2 (< 12) and plan basic reach the 0.9 leaf: both raise the score, tenure
  // by 0.633 and plan by 0.187 (hand-computed from the covers).
  const ReasonCodes& r0 = te->reasons[0];
  ASSERT_EQ(r0.up.size(), 2u);
  EXPECT_EQ(r0.score_name, "churn score");
  EXPECT_EQ(r0.up[0].name, "tenure");
  EXPECT_EQ(r0.up[0].value, "2");
  EXPECT_NEAR(r0.up[0].contribution, 0.5 * (4.0 / 6 - 0.08) + 0.5 * (0.9 - 0.22), 1e-12);
  EXPECT_EQ(r0.up[1].value, "basic");
  EXPECT_EQ(r0.sentence,
            "tenure = 2 raised the churn score the most (+0.633), followed by plan = basic "
            "(+0.187).");
  // Row 2: tenure missing, plan unseen.
  const ReasonCodes& r2 = te->reasons[2];
  bool saw_missing = false;
  bool saw_unseen = false;
  for (const auto* list : {&r2.up, &r2.down}) {
    for (const Reason& reason : *list) {
      saw_missing |= reason.value == "missing";
      saw_unseen |= reason.value == "platinum (read as missing)";
    }
  }
  EXPECT_TRUE(saw_missing) << r2.sentence;
  EXPECT_TRUE(saw_unseen) << r2.sentence;
}

TEST(ExplanationToCsv, IdColumnShapColumnsBiasAndRejectedLinesInPlace) {
  const Model m = ChurnModel();
  const Table table = ChurnTable();
  auto e = CreateExplainer(m);
  ASSERT_TRUE(e.ok());
  auto te = ExplainTable(m, **e, table, {}, Context{});
  ASSERT_TRUE(te.ok());
  // The record on line 3 was rejected by the reader.
  const std::string csv = ExplanationToCsv(m, *te, table, "customer", {3}, 0, 2);
  const auto rows = ParseCsv(csv);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"customer", "tenure", "plan", "bias"}));
  EXPECT_EQ(rows[1][0], "c1");
  EXPECT_EQ(rows[2], (std::vector<std::string>{"", "", "", ""}));
  EXPECT_EQ(rows[3][0], "c,2");
  double sum = 0;
  for (size_t c = 1; c < 4; ++c) sum += std::stod(rows[3][c]);
  double margin = 0;
  ReferenceRawMargins(m, te->features.row(1), &margin);
  EXPECT_NEAR(sum, margin, 1e-12);
  // Shortest round-trip numbers: they read back to the same doubles.
  EXPECT_EQ(std::stod(rows[1][1]), te->attributions[0]);
}

TEST(ExplanationToCsv, ReasonColumnsAndMulticlassPrefixes) {
  Model m = ChurnModel();
  m.task = Task::kMulticlass;
  m.objective = Objective::kMultiSoftmax;
  m.num_outputs = 2;
  m.base_margin = {0, 0};
  m.labels.classes = {"stay", "leave"};
  m.forest.trees.push_back(m.forest.trees[0]);
  m.forest.trees[1].class_index = 1;
  m.features[1].name = "bias";  // a feature called bias moves the bias column aside
  const Table table = [] {
    Table t;
    EXPECT_TRUE(t.AddColumn(Column::Numeric("tenure", {2})).ok());
    // Table code 0 = "gold" (the model's code 1): codes index the column's own dictionary.
    EXPECT_TRUE(t.AddColumn(Column::Categorical("bias", {0}, {"gold"})).ok());
    return t;
  }();
  auto e = CreateExplainer(m);
  ASSERT_TRUE(e.ok());
  TableExplanationOptions o;
  o.top_k = 1;
  auto te = ExplainTable(m, **e, table, o, Context{});
  ASSERT_TRUE(te.ok()) << te.status().ToString();
  const auto rows = ParseCsv(ExplanationToCsv(m, *te, table, "customer", {}, 1));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{
                         "stay:tenure", "stay:bias", "stay:_bias", "leave:tenure", "leave:bias",
                         "leave:_bias", "reason_class", "up_1_feature", "up_1_value", "up_1_shap",
                         "down_1_feature", "down_1_value", "down_1_shap", "reason"}));
  EXPECT_EQ(rows[1].size(), rows[0].size());
  EXPECT_FALSE(rows[1].back().empty());
}

TEST(FeatureValueTexts, CellTextMissingAndReadAsMissing) {
  const Model m = ChurnModel();
  const Table table = ChurnTable();
  const FeatureValueTexts texts(m, table);
  EXPECT_EQ(texts.Text(0, 0, 2.0f), "2");
  EXPECT_EQ(texts.Text(1, 1, 1.0f), "gold");
  EXPECT_EQ(texts.Text(2, 0, NAN), "missing");
  EXPECT_EQ(texts.Text(2, 1, NAN), "platinum (read as missing)");
  EXPECT_EQ(EncodedValueText(m.features[1], 1.0f), "gold");
  EXPECT_EQ(EncodedValueText(m.features[1], NAN), "missing");
  EXPECT_EQ(EncodedValueText(m.features[0], 0.1f), "0.1");
}

TEST(ShapSummary, MostImportantFeaturesWithRankColors) {
  const Model m = ChurnModel();
  auto e = CreateExplainer(m);
  ASSERT_TRUE(e.ok());
  FeatureMatrix x;
  x.rows = 6;
  x.cols = 2;
  x.values = {1, 0, 20, 1, 5, 0, 40, NAN, 3, 1, NAN, 0};
  std::vector<double> a(x.rows * (*e)->row_width());
  ASSERT_TRUE((*e)->ExplainMatrix(x, 1, a).ok());
  ShapSummaryOptions o;
  o.max_rows = 3;
  o.max_features = 1;
  const ShapSummary s = BuildShapSummary(m, **e, x, a, o);
  EXPECT_EQ(s.rows, (std::vector<size_t>{0, 2, 4}));
  EXPECT_EQ(s.output_name, "churn score");
  ASSERT_EQ(s.features.size(), 1u);
  EXPECT_EQ(s.features[0].name, s.importance[0].name);
  ASSERT_EQ(s.features[0].shap.size(), 3u);
  EXPECT_EQ(s.features[0].shap[1], a[2 * 3 + static_cast<size_t>(s.features[0].feature)]);
  ASSERT_EQ(s.importance.size(), 2u);
  // tenure values 1, 5, 3 -> ranks 0, 1, 0.5.
  const ShapSummary all = BuildShapSummary(m, **e, x, a, {});
  for (const auto& f : all.features) {
    if (f.name != "tenure") continue;
    EXPECT_EQ(f.color[0], 0.0);
    EXPECT_EQ(f.color[3], 1.0);
    EXPECT_TRUE(std::isnan(f.color[5]));
  }
}

}  // namespace
}  // namespace keel
