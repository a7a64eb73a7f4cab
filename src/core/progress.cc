#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace keel {
namespace {
std::atomic<bool> g_enabled{true};
}

void Progress::SetGloballyEnabled(bool enabled) { g_enabled.store(enabled); }

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      active_(enabled && g_enabled.load() && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Add(uint64_t units) {
  done_.fetch_add(units, std::memory_order_relaxed);
  if (active_) MaybeDraw(false);
}

void Progress::Set(uint64_t done) {
  done_.store(done, std::memory_order_relaxed);
  if (active_) MaybeDraw(false);
}

void Progress::SetNote(std::string note) {
  if (!active_) return;
  std::lock_guard<std::mutex> lock(mu_);
  note_ = std::move(note);
}

void Progress::Finish() {
  if (!active_) return;
  MaybeDraw(true);
  std::lock_guard<std::mutex> lock(mu_);
  if (!finished_) {
    std::fputc('\n', stderr);
    finished_ = true;
  }
}

void Progress::MaybeDraw(bool force) {
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock() || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const uint64_t done = std::min(done_.load(std::memory_order_relaxed), total_);
  const double frac = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(frac * kWidth);
  const double secs = std::chrono::duration<double>(now - start_).count();
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  fmt::print(stderr, "\r{} [{}] {}/{} {:.1f}s {}\x1b[K", label_, bar, done, total_, secs, note_);
  std::fflush(stderr);
}

}  // namespace keel
