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
// Each event once (docs/streaming.md has the argument). Every pane message names the stream
// sequences of its rows (`sequences`) and of the events its batch finished without a row
// (`handled`: dead letters). An event delivered for the first time can be in no other
// consumer's pane; an event delivered again (its first consumer died, possibly after
// publishing it) is profiled alone, in a message of its own (PaneCollector::Separate). So the
// merger either takes a message whole or drops it whole: a message whose sequences were all
// counted already is a duplicate (duplicate_rows), anything else is merged.
//
// Finality (PaneMerger): the window that ends with pane p is evaluated once, when
//   * every instance that has published has moved past p (its latest pane > p) or said it is
//     done, or some instance is `grace_panes` panes past p (latest >= p + 1 + grace_panes):
//     a consumer that died or stalls does not hold the windows back forever; and
//   * (when the messages carry sequences) every stream sequence below the lowest sequence of
//     a row in a later pane is accounted for (a row, a dead letter, or given up after
//     `settle` seconds: a sequence of another subject, or deleted). For a stream whose events
//     are in event-time order this means no event of the window is still in flight, e.g.
//     held by a killed consumer until its redelivery;
// or at Finish. Rows for a window already evaluated are counted (late_rows) and reported to
// the late sink, never merged silently.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "drift/profile.h"
#include "drift/sequence_set.h"
#include "drift/window_monitor.h"
#include "keel/status.h"

namespace keel::drift {

// Rows of one pane since the last Take, and the stream sequences they came from.
struct PaneDelta {
  int64_t pane = 0;
  Profile profile;
  SequenceSet sequences;  // empty when the rows had no sequence (0)
};

// A consumer's pane profiles since the last Take. Not thread-safe.
class PaneCollector {
 public:
  PaneCollector(std::shared_ptr<const ProfileLayout> layout, int64_t slide_micros);

  // The pane the row with event time `time` (micros; kMissingTime: unknown) and stream
  // sequence `sequence` (0: none) goes to.
  Profile& BeginRow(int64_t time, uint64_t sequence = 0);
  // Call after adding the row's values to the profile BeginRow returned.
  void EndRow();
  // The row with this sequence (until the next Take) gets a delta of its own: a redelivered
  // event, which another consumer may have published already.
  void Separate(uint64_t sequence) { separate_.insert(sequence); }

  // The deltas since the last call (by pane, then shared before separate ones), emptied.
  std::vector<PaneDelta> Take();
  // The highest pane number seen so far (INT64_MIN before the first timed row).
  int64_t latest() const { return latest_; }
  int64_t slide_micros() const { return slide_; }

 private:
  std::shared_ptr<const ProfileLayout> layout_;
  int64_t slide_;
  int64_t latest_ = INT64_MIN;
  // (pane, 0) for the shared delta of a pane, (pane, sequence) for a separate row.
  std::map<std::pair<int64_t, uint64_t>, PaneDelta> panes_;
  std::unordered_set<uint64_t> separate_;
  PaneDelta* current_ = nullptr;
  uint64_t current_sequence_ = 0;
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
  std::shared_ptr<Profile> profile;  // null for a goodbye (or a message of `handled` only)
  SequenceSet sequences;             // the stream sequences of the profile's rows
  SequenceSet handled;               // sequences finished without a row (dead letters)
};

nlohmann::json PaneMessageToJson(const PaneMessage& m);
// Errors: Corrupt naming the field.
Result<PaneMessage> PaneMessageFromJson(const nlohmann::json& j);

// Merges pane messages from any number of instances into windows of `options` (time mode)
// and evaluates each window once with EvaluateWindow; `sink` gets every evaluated window.
class PaneMerger {
 public:
  using Sink = std::function<void(const WindowResult&)>;
  // Rows of a pane that came after a window holding it was evaluated.
  using LateSink = std::function<void(const PaneMessage&, uint64_t rows)>;
  // grace_panes: how far (in panes) an instance may run ahead before windows are final.
  PaneMerger(std::shared_ptr<const Profile> reference, WindowOptions options, int64_t grace_panes,
             Sink sink);

  // Errors: InvalidArgument when the message's pane size or window differ from the options;
  // FailedPrecondition when its profile does not fit the reference layout.
  Status Add(const PaneMessage& m);
  // The passing of time (seconds on any steady clock): sequences still missing below the
  // highest sequence accounted for `settle` seconds ago are given up (skipped_sequences),
  // and the windows that makes final are evaluated.
  Status Tick(double now_seconds);
  // Evaluates every window not evaluated yet (the last one marked partial).
  Status Finish();

  void set_late_sink(LateSink sink) { late_sink_ = std::move(sink); }
  // Seconds a missing sequence may hold windows back (default 120); 0: windows do not wait
  // for sequences.
  void set_settle(double seconds) { settle_ = seconds; }

  uint64_t windows() const { return windows_; }
  uint64_t late_rows() const { return late_rows_; }
  uint64_t duplicate_rows() const { return duplicate_rows_; }      // counted once already
  uint64_t overlapping_rows() const { return overlapping_rows_; }  // partly counted, merged
  uint64_t skipped_sequences() const { return skipped_; }
  uint64_t messages() const { return messages_; }
  size_t instances() const { return latest_.size(); }

 private:
  Status Advance();
  // The highest pane p <= limit below whose later panes' rows no sequence is missing.
  int64_t SettledLimit(int64_t limit) const;
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
  LateSink late_sink_;
  // Each event once, and which are missing.
  bool tracking_ = false;                 // some message carried sequences
  SequenceSet counted_;                   // sequences whose rows are merged
  SequenceSet accounted_;                 // counted, handled or given up
  std::map<int64_t, uint64_t> pane_min_;  // pane -> lowest sequence of its merged rows
  double settle_ = 120;
  std::deque<std::pair<double, uint64_t>> seen_;  // (time, highest accounted sequence)
  uint64_t duplicate_rows_ = 0, overlapping_rows_ = 0, skipped_ = 0;
};

}  // namespace keel::drift
