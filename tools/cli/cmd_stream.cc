// keel stream: score JSON Lines from stdin, write predictions as JSON Lines to stdout, and
// watch drift windows against the model's training profile.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "command.h"
#include "core/log.h"
#include "drift/model_profile.h"
#include "drift/stream_scorer.h"
#include "model/model_io.h"
#include "predict/predictor.h"

namespace keel::cli {
namespace {

struct StreamFlags {
  CommonFlags common;
  std::string model;
  uint64_t window = 10000;
  std::string window_time;
  std::string slide;
  std::string events_path;
  bool all_windows = false;
  bool no_drift = false;
  uint64_t min_window_rows = 100;
  double fairness_gate = 0.1;
  uint64_t min_group_rows = 30;
  double selection_threshold = -1;
  size_t batch = 16384;
  int threads = 0;
  double alpha = 0.05;
  double drift_share = 0.5;
  double js_threshold = 0.1;
  double wasserstein_threshold = 0.1;
};

int Run(const StreamFlags& f) {
  ApplyCommonFlags(f.common);
  auto model = LoadModel(f.model);
  if (!model.ok()) return ReportError(model.status(), f.common);
  auto predictor = Predictor::Create(*model);
  if (!predictor.ok()) return ReportError(predictor.status().WithContext(f.model), f.common);

  drift::StreamOptions so;
  so.threads = f.threads;
  so.batch_rows = f.batch;
  so.all_windows = f.all_windows;
  drift::WindowOptions& w = so.window;
  w.min_rows = f.min_window_rows;
  w.fairness_gate = f.fairness_gate;
  w.min_group_rows = f.min_group_rows;
  w.drift.alpha = f.alpha;
  w.drift.drift_share = f.drift_share;
  w.drift.js_threshold = f.js_threshold;
  w.drift.wasserstein_threshold = f.wasserstein_threshold;
  if (!f.window_time.empty()) {
    w.mode = drift::WindowOptions::Mode::kTime;
    Status s = ParseDuration(f.window_time, "--window-time", &w.size_micros);
    if (s.ok() && !f.slide.empty()) s = ParseDuration(f.slide, "--slide", &w.slide_micros);
    if (!s.ok()) return ReportUsageError(s, f.common);
    if (model->schema.FirstWithRole(Role::kTime).empty()) {
      return ReportError(Status::InvalidArgument("--window-time needs event times, but the model's "
                                                 "schema has no column with role time"),
                         f.common);
    }
  } else {
    w.mode = drift::WindowOptions::Mode::kCount;
    w.size_rows = f.window;
    if (!f.slide.empty()) {
      try {
        w.slide_rows = std::stoull(f.slide);
      } catch (...) {
        return ReportUsageError(
            Status::InvalidArgument("--slide \"{}\": expected a number of rows with "
                                    "--window (durations go with --window-time)",
                                    f.slide),
            f.common);
      }
    }
  }

  std::shared_ptr<const drift::Profile> reference;
  if (!f.no_drift) {
    auto profile = drift::LoadReferenceProfile(*model);
    if (!profile.ok()) {
      log::Warn("{}: drift windows are off", profile.status().message());
    } else {
      if (f.selection_threshold >= 0) {
        // Same profile, another selection threshold for the group rates: rebuild the layout.
        auto layout = std::make_shared<drift::ProfileLayout>(profile->layout());
        layout->selection_threshold = f.selection_threshold;
        if (!layout->groups.empty()) {
          log::Warn("--selection-threshold differs from the training profile's {}: training "
                    "selection rates are those at the training threshold",
                    profile->layout().selection_threshold);
        }
        nlohmann::json j = profile->ToJson();
        j["selection_threshold"] = f.selection_threshold;
        auto p2 = drift::Profile::FromJson(j);
        if (!p2.ok()) return ReportError(p2.status(), f.common);
        reference = std::make_shared<const drift::Profile>(std::move(*p2));
      } else {
        reference = std::make_shared<const drift::Profile>(std::move(*profile));
      }
    }
  }

  std::FILE* events = stderr;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> events_file(nullptr, &std::fclose);
  if (!f.events_path.empty() && f.events_path != "-") {
    events_file.reset(std::fopen(f.events_path.c_str(), "w"));
    if (!events_file) {
      return ReportError(Status::IoError("cannot write drift events to {}: {}", f.events_path,
                                         std::strerror(errno)),
                         f.common);
    }
    events = events_file.get();
  }
  auto on_window = [events](const drift::WindowResult& wr) {
    std::string line = drift::WindowResultToJson(wr).dump(-1, ' ', false,
                                                         nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), events);
    std::fflush(events);
  };
  auto summary = drift::RunStream(*model, **predictor, reference, so, STDIN_FILENO, stdout, on_window);
  if (!summary.ok()) return ReportError(summary.status(), f.common);
  if (!summary->first_error.empty()) {
    log::Warn("{} unreadable lines (an error line was written in their place); first: {}",
              summary->parse_errors, summary->first_error);
  }
  nlohmann::json j = drift::StreamSummaryToJson(*summary);
  if (f.common.json) {
    // The CLI contract: the --json object goes to stdout, here as the last line, after the
    // predictions (it is the only line with "ok").
    j["ok"] = true;
    PrintJson(j);
  } else if (!f.common.quiet) {
    std::fprintf(stderr,
                 "keel stream: %llu lines, %llu predicted, %llu unreadable, %.3f s (%.0f rows/s); "
                 "%llu windows, %llu drift events, %llu fairness alerts\n",
                 static_cast<unsigned long long>(summary->lines),
                 static_cast<unsigned long long>(summary->rows_predicted),
                 static_cast<unsigned long long>(summary->parse_errors), summary->seconds,
                 j["rows_per_second"].get<double>(),
                 static_cast<unsigned long long>(summary->windows),
                 static_cast<unsigned long long>(summary->drift_events),
                 static_cast<unsigned long long>(summary->fairness_alerts));
  }
  return kExitOk;
}

}  // namespace

