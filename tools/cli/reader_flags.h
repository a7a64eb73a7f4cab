// Flags about how a command reads its data files, declared once for every command that reads
// CSV or JSON Lines: each binds straight to the reader's settings (ReadOptions, whose
// defaults are the only ones), and a bad value is a usage error (exit 2) when the flags are
// parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "command.h"
#include "data/schema.h"
#include "usecase/ingest.h"

namespace keel::cli {

// Which of the reader flags a command takes (or-ed together).
enum ReaderFlags : unsigned {
  kSchemaFlag = 1u << 0,    // --schema FILE (DataInput::schema_path)
  kDialectFlags = 1u << 1,  // --format, --delimiter, --header, --no-header
  kDecimalFlag = 1u << 2,   // --decimal
  kMissingFlags = 1u << 3,  // --missing, --no-default-missing
  kTextFlags = 1u << 4,     // --no-trim, --case-sensitive
  kKindFlag = 1u << 5,      // --kind COLUMN=KIND (repeatable)
};

// Adds the reader flags `which` names to `sub`, bound to `input`.
void AddReaderFlags(CLI::App* sub, usecase::DataInput* input, unsigned which);

// Adds --decimal MARK: the decimal mark of the CSV data's numbers, `,` or `.` (also `comma`,
// `dot`, and `auto` for the default; ParseDecimalMark). Stores ',' or '.' in *decimal, or 0
// (sniffed; see ReadOptions::decimal). Any other value is a usage error (exit 2).
void AddDecimalFlag(CLI::App* sub, char* decimal);

// Adds --missing TOKENS (comma-separated, appended to *tokens) and --no-default-missing (drops
// the default tokens DefaultMissingTokens() that *tokens starts with).
void AddMissingFlags(CLI::App* sub, std::vector<std::string>* tokens);

// Adds --kind COLUMN=KIND (repeatable): forces a column's kind when reading, KIND one of
// numeric, categorical, boolean, timestamp, string; stored in *kinds.
void AddKindFlag(CLI::App* sub, std::map<std::string, ColumnKind>* kinds);

// "COL=VALUE" -> (COL, VALUE); the last '=' splits, so column names may hold '='. False when
// there is no '=' or no column.
bool SplitAssignment(const std::string& text, std::string* column, std::string* value);

// Adds a repeatable option `name` taking COLUMN=VALUE items whose VALUE `parse` reads (such as
// ParseRole): `store(column, value)` is called for each, in order. An item it refuses is a
// usage error saying "expected COLUMN=<expected>".
template <typename T, typename Store>
CLI::Option* AddColumnAssignments(CLI::App* sub, const std::string& name,
                                  bool (*parse)(std::string_view, T*), Store store,
                                  const std::string& help, const std::string& expected) {
  auto split = [parse](const std::string& item, std::string* column, T* value) {
    std::string text;
    return SplitAssignment(item, column, &text) && parse(text, value);
  };
  return sub
      ->add_option_function<std::vector<std::string>>(
          name,
          [split, store](const std::vector<std::string>& items) {
            for (const std::string& item : items) {
              std::string column;
              T value{};
              if (split(item, &column, &value)) store(std::move(column), value);
            }
          },
          help)
      ->check(ChoiceCheck(
          [split](const std::string& item) {
            std::string column;
            T value{};
            return split(item, &column, &value);
          },
          "COLUMN=" + expected));
}

}  // namespace keel::cli
