// Binning: features turned into small integers (bins) for histogram-based tree training.
//
// Numeric features get quantile bins computed on the float32 values the model will see at
// prediction time (model/model.h: features are read as float32). Bin b holds the values v
// with cut[b-1] <= v < cut[b]; every cut is a float32 strictly above the largest training
// value of the bin below and at most the smallest value of the bin above, so the IR rule
// `x < cut[b]` reproduces "bin <= b" exactly, for training rows and for any new value.
// Categorical features get one bin per category, most frequent first, up to a cap; the
// rarer categories share an "other" bin. Every feature has a last bin for missing values
// (NaN, or a category the training rows never had), whether or not training had any.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "keel/status.h"

namespace keel {

// The largest number of bins a feature may have (uint8 bin indices).
inline constexpr int kMaxBinsPerFeature = 256;

// A feature's values before binning, for every row of the source table.
struct RawFeature {
  bool categorical = false;
  std::vector<float> values;   // numeric: float32 values, NaN = missing
  std::vector<int32_t> codes;  // categorical: model category codes, -1 = missing or unseen
  int32_t num_codes = 0;       // categorical: size of the model's category dictionary
};

class BinMapper {
 public:
  // Quantile bins of the values of `feature` at `rows` (NaN ignored): at most `max_bins`
  // value bins (2..255) plus the missing bin. Values seen in many rows get a bin of their
  // own; when there are no more distinct values than max_bins each gets its own bin.
  static BinMapper FitNumeric(const RawFeature& feature, std::span<const uint32_t> rows,
                              int max_bins);
  // One bin per category seen at `rows`, most frequent first (ties: lower code first), for
  // at most `max_cat_bins` categories; the rest share an "other" bin; plus the missing bin.
  static BinMapper FitCategorical(const RawFeature& feature, std::span<const uint32_t> rows,
                                  int max_cat_bins);
  // The same fits from counts gathered elsewhere (train/stream_bins.h): FitNumeric from the
  // sorted distinct non-missing values (-0 counted as +0) with their row counts, FitCategorical
  // from the rows of each model category code; `missing` rows had no value. Equal counts give
  // equal mappers.
  static BinMapper FitNumericCounts(std::span<const float> distinct,
                                    std::span<const uint64_t> counts, uint64_t missing,
                                    int max_bins);
  static BinMapper FitCategoricalCounts(std::span<const uint64_t> count_of_code, uint64_t missing,
                                        int max_cat_bins);

  bool categorical() const { return categorical_; }
  // Value bins + the missing bin (<= kMaxBinsPerFeature).
  int num_bins() const { return num_bins_; }
  int missing_bin() const { return num_bins_ - 1; }
  // Rows at fit time that were missing / had a value.
  uint64_t missing_count() const { return missing_count_; }
  uint64_t value_count() const { return value_count_; }
  // Distinct non-missing values (numeric) or categories (categorical) seen at fit time.
  int distinct() const { return distinct_; }

  // Numeric: the bin of v (NaN -> missing bin). Categorical: the bin of code c (negative or
  // never-seen codes -> missing bin).
  uint8_t BinOfValue(float v) const;
  uint8_t BinOfCode(int32_t code) const;

  // Numeric: cut[b] for b in [0, num_bins - 2): x < cut[b] <=> bin(x) <= b, for non-NaN x.
  const std::vector<float>& cuts() const { return cuts_; }
  // Categorical: the category codes in bin b (several for the "other" bin), and which bin is
  // "other" (-1 when every category has its own bin).
  const std::vector<int32_t>& codes_of_bin(int b) const { return codes_of_bin_[b]; }
  int other_bin() const { return other_bin_; }

 private:
  bool categorical_ = false;
  int num_bins_ = 1;
  int distinct_ = 0;
  uint64_t missing_count_ = 0;
  uint64_t value_count_ = 0;
  std::vector<float> cuts_;
  std::vector<uint8_t> bin_of_code_;  // code -> bin; missing bin for codes not seen
  std::vector<std::vector<int32_t>> codes_of_bin_;
  int other_bin_ = -1;
};

// A float32 threshold t with a < t <= b (a < b, both float32, either may be infinite), as
// close to the midpoint as float32 allows and finite whenever such a float exists.
float CutBetween(float a, float b);

// Row-major matrix of bins: rows x cols uint8. Row-major because the histogram loop visits
// the rows of one leaf and adds each row's gradient to every feature's histogram: one row's
// bins sit in one cache line, the gradient is loaded once per row, and rows of a leaf are
// visited in increasing order so the hardware prefetcher streams them.
struct BinnedMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<uint8_t> bins;

  const uint8_t* row(size_t r) const { return bins.data() + r * cols; }
};

// Bins `rows` of `features` with `mappers` (one per feature), in the given row order.
Result<BinnedMatrix> BinRows(std::span<const RawFeature> features,
                             std::span<const BinMapper> mappers, std::span<const uint32_t> rows,
                             int threads);

}  // namespace keel
