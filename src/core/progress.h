// A progress bar on stderr for long work. Drawn only when stderr is a terminal and progress
// is enabled, so logs and CI output stay clean. Thread-safe: workers may call Add().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace keel {

class Progress {
 public:
  // `total` units of work; `label` is shown before the bar.
  Progress(std::string label, uint64_t total, bool enabled = true);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(uint64_t units = 1);
  void Set(uint64_t done);
  // Extra text after the bar, e.g. the current validation metric.
  void SetNote(std::string note);
  // Draws the final state and ends the line.
  void Finish();

  // Globally enable or disable bars (the CLI's --quiet and --json turn them off).
  static void SetGloballyEnabled(bool enabled);

 private:
  void MaybeDraw(bool force);

  std::string label_;
  std::string note_;
  uint64_t total_;
  std::atomic<uint64_t> done_{0};
  bool active_;
  bool finished_ = false;
  std::mutex mu_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace keel
