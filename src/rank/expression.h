// Expression: a small arithmetic language for objectives and constraints, compiled once to a
// flat postfix program and evaluated over columns of candidates in blocks.
//
// Grammar (lowest precedence first):
//   or      := and ( ("||" | "or") and )*
//   and     := compare ( ("&&" | "and") compare )*
//   compare := sum ( ("<" | "<=" | ">" | ">=" | "==" | "!=") sum )?
//   sum     := product ( ("+" | "-") product )*
//   product := unary ( ("*" | "/") unary )*
//   unary   := ("-" | "+" | "!" | "not") unary | power
//   power   := primary ( "^" unary )?                 (right-associative)
//   primary := number | name | name "(" args ")" | "(" or ")"
//   text    := name ("==" | "!=") literal | literal ("==" | "!=") name
//              (a compare whose one side is a text literal: "US" or 'shoes', no escapes)
// Names are [A-Za-z_][A-Za-z0-9_.]*, or any text in backticks (`ad cost`). Functions: min(a, b),
// max(a, b), log(x), exp(x), sqrt(x), abs(x), if(c, a, b) (c != 0 -> a, else b; both sides
// are evaluated, so it never short-circuits an error), clip(x, lo, hi).
// Comparisons and logic give 1 or 0. Missing values (NaN) propagate through arithmetic; a
// comparison with NaN is 0 (false), so a candidate with a missing field fails a constraint.
// A text comparison (`country == "US"`, `category != 'shoes'`) tests a categorical field
// against a literal; a literal may only stand beside a bare name and == or != (anything else
// is a ParseError). A missing value fails both == and !=, like any comparison with NaN.
//
// Lifecycle: Parse() checks syntax and records the names used (no schema needed: keel.yaml
// loads objectives before data exists); Bind() maps each name to a variable slot of the
// caller's choosing and fails on unknown names; Evaluate() then runs without allocating.
// Text comparisons never compare strings while evaluating: Bind() asks the caller for the
// number its column holds for rows whose text equals each literal (ranking_plan.cc resolves
// the literal once against the field's dictionary and feeds per-row codes), so evaluating
// one is a double comparison like any other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"

namespace keel::rank {

// Limits that keep hostile input from exhausting the stack or memory.
inline constexpr size_t kMaxExpressionBytes = 4096;
inline constexpr int kMaxExpressionDepth = 64;
// Rows evaluated per block (the stack holds depth x kEvalBlock doubles).
inline constexpr size_t kEvalBlock = 256;

class Expression {
 public:
  enum class Op : uint8_t {
    kConst,
    kVar,
    kNeg,
    kNot,
    kLog,
    kExp,
    kSqrt,
    kAbs,
    kAdd,
    kSub,
    kMul,
    kDiv,
    kPow,
    kMin,
    kMax,
    kLt,
    kLe,
    kGt,
    kGe,
    kEq,
    kNe,
    kAnd,
    kOr,
    kIf,
    kClip,
    kTextEq,  // arg: index into text comparisons; pushes 1/0
    kTextNe,
  };
  struct Instr {
    Op op;
    uint32_t arg = 0;  // kConst: index into constants; kVar: index into names (then slots)
  };

  // Parses `text`. Errors: ParseError "<message> at column C in \"<text>\"" (C is 1-based),
  // for syntax errors, unknown functions, wrong argument counts, text over
  // kMaxExpressionBytes and nesting over kMaxExpressionDepth.
  static Result<Expression> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  // Distinct names the expression reads, in first-use order.
  const std::vector<std::string>& names() const { return names_; }
  // 1-based column in text() of the first use of names()[i].
  size_t name_column(size_t i) const { return name_columns_[i]; }
  // Whether the top-level operation is a comparison or logical operation (a yes/no test).
  bool is_condition() const;

  // How names()[i] is read: as a number (arithmetic, numeric comparison) and/or as text
  // (compared with a text literal). A name can be both; a binder decides if that is valid.
  bool reads_number(size_t i) const { return (name_uses_[i] & kUseNumber) != 0; }
  bool reads_text(size_t i) const { return (name_uses_[i] & kUseText) != 0; }

  // A text comparison: names()[name] compared with `literal` (at `column`, 1-based).
  struct TextComparison {
    uint32_t name = 0;
    std::string literal;
    size_t column = 0;
  };
  const std::vector<TextComparison>& text_comparisons() const { return texts_; }

  using SlotResolver = std::function<std::optional<uint32_t>(std::string_view)>;
  // For a text-read name: the value its column holds in rows whose text equals `literal`,
  // or nullopt when no row can hold it (the literal is not in the field's dictionary: it
  // matches nothing). Must not be NaN.
  using TextResolver =
      std::function<std::optional<double>(std::string_view name, std::string_view literal)>;

  // Maps names()[i] to a slot with `resolve`, which returns the slot or nullopt for an
  // unknown name, and each text comparison's literal to a value with `resolve_text`.
  // Errors: NotFound "unknown name 'x' at column C in \"<text>\""; InvalidArgument when the
  // expression compares text and `resolve_text` is empty.
  Status Bind(const SlotResolver& resolve, const TextResolver& resolve_text = {});
  bool bound() const { return bound_; }
  // Slot of names()[i] (after Bind).
  uint32_t slot(size_t i) const { return slots_[i]; }

  // Doubles of scratch Evaluate needs.
  size_t scratch_size() const { return static_cast<size_t>(max_depth_) * kEvalBlock; }

  // out[r] = value for rows [begin, begin + n) where the variable of slot s at row r is
  // columns[s][r]. `columns` must hold a non-null pointer for every bound slot. `scratch`
  // holds at least scratch_size() doubles. Requires bound(). Allocation-free; thread-safe
  // with distinct scratch.
  void Evaluate(std::span<const double* const> columns, size_t begin, size_t n, double* out,
                std::span<double> scratch) const;

  // Single-row convenience (tests, tools): vars[slot] is the value of each slot.
  double EvaluateRow(std::span<const double> vars) const;

 private:
  friend class ExpressionParser;
  std::string text_;
  std::vector<Instr> program_;
  std::vector<double> constants_;
  std::vector<std::string> names_;
  std::vector<size_t> name_columns_;
  static constexpr uint8_t kUseNumber = 1;
  static constexpr uint8_t kUseText = 2;
  std::vector<uint8_t> name_uses_;
  std::vector<TextComparison> texts_;
  std::vector<double> text_values_;  // per text comparison, after Bind (NaN: matches nothing)
  std::vector<uint32_t> slots_;
  int max_depth_ = 1;
  bool bound_ = false;
};

}  // namespace keel::rank
