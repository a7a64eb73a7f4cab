#include "rank/expression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <tuple>
#include <utility>

namespace keel::rank {

using Op = Expression::Op;

namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '.';
}
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

struct FunctionInfo {
  std::string_view name;
  Op op;
  int arity;
};
constexpr FunctionInfo kFunctions[] = {
    {"min", Op::kMin, 2},   {"max", Op::kMax, 2}, {"log", Op::kLog, 1}, {"exp", Op::kExp, 1},
    {"sqrt", Op::kSqrt, 1}, {"abs", Op::kAbs, 1}, {"if", Op::kIf, 3},   {"clip", Op::kClip, 3},
};

// Stack effect of one instruction: values popped and pushed.
int Arity(Op op) {
  switch (op) {
    case Op::kConst:
    case Op::kVar:
    case Op::kTextEq:
    case Op::kTextNe:
      return 0;
    case Op::kNeg:
    case Op::kNot:
    case Op::kLog:
    case Op::kExp:
    case Op::kSqrt:
    case Op::kAbs:
      return 1;
    case Op::kIf:
    case Op::kClip:
      return 3;
    default:
      return 2;
  }
}

}  // namespace

// Recursive descent straight to postfix: each rule emits its operands, then its operator.
class ExpressionParser {
 public:
  ExpressionParser(std::string_view text, Expression* out) : text_(text), out_(out) {}

  Status Run() {
    KEEL_RETURN_IF_ERROR(Or(0));
    SkipSpace();
    if (pos_ < text_.size()) return Error("unexpected text after the expression");
    return Status::OK();
  }

 private:
  Status Error(std::string_view what) const { return ErrorAt(what, pos_); }
  Status ErrorAt(std::string_view what, size_t pos) const {
    return Status::ParseError("{} at column {} in \"{}\"", what, pos + 1, text_);
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  // Consumes `tok` if the text continues with it. Word tokens must end at a word boundary.
  bool Accept(std::string_view tok) {
    SkipSpace();
    if (text_.substr(pos_, tok.size()) != tok) return false;
    if (IsNameStart(tok[0]) && pos_ + tok.size() < text_.size() &&
        IsNameChar(text_[pos_ + tok.size()])) {
      return false;
    }
    pos_ += tok.size();
    return true;
  }
  void Emit(Op op, uint32_t arg = 0) { out_->program_.push_back({op, arg}); }

  Status Enter(int depth) const {
    if (depth > kMaxExpressionDepth) {
      return Error(fmt::format("expression nested deeper than {} levels", kMaxExpressionDepth));
    }
    return Status::OK();
  }

  Status Or(int depth) {
    KEEL_RETURN_IF_ERROR(Enter(depth));
    KEEL_RETURN_IF_ERROR(And(depth));
    while (Accept("||") || Accept("or")) {
      KEEL_RETURN_IF_ERROR(And(depth));
      Emit(Op::kOr);
    }
    return Status::OK();
  }
  Status And(int depth) {
    KEEL_RETURN_IF_ERROR(Compare(depth));
    while (Accept("&&") || Accept("and")) {
      KEEL_RETURN_IF_ERROR(Compare(depth));
      Emit(Op::kAnd);
    }
    return Status::OK();
  }
  Status Compare(int depth) {
    KEEL_ASSIGN_OR_RETURN(bool text, TextCompare());
    if (text) return Status::OK();
    KEEL_RETURN_IF_ERROR(Sum(depth));
    static constexpr std::pair<std::string_view, Op> kOps[] = {{"<=", Op::kLe}, {">=", Op::kGe},
                                                               {"==", Op::kEq}, {"!=", Op::kNe},
                                                               {"<", Op::kLt},  {">", Op::kGt}};
    for (const auto& [tok, op] : kOps) {
      if (Accept(tok)) {
        KEEL_RETURN_IF_ERROR(Sum(depth));
        Emit(op);
        SkipSpace();
        for (const auto& [tok2, op2] : kOps) {
          if (text_.substr(pos_, tok2.size()) == tok2) {
            return Error("comparisons do not chain (write a < b and b < c)");
          }
        }
        return Status::OK();
      }
    }
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '=') return Error("use == to compare");
    return Status::OK();
  }
  Status Sum(int depth) {
    KEEL_RETURN_IF_ERROR(Product(depth));
    for (;;) {
      if (Accept("+")) {
        KEEL_RETURN_IF_ERROR(Product(depth));
        Emit(Op::kAdd);
      } else if (Accept("-")) {
        KEEL_RETURN_IF_ERROR(Product(depth));
        Emit(Op::kSub);
      } else {
        return Status::OK();
      }
    }
  }
  Status Product(int depth) {
    KEEL_RETURN_IF_ERROR(Unary(depth + 1));
    for (;;) {
      if (Accept("*")) {
        KEEL_RETURN_IF_ERROR(Unary(depth + 1));
        Emit(Op::kMul);
      } else if (Accept("/")) {
        KEEL_RETURN_IF_ERROR(Unary(depth + 1));
        Emit(Op::kDiv);
      } else {
        return Status::OK();
      }
    }
  }
  Status Unary(int depth) {
    KEEL_RETURN_IF_ERROR(Enter(depth));
    if (Accept("-")) {
      KEEL_RETURN_IF_ERROR(Unary(depth + 1));
      Emit(Op::kNeg);
      return Status::OK();
    }
    if (Accept("+")) return Unary(depth + 1);
    SkipSpace();
    if (text_.substr(pos_, 2) != "!=" && Accept("!")) {
      KEEL_RETURN_IF_ERROR(Unary(depth + 1));
      Emit(Op::kNot);
      return Status::OK();
    }
    if (Accept("not")) {
      KEEL_RETURN_IF_ERROR(Unary(depth + 1));
      Emit(Op::kNot);
      return Status::OK();
    }
    return Power(depth);
  }
  Status Power(int depth) {
    KEEL_RETURN_IF_ERROR(Primary(depth));
    if (Accept("^")) {
      KEEL_RETURN_IF_ERROR(Unary(depth + 1));
      Emit(Op::kPow);
    }
    return Status::OK();
  }

