// Logging to stderr (never stdout: stdout carries results and --json output).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace keel::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// The process-wide logger: writes "keel: <level>: <message>" lines to stderr. Thread-safe.
spdlog::logger& Get();
void SetLevel(Level level);
// Parses "debug", "info", "warn", "error", "off"; false if unknown.
bool ParseLevel(std::string_view text, Level* level);

template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  Get().debug(f, std::forward<Args>(args)...);
}
template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  Get().info(f, std::forward<Args>(args)...);
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  Get().warn(f, std::forward<Args>(args)...);
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  Get().error(f, std::forward<Args>(args)...);
}

}  // namespace keel::log
