// libFuzzer target: the stakeholder objectives (rank/objectives.h) and the expression
// language under them (rank/expression.h).
//
// Each input is used twice:
//  - as an objectives file (ParseObjectivesYaml); when it parses, the plan is bound to a tiny
//    click model and a few candidate rows (numbers, categories, missing values, two
//    requests), scored, ranked with the configured weights and swept over a small weight grid;
//  - as one expression (Expression::Parse); when it parses, every name is bound to a column
//    and every text literal resolved, and it is evaluated over the same odd values.
// Any crash, sanitizer report or failed check (abort) is a finding.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "rank/expression.h"
#include "rank/group_ranker.h"
#include "rank/objectives.h"
#include "rank/ranking_plan.h"
#include "rank/request_groups.h"
#include "rank/tradeoff.h"

namespace {

using namespace keel;
using namespace keel::rank;

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz check failed: %s\n", what);
    std::abort();
  }
}

// P(click) = sigmoid(x).
const Model& ClickModel() {
  static const Model m = [] {
    Model m;
    m.task = Task::kBinary;
    m.objective = Objective::kBinaryLogistic;
    m.kind = Model::Kind::kLinear;
    m.num_outputs = 1;
    m.base_margin = {0};
    m.features.push_back({"x", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
    m.linear.terms.push_back({0, LinearTerm::Kind::kNumeric, -1, 0.0, 1.0});
    m.linear.weights = {1.0};
    m.target = "clicked";
    m.labels.classes = {"0", "1"};
    return m;
  }();
  return m;
}

const Predictor& ClickPredictor() {
  static const std::unique_ptr<Predictor> p = std::move(*Predictor::Create(ClickModel()));
  return *p;
}

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

const Table& Candidates() {
  static const Table t = [] {
    Table t;
    auto num = [&](const char* name, std::vector<double> v) {
      Require(t.AddColumn(Column::Numeric(name, std::move(v))).ok(), "numeric column");
    };
    num("x", {0.5, -2, kNan, 30, 0});
    num("bid", {1.5, 0, 2, kInf, -1});
    num("reserve", {0.25, 0.25, kNan, 0.25, 1e300});
    num("ad_cost", {0.5, 0.1, 0.2, 0, kNan});
    num("clicked", {1, 0, 0, 1, kNan});
    Require(t.AddColumn(
                 Column::Categorical("advertiser_id", {0, 0, 1, kMissingCode, 2}, {"a", "b", "c"}))
                .ok(),
            "categorical column");
    Require(
        t.AddColumn(Column::Categorical("country", {0, 1, 0, 2, kMissingCode}, {"US", "GB", "DE"}))
            .ok(),
        "categorical column");
    Require(t.AddColumn(Column::String("request_id", {"r1", "r1", "r2", "r2", ""}, {0, 0, 0, 0, 1}))
                .ok(),
            "string column");
    return t;
  }();
  return t;
}

void ExerciseObjectives(std::string_view text) {
  auto objectives = ParseObjectivesYaml(text, "fuzz.yaml");
  if (!objectives.ok()) return;
  const Objectives& o = *objectives;
  Require(!o.objectives.empty(), "parsed objectives have an objective");
  const Table& table = Candidates();
  auto plan = RankingPlan::Create(o, ClickModel(), FieldsOf(table), {.outcomes = true});
  if (!plan.ok()) return;
  auto scored = (*plan)->Score(ClickModel(), ClickPredictor(), table, Context{.num_threads = 1});
  if (!scored.ok()) return;
  Require(scored->rows == table.num_rows(), "one score row per candidate");
  Require(scored->values.size() == o.objectives.size() * table.num_rows(), "values shape");
  RequestGroups groups = SingleRequest(table.num_rows());
  if (!o.group_by.empty()) {
    auto g = GroupRows(table, o.group_by);
    if (g.ok()) groups = std::move(*g);
  }
  GroupRanker ranker;
  std::vector<RankedItem> items;
  for (const auto& rows : groups.rows) {
    ranker.Load(*scored, rows);
    ranker.Select(o.Weights(), o.top, &items);
    Require(items.size() <= ranker.num_eligible(), "shows only eligible candidates");
    if (o.top > 0) Require(items.size() <= o.top, "at most top candidates");
  }
  TradeoffOptions opt;
  opt.steps = std::min<size_t>(o.tradeoff_steps, 3);
  opt.top = o.top > 0 ? o.top : 1;
  opt.max_settings = 200;
  auto sweep = SweepTradeoff(**plan, *scored, groups, opt, Context{.num_threads = 1});
  if (sweep.ok()) {
    Require(sweep->best.size() == o.objectives.size(), "a best setting per objective");
    Require(sweep->default_index < sweep->settings.size(), "the default is a setting");
  }
}

void ExerciseExpression(std::string_view text) {
  auto e = Expression::Parse(text);
  if (!e.ok()) return;
  constexpr size_t kColumns = 4;
  Status st = e->Bind(
      [](std::string_view name) -> std::optional<uint32_t> {
        if (name.empty()) return std::nullopt;
        return static_cast<uint32_t>(static_cast<unsigned char>(name[0]) % kColumns);
      },
      [](std::string_view, std::string_view literal) -> std::optional<double> {
        if (literal.size() % 3 == 0) return std::nullopt;  // not in the dictionary
        return static_cast<double>(literal.size() % kColumns);
      });
  Require(st.ok(), "binding every name succeeds");
  const std::vector<double> a = {0, 1, kNan, -1e308, 2, 3};
  const std::vector<double> b = {kInf, -0.0, 1, 2, kNan, 1e-308};
  const std::vector<double> c = {3, 2, 1, 0, -1, -2};
  const std::vector<double> d = {kNan, kNan, 0, 0, 1, 1};
  const double* cols[kColumns] = {a.data(), b.data(), c.data(), d.data()};
  std::vector<double> scratch(e->scratch_size());
  std::vector<double> out(a.size());
  e->Evaluate(cols, 0, a.size(), out.data(), scratch);
  if (e->is_condition()) {
    for (double v : out) Require(v == 0 || v == 1, "a condition gives 0 or 1");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ExerciseObjectives(text);
  ExerciseExpression(text);
  return 0;
}
