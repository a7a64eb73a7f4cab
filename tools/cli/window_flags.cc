#include "window_flags.h"

#include "command.h"

namespace keel::cli {

void AddWindowFlags(CLI::App* sub, uint64_t* rows, std::function<void(int64_t micros)> by_time,
                    const std::string& rows_help, const std::string& time_help) {
  sub->add_option("--window", *rows, rows_help)->check(CLI::PositiveNumber);
  sub->add_option_function<std::string>(
         "--window-time",
         [by_time = std::move(by_time)](const std::string& text) {
           int64_t micros = 0;
           // Checked by DurationCheck when the flags were parsed.
           ParseDuration(text, "--window-time", &micros).IgnoreError();
           by_time(micros);
         },
         time_help)
      ->check(DurationCheck("--window-time"));
}

}  // namespace keel::cli
