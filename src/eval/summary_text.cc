#include "eval/summary_text.h"

#include <fmt/format.h>

#include <cmath>

namespace keel {
namespace {

std::string Num(double v) {
  return std::isfinite(v) ? fmt::format("{:.4f}", v) : "-";
}

std::string WithInterval(const MetricEstimate& m) {
  if (!std::isfinite(m.interval.lower)) return Num(m.value);
  return fmt::format("{} [{}, {}]", Num(m.value), Num(m.interval.lower), Num(m.interval.upper));
}

std::string Rate(double rows_per_second) {
  if (!std::isfinite(rows_per_second)) return "-";
  if (rows_per_second >= 1e6) return fmt::format("{:.2f} M rows/s", rows_per_second / 1e6);
  if (rows_per_second >= 1e3) return fmt::format("{:.1f} k rows/s", rows_per_second / 1e3);
  return fmt::format("{:.0f} rows/s", rows_per_second);
}

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024.0));
}

std::string FormatEvaluationText(const Evaluation& ev) {
  std::string out;
  const double confidence = 100 * ev.options.bootstrap.confidence;
  out +=
      fmt::format("{:<16} {:>10}   {:.3g}% interval (bootstrap, {} resamples, seed {})\n", "metric",
                  "value", confidence, ev.options.bootstrap.resamples, ev.options.bootstrap.seed);
  for (const auto& m : ev.metrics) {
    std::string interval = "-";
    if (std::isfinite(m.interval.lower)) {
      interval = fmt::format("{} .. {}", Num(m.interval.lower), Num(m.interval.upper));
    }
    out += fmt::format("{:<16} {:>10}   {}\n", MetricLabel(m.metric), Num(m.value), interval);
  }
  if (ev.task == Task::kBinary) {
    const auto& t = ev.at_threshold;
    out += fmt::format("at threshold {}: tp {:g}, fp {:g}, tn {:g}, fn {:g}\n", t.threshold, t.tp,
                       t.fp, t.tn, t.fn);
    if (ev.auc_standard_error) {
      out += fmt::format("AUC standard error (DeLong): {:.4f}\n", *ev.auc_standard_error);
    }
  }
  return out;
}

std::string FormatComparisonText(const Comparison& c) {
  std::string out;
  constexpr int kLabel = 16, kColumn = 30;
  out +=
      fmt::format("{:<{}} {:<{}} {:<{}}\n", "", kLabel, "baseline", kColumn, "candidate", kColumn);
  out += fmt::format("{:<{}} {:<{}} {:<{}}\n", "model", kLabel, c.baseline_name, kColumn,
                     c.candidate_name, kColumn);
  for (size_t i = 0; i < c.baseline.metrics.size(); ++i) {
    const auto& b = c.baseline.metrics[i];
    const MetricEstimate* k = c.candidate.Find(b.metric);
    out += fmt::format("{:<{}} {:<{}} {:<{}}\n",
                       std::string(MetricLabel(b.metric)) + (b.metric == c.test.metric ? " *" : ""),
                       kLabel, WithInterval(b), kColumn, k ? WithInterval(*k) : "-", kColumn);
  }
  // The candidate's own objective loss, when the baseline has none (a quantile candidate).
  for (const auto& k : c.candidate.metrics) {
    if (c.baseline.Find(k.metric) != nullptr) continue;
    out += fmt::format("{:<{}} {:<{}} {:<{}}\n", MetricLabel(k.metric), kLabel, "-", kColumn,
                       WithInterval(k), kColumn);
  }
  auto size = [](const ModelCost& m) {
    return m.file_bytes > 0 ? FormatBytes(m.file_bytes) : std::string("-");
  };
  out += fmt::format("{:<{}} {:<{}} {:<{}}\n", "file size", kLabel, size(c.baseline_cost), kColumn,
                     size(c.candidate_cost), kColumn);
  out += fmt::format("{:<{}} {:<{}} {:<{}}\n", "latency p50", kLabel,
                     fmt::format("{:.2f} us", c.baseline_cost.p50_us), kColumn,
                     fmt::format("{:.2f} us", c.candidate_cost.p50_us), kColumn);
  out += fmt::format("{:<{}} {:<{}} {:<{}}\n", "latency p99", kLabel,
                     fmt::format("{:.2f} us", c.baseline_cost.p99_us), kColumn,
                     fmt::format("{:.2f} us", c.candidate_cost.p99_us), kColumn);
  out +=
      fmt::format("{:<{}} {:<{}} {:<{}}\n", "batch", kLabel, Rate(c.baseline_cost.rows_per_second),
                  kColumn, Rate(c.candidate_cost.rows_per_second), kColumn);
  out += fmt::format(
      "\n* gate metric {} on {} rows: {} test, gain {:+.4f} ({:.3g}% CI {:+.4f} .. {:+.4f}), "
      "p = {:.3g}\n",
      MetricName(c.test.metric), c.rows, c.test.method == "delong" ? "DeLong" : "paired bootstrap",
      c.test.gain, 100 * c.test.confidence, c.test.lower, c.test.upper, c.test.p_value);
  out += fmt::format("verdict: {}\n",
                     c.verdict.ship_candidate ? "SHIP THE CANDIDATE" : "KEEP THE BASELINE");
  out += fmt::format("because {}\n", c.verdict.reason);
  return out;
}

}  // namespace keel