  Status Primary(int depth) {
    KEEL_RETURN_IF_ERROR(Enter(depth));
    SkipSpace();
    if (pos_ >= text_.size()) return Error("expected a number, a name or '(' but the text ended");
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      KEEL_RETURN_IF_ERROR(Or(depth + 1));
      if (!Accept(")")) return Error("expected ')'");
      return Status::OK();
    }
    if (IsDigit(c) || (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
      return Number();
    }
    if (c == '`') {
      const size_t start = pos_;
      KEEL_ASSIGN_OR_RETURN(std::string_view name, QuotedName());
      AddName(name, start, Expression::kUseNumber);
      return Status::OK();
    }
    if (c == '"' || c == '\'') {
      return Error(
          "a text literal can only be compared with == or != to a field name "
          "(e.g. country == \"US\")");
    }
    if (IsNameStart(c)) {
      const size_t start = pos_;
      while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
      const std::string_view name = text_.substr(start, pos_ - start);
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == '(') return Call(name, start, depth);
      if (name == "and" || name == "or" || name == "not") {
        return ErrorAt(fmt::format("'{}' needs an operand before it", name), start);
      }
      AddName(name, start, Expression::kUseNumber);
      return Status::OK();
    }
    return Error(fmt::format("unexpected '{}'", c));
  }

  Status Number() {
    const size_t start = pos_;
    while (pos_ < text_.size() && (IsDigit(text_[pos_]) || text_[pos_] == '.')) ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
      if (p < text_.size() && IsDigit(text_[p])) {
        pos_ = p;
        while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      }
    }
    double v = 0;
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    const auto r = std::from_chars(first, last, v);
    if (r.ec != std::errc() || r.ptr != last) {
      return ErrorAt(fmt::format("malformed number '{}'", text_.substr(start, pos_ - start)),
                     start);
    }
    if (pos_ < text_.size() && IsNameStart(text_[pos_])) {
      return Error("a number runs into a name (write 2 * x, not 2x)");
    }
    out_->constants_.push_back(v);
    Emit(Op::kConst, static_cast<uint32_t>(out_->constants_.size() - 1));
    return Status::OK();
  }

  Status Call(std::string_view name, size_t start, int depth) {
    const FunctionInfo* fn = nullptr;
    for (const auto& f : kFunctions) {
      if (f.name == name) fn = &f;
    }
    if (fn == nullptr) {
      return ErrorAt(fmt::format("unknown function '{}' (functions: min, max, log, exp, sqrt, "
                                 "abs, if, clip)",
                                 name),
                     start);
    }
    ++pos_;  // '('
    int args = 0;
    if (!Accept(")")) {
      for (;;) {
        KEEL_RETURN_IF_ERROR(Or(depth + 1));
        ++args;
        if (Accept(")")) break;
        if (!Accept(",")) return Error("expected ',' or ')' in the arguments");
      }
    }
    if (args != fn->arity) {
      return ErrorAt(fmt::format("{}() takes {} argument{}, got {}", name, fn->arity,
                                 fn->arity == 1 ? "" : "s", args),
                     start);
    }
    Emit(fn->op);
    return Status::OK();
  }

  // `name` at pos_, skipping a leading backtick: the text between backticks.
  Result<std::string_view> QuotedName() {
    const size_t end = text_.find('`', pos_ + 1);
    if (end == std::string_view::npos) return Error("unterminated `name`");
    if (end == pos_ + 1) return Error("empty `name`");
    const std::string_view name = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return name;
  }

  // A name (bare or in backticks) at pos_, or nullopt (pos_ unchanged) when none starts here.
  // Function names are not names: "min(" gives nullopt.
  Result<std::optional<std::pair<std::string_view, size_t>>> MaybeName() {
    SkipSpace();
    const size_t start = pos_;
    if (pos_ >= text_.size()) return std::optional<std::pair<std::string_view, size_t>>();
    if (text_[pos_] == '`') {
      KEEL_ASSIGN_OR_RETURN(std::string_view name, QuotedName());
      return std::optional(std::pair(name, start));
    }
    if (!IsNameStart(text_[pos_])) return std::optional<std::pair<std::string_view, size_t>>();
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    return std::optional(std::pair(text_.substr(start, pos_ - start), start));
  }

  // A text literal in matching quotes at pos_ (no escapes).
  Result<std::string_view> Literal() {
    const char quote = text_[pos_];
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) return Error("unterminated text literal");
    const std::string_view lit = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return lit;
  }

  bool AtQuote() {
    SkipSpace();
    return pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'');
  }

  // Which of == / != follows (consumed), if either.
  std::optional<bool> EqualityOp() {
    if (Accept("==")) return true;
    if (Accept("!=")) return false;
    return std::nullopt;
  }

  // Parses `name == "lit"` / `"lit" != name` when the text continues with one; otherwise
  // leaves pos_ where it was and answers false. Literals anywhere else are errors (Primary).
  Result<bool> TextCompare() {
    const size_t save = pos_;
    std::string_view name, literal;
    size_t name_start = 0, literal_start = 0;
    bool equal = true;
    if (AtQuote()) {
      literal_start = pos_;
      KEEL_ASSIGN_OR_RETURN(literal, Literal());
      const std::optional<bool> op = EqualityOp();
      if (!op) {
        return Error(
            "a text literal can only be compared with == or != to a field name "
            "(e.g. country == \"US\")");
      }
      equal = *op;
      KEEL_ASSIGN_OR_RETURN(auto n, MaybeName());
      SkipSpace();
      if (!n || (pos_ < text_.size() && text_[pos_] == '(')) {
        return Error("a text literal must be compared with a field name");
      }
      std::tie(name, name_start) = *n;
    } else {
      KEEL_ASSIGN_OR_RETURN(auto n, MaybeName());
      if (!n) {
        pos_ = save;
        return false;
      }
      const std::optional<bool> op = EqualityOp();
      if (!op || !AtQuote()) {
        pos_ = save;
        return false;
      }
      equal = *op;
      std::tie(name, name_start) = *n;
      literal_start = pos_;
      KEEL_ASSIGN_OR_RETURN(literal, Literal());
    }
    if (name == "and" || name == "or" || name == "not") {
      return ErrorAt(fmt::format("'{}' is not a field name", name), name_start);
    }
    const uint32_t index = AddNameOnly(name, name_start, Expression::kUseText);
    out_->texts_.push_back({index, std::string(literal), literal_start + 1});
    Emit(equal ? Op::kTextEq : Op::kTextNe, static_cast<uint32_t>(out_->texts_.size() - 1));
    SkipSpace();
    if (pos_ < text_.size() &&
        std::string_view("<>=!").find(text_[pos_]) != std::string_view::npos &&
        text_.substr(pos_, 2) != "||") {
      return Error("comparisons do not chain (write a < b and b < c)");
    }
    if (pos_ < text_.size() &&
        std::string_view("+-*/^").find(text_[pos_]) != std::string_view::npos) {
      return Error("a text comparison gives yes/no; put arithmetic in parentheses elsewhere");
    }
    return true;
  }

  uint32_t AddNameOnly(std::string_view name, size_t start, uint8_t use) {
    auto& names = out_->names_;
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      names.emplace_back(name);
      out_->name_columns_.push_back(start + 1);
      out_->name_uses_.push_back(0);
      it = names.end() - 1;
    }
    const auto index = static_cast<uint32_t>(it - names.begin());
    out_->name_uses_[index] |= use;
    return index;
  }

  void AddName(std::string_view name, size_t start, uint8_t use) {
    Emit(Op::kVar, AddNameOnly(name, start, use));
  }

  std::string_view text_;
  Expression* out_;
  size_t pos_ = 0;
};

