// Flags about how a command reads its data files, shared by every command that reads CSV.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::cli {

// Adds --decimal MARK: the decimal mark of the CSV data's numbers, `,` or `.` (also `comma`,
// `dot`, and `auto` for the default; ParseDecimalMark). Stores ',' or '.' in *decimal, or 0
// (sniffed; see ReadOptions::decimal). Any other value is a usage error (exit 2).
void AddDecimalFlag(CLI::App* sub, char* decimal);

}  // namespace keel::cli
