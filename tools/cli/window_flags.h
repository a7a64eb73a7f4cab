// The window flags `keel stream` and `keel monitor` share: windows by row count (--window) or
// by event time (--window-time).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>

namespace keel::cli {

// Adds --window ROWS, bound to *rows (a positive count), and --window-time DURATION ("90s",
// "15m", "1h", "1d"; a text that is no duration is a usage error when the flags are parsed),
// which calls `by_time` with the duration in microseconds. The help texts say what the
// windows are and their defaults.
void AddWindowFlags(CLI::App* sub, uint64_t* rows, std::function<void(int64_t micros)> by_time,
                    const std::string& rows_help, const std::string& time_help);

}  // namespace keel::cli
