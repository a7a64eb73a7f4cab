#include "reader_flags.h"

#include <string>

#include "data/csv_dialect.h"

namespace keel::cli {

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

}  // namespace keel::cli
