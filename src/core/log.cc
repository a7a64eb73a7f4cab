#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace keel::log {

spdlog::logger& Get() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_color_mt("keel");
    l->set_pattern("keel: %^%l%$: %v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return *logger;
}

void SetLevel(Level level) {
  switch (level) {
    case Level::kDebug: Get().set_level(spdlog::level::debug); break;
    case Level::kInfo: Get().set_level(spdlog::level::info); break;
    case Level::kWarn: Get().set_level(spdlog::level::warn); break;
    case Level::kError: Get().set_level(spdlog::level::err); break;
    case Level::kOff: Get().set_level(spdlog::level::off); break;
  }
}

bool ParseLevel(std::string_view text, Level* level) {
  if (text == "debug") *level = Level::kDebug;
  else if (text == "info") *level = Level::kInfo;
  else if (text == "warn" || text == "warning") *level = Level::kWarn;
  else if (text == "error") *level = Level::kError;
  else if (text == "off" || text == "quiet") *level = Level::kOff;
  else return false;
  return true;
}

}  // namespace keel::log
