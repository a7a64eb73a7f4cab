// `keel monitor --from nats://...`: the merged drift view of several `keel stream --from
// nats://` consumers. Reads the pane profiles the consumers publish (drift/pane_profiles.h)
// from a JetStream stream with a durable pull consumer, merges every consumer's pane of the
// same time window into one profile and evaluates it once with the single-process window
// monitor's tests and thresholds (drift::EvaluateWindow): one JSON line per window on `out`
// (the stdin stream's window line: "event" is "drift" or "window"), so an alert is raised
// once per window, not once per consumer.
//
// Each event is counted once, whichever consumers profiled it (drift/pane_profiles.h). A
// window is final (evaluated) when every consumer instance that has published has moved
// past its last pane (or stopped), or when one instance is `grace_windows` windows past it,
// and no event sequence below the rows of later panes is unaccounted for (up to `settle`);
// rows that still come after their window was evaluated are counted and reported (a line
// {"event": "late", ...} on `out`, and a warning); at the end (until_idle, or cancel) the windows
// left are evaluated, the last marked partial. Messages are acknowledged once merged: a restarted
// monitor with the same consumer name goes on after them (the windows it had not evaluated yet are
// lost; use a new --consumer to read the stream again from its start).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/context.h"
#include "drift/window_monitor.h"
#include "keel/status.h"
#include "usecase/nats_client.h"

namespace keel::usecase {

struct NatsMonitorRequest {
  NatsConsumerOptions source;  // url, stream and subject of the profiles, consumer name
  std::string model_path;      // the consumers' model: its training profile is the reference
  // Tests, thresholds and min_rows as the stream's; the window size and slide come from the
  // profiles when size_micros is 0.
  drift::WindowOptions window;
  int64_t grace_windows = 2;
  // How long a missing event sequence may hold windows back (drift::PaneMerger::set_settle);
  // zero: windows do not wait for sequences.
  std::chrono::milliseconds settle{120000};
  // Stop after this long without a message; zero: run until cancelled.
  std::chrono::milliseconds until_idle{0};
};

struct NatsMonitorResult {
  NatsMonitorRequest request;
  uint64_t messages = 0;  // pane profiles and goodbyes read
  uint64_t instances = 0;
  uint64_t windows = 0;
  uint64_t drift_events = 0;
  uint64_t fairness_alerts = 0;
  uint64_t late_rows = 0;  // rows of panes that came after their windows were evaluated
  uint64_t late_panes = 0;
  uint64_t duplicate_rows = 0;     // rows counted once already (a killed consumer's, redelivered)
  uint64_t overlapping_rows = 0;   // rows of messages partly counted already (merged; not exact)
  uint64_t skipped_sequences = 0;  // event sequences given up after --settle
  uint64_t bad_messages = 0;
  double seconds = 0;

  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Writes each window's JSON line to `out` as it is evaluated. Errors: the model's (or a model
// without a training profile: FailedPrecondition), NatsConsumer::Open's, InvalidArgument when
// the consumers' windows differ from the request's, Unavailable when the server is gone.
Result<NatsMonitorResult> MonitorNats(const NatsMonitorRequest& request, const Context& ctx,
                                      std::FILE* out);

}  // namespace keel::usecase
