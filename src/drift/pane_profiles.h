// Mergeable pane profiles across processes: the consumers of `keel stream --from nats://`
// each profile their share of the events per time pane (PaneCollector) and publish the panes;
// `keel monitor --from nats://` merges every consumer's panes of the same window into one view
// and evaluates it as the single-process window monitor does (PaneMerger, EvaluateWindow).
//
// Panes are aligned to the epoch (pane = floor(t / slide)), as WindowMonitor's time panes are.
// A consumer assigns each row to its pane by the row's own event time (a redelivered or late
// event joins its own pane, not the consumer's current one), so the merge of all consumers'
// panes is the profile of every event of that pane whichever consumer scored it. A row without
// time joins the latest pane the consumer has seen.
//
// Finality (PaneMerger): the window that ends with pane p is evaluated once, when
//   * every instance that has published has moved past p (its latest pane > p) or said it is
//     done, or
//   * some instance is `grace_panes` panes past p (latest >= p + 1 + grace_panes): a consumer
//     that died or stalls does not hold the windows back forever,
// or at Finish. Pane deltas for a window already evaluated are counted (late_rows) and dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "drift/profile.h"
#include "drift/window_monitor.h"
#include "keel/status.h"

namespace keel::drift {

// A consumer's pane profiles since the last Take. Not thread-safe.
class PaneCollector {
 public:
  PaneCollector(std::shared_ptr<const ProfileLayout> layout, int64_t slide_micros);

  // The pane the row with event time `time` (micros; kMissingTime: unknown) goes to.
  Profile& BeginRow(int64_t time);
  // Call after adding the row's values to the profile BeginRow returned.
  void EndRow();

  // The panes that got rows since the last call (by pane number), emptied.
  std::map<int64_t, Profile> Take();
  // The highest pane number seen so far (INT64_MIN before the first timed row).
  int64_t latest() const { return latest_; }
  int64_t slide_micros() const { return slide_; }

 private:
  std::shared_ptr<const ProfileLayout> layout_;
  int64_t slide_;
  int64_t latest_ = INT64_MIN;
  std::map<int64_t, Profile> panes_;
  Profile* current_ = nullptr;
};

// One published message: a consumer instance's rows of one pane (or, with done and no
// profile, the instance's goodbye).
struct PaneMessage {
  std::string instance;  // the consumer process
  int64_t pane = 0;      // pane number (start = pane * slide_micros)
  int64_t slide_micros = 0;
  int64_t size_micros = 0;           // the window the consumer was configured with
  int64_t latest = INT64_MIN;        // the instance's latest pane when it published this
  bool done = false;                 // the instance stopped: it will publish nothing more
  std::shared_ptr<Profile> profile;  // null for a goodbye
};

nlohmann::json PaneMessageToJson(const PaneMessage& m);
// Errors: Corrupt naming the field.
Result<PaneMessage> PaneMessageFromJson(const nlohmann::json& j);

// Merges pane messages from any number of instances into windows of `options` (time mode)
// and evaluates each window once with EvaluateWindow; `sink` gets every evaluated window.
class PaneMerger {
 public:
  using Sink = std::function<void(const WindowResult&)>;
  // grace_panes: how far (in panes) an instance may run ahead before windows are final.
  PaneMerger(std::shared_ptr<const Profile> reference, WindowOptions options, int64_t grace_panes,
             Sink sink);

  // Errors: InvalidArgument when the message's pane size or window differ from the options;
  // FailedPrecondition when its profile does not fit the reference layout.
  Status Add(const PaneMessage& m);
  // Evaluates every window not evaluated yet (the last one marked partial).
  Status Finish();

  uint64_t windows() const { return windows_; }
  uint64_t late_rows() const { return late_rows_; }
  uint64_t messages() const { return messages_; }
  size_t instances() const { return latest_.size(); }

 private:
  Status EmitUntil(int64_t last_end, bool finish);
  Status EvaluateEndingAt(int64_t end, bool partial);

  std::shared_ptr<const Profile> reference_;
  WindowOptions options_;
  int64_t panes_per_window_ = 1;
  int64_t grace_;
  Sink sink_;
  std::map<int64_t, Profile> panes_;
  std::map<std::string, int64_t> latest_;  // per instance; INT64_MAX once done
  int64_t first_pane_ = INT64_MAX;         // lowest pane with rows
  int64_t max_pane_ = INT64_MIN;           // highest pane with rows
  int64_t next_end_ = INT64_MIN;           // the next window end to evaluate
  uint64_t windows_ = 0;
  uint64_t late_rows_ = 0;
  uint64_t messages_ = 0;
};

}  // namespace keel::drift
