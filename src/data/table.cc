#include "keel/table.h"

#include <cassert>
#include <cmath>
#include <ctime>

#include "core/number_format.h"

namespace keel {

std::string_view ColumnKindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kNumeric: return "numeric";
    case ColumnKind::kCategorical: return "categorical";
    case ColumnKind::kBoolean: return "boolean";
    case ColumnKind::kTimestamp: return "timestamp";
    case ColumnKind::kString: return "string";
  }
  return "unknown";
}

bool ParseColumnKind(std::string_view text, ColumnKind* kind) {
  if (text == "numeric" || text == "number" || text == "float" || text == "integer") {
    *kind = ColumnKind::kNumeric;
  } else if (text == "categorical" || text == "category") {
    *kind = ColumnKind::kCategorical;
  } else if (text == "boolean" || text == "bool") {
    *kind = ColumnKind::kBoolean;
  } else if (text == "timestamp" || text == "datetime" || text == "date") {
    *kind = ColumnKind::kTimestamp;
  } else if (text == "string" || text == "text" || text == "id") {
    *kind = ColumnKind::kString;
  } else {
    return false;
  }
  return true;
}

Column Column::Numeric(std::string name, std::vector<double> values) {
  return Column(std::move(name), ColumnKind::kNumeric, Data(std::move(values)));
}

Column Column::Categorical(std::string name, std::vector<int32_t> codes,
                           std::vector<std::string> dictionary) {
  return Column(std::move(name), ColumnKind::kCategorical,
                Data(CategoricalData{std::move(codes), std::move(dictionary)}));
}

Column Column::Boolean(std::string name, std::vector<int8_t> values) {
  return Column(std::move(name), ColumnKind::kBoolean, Data(std::move(values)));
}

Column Column::Timestamp(std::string name, std::vector<int64_t> micros) {
  return Column(std::move(name), ColumnKind::kTimestamp, Data(std::move(micros)));
}

Column Column::String(std::string name, std::vector<std::string> values,
                      std::vector<uint8_t> missing) {
  if (missing.empty()) missing.assign(values.size(), 0);
  return Column(std::move(name), ColumnKind::kString,
                Data(StringData{std::move(values), std::move(missing)}));
}

Column Column::Clone() const { return Column(name_, kind_, data_); }

size_t Column::size() const {
  switch (kind_) {
    case ColumnKind::kNumeric: return std::get<0>(data_).size();
    case ColumnKind::kCategorical: return std::get<1>(data_).codes.size();
    case ColumnKind::kBoolean: return std::get<2>(data_).size();
    case ColumnKind::kTimestamp: return std::get<3>(data_).size();
    case ColumnKind::kString: return std::get<4>(data_).values.size();
  }
  return 0;
}

bool Column::IsMissing(size_t row) const {
  switch (kind_) {
    case ColumnKind::kNumeric: return std::isnan(std::get<0>(data_)[row]);
    case ColumnKind::kCategorical: return std::get<1>(data_).codes[row] == kMissingCode;
    case ColumnKind::kBoolean: return std::get<2>(data_)[row] == kMissingBool;
    case ColumnKind::kTimestamp: return std::get<3>(data_)[row] == kMissingTime;
    case ColumnKind::kString: return std::get<4>(data_).missing[row] != 0;
  }
  return false;
}

size_t Column::CountMissing() const {
  size_t n = 0;
  const size_t rows = size();
  for (size_t i = 0; i < rows; ++i) n += IsMissing(i) ? 1 : 0;
  return n;
}

std::span<const double> Column::numeric() const {
  assert(kind_ == ColumnKind::kNumeric);
  return std::get<0>(data_);
}
std::span<const int32_t> Column::codes() const {
  assert(kind_ == ColumnKind::kCategorical);
  return std::get<1>(data_).codes;
}
const std::vector<std::string>& Column::dictionary() const {
  assert(kind_ == ColumnKind::kCategorical);
  return std::get<1>(data_).dictionary;
}
std::span<const int8_t> Column::booleans() const {
  assert(kind_ == ColumnKind::kBoolean);
  return std::get<2>(data_);
}
std::span<const int64_t> Column::timestamps() const {
  assert(kind_ == ColumnKind::kTimestamp);
  return std::get<3>(data_);
}
const std::vector<std::string>& Column::strings() const {
  assert(kind_ == ColumnKind::kString);
  return std::get<4>(data_).values;
}
std::vector<double>& Column::mutable_numeric() {
  assert(kind_ == ColumnKind::kNumeric);
  return std::get<0>(data_);
}
std::vector<int32_t>& Column::mutable_codes() {
  assert(kind_ == ColumnKind::kCategorical);
  return std::get<1>(data_).codes;
}
std::vector<std::string>& Column::mutable_dictionary() {
  assert(kind_ == ColumnKind::kCategorical);
  return std::get<1>(data_).dictionary;
}