Result<Expression> Expression::Parse(std::string_view text) {
  if (text.size() > kMaxExpressionBytes) {
    return Status::ParseError("expression of {} bytes is longer than the limit of {}", text.size(),
                              kMaxExpressionBytes);
  }
  for (char c : text) {
    if (c == '\0') return Status::ParseError("expression contains a NUL byte");
  }
  Expression e;
  e.text_ = std::string(text);
  {
    ExpressionParser parser(e.text_, &e);
    size_t first = 0;
    while (first < text.size() && (text[first] == ' ' || text[first] == '\t')) ++first;
    if (first == text.size()) return Status::ParseError("empty expression");
    KEEL_RETURN_IF_ERROR(parser.Run());
  }
  int depth = 0;
  for (const Instr& in : e.program_) {
    const int arity = Arity(in.op);
    depth += 1 - arity;
    e.max_depth_ = std::max(e.max_depth_, depth);
  }
  if (depth != 1) return Status::Internal("expression \"{}\" compiled unbalanced", text);
  return e;
}

bool Expression::is_condition() const {
  if (program_.empty()) return false;
  switch (program_.back().op) {
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe:
    case Op::kEq:
    case Op::kNe:
    case Op::kAnd:
    case Op::kOr:
    case Op::kNot:
    case Op::kTextEq:
    case Op::kTextNe:
      return true;
    default:
      return false;
  }
}

