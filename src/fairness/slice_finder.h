// Worst-slice discovery: subsets of rows, described by one or two feature conditions, where the
// model does significantly worse than on the rest of the data.
//
// A model can be accurate on average and fail a subgroup nobody declared sensitive (customers
// on one plan in one region). Every condition of every feature (quantile bins, categories,
// missing) and every pair of conditions on two different features is a candidate slice; those
// with at least `min_rows` rows are tested. The test compares the slice's mean per-row loss
// with the mean over the rows outside it (one-sided Welch z-test, normal approximation, sound
// for the slice sizes allowed), and the p-values of all tested slices are adjusted for multiple
// testing with Benjamini-Hochberg (false discovery rate `alpha`). Listed slices are the
// significant ones with the largest loss gap; a two-condition slice is listed only when it is
// worse than each of its one-condition parents, so a bad parent is not repeated in every pair.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/context.h"
#include "fairness/feature_bins.h"
#include "fairness/group_metrics.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel::fairness {

// The per-row error a slice is judged by. The default is the 0/1 error of the decision: the
// mean log loss of a slice also rewards cutting out the rows where the model is most confident,
// so by log loss a bad subgroup (flipped labels) is outranked by any slice that keeps only its
// confidently-wrong part mixed with ordinary rows ("income >= 64777 AND region = c" above the
// planted "plan = pro AND region = c"); the error rate names the subgroup itself. Log loss
// stays available to look for calibration failures.
enum class SliceLoss : uint8_t {
  kLogLoss,    // per-row log loss of the score
  kErrorRate,  // per-row 0/1 error of the decision
};
std::string_view SliceLossName(SliceLoss loss);  // "logloss", "error_rate"
bool ParseSliceLoss(std::string_view text, SliceLoss* loss);

struct SliceOptions {
  size_t min_rows = 50;
  BinningOptions binning;
  int max_conditions = 2;  // 1 or 2
  SliceLoss loss = SliceLoss::kErrorRate;
  double alpha = 0.05;  // false discovery rate
  size_t top_k = 10;
};

struct Slice {
  std::vector<std::string> conditions;  // one or two condition texts, joined by AND
  size_t rows = 0;
  double loss = 0;       // mean loss inside the slice
  double rest_loss = 0;  // mean loss over the rows outside it
  double effect = 0;     // loss - rest_loss
  double error_rate = 0;
  double z = 0;
  double p_value = 1;  // one-sided, unadjusted
  double q_value = 1;  // Benjamini-Hochberg adjusted
  bool significant = false;
};

struct SliceReport {
  SliceLoss loss = SliceLoss::kLogLoss;
  double overall_loss = 0;
  double overall_error_rate = 0;
  size_t slices_tested = 0;
  size_t slices_significant = 0;
  std::vector<Slice> worst;  // at most top_k, worst first
  // Columns that could not be cut into conditions (timestamps), with the reason.
  std::vector<std::string> skipped_columns;
};

// Searches the slices of `columns` of `table` (rows aligned with `outcomes`). Errors:
// NotFound for a column the table lacks; InvalidArgument for a row-count mismatch,
// max_conditions outside 1..2, min_rows < 2 or alpha outside (0, 1).
Result<SliceReport> FindWorstSlices(const Table& table, std::span<const std::string> columns,
                                    const BinaryOutcomes& outcomes, const SliceOptions& options,
                                    const Context& ctx);

}  // namespace keel::fairness
