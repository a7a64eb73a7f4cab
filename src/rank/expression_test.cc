#include "rank/expression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace keel::rank {
namespace {

// Evaluates `text` with variables named a, b, c, ... bound to vars[0], vars[1], ...
double Eval(const std::string& text, std::vector<double> vars = {}) {
  auto e = Expression::Parse(text);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return std::nan("");
  Status st = e->Bind([](std::string_view name) -> std::optional<uint32_t> {
    if (name.size() == 1 && name[0] >= 'a' && name[0] <= 'h') return name[0] - 'a';
    if (name == "bid") return 0;
    return std::nullopt;
  });
  EXPECT_TRUE(st.ok()) << st.ToString();
  vars.resize(8, 0.0);
  return e->EvaluateRow(vars);
}

std::string ParseError(const std::string& text) {
  auto e = Expression::Parse(text);
  EXPECT_FALSE(e.ok()) << "parsed: " << text;
  return e.ok() ? "" : e.status().ToString();
}

TEST(Expression, PrecedenceAndAssociativity) {
  EXPECT_DOUBLE_EQ(Eval("1 + 2 * 3"), 7);
  EXPECT_DOUBLE_EQ(Eval("(1 + 2) * 3"), 9);
  EXPECT_DOUBLE_EQ(Eval("10 - 4 - 3"), 3);
  EXPECT_DOUBLE_EQ(Eval("24 / 4 / 2"), 3);
  EXPECT_DOUBLE_EQ(Eval("2 ^ 3 ^ 2"), 512);  // right-associative
  EXPECT_DOUBLE_EQ(Eval("-2 ^ 2"), -4);      // unary minus binds looser than ^
  EXPECT_DOUBLE_EQ(Eval("2 * -3"), -6);
  EXPECT_DOUBLE_EQ(Eval("1.5e2 + .5"), 150.5);
}

TEST(Expression, VariablesAndFunctions) {
  EXPECT_DOUBLE_EQ(Eval("a * bid - c", {2.0, 0, 0.5}), 2.0 * 2.0 - 0.5);
  EXPECT_DOUBLE_EQ(Eval("min(a, b) + max(a, b)", {3, 5}), 8);
  EXPECT_DOUBLE_EQ(Eval("clip(a, 0, 1)", {7}), 1);
  EXPECT_DOUBLE_EQ(Eval("clip(a, 0, 1)", {-7}), 0);
  EXPECT_DOUBLE_EQ(Eval("if(a > 1, 10, 20)", {2}), 10);
  EXPECT_DOUBLE_EQ(Eval("if(a > 1, 10, 20)", {0}), 20);
  EXPECT_DOUBLE_EQ(Eval("sqrt(abs(a)) + log(exp(2))", {-16}), 6);
}

TEST(Expression, ComparisonsAndLogicGiveZeroOrOne) {
  EXPECT_EQ(Eval("a >= b", {1, 1}), 1);
  EXPECT_EQ(Eval("a > b", {1, 1}), 0);
  EXPECT_EQ(Eval("a != b and a < 2", {1, 3}), 1);
  EXPECT_EQ(Eval("a == b || not (a < b)", {1, 3}), 0);
  EXPECT_EQ(Eval("!(a <= b)", {1, 3}), 0);
}

TEST(Expression, MissingValuesPropagateAndFailComparisons) {
  const double nan = std::nan("");
  EXPECT_TRUE(std::isnan(Eval("a * 2 + 1", {nan})));
  EXPECT_EQ(Eval("a >= b", {nan, 1}), 0);
  EXPECT_EQ(Eval("a != b", {nan, 1}), 0);
  EXPECT_EQ(Eval("a < b or c > 0", {nan, 1, 1}), 1);
  EXPECT_TRUE(std::isnan(Eval("max(a, b)", {nan, 1})));
}

TEST(Expression, NamesInFirstUseOrderWithColumns) {
  auto e = Expression::Parse("p * bid - `ad cost` + bid");
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->names().size(), 3u);
  EXPECT_EQ(e->names()[0], "p");
  EXPECT_EQ(e->names()[1], "bid");
  EXPECT_EQ(e->names()[2], "ad cost");
  EXPECT_EQ(e->name_column(1), 5u);
  EXPECT_EQ(e->name_column(2), 11u);
}

TEST(Expression, UnknownNameErrorNamesItAndItsColumn) {
  auto e = Expression::Parse("p * bid - cost");
  ASSERT_TRUE(e.ok());
  Status st = e->Bind([](std::string_view n) -> std::optional<uint32_t> {
    if (n == "p") return 0;
    if (n == "bid") return 1;
    return std::nullopt;
  });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("unknown name 'cost' at column 11"), std::string::npos)
      << st.message();
}

