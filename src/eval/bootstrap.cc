#include "eval/bootstrap.h"

#include <algorithm>
#include <cmath>

#include "core/context.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "core/random.h"

namespace keel {
namespace {

constexpr int kMaxResamples = 1000000;

}  // namespace

Status CheckBootstrapOptions(const BootstrapOptions& options) {
  if (options.resamples < 0 || options.resamples > kMaxResamples) {
    return Status::InvalidArgument("bootstrap resamples {} is outside [0, {}]", options.resamples,
                                   kMaxResamples);
  }
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    return Status::InvalidArgument("confidence level {} is not strictly between 0 and 1",
                                   FormatDouble(options.confidence));
  }
  return Status::OK();
}

size_t BootstrapWorkers(const BootstrapOptions& options, const Context& ctx) {
  const int threads = ctx.threads();
  const size_t resamples = static_cast<size_t>(std::max(options.resamples, 1));
  return std::clamp<size_t>(static_cast<size_t>(threads), 1, resamples);
}

std::vector<double> BootstrapReplicates::Of(size_t stat) const {
  std::vector<double> out(resamples);
  for (size_t b = 0; b < resamples; ++b) out[b] = values[b * num_stats + stat];
  return out;
}

Result<BootstrapReplicates> RunBootstrap(size_t rows, std::span<const double> base_weights,
                                         size_t num_stats, const ResampleFn& fn,
                                         const BootstrapOptions& options, const Context& ctx) {
  KEEL_RETURN_IF_ERROR(CheckBootstrapOptions(options));
  if (!base_weights.empty() && base_weights.size() != rows) {
    return Status::InvalidArgument("{} weights for {} rows: one weight per row is needed",
                                   base_weights.size(), rows);
  }
  BootstrapReplicates rep;
  rep.resamples = static_cast<size_t>(options.resamples);
  rep.num_stats = num_stats;
  rep.values.assign(rep.resamples * num_stats, std::numeric_limits<double>::quiet_NaN());
  if (rep.resamples == 0 || rows == 0) return rep;

  const size_t workers = BootstrapWorkers(options, ctx);
  const Rng root(options.seed);
  // One contiguous block of resamples per worker, each with its own weight buffer reused
  // for every resample it draws.
  Status s = ParallelForRanges(
      static_cast<int>(workers), rep.resamples, workers,
      [&](size_t worker, size_t begin, size_t end) {
        std::vector<double> weights(rows);
        for (size_t b = begin; b < end && !ctx.cancelled(); ++b) {
          Rng rng = root.Fork(b);
          std::fill(weights.begin(), weights.end(), 0.0);
          for (size_t j = 0; j < rows; ++j) weights[rng.Below(rows)] += 1.0;
          if (!base_weights.empty()) {
            for (size_t i = 0; i < rows; ++i) weights[i] *= base_weights[i];
          }
          fn(worker, weights, std::span<double>(rep.values.data() + b * num_stats, num_stats));
        }
      });
  KEEL_RETURN_IF_ERROR(s);
  // Replicates of a cancelled run are partly NaN: none of them is returned.
  KEEL_RETURN_IF_ERROR(ctx.CheckCancelled("the bootstrap"));
  return rep;
}

Interval PercentileInterval(std::span<const double> replicates, double confidence) {
  std::vector<double> v;
  v.reserve(replicates.size());
  for (double x : replicates) {
    if (std::isfinite(x)) v.push_back(x);
  }
  Interval out;
  out.used = v.size();
  if (v.empty()) return out;
  std::sort(v.begin(), v.end());
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(v.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, v.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    return v[lo] + (v[hi] - v[lo]) * frac;
  };
  out.lower = quantile((1.0 - confidence) / 2.0);
  out.upper = quantile((1.0 + confidence) / 2.0);
  return out;
}

double BootstrapPValue(std::span<const double> replicates) {
  size_t finite = 0, at_most_zero = 0, at_least_zero = 0;
  for (double d : replicates) {
    if (!std::isfinite(d)) continue;
    ++finite;
    if (d <= 0) ++at_most_zero;
    if (d >= 0) ++at_least_zero;
  }
  if (finite == 0) return std::numeric_limits<double>::quiet_NaN();
  const double tail = static_cast<double>(std::min(at_most_zero, at_least_zero) + 1);
  return std::min(1.0, 2.0 * tail / static_cast<double>(finite + 1));
}

}  // namespace keel
