#include "reader_flags.h"

#include <algorithm>
#include <string>
#include <vector>

#include "command.h"
#include "data/csv_dialect.h"
#include "data/missing_tokens.h"

namespace keel::cli {
namespace {

// --delimiter's text: one character, a name, or auto (0: sniffed).
bool ParseDelimiter(const std::string& text, char* out) {
  if (text.empty() || text == "auto") {
    *out = 0;
  } else if (text == "tab" || text == "\\t" || text == "\t") {
    *out = '\t';
  } else if (text == "comma") {
    *out = ',';
  } else if (text == "semicolon") {
    *out = ';';
  } else if (text == "pipe") {
    *out = '|';
  } else if (text.size() == 1) {
    *out = text[0];
  } else {
    return false;
  }
  return true;
}

void AddDialectFlags(CLI::App* sub, ReadOptions* read) {
  sub->add_option("--format", read->format, "csv or jsonl (default: by file extension, else csv)");
  sub->add_option_function<std::string>(
         "--delimiter", [read](const std::string& text) { ParseDelimiter(text, &read->delimiter); },
         "CSV delimiter: one character, or tab|comma|semicolon|pipe (default: sniffed among , "
         "tab ; |)")
      ->check(ChoiceCheck(
          [](const std::string& text) {
            char c;
            return ParseDelimiter(text, &c);
          },
          "one character, or tab, comma, semicolon, pipe or auto"));
  // --no-header is declared after --header, so its callback runs last: it wins when both are
  // given.
  sub->add_flag_callback(
      "--header", [read] { read->header = true; },
      "The first CSV record is a header (default: sniffed)");
  sub->add_flag_callback(
      "--no-header", [read] { read->header = false; },
      "The CSV has no header; columns are named col_1, col_2, ... (default: sniffed)");
}

void AddTextFlags(CLI::App* sub, ReadOptions* read) {
  sub->add_flag_callback(
      "--no-trim", [read] { read->trim = false; },
      "Keep leading/trailing spaces of text values (default: trimmed)");
  sub->add_flag_callback(
      "--case-sensitive", [read] { read->normalize_case = false; },
      "Treat \"Yes\" and \"yes\" as different categories (default: one category, named by its "
      "most frequent spelling)");
}

}  // namespace

void AddMissingFlags(CLI::App* sub, std::vector<std::string>* tokens) {
  sub->add_option_function<std::string>(
      "--missing",
      [tokens](const std::string& text) {
        size_t start = 0;
        while (start <= text.size()) {
          size_t comma = text.find(',', start);
          if (comma == std::string::npos) comma = text.size();
          tokens->push_back(text.substr(start, comma - start));
          start = comma + 1;
        }
      },
      "Extra comma-separated tokens meaning missing (default list: \"\", NA, N/A, null, NULL, "
      "NaN, ?; whitespace-only is always missing)");
  sub->add_flag_callback(
      "--no-default-missing",
      [tokens] {
        // The defaults lead the list (--missing appends), whichever flag's callback runs first.
        const std::vector<std::string> defaults = DefaultMissingTokens();
        if (tokens->size() >= defaults.size() &&
            std::equal(defaults.begin(), defaults.end(), tokens->begin())) {
          tokens->erase(tokens->begin(), tokens->begin() + static_cast<ptrdiff_t>(defaults.size()));
        }
      },
      "Do not use the default missing tokens (only --missing and whitespace-only)");
}

bool SplitAssignment(const std::string& text, std::string* column, std::string* value) {
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return false;
  *column = text.substr(0, eq);
  *value = text.substr(eq + 1);
  return true;
}

void AddReaderFlags(CLI::App* sub, usecase::DataInput* input, unsigned which) {
  ReadOptions* read = &input->options;
  if (which & kSchemaFlag) {
    sub->add_option("--schema", input->schema_path,
                    "Schema YAML (from `keel schema infer`): read columns with its kinds and "
                    "validate against it instead of inferring (default: infer)");
  }
  if (which & kDialectFlags) AddDialectFlags(sub, read);
  if (which & kDecimalFlag) AddDecimalFlag(sub, &read->decimal);
  if (which & kMissingFlags) AddMissingFlags(sub, &read->missing_tokens);
  if (which & kTextFlags) AddTextFlags(sub, read);
  if (which & kKindFlag) AddKindFlag(sub, &read->kind_overrides);
}

void AddDecimalFlag(CLI::App* sub, char* decimal) {
  const CLI::Validator mark(
      [](std::string& text) -> std::string {
        char c;
        if (ParseDecimalMark(text, &c)) return "";
        return "give , or . (or comma, dot, auto), not \"" + text + "\"";
      },
      "MARK");
  sub->add_option_function<std::string>(
         "--decimal", [decimal](const std::string& text) { ParseDecimalMark(text, decimal); },
         "Decimal mark of the CSV's numbers: , or . (default: sniffed: . when the delimiter is "
         "a comma, else the mark the numbers of the first records use, else the schema's "
         "`decimal` if any, else .)")
      ->check(mark);
}

void AddKindFlag(CLI::App* sub, std::map<std::string, ColumnKind>* kinds) {
  AddColumnAssignments(
      sub, "--kind", &ParseColumnKind,
      [kinds](std::string column, ColumnKind kind) { (*kinds)[std::move(column)] = kind; },
      "Force a column's kind, COLUMN=numeric|categorical|boolean|timestamp|string (repeatable; "
      "default: inferred)",
      "KIND with KIND one of numeric, categorical, boolean, timestamp, string");
}

}  // namespace keel::cli
