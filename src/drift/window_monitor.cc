#include "drift/window_monitor.h"

#include <algorithm>
#include <cmath>

namespace keel::drift {
namespace {

nlohmann::json TimeJson(int64_t micros) {
  return micros == kMissingTime ? nlohmann::json() : nlohmann::json(FormatTimestamp(micros));
}

void SetIfFinite(nlohmann::json* j, const char* key, double v) {
  if (std::isfinite(v)) (*j)[key] = v;
}

nlohmann::json CompactFeature(const FeatureDrift& f) {
  nlohmann::json j = {{"feature", f.feature}, {"test", f.test}, {"drifted", f.drifted}};
  SetIfFinite(&j, "statistic", f.statistic);
  SetIfFinite(&j, "threshold", f.threshold);
  SetIfFinite(&j, "score", f.score);
  SetIfFinite(&j, "p_value_adjusted", f.p_value_adjusted);
  SetIfFinite(&j, "ks", f.ks);
  SetIfFinite(&j, "psi", f.psi);
  SetIfFinite(&j, "jensen_shannon", f.jensen_shannon);
  SetIfFinite(&j, "wasserstein_normed", f.wasserstein_normed);
  if (!f.reason.empty()) j["reason"] = f.reason;
  if (!f.new_categories.empty()) j["new_categories"] = f.new_categories;
  if (!f.missing_categories.empty()) j["missing_categories"] = f.missing_categories;
  return j;
}

}  // namespace

int64_t TimePane(int64_t t, int64_t slide) {
  int64_t q = t / slide;
  if ((t % slide != 0) && ((t < 0) != (slide < 0))) --q;
  return q;
}

Status WindowOptions::Validate() const {
  if (mode == Mode::kCount) {
    const uint64_t slide = slide_rows == 0 ? size_rows : slide_rows;
    if (size_rows == 0) return Status::InvalidArgument("--window must be at least 1 row");
    if (slide > size_rows || size_rows % slide != 0) {
      return Status::InvalidArgument("--slide {} must divide the window of {} rows", slide,
                                     size_rows);
    }
    if (size_rows / slide > 1000) {
      return Status::InvalidArgument(
          "a window of {} rows sliding by {} keeps more than 1000 "
          "panes; use a larger --slide",
          size_rows, slide);
    }
  } else {
    const int64_t slide = slide_micros == 0 ? size_micros : slide_micros;
    if (size_micros <= 0) return Status::InvalidArgument("--window-time must be positive");
    if (slide <= 0 || slide > size_micros || size_micros % slide != 0) {
      return Status::InvalidArgument(
          "--slide must be a positive duration that divides "
          "--window-time");
    }
    if (size_micros / slide > 1000) {
      return Status::InvalidArgument(
          "the time window keeps more than 1000 panes; use a larger "
          "--slide");
    }
  }
  return drift.Validate();
}

WindowMonitor::WindowMonitor(std::shared_ptr<const Profile> reference, WindowOptions options,
                             Sink sink)
    : reference_(std::move(reference)), options_(std::move(options)), sink_(std::move(sink)) {
  if (options_.mode == WindowOptions::Mode::kCount) {
    if (options_.slide_rows == 0) options_.slide_rows = options_.size_rows;
    panes_per_window_ =
        std::max<uint64_t>(1, options_.size_rows / std::max<uint64_t>(1, options_.slide_rows));
  } else {
    if (options_.slide_micros == 0) options_.slide_micros = options_.size_micros;
    panes_per_window_ = static_cast<size_t>(
        std::max<int64_t>(1, options_.size_micros / std::max<int64_t>(1, options_.slide_micros)));
  }
  current_ = NewPane(0);
}

WindowMonitor::Pane WindowMonitor::NewPane(int64_t id) {
  Pane p;
  p.profile = std::make_unique<Profile>(reference_->shared_layout());
  p.id = id;
  return p;
}

Profile& WindowMonitor::BeginRow(int64_t t) {
  // Time panes close when a row of a later pane arrives; count panes close in EndRow, as soon
  // as they are full.
  const bool timed = options_.mode == WindowOptions::Mode::kTime;
  if (timed && t == kMissingTime) {
    ++untimed_rows_;
  } else if (timed) {
    const int64_t pid = TimePane(t, options_.slide_micros);
    if (!started_) {
      current_.id = pid;
      started_ = true;
    } else if (pid > current_.id) {
      const int64_t last = current_.id;
      ClosePane(false);
      // Empty panes for a gap in time (no more than a window's worth matters).
      const int64_t gap =
          std::min<int64_t>(pid - last - 1, static_cast<int64_t>(panes_per_window_));
      for (int64_t i = 1; i <= gap; ++i) {
        current_.id = last + i;
        ClosePane(false);
      }
      current_.id = pid;
    } else if (pid < current_.id) {
      ++late_rows_;
    }
  }
  if (t != kMissingTime) {
    if (current_.min_time == kMissingTime || t < current_.min_time) current_.min_time = t;
    if (current_.max_time == kMissingTime || t > current_.max_time) current_.max_time = t;
  }
  return *current_.profile;
}

void WindowMonitor::EndRow() {
  ++rows_;
  if (current_.profile->rows() == 0) current_.first_row = rows_;
  current_.profile->AddRows(1);
  // A full count pane closes (and its window is evaluated) with its last row, not when the
  // next row arrives: a server whose traffic pauses still reports the window it has.
  if (options_.mode == WindowOptions::Mode::kCount &&
      current_.profile->rows() >= options_.slide_rows) {
    ClosePane(false);
  }
}

void WindowMonitor::ClosePane(bool final) {
  const int64_t next_id = current_.id + 1;
  ++panes_seen_;
  closed_.push_back(std::move(current_));
  while (closed_.size() > panes_per_window_) closed_.pop_front();
  current_ = NewPane(next_id);
  if (closed_.size() == panes_per_window_) {
    const bool partial = final && (options_.mode == WindowOptions::Mode::kTime ||
                                   closed_.back().profile->rows() < options_.slide_rows);
    Evaluate(partial);
  } else if (final) {
    Evaluate(true);
  }
}

void WindowMonitor::Evaluate(bool partial) {
  uint64_t rows = 0;
  for (const Pane& p : closed_) rows += p.profile->rows();
  if (rows < options_.min_rows || rows == 0) return;
  Profile merged(*closed_.front().profile);
  for (size_t i = 1; i < closed_.size(); ++i) {
    Status s = merged.Merge(*closed_[i].profile);
    if (!s.ok()) {
      if (status_.ok()) status_ = s;
      return;
    }
  }
  auto evaluated = EvaluateWindow(*reference_, merged, options_);
  if (!evaluated.ok()) {
    if (status_.ok()) status_ = evaluated.status();
    return;
  }
  WindowResult& w = *evaluated;
  w.index = windows_++;
  w.rows = rows;
  w.partial = partial;
  w.first_row = 0;
  for (const Pane& p : closed_) {
    if (p.profile->rows() == 0) continue;
    if (w.first_row == 0) w.first_row = p.first_row;
    w.last_row = p.first_row + p.profile->rows() - 1;
    if (options_.mode == WindowOptions::Mode::kCount) {
      if (p.min_time != kMissingTime &&
          (w.start_time == kMissingTime || p.min_time < w.start_time)) {
        w.start_time = p.min_time;
      }
      if (p.max_time != kMissingTime && (w.end_time == kMissingTime || p.max_time > w.end_time)) {
        w.end_time = p.max_time;
      }
    }
  }
  if (options_.mode == WindowOptions::Mode::kTime) {
    const int64_t last = closed_.back().id;
    w.start_time = (last - static_cast<int64_t>(panes_per_window_) + 1) * options_.slide_micros;
    w.end_time = (last + 1) * options_.slide_micros;
  }
  sink_(w);
}

Result<WindowResult> EvaluateWindow(const Profile& reference, const Profile& merged,
                                    const WindowOptions& options) {
  KEEL_ASSIGN_OR_RETURN(DriftReport report, CompareProfiles(reference, merged, options.drift));
  WindowResult w;
  w.rows = merged.rows();
  w.report = std::move(report);
  w.fairness = CompareGroupRates(reference, merged, options.fairness_gate, options.min_group_rows);
  const DatasetVerdict& v = w.report.verdict;
  w.drifted =
      v.dataset_drift || v.prediction_drift.value_or(false) || v.label_drift.value_or(false);
  for (const auto& a : w.fairness) w.fairness_alert |= a.alert;
  if (!merged.probabilities().empty()) {
    w.estimated = merged.probabilities().Estimate(reference.layout().selection_threshold);
  }
  return w;
}

Status WindowMonitor::Finish() {
  if (current_.profile->rows() > 0) ClosePane(true);
  return status_;
}

nlohmann::json WindowResultToJson(const WindowResult& w) {
  const DatasetVerdict& v = w.report.verdict;
  nlohmann::json drifted = nlohmann::json::array();
  nlohmann::json features = nlohmann::json::array();
  for (const FeatureDrift& f : w.report.features) {
    if (f.drifted) drifted.push_back(f.feature);
    features.push_back(CompactFeature(f));
  }
  nlohmann::json j = {
      {"event", w.drifted || w.fairness_alert ? "drift" : "window"},
      {"window",
       {{"index", w.index},
        {"first_row", w.first_row},
        {"last_row", w.last_row},
        {"rows", w.rows},
        {"start_time", TimeJson(w.start_time)},
        {"end_time", TimeJson(w.end_time)},
        {"partial", w.partial}}},
      {"drifted", w.drifted},
      {"dataset_drift", v.dataset_drift},
      {"share_drifted", v.share_drifted},
      {"drifted_features", std::move(drifted)},
      {"prediction_drift",
       v.prediction_drift ? nlohmann::json(*v.prediction_drift) : nlohmann::json()},
      {"label_drift", v.label_drift ? nlohmann::json(*v.label_drift) : nlohmann::json()},
      {"features", std::move(features)},
      {"prediction", w.report.prediction ? CompactFeature(*w.report.prediction) : nlohmann::json()},
      {"label", w.report.label ? CompactFeature(*w.report.label) : nlohmann::json()},
      {"fairness", GroupDisparitiesToJson(w.fairness)},
      {"fairness_alert", w.fairness_alert},
      {"correction", CorrectionName(w.report.options.correction)}};
  if (w.estimated.rows > 0) {
    // CBPE: what the performance is expected to be, from the probabilities alone.
    nlohmann::json e = {{"method", "cbpe"}, {"rows", w.estimated.rows}};
    SetIfFinite(&e, "roc_auc", w.estimated.roc_auc);
    SetIfFinite(&e, "accuracy", w.estimated.accuracy);
    SetIfFinite(&e, "precision", w.estimated.precision);
    SetIfFinite(&e, "recall", w.estimated.recall);
    SetIfFinite(&e, "f1", w.estimated.f1);
    SetIfFinite(&e, "positive_rate", w.estimated.positive_rate);
    j["estimated_performance"] = std::move(e);
  }
  return j;
}

}  // namespace keel::drift