Command AddStreamCommand(CLI::App& root) {
  auto* sub = root.add_subcommand(
      "stream",
      "Score JSON Lines read from stdin (one JSON object per line), write predictions as JSON "
      "Lines to stdout, and report drift windows against the model's training profile");
  auto f = std::make_shared<StreamFlags>();
  sub->add_option("--model", f->model, "Model file (.keel)")->required();
  sub->add_option("--window", f->window,
                  "Drift window size in rows (default: 10000; ignored with --window-time)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--window-time", f->window_time,
                  "Drift windows by event time instead of rows: a duration like 90s, 15m, 1h, 1d "
                  "over the schema's time column (default: windows by row count)")
      ->check(DurationCheck("--window-time"));
  sub->add_option("--slide", f->slide,
                  "Sliding windows: a new window every this many rows (with --window) or this "
                  "duration (with --window-time); must divide the window (default: the window "
                  "size, i.e. tumbling windows)");
  sub->add_option("--drift-events", f->events_path,
                  "Write drift events (one JSON object per line) to this file instead of stderr "
                  "(default: stderr)");
  sub->add_flag("--all-windows", f->all_windows,
                "Report every window (\"event\": \"window\" when it did not drift), not only "
                "drifting ones (default: off)");
  sub->add_flag("--no-drift", f->no_drift, "Only score; no drift windows (default: off)");
  sub->add_option("--min-window-rows", f->min_window_rows,
                  "Windows with fewer rows are not evaluated (default: 100)");
  sub->add_option("--alpha", f->alpha,
                  "Significance level for the features' corrected p-values (default: 0.05)")
      ->check(Interval(0, 1, true, true));
  sub->add_option("--drift-share", f->drift_share,
                  "Share of drifted features at which a window counts as drifted (default: 0.5)")
      ->check(Interval(0, 1, true, false));
  sub->add_option("--js-threshold", f->js_threshold,
                  "Jensen-Shannon distance for categorical features in large windows (default: "
                  "0.1)")
      ->check(Interval(0, 1, true, false));
  sub->add_option("--wasserstein-threshold", f->wasserstein_threshold,
                  "Wasserstein distance in reference standard deviations for numeric features in "
                  "large windows (default: 0.1)");
  sub->add_option("--fairness-gate", f->fairness_gate,
                  "Demographic parity difference (max - min selection rate over the groups of a "
                  "sensitive attribute) above which a window raises a fairness alert "
                  "(default: 0.1)");
  sub->add_option("--min-group-rows", f->min_group_rows,
                  "Groups with fewer rows in a window are left out of its disparity (default: 30)");
  sub->add_option("--selection-threshold", f->selection_threshold,
                  "A prediction at or above this counts as selected in the group rates "
                  "(default: the training profile's, 0.5 unless set when training)");
  sub->add_option("--batch", f->batch,
                  "Most lines decoded and predicted together; fewer when input arrives slowly "
                  "(default: 16384)");
  sub->add_option("--threads", f->threads, "Worker threads; 0 = all cores (default: 0)")
      ->check(CLI::NonNegativeNumber);
  AddCommonFlags(sub, &f->common);
  sub->footer(
      "Output: one JSON object per input line, in order, with the id and time columns passed "
      "through and prob_<class> (or prediction); an unreadable line gets {\"line\", \"error\"}.\n"
      "--json prints the final summary as one JSON object (with \"ok\") on stdout, after the "
      "last prediction; without --json a one-line summary goes to stderr.\n"
      "Window events are described in docs/drift.md.");
  return {sub, [f] { return Run(*f); }};
}

}  // namespace keel::cli
