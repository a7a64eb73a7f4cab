// Table: Keel's columnar in-memory data set.
//
// A Table is a list of equally long, named, typed columns. Every later stage (training,
// prediction, audits, drift) reads from Tables. Missing values are first-class:
//   numeric      double, NaN = missing
//   categorical  int32 code into a dictionary of strings, kMissingCode = missing
//   boolean      int8 0/1, kMissingBool = missing
//   timestamp    int64 microseconds since the Unix epoch (UTC), kMissingTime = missing
//   string       text kept for ids, PII and free text; not a model feature by default
// Tables are move-only values; copying a large table must be explicit (Clone).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keel/status.h"

namespace keel {

enum class ColumnKind : uint8_t { kNumeric, kCategorical, kBoolean, kTimestamp, kString };

// "numeric", "categorical", "boolean", "timestamp", "string".
std::string_view ColumnKindName(ColumnKind kind);
// Parses a kind name (also accepts "id" and "text" for string); false if unknown.
bool ParseColumnKind(std::string_view text, ColumnKind* kind);

inline constexpr int32_t kMissingCode = -1;
inline constexpr int8_t kMissingBool = -1;
inline constexpr int64_t kMissingTime = std::numeric_limits<int64_t>::min();

class Column {
 public:
  static Column Numeric(std::string name, std::vector<double> values);
  // Codes index `dictionary`; kMissingCode marks missing. Dictionary entries are distinct.
  static Column Categorical(std::string name, std::vector<int32_t> codes,
                            std::vector<std::string> dictionary);
  static Column Boolean(std::string name, std::vector<int8_t> values);
  static Column Timestamp(std::string name, std::vector<int64_t> micros);
  // `missing[i] != 0` marks row i missing (its text is ignored); empty `missing` = none.
  static Column String(std::string name, std::vector<std::string> values,
                       std::vector<uint8_t> missing = {});

  Column() = default;
  Column(Column&&) noexcept = default;
  Column& operator=(Column&&) noexcept = default;
  Column(const Column&) = delete;
  Column& operator=(const Column&) = delete;
  Column Clone() const;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  ColumnKind kind() const { return kind_; }
  size_t size() const;

  bool IsMissing(size_t row) const;
  size_t CountMissing() const;

  // Typed views. Calling the accessor of another kind is a programming error.
  std::span<const double> numeric() const;
  std::span<const int32_t> codes() const;
  const std::vector<std::string>& dictionary() const;
  std::span<const int8_t> booleans() const;
  std::span<const int64_t> timestamps() const;
  const std::vector<std::string>& strings() const;

  std::vector<double>& mutable_numeric();
  std::vector<int32_t>& mutable_codes();
  std::vector<std::string>& mutable_dictionary();

  // The cell as a number: numeric as is, boolean 0/1, timestamp as seconds since the epoch,
  // categorical as its code; NaN when missing. Strings are NaN.
  double AsDouble(size_t row) const;
  // The cell as text, as a user would write it ("" when missing): shortest round-trip
  // numbers, category names, "true"/"false", ISO 8601 timestamps.
  std::string CellText(size_t row) const;

  // A new column holding rows[0], rows[1], ... of this one (same dictionary).
  Column Take(std::span<const uint32_t> rows) const;

 private:
  struct CategoricalData {
    std::vector<int32_t> codes;
    std::vector<std::string> dictionary;
  };
  struct StringData {
    std::vector<std::string> values;
    std::vector<uint8_t> missing;
  };
  using Data = std::variant<std::vector<double>, CategoricalData, std::vector<int8_t>,
                            std::vector<int64_t>, StringData>;

  Column(std::string name, ColumnKind kind, Data data)
      : name_(std::move(name)), kind_(kind), data_(std::move(data)) {}

  std::string name_;
  ColumnKind kind_ = ColumnKind::kNumeric;
  Data data_;
};

class Table {
 public:
  Table() = default;
  Table(Table&&) noexcept = default;
  Table& operator=(Table&&) noexcept = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  Table Clone() const;

  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& mutable_column(size_t i) { return columns_[i]; }
  const std::vector<Column>& columns() const { return columns_; }

  // The column called `name`, or nullptr.
  const Column* Find(std::string_view name) const;
  // Index of the column called `name`; NotFound naming the column otherwise.
  Result<size_t> IndexOf(std::string_view name) const;

  // Appends a column. The first column fixes the row count; later ones must match it and
  // have a name no other column has. Errors: InvalidArgument.
  Status AddColumn(Column column);
  // Removes the column called `name` (NotFound if absent).
  Status RemoveColumn(std::string_view name);

  // Physical line in the source file where each row's record starts (header = line 1);
  // empty when the table was not read from a file. Used to point users at bad rows.
  const std::vector<uint64_t>& source_lines() const { return source_lines_; }
  void set_source_lines(std::vector<uint64_t> lines) { source_lines_ = std::move(lines); }
  // The source line of `row`, or row + 2 (header + 1-based) when unknown.
  uint64_t SourceLine(size_t row) const;

  // A new table with the given rows, in the given order (rows may repeat).
  Table Take(std::span<const uint32_t> rows) const;

 private:
  std::vector<Column> columns_;
  size_t num_rows_ = 0;
  std::vector<uint64_t> source_lines_;
};

// Formats microseconds since the epoch as ISO 8601 UTC ("2024-01-02T10:00:00Z", with
// fractional seconds only when non-zero).
std::string FormatTimestamp(int64_t micros);

}  // namespace keel