double Column::AsDouble(size_t row) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  switch (kind_) {
    case ColumnKind::kNumeric: return std::get<0>(data_)[row];
    case ColumnKind::kCategorical: {
      const int32_t c = std::get<1>(data_).codes[row];
      return c == kMissingCode ? kNaN : static_cast<double>(c);
    }
    case ColumnKind::kBoolean: {
      const int8_t b = std::get<2>(data_)[row];
      return b == kMissingBool ? kNaN : static_cast<double>(b);
    }
    case ColumnKind::kTimestamp: {
      const int64_t t = std::get<3>(data_)[row];
      return t == kMissingTime ? kNaN : static_cast<double>(t) / 1e6;
    }
    case ColumnKind::kString: return kNaN;
  }
  return kNaN;
}

std::string Column::CellText(size_t row) const {
  if (IsMissing(row)) return {};
  switch (kind_) {
    case ColumnKind::kNumeric: return FormatDouble(std::get<0>(data_)[row]);
    case ColumnKind::kCategorical: {
      const auto& d = std::get<1>(data_);
      return d.dictionary[static_cast<size_t>(d.codes[row])];
    }
    case ColumnKind::kBoolean: return std::get<2>(data_)[row] != 0 ? "true" : "false";
    case ColumnKind::kTimestamp: return FormatTimestamp(std::get<3>(data_)[row]);
    case ColumnKind::kString: return std::get<4>(data_).values[row];
  }
  return {};
}

Column Column::Take(std::span<const uint32_t> rows) const {
  auto pick = [&](const auto& src) {
    std::decay_t<decltype(src)> out;
    out.reserve(rows.size());
    for (uint32_t r : rows) out.push_back(src[r]);
    return out;
  };
  switch (kind_) {
    case ColumnKind::kNumeric: return Numeric(name_, pick(std::get<0>(data_)));
    case ColumnKind::kCategorical: {
      const auto& d = std::get<1>(data_);
      return Categorical(name_, pick(d.codes), d.dictionary);
    }
    case ColumnKind::kBoolean: return Boolean(name_, pick(std::get<2>(data_)));
    case ColumnKind::kTimestamp: return Timestamp(name_, pick(std::get<3>(data_)));
    case ColumnKind::kString: {
      const auto& d = std::get<4>(data_);
      return String(name_, pick(d.values), pick(d.missing));
    }
  }
  return Column();
}

Table Table::Clone() const {
  Table t;
  for (const auto& c : columns_) t.columns_.push_back(c.Clone());
  t.num_rows_ = num_rows_;
  t.source_lines_ = source_lines_;
  return t;
}

const Column* Table::Find(std::string_view name) const {
  for (const auto& c : columns_) {
    if (c.name() == name) return &c;
  }
  return nullptr;
}

Result<size_t> Table::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name() == name) return i;
  }
  return Status::NotFound("no column named '{}'", name);
}

Status Table::AddColumn(Column column) {
  if (Find(column.name()) != nullptr) {
    return Status::InvalidArgument("duplicate column name '{}'", column.name());
  }
  if (columns_.empty()) {
    num_rows_ = column.size();
  } else if (column.size() != num_rows_) {
    return Status::InvalidArgument("column '{}' has {} rows, the table has {}", column.name(),
                                   column.size(), num_rows_);
  }
  columns_.push_back(std::move(column));
  return Status::OK();
}

Status Table::RemoveColumn(std::string_view name) {
  KEEL_ASSIGN_OR_RETURN(size_t i, IndexOf(name));
  columns_.erase(columns_.begin() + static_cast<std::ptrdiff_t>(i));
  return Status::OK();
}

uint64_t Table::SourceLine(size_t row) const {
  return row < source_lines_.size() ? source_lines_[row] : row + 2;
}

Table Table::Take(std::span<const uint32_t> rows) const {
  Table t;
  for (const auto& c : columns_) t.columns_.push_back(c.Take(rows));
  t.num_rows_ = rows.size();
  if (!source_lines_.empty()) {
    t.source_lines_.reserve(rows.size());
    for (uint32_t r : rows) t.source_lines_.push_back(source_lines_[r]);
  }
  return t;
}

std::string FormatTimestamp(int64_t micros) {
  // Floor division so times before 1970 format correctly.
  int64_t secs = micros / 1000000;
  int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof(f), ".%06lld", static_cast<long long>(frac));
    std::string fs(f);
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  out += 'Z';
  return out;
}

}  // namespace keel