TEST(Expression, SyntaxErrorsSayWhatAndWhere) {
  EXPECT_NE(ParseError("p * ").find("text ended"), std::string::npos);
  EXPECT_NE(ParseError("p * (bid").find("expected ')' at column 9"), std::string::npos);
  EXPECT_NE(ParseError("p bid").find("unexpected text after the expression at column 3"),
            std::string::npos);
  EXPECT_NE(ParseError("2p").find("number runs into a name"), std::string::npos);
  const std::string fn = ParseError("foo(p)");
  EXPECT_NE(fn.find("unknown function 'foo'"), std::string::npos) << fn;
  EXPECT_NE(fn.find("at column 1"), std::string::npos) << fn;
  EXPECT_NE(ParseError("min(p)").find("min() takes 2 arguments, got 1"), std::string::npos);
  EXPECT_NE(ParseError("bid = 3").find("use =="), std::string::npos);
  EXPECT_NE(ParseError("a < b < c").find("do not chain"), std::string::npos);
  EXPECT_NE(ParseError("p * $").find("unexpected '$' at column 5"), std::string::npos);
  EXPECT_NE(ParseError("`unterminated").find("unterminated"), std::string::npos);
  EXPECT_NE(ParseError("1.2.3").find("malformed number"), std::string::npos);
  EXPECT_NE(ParseError("   ").find("empty expression"), std::string::npos);
  EXPECT_NE(ParseError("").find("empty expression"), std::string::npos);
}

TEST(Expression, HostileInputIsAnErrorNotACrash) {
  EXPECT_NE(ParseError(std::string(10000, '(') + "1").find("longer than the limit"),
            std::string::npos);
  EXPECT_NE(ParseError(std::string(500, '(') + "1" + std::string(500, ')')).find("nested deeper"),
            std::string::npos);
  EXPECT_NE(ParseError(std::string(300, '-') + "1").find("nested deeper"), std::string::npos);
  EXPECT_NE(ParseError(std::string("p\0q", 3)).find("NUL"), std::string::npos);
  EXPECT_FALSE(Expression::Parse("\xff\xfe").ok());
}

TEST(Expression, ConditionDetection) {
  EXPECT_TRUE(Expression::Parse("bid >= reserve")->is_condition());
  EXPECT_TRUE(Expression::Parse("a > 1 and b > 2")->is_condition());
  EXPECT_FALSE(Expression::Parse("p * bid")->is_condition());
  EXPECT_FALSE(Expression::Parse("(a > 1) * 3")->is_condition());
}

// Block evaluation over more rows than one block equals row-by-row evaluation.
TEST(Expression, BlockEvaluationMatchesRowEvaluation) {
  auto e = Expression::Parse("a * b - if(a > 0.5, c, 2 * c) + max(a, 0.25)");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->Bind([](std::string_view n) -> std::optional<uint32_t> {
                 return static_cast<uint32_t>(n[0] - 'a');
               }).ok());
  const size_t n = 3 * kEvalBlock + 17;
  std::vector<double> a(n), b(n), c(n);
  for (size_t i = 0; i < n; ++i) {
    a[i] = static_cast<double>(i % 7) / 7;
    b[i] = static_cast<double>(i) * 0.01;
    c[i] = static_cast<double>(i % 3);
  }
  std::vector<const double*> cols = {a.data(), b.data(), c.data()};
  std::vector<double> scratch(e->scratch_size());
  std::vector<double> out(n);
  e->Evaluate(cols, 0, n, out.data(), scratch);
  for (size_t i = 0; i < n; ++i) {
    const double want = a[i] * b[i] - (a[i] > 0.5 ? c[i] : 2 * c[i]) + std::max(a[i], 0.25);
    ASSERT_DOUBLE_EQ(out[i], want) << i;
  }
  // An offset start reads the right rows.
  std::vector<double> part(5);
  e->Evaluate(cols, 300, 5, part.data(), scratch);
  for (size_t i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(part[i], out[300 + i]);
}

// Binds names a..c to slots 0..2 and resolves text literals against `dictionary`: a literal
// becomes its index there (the code the column holds), or no match when absent.
Expression BindText(const std::string& text, const std::vector<std::string>& dictionary) {
  auto e = Expression::Parse(text);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return {};
  Status st = e->Bind(
      [](std::string_view n) -> std::optional<uint32_t> {
        if (n == "country") return 0;
        if (n == "bid") return 1;
        if (n == "category") return 2;
        return std::nullopt;
      },
      [&](std::string_view, std::string_view lit) -> std::optional<double> {
        for (size_t i = 0; i < dictionary.size(); ++i) {
          if (dictionary[i] == lit) return static_cast<double>(i);
        }
        return std::nullopt;
      });
  EXPECT_TRUE(st.ok()) << st.ToString();
  return std::move(*e);
}