Status Expression::Bind(const SlotResolver& resolve, const TextResolver& resolve_text) {
  std::vector<uint32_t> slots(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) {
    const std::optional<uint32_t> s = resolve(names_[i]);
    if (!s) {
      return Status::NotFound("unknown name '{}' at column {} in \"{}\"", names_[i],
                              name_columns_[i], text_);
    }
    slots[i] = *s;
  }
  std::vector<double> values(texts_.size(), std::nan(""));
  for (size_t t = 0; t < texts_.size(); ++t) {
    if (!resolve_text) {
      return Status::InvalidArgument(
          "text comparison '{}' at column {} in \"{}\" needs a categorical field",
          names_[texts_[t].name], texts_[t].column, text_);
    }
    const std::optional<double> v = resolve_text(names_[texts_[t].name], texts_[t].literal);
    if (v) values[t] = *v;
  }
  slots_ = std::move(slots);
  text_values_ = std::move(values);
  bound_ = true;
  return Status::OK();
}

// Column-at-a-time evaluation: every instruction runs a straight loop over the block, so the
// interpreter's dispatch cost is paid once per kEvalBlock rows instead of once per row.
void Expression::Evaluate(std::span<const double* const> columns, size_t begin, size_t n,
                          double* out, std::span<double> scratch) const {
  assert(bound_ && scratch.size() >= scratch_size());
  double* const stack = scratch.data();
  for (size_t off = 0; off < n; off += kEvalBlock) {
    const size_t m = std::min(kEvalBlock, n - off);
    const size_t row0 = begin + off;
    int top = -1;  // index of the top stack slot
    for (const Instr& in : program_) {
      switch (in.op) {
        case Op::kConst: {
          double* d = stack + (++top) * kEvalBlock;
          std::fill(d, d + m, constants_[in.arg]);
          break;
        }
        case Op::kVar: {
          double* d = stack + (++top) * kEvalBlock;
          std::memcpy(d, columns[slots_[in.arg]] + row0, m * sizeof(double));
          break;
        }
        // The column holds per-row codes and the literal was resolved to its code at Bind:
        // a double compare. A NaN code (literal not in the dictionary) matches no row.
        case Op::kTextEq:
        case Op::kTextNe: {
          double* d = stack + (++top) * kEvalBlock;
          const double* x = columns[slots_[texts_[in.arg].name]] + row0;
          const double code = text_values_[in.arg];
          if (in.op == Op::kTextEq) {
            for (size_t r = 0; r < m; ++r) d[r] = x[r] == code ? 1.0 : 0.0;
          } else {
            for (size_t r = 0; r < m; ++r)
              d[r] = (!std::isnan(x[r]) && !(x[r] == code)) ? 1.0 : 0.0;
          }
          break;
        }
#define KEEL_UNARY(OP, EXPR)              \
  case Op::OP: {                          \
    double* a = stack + top * kEvalBlock; \
    for (size_t r = 0; r < m; ++r) {      \
      const double x = a[r];              \
      a[r] = (EXPR);                      \
    }                                     \
    break;                                \
  }
          KEEL_UNARY(kNeg, -x)
          KEEL_UNARY(kNot, x == 0 ? 1.0 : 0.0)
          KEEL_UNARY(kLog, std::log(x))
          KEEL_UNARY(kExp, std::exp(x))
          KEEL_UNARY(kSqrt, std::sqrt(x))
          KEEL_UNARY(kAbs, std::fabs(x))
#undef KEEL_UNARY
#define KEEL_BINARY(OP, EXPR)                   \
  case Op::OP: {                                \
    double* a = stack + (top - 1) * kEvalBlock; \
    const double* b = stack + top * kEvalBlock; \
    for (size_t r = 0; r < m; ++r) {            \
      const double x = a[r];                    \
      const double y = b[r];                    \
      a[r] = (EXPR);                            \
    }                                           \
    --top;                                      \
    break;                                      \
  }
          KEEL_BINARY(kAdd, x + y)
          KEEL_BINARY(kSub, x - y)
          KEEL_BINARY(kMul, x * y)
          KEEL_BINARY(kDiv, x / y)
          KEEL_BINARY(kPow, std::pow(x, y))
          KEEL_BINARY(kMin, (std::isnan(x) || std::isnan(y)) ? std::nan("") : std::min(x, y))
          KEEL_BINARY(kMax, (std::isnan(x) || std::isnan(y)) ? std::nan("") : std::max(x, y))
          KEEL_BINARY(kLt, x < y ? 1.0 : 0.0)
          KEEL_BINARY(kLe, x <= y ? 1.0 : 0.0)
          KEEL_BINARY(kGt, x > y ? 1.0 : 0.0)
          KEEL_BINARY(kGe, x >= y ? 1.0 : 0.0)
          KEEL_BINARY(kEq, x == y ? 1.0 : 0.0)
          KEEL_BINARY(kNe, (x != y && !std::isnan(x) && !std::isnan(y)) ? 1.0 : 0.0)
          KEEL_BINARY(kAnd, (x != 0 && y != 0 && !std::isnan(x) && !std::isnan(y)) ? 1.0 : 0.0)
          KEEL_BINARY(kOr, ((x != 0 && !std::isnan(x)) || (y != 0 && !std::isnan(y))) ? 1.0 : 0.0)
#undef KEEL_BINARY
        case Op::kIf: {
          double* c = stack + (top - 2) * kEvalBlock;
          const double* a = stack + (top - 1) * kEvalBlock;
          const double* b = stack + top * kEvalBlock;
          for (size_t r = 0; r < m; ++r) {
            c[r] = std::isnan(c[r]) ? std::nan("") : (c[r] != 0 ? a[r] : b[r]);
          }
          top -= 2;
          break;
        }
        case Op::kClip: {
          double* x = stack + (top - 2) * kEvalBlock;
          const double* lo = stack + (top - 1) * kEvalBlock;
          const double* hi = stack + top * kEvalBlock;
          for (size_t r = 0; r < m; ++r) {
            x[r] = x[r] < lo[r] ? lo[r] : (x[r] > hi[r] ? hi[r] : x[r]);
          }
          top -= 2;
          break;
        }
      }
    }
    std::memcpy(out + off, stack, m * sizeof(double));
  }
}

double Expression::EvaluateRow(std::span<const double> vars) const {
  std::vector<const double*> columns(vars.size());
  for (size_t i = 0; i < vars.size(); ++i) columns[i] = &vars[i];
  std::vector<double> scratch(scratch_size());
  double out = 0;
  Evaluate(columns, 0, 1, &out, scratch);
  return out;
}

}  // namespace keel::rank
