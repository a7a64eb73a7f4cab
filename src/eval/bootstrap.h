// The nonparametric bootstrap: confidence intervals for any statistic of weighted rows.
//
// A resample draws n rows with replacement, uniformly. Instead of copying rows, it is handed
// to the statistic as row weights: weights[i] = base_weight[i] * (times row i was drawn).
// For every metric in this folder that equals evaluating on the resampled rows, and it lets
// the statistic keep its one-off preparation (sorting, per-row terms) across resamples.
// Resample b draws from Rng(seed).Fork(b): results do not depend on the thread count.
//
// Threads and cancellation come from the caller's Context (core/context.h); the options hold
// only what changes the numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <vector>

#include "core/context.h"
#include "keel/status.h"

namespace keel {

// Resamples of every bootstrap Keel runs unless told otherwise (metric intervals, the paired
// test of `keel compare`, fairness disparities, keel.yaml's compare.resamples).
inline constexpr int kDefaultResamples = 1000;

struct BootstrapOptions {
  // Number of resamples B. 0 skips the bootstrap (intervals are NaN).
  int resamples = kDefaultResamples;
  uint64_t seed = 42;
  // Coverage of the percentile intervals, in (0, 1).
  double confidence = 0.95;
};

// Checks resamples in [0, 1e6] and confidence in (0, 1). Errors: InvalidArgument.
Status CheckBootstrapOptions(const BootstrapOptions& options);

// The statistic of one resample. `worker` identifies the calling thread's slot, in
// [0, BootstrapWorkers(options, ctx)), so the function can keep per-thread scratch without
// locks; it is called concurrently from several threads and must write only `out` and that
// slot's scratch. out.size() is the num_stats given to RunBootstrap.
using ResampleFn =
    std::function<void(size_t worker, std::span<const double> weights, std::span<double> out)>;

// The number of worker slots RunBootstrap(..., options, ctx) will use: ctx.threads(), at most
// one per resample, at least 1.
size_t BootstrapWorkers(const BootstrapOptions& options, const Context& ctx);

// Replicates of `num_stats` statistics over B resamples.
struct BootstrapReplicates {
  size_t resamples = 0;
  size_t num_stats = 0;
  std::vector<double> values;  // resamples x num_stats, resample-major

  // The B replicates of statistic `stat`, in resample order.
  std::vector<double> Of(size_t stat) const;
};

// Runs the bootstrap over `rows` rows on BootstrapWorkers(options, ctx) threads.
// base_weights: one per row or empty for all 1. Workers stop between resamples once ctx is
// cancelled. Errors: the option checks above, base_weights of the wrong size, Cancelled, and
// the first error a worker hit (out of memory).
Result<BootstrapReplicates> RunBootstrap(size_t rows, std::span<const double> base_weights,
                                         size_t num_stats, const ResampleFn& fn,
                                         const BootstrapOptions& options, const Context& ctx);

struct Interval {
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  // Replicates with a finite value (resamples where the statistic was undefined, such as an
  // AUC drawn without positives, are left out and not counted).
  size_t used = 0;
};

// Percentile interval: the (1 - c) / 2 and (1 + c) / 2 quantiles of the finite replicates,
// interpolating linearly between order statistics (numpy.quantile's default "linear"
// method). NaN bounds when no replicate is finite.
Interval PercentileInterval(std::span<const double> replicates, double confidence);

// Two-sided bootstrap p-value of "the statistic is 0" from replicates of a difference: the
// smallest 1 - c whose percentile interval excludes 0, i.e.
//   min(1, 2 * min(1 + #{d <= 0}, 1 + #{d >= 0}) / (1 + B))
// over the B finite replicates (the +1 keeps it above 0 with finitely many resamples).
// NaN when no replicate is finite.
double BootstrapPValue(std::span<const double> replicates);

}  // namespace keel