TEST(ExpressionText, LiteralsParseAsTextComparisons) {
  auto e = Expression::Parse("country == \"US\" and 'shoes' != category and bid > 1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_TRUE(e->is_condition());
  ASSERT_EQ(e->text_comparisons().size(), 2u);
  EXPECT_EQ(e->names()[e->text_comparisons()[0].name], "country");
  EXPECT_EQ(e->text_comparisons()[0].literal, "US");
  EXPECT_EQ(e->text_comparisons()[0].column, 12u);
  EXPECT_EQ(e->names()[e->text_comparisons()[1].name], "category");
  EXPECT_EQ(e->text_comparisons()[1].literal, "shoes");
  ASSERT_EQ(e->names().size(), 3u);
  EXPECT_TRUE(e->reads_text(0));
  EXPECT_FALSE(e->reads_number(0));
  EXPECT_TRUE(e->reads_number(2));  // bid
  EXPECT_FALSE(e->reads_text(2));
  // Backticked names and a comparison inside a function.
  auto f = Expression::Parse("if(`ad country` == 'GB', 2, 1) * bid");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->names()[0], "ad country");
  EXPECT_TRUE(f->reads_text(0));
  EXPECT_FALSE(f->is_condition());
}

TEST(ExpressionText, EvaluatesAgainstCodesResolvedOnce) {
  const double nan = std::nan("");
  // Dictionary {DE, US, GB}; rows: US, DE, missing, GB.
  const std::vector<double> country = {1, 0, nan, 2};
  const std::vector<double> bid = {1, 2, 3, 4};
  const std::vector<double> category = {0, 0, 0, 0};
  std::vector<const double*> cols = {country.data(), bid.data(), category.data()};
  auto run = [&](const Expression& e) {
    std::vector<double> out(4);
    std::vector<double> scratch(e.scratch_size());
    e.Evaluate(cols, 0, 4, out.data(), scratch);
    return out;
  };
  const std::vector<std::string> dict = {"DE", "US", "GB"};
  EXPECT_EQ(run(BindText("country == \"US\"", dict)), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(run(BindText("\"US\" == country", dict)), (std::vector<double>{1, 0, 0, 0}));
  // != holds for every present other value; a missing value fails both == and !=.
  EXPECT_EQ(run(BindText("country != 'US'", dict)), (std::vector<double>{0, 1, 0, 1}));
  // A literal outside the dictionary matches nothing: == is never true, != always (if present).
  EXPECT_EQ(run(BindText("country == \"FR\"", dict)), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(run(BindText("country != \"FR\"", dict)), (std::vector<double>{1, 1, 0, 1}));
  // Combined with arithmetic through if() and logic.
  EXPECT_EQ(run(BindText("if(country == 'GB' or country == 'DE', bid * 10, bid)", dict)),
            (std::vector<double>{1, 20, 3, 40}));
  // Literals are case-sensitive texts, and may contain spaces and the other quote.
  EXPECT_EQ(run(BindText("country == 'us'", dict)), (std::vector<double>{0, 0, 0, 0}));
  auto q = Expression::Parse("country == \"it's\"");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->text_comparisons()[0].literal, "it's");
}

TEST(ExpressionText, MisplacedLiteralsAreSyntaxErrors) {
  EXPECT_NE(ParseError("\"US\" + 1").find("compared with == or != to a field name"),
            std::string::npos);
  EXPECT_NE(ParseError("country < \"US\"").find("compared with == or != to a field name"),
            std::string::npos);
  EXPECT_NE(ParseError("bid * 'x'").find("at column 7"), std::string::npos);
  EXPECT_NE(ParseError("'US' == 'US'").find("compared with a field name"), std::string::npos);
  EXPECT_NE(ParseError("'US' == min(a, b)").find("compared with a field name"), std::string::npos);
  EXPECT_NE(ParseError("(a + b) == 'x'").find("to a field name"), std::string::npos);
  EXPECT_NE(ParseError("country == \"US").find("unterminated text literal"), std::string::npos);
  EXPECT_NE(ParseError("country == 'US' == 1").find("do not chain"), std::string::npos);
  EXPECT_NE(ParseError("country == 'US' + 1").find("gives yes/no"), std::string::npos);
  EXPECT_NE(ParseError("and == 'x'").find("'and' is not a field name"), std::string::npos);
  EXPECT_NE(ParseError("'").find("unterminated"), std::string::npos);
}

TEST(ExpressionText, BindWithoutTextResolverIsAnError) {
  auto e = Expression::Parse("country == 'US'");
  ASSERT_TRUE(e.ok());
  Status st = e->Bind([](std::string_view) -> std::optional<uint32_t> { return 0; });
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("needs a categorical field"), std::string::npos) << st.message();
}

}  // namespace
}  // namespace keel::rank
