#include "command.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <iostream>

#include "core/log.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/progress.h"
#include "core/readable_number.h"
#include "registry/prediction_log_store.h"

namespace keel::cli {

void AddCommonFlags(CLI::App* sub, CommonFlags* flags) {
  sub->add_flag("--json", flags->json, "Print one machine-readable JSON object on stdout");
  sub->add_flag("-q,--quiet", flags->quiet, "Only print errors on stderr (no progress)");
  sub->add_flag("-v,--verbose", flags->verbose, "Print debug logs on stderr");
}

void ApplyCommonFlags(const CommonFlags& flags) {
  if (flags.quiet) {
    log::SetLevel(log::Level::kError);
  } else if (flags.verbose) {
    log::SetLevel(log::Level::kDebug);
  }
  if (flags.quiet || flags.json) Progress::SetGloballyEnabled(false);
}

Context CommandContext(const CommonFlags& flags, int threads) {
  Context ctx;
  ctx.num_threads = threads;
  ctx.progress = !flags.quiet && !flags.json;
  return ctx;
}

void PrintJson(const nlohmann::json& j) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int ReportError(const Status& status, const CommonFlags& flags) {
  std::fprintf(stderr, "keel: error: %s\n", status.message().c_str());
  if (flags.json) {
    PrintJson(
        {{"ok", false},
         {"error",
          {{"code", std::string(StatusCodeName(status.code()))}, {"message", status.message()}}}});
  }
  return kExitFailure;
}

int ReportUsageError(const Status& status, const CommonFlags& flags) {
  ReportError(status, flags);
  return kExitUsage;
}

CLI::Validator StatusCheck(std::function<Status(const std::string&)> parse) {
  return CLI::Validator(
      [parse = std::move(parse)](std::string& text) {
        const Status s = parse(text);
        return s.ok() ? std::string() : s.message();
      },
      "");
}

CLI::Validator ChoiceCheck(std::function<bool(const std::string&)> accepts, std::string expected) {
  return StatusCheck(
      [accepts = std::move(accepts), expected = std::move(expected)](const std::string& text) {
        return accepts(text) ? Status::OK()
                             : Status::InvalidArgument("\"{}\": expected {}", text, expected);
      });
}

CLI::Validator RetentionCheck() {
  return StatusCheck(
      [](const std::string& text) { return registry::ParseRetention(text).status(); });
}

CLI::Validator Interval(double lo, double hi, bool lo_open, bool hi_open) {
  return Interval(usecase::OptionRange{lo, hi, lo_open, hi_open});
}

CLI::Validator Interval(const usecase::OptionRange& range) {
  return StatusCheck([range](const std::string& text) {
    double v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    const bool in = ec == std::errc() && p == end && range.Contains(v);
    return in ? Status::OK()
              : Status::InvalidArgument("\"{}\" is not a number in {}", text, range.Text());
  });
}

Status ParseDuration(const std::string& text, std::string_view flag, int64_t* micros) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
    ++i;
  }
  double v = 0;
  try {
    v = std::stod(text.substr(0, i));
  } catch (...) {
    return Status::InvalidArgument("{} \"{}\": expected a duration like 90s, 15m, 1h or 1d", flag,
                                   text);
  }
  const std::string unit = text.substr(i);
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1e6;
  } else if (unit == "ms") {
    scale = 1e3;
  } else if (unit == "m" || unit == "min") {
    scale = 60e6;
  } else if (unit == "h") {
    scale = 3600e6;
  } else if (unit == "d") {
    scale = 86400e6;
  } else if (unit == "w") {
    scale = 7 * 86400e6;
  } else {
    return Status::InvalidArgument("{} \"{}\": unknown unit '{}' (use ms, s, m, h, d or w)", flag,
                                   text, unit);
  }
  *micros = static_cast<int64_t>(v * scale);
  if (*micros <= 0) return Status::InvalidArgument("{} \"{}\" must be positive", flag, text);
  return Status::OK();
}

CLI::Validator DurationCheck(std::string flag) {
  return StatusCheck([flag = std::move(flag)](const std::string& text) {
    int64_t micros = 0;
    return ParseDuration(text, flag, &micros);
  });
}

namespace {

// "keel train" for the train subcommand.
std::string CommandPath(const CLI::App& app) {
  const CLI::App* parent = app.get_parent();
  return parent == nullptr ? app.get_name() : CommandPath(*parent) + " " + app.get_name();
}

// A word that reached `app` and is neither one of its flags nor one of its subcommands.
bool ExplainWord(const CLI::App& app, const std::string& word) {
  const std::string path = CommandPath(app);
  if (word.size() > 1 && word[0] == '-') {
    // "--num_trees=200" -> "num_trees", compared with the long names; a single letter ("-x")
    // is not a misspelt word, so it gets no suggestion.
    const size_t start = word.find_first_not_of('-');
    if (start == std::string::npos) return false;
    const std::string name = word.substr(start, word.find('=') - start);
    std::vector<std::string> longs;
    for (const CLI::Option* o : app.get_options()) {
      for (const std::string& l : o->get_lnames()) longs.push_back(l);
    }
    const std::string nearest = name.size() > 1 ? NearestName(name, longs) : "";
    std::fprintf(stderr, "%s: unknown option '%s'", path.c_str(),
                 word.substr(0, word.find('=')).c_str());
    if (!nearest.empty()) std::fprintf(stderr, "; did you mean '--%s'?", nearest.c_str());
    std::fprintf(stderr, "\nRun `%s --help` for its options.\n", path.c_str());
    return true;
  }
  const auto subcommands =
      app.get_subcommands([](const CLI::App* s) { return !s->get_name().empty(); });
  if (subcommands.empty() || !app.get_subcommands().empty()) return false;  // a stray argument
  std::vector<std::string> names;
  for (const CLI::App* s : subcommands) names.push_back(s->get_name());
  std::fprintf(stderr, "%s: unknown command '%s'", path.c_str(), word.c_str());
  const std::string nearest = NearestName(word, names);
  if (!nearest.empty()) std::fprintf(stderr, "; did you mean '%s'?", nearest.c_str());
  std::fprintf(stderr, "\nRun `%s --help` for its commands.\n", path.c_str());
  return true;
}

}  // namespace

bool ExplainUnknownArguments(const CLI::App& root) {
  // The deepest command the words selected; unknown words stay with the command that read them.
  std::vector<const CLI::App*> chain = {&root};
  while (!chain.back()->get_subcommands().empty()) {
    chain.push_back(chain.back()->get_subcommands().front());
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const std::string& word : (*it)->remaining()) {
      if (ExplainWord(**it, word)) return true;
    }
  }
  return false;
}

}  // namespace keel::cli
