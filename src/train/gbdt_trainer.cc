#include "train/gbdt_trainer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/log.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "core/random.h"
#include "train/distributed.h"
#include "train/metrics.h"

namespace keel {
namespace {

// Adds learning_rate * value of the leaf each row reaches to margins[row * K + k].
Status AddTreeBinned(const BinnedMatrix& bins, const BinnedTree& tree, double lr, size_t k_out,
                     size_t k, std::span<double> margins, int threads) {
  constexpr size_t kBlock = 4096;
  const size_t blocks = (bins.rows + kBlock - 1) / kBlock;
  return ParallelFor(threads, blocks, [&](size_t b) {
    const size_t end = std::min(bins.rows, (b + 1) * kBlock);
    for (size_t r = b * kBlock; r < end; ++r) {
      const int32_t leaf = tree.LeafOf(bins.row(r));
      margins[r * k_out + k] += lr * tree.nodes[static_cast<size_t>(leaf)].value;
    }
  });
}

}  // namespace

std::vector<double> PredictBinned(const BinnedMatrix& bins, std::span<const BinnedTree> trees,
                                  std::span<const double> base_margin, double learning_rate,
                                  int threads) {
  const size_t k_out = base_margin.size();
  std::vector<double> m(bins.rows * k_out);
  for (size_t r = 0; r < bins.rows; ++r) {
    for (size_t k = 0; k < k_out; ++k) m[r * k_out + k] = base_margin[k];
  }
  // Row blocks outermost: a block's rows stay in cache while every tree visits them.
  constexpr size_t kBlock = 1024;
  const size_t blocks = (bins.rows + kBlock - 1) / kBlock;
  Status st = ParallelFor(threads, blocks, [&](size_t b) {
    const size_t end = std::min(bins.rows, (b + 1) * kBlock);
    for (size_t t = 0; t < trees.size(); ++t) {
      const size_t k = t % k_out;
      for (size_t r = b * kBlock; r < end; ++r) {
        const int32_t leaf = trees[t].LeafOf(bins.row(r));
        m[r * k_out + k] += learning_rate * trees[t].nodes[static_cast<size_t>(leaf)].value;
      }
    }
  });
  st.IgnoreError();  // the body cannot fail
  return m;
}

Result<GbdtResult> TrainGbdt(const BinnedSet& train, const BinnedSet& valid,
                             std::span<const BinMapper> mappers, const GbdtConfig& config,
                             const Context& ctx) {
  if (!Trainable(config.objective.objective)) {
    return Status::Unsupported("Keel does not train objective {} (it imports such models)",
                               ObjectiveName(config.objective.objective));
  }
  if (train.bins == nullptr || train.bins->rows == 0) {
    return Status::InvalidArgument("no training rows");
  }
  const BinnedMatrix& tb = *train.bins;
  const size_t n = tb.rows;
  const size_t nf = tb.cols;
  const auto k_out = static_cast<size_t>(config.objective.num_outputs);
  if (train.labels.size() != n || mappers.size() != nf) {
    return Status::Internal("TrainGbdt: {} rows, {} labels, {} features, {} mappers", n,
                            train.labels.size(), nf, mappers.size());
  }
  const bool has_valid = valid.bins != nullptr && valid.bins->rows > 0;
  const int threads = ctx.threads();
  const double lr = config.learning_rate;

  GbdtResult out;
  if (config.collective != nullptr) {
    KEEL_ASSIGN_OR_RETURN(out.base_margin, SharedBaseMargin(config.objective, train.labels,
                                                            train.weights, *config.collective));
  } else {
    out.base_margin = BaseMargin(config.objective, train.labels, train.weights);
  }
  out.train_margins.resize(n * k_out);
  for (size_t r = 0; r < n; ++r) {
    for (size_t k = 0; k < k_out; ++k) out.train_margins[r * k_out + k] = out.base_margin[k];
  }
  if (has_valid) {
    out.valid_margins.resize(valid.bins->rows * k_out);
    for (size_t r = 0; r < valid.bins->rows; ++r) {
      for (size_t k = 0; k < k_out; ++k) out.valid_margins[r * k_out + k] = out.base_margin[k];
    }
    out.stopping_metric = StoppingLossName(config.objective.objective);
  }

  TreeLearner learner(tb, mappers, config.tree, threads);
  std::vector<GradPair> grads(n * k_out);
  std::vector<GradPair> class_grads(k_out > 1 ? n : 0);
  std::vector<uint32_t> sample;
  std::vector<uint8_t> in_sample;
  std::vector<uint8_t> feature_mask(nf, 1);
  Rng rng(config.seed);
  const bool bagging = config.subsample < 1.0;
  const bool col_sampling = config.colsample < 1.0;
  const bool refit = RefitsLeaves(config.objective.objective);

  Progress progress("train", static_cast<uint64_t>(config.num_trees), ctx.progress);
  double best_loss = std::numeric_limits<double>::infinity();
  int best_iter = -1;
  // The margins at the best iteration, copied when it improves: taking the later trees back
  // out would not give the same sums in floating point, and the report's metrics (from these
  // margins) would then differ from the saved model's.
  const bool keeps_best = has_valid && config.early_stopping_rounds > 0;
  decltype(out.train_margins) best_train_margins;
  decltype(out.valid_margins) best_valid_margins;
  int iter = 0;
  for (; iter < config.num_trees; ++iter) {
    KEEL_RETURN_IF_ERROR(ctx.CheckCancelled("training"));  // between trees: a safe point
    KEEL_RETURN_IF_ERROR(ComputeGradients(config.objective, train.labels, train.weights,
                                          out.train_margins, grads, threads));
    if (bagging) {
      Rng r = rng.Fork(2 * static_cast<uint64_t>(iter));
      sample.clear();
      in_sample.assign(n, 0);
      for (size_t i = 0; i < n; ++i) {
        if (r.Uniform() < config.subsample) {
          sample.push_back(static_cast<uint32_t>(i));
          in_sample[i] = 1;
        }
      }
      if (sample.empty()) {
        sample.push_back(static_cast<uint32_t>(r.Below(n)));
        in_sample[sample[0]] = 1;
      }
    }
    if (col_sampling) {
      Rng r = rng.Fork(2 * static_cast<uint64_t>(iter) + 1);
      std::vector<uint32_t> order(nf);
      for (size_t f = 0; f < nf; ++f) order[f] = static_cast<uint32_t>(f);
      r.Shuffle(order.data(), nf);
      const size_t take = std::max<size_t>(
          1, static_cast<size_t>(std::llround(config.colsample * static_cast<double>(nf))));
      std::fill(feature_mask.begin(), feature_mask.end(), 0);
      for (size_t i = 0; i < take && i < nf; ++i) feature_mask[order[i]] = 1;
    }
    for (size_t k = 0; k < k_out; ++k) {
      std::span<const GradPair> g = grads;
      if (k_out > 1) {
        for (size_t r = 0; r < n; ++r) class_grads[r] = grads[r * k_out + k];
        g = class_grads;
      }
      KEEL_ASSIGN_OR_RETURN(BinnedTree tree, learner.Grow(g, sample, feature_mask));
      if (refit) {
        // Absolute and quantile losses: each leaf's value becomes the weighted median (the
        // alpha-quantile) of its residuals.
        for (size_t node = 0; node < tree.nodes.size(); ++node) {
          if (!tree.nodes[node].is_leaf()) continue;
          const auto rows = learner.LeafRows(static_cast<int32_t>(node));
          std::vector<std::pair<double, double>> vw;
          vw.reserve(rows.size());
          for (uint32_t r : rows) {
            vw.emplace_back(train.labels[r] - out.train_margins[r * k_out + k],
                            train.weights.empty() ? 1.0 : train.weights[r]);
          }
          const double q = WeightedQuantile(std::move(vw), RefitQuantile(config.objective, k));
          if (!std::isnan(q)) tree.nodes[node].value = q;
        }
        // The medians ignore the bounds growth kept: put the monotone order back.
        ReimposeMonotone(config.tree.monotone, &tree);
      }
      // Training margins: rows in the sample by leaf, the others by walking the tree.
      for (size_t node = 0; node < tree.nodes.size(); ++node) {
        if (!tree.nodes[node].is_leaf()) continue;
        const double v = lr * tree.nodes[node].value;
        for (uint32_t r : learner.LeafRows(static_cast<int32_t>(node))) {
          out.train_margins[r * k_out + k] += v;
        }
      }
      if (bagging) {
        for (size_t r = 0; r < n; ++r) {
          if (in_sample[r]) continue;
          const int32_t leaf = tree.LeafOf(tb.row(r));
          out.train_margins[r * k_out + k] += lr * tree.nodes[static_cast<size_t>(leaf)].value;
        }
      }
      if (has_valid) {
        KEEL_RETURN_IF_ERROR(
            AddTreeBinned(*valid.bins, tree, lr, k_out, k, out.valid_margins, threads));
      }
      out.forest.trees.push_back(ToModelTree(tree, mappers, lr, static_cast<int32_t>(k)));
      out.binned_trees.push_back(std::move(tree));
    }
    progress.Add(1);
    if (has_valid) {
      const double loss = StoppingLoss(config.objective, out.valid_margins, valid.labels);
      out.valid_loss.push_back(loss);
      if (loss < best_loss) {
        best_loss = loss;
        best_iter = iter;
        if (keeps_best) {
          best_train_margins = out.train_margins;
          best_valid_margins = out.valid_margins;
        }
      }
      progress.SetNote(std::string("valid ") + out.stopping_metric + " " + FormatDouble(loss));
      if (config.early_stopping_rounds > 0 && iter - best_iter >= config.early_stopping_rounds) {
        log::Debug("early stopping at iteration {}: best {} was {}", iter + 1, out.stopping_metric,
                   best_iter + 1);
        ++iter;
        break;
      }
    }
  }
  progress.Finish();
  out.iterations = iter;
  if (keeps_best && best_iter >= 0 && best_iter + 1 < iter) {
    // Keep the best iteration's trees and margins.
    const size_t keep = static_cast<size_t>(best_iter + 1) * k_out;
    out.train_margins = std::move(best_train_margins);
    out.valid_margins = std::move(best_valid_margins);
    out.binned_trees.resize(keep);
    out.forest.trees.resize(keep);
    out.iterations = best_iter + 1;
  }
  out.best_iteration = has_valid ? best_iter : -1;
  return out;
}

}  // namespace keel
