// LiveDrift: the live drift windows of one served model.
//
// Each answered instance's encoded features and prediction are copied into a bounded queue on
// the request path (a short lock and two memcpys; when the queue is full the rows are dropped
// and counted, never waited for). The server's drift thread drains the queue into a
// drift::WindowMonitor (count windows, tumbling) that compares each full window with the
// training profile stored in the model (Model::sections["profile"]). The last window's
// verdict is kept for /metrics and GET /v1/models/{name}/drift.
//
// Thread-safety: Enqueue from any thread; Drain from one thread at a time (the drift thread);
// the snapshot accessors from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drift/profile.h"
#include "drift/window_monitor.h"
#include "model/model.h"

namespace keel::serve {

struct LiveDriftOptions {
  uint64_t window_rows = 10000;  // rows per window; 0 turns live drift off
  uint64_t min_rows = 100;       // (only a full window is evaluated while serving)
  size_t max_queued_rows = 100000;
};

class LiveDrift {
 public:
  // The live windows of `model`, or null (with the reason in *why) when the options turn
  // them off or the model has no usable training profile.
  static std::unique_ptr<LiveDrift> Create(const Model& model, const LiveDriftOptions& options,
                                           std::string* why);
  ~LiveDrift();

  // Queues `n` instances: rows (n x num_features floats, as the predictor reads them) and
  // values (n x values_per_row, as ServedModel::Predict writes them). Never blocks on the
  // monitor.
  void Enqueue(const float* rows, size_t n, const double* values);

  // Feeds everything queued so far to the windows (evaluating those that fill up).
  void Drain();

  struct Snapshot {
    uint64_t rows = 0;     // fed to the windows
    uint64_t dropped = 0;  // dropped because the queue was full
    uint64_t windows = 0;  // windows evaluated
    uint64_t drifted_windows = 0;
    bool has_last = false;
    bool last_drifted = false;
    double last_share_drifted = 0;
    // Per feature of the last window: name and whether it drifted.
    std::vector<std::pair<std::string, bool>> last_features;
  };
  Snapshot snapshot() const;
  // The last evaluated window as JSON (drift::WindowResultToJson), or null before the first.
  nlohmann::json LastWindowJson() const;
  uint64_t window_rows() const { return options_.window_rows; }

 private:
  LiveDrift() = default;
  void OnWindow(const drift::WindowResult& w);

  LiveDriftOptions options_;
  size_t nf_ = 0;
  size_t nv_ = 0;  // values per row
  Task task_ = Task::kBinary;
  std::vector<std::vector<std::string>> categories_;  // per feature: code -> text
  std::vector<int32_t> feature_column_;               // per feature: profile column
  std::vector<uint8_t> feature_categorical_;
  int32_t prediction_column_ = -1;
  bool prediction_categorical_ = false;
  std::shared_ptr<const drift::Profile> reference_;
  std::unique_ptr<drift::WindowMonitor> monitor_;

  // The queue: filled by Enqueue, swapped out by Drain.
  std::mutex queue_mu_;
  std::vector<float> queued_rows_;
  std::vector<double> queued_values_;
  std::vector<float> draining_rows_;
  std::vector<double> draining_values_;
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> fed_{0};

  mutable std::mutex result_mu_;
  Snapshot result_;
  nlohmann::json last_json_;
};

}  // namespace keel::serve
