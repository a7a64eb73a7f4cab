// CompiledForest64: the compiled form of a float64 model's forest
// (Model::input_precision == kFloat64, i.e. imported LightGBM models).
//
// The float32 form (compiled_forest.h) rounds inputs to float and reorders the summation for
// speed; neither is allowed here, where predictions must equal LightGBM's to the last bits:
//  * inputs are doubles, decided by the float64 rules of model/split_rule.h (LightGBM's:
//    |x| <= kZeroThreshold reads as 0, NaN per missing rule, category codes as x86 truncates);
//  * margin k starts at base_margin[k] and adds the leaf of every tree of output k one after
//    another in model order, which is LightGBM's order (its init score lives in the first
//    trees' leaves and our base margin is 0, so the sums are the same doubles).
// Layout: explicit nodes of 32 bytes {threshold, feature, children, flags, category set}
// in one array, leaves in another; categorical sets are bitsets over codes 0..max listed.
// Single-row and block paths give the same bits. Immutable after Compile: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

class CompiledForest64 {
 public:
  // Compiles model.forest (model must pass ValidateModel; any input precision compiles, the
  // float64 rules are applied regardless). Errors: ResourceExhausted beyond 2^31 nodes or a
  // category list too large for a bitset.
  static Result<std::unique_ptr<CompiledForest64>> Compile(const Model& model);

  size_t num_features() const { return num_features_; }
  int num_outputs() const { return num_outputs_; }

  // margins[0..num_outputs) for one row x[0..num_features).
  void RawRow(const double* x, double* margins) const;
  // Margins of `rows` rows, x row-major with num_features() values per row; margins is
  // rows x num_outputs. Same bits as RawRow on each row.
  void RawBlock(const double* x, size_t rows, double* margins) const;

  size_t num_nodes() const { return nodes_.size(); }

 private:
  CompiledForest64() = default;

  enum Flag : uint8_t {
    kLessEqual = 1,       // numeric: x <= threshold goes left (else x < threshold)
    kCategorical = 2,     // categorical: decided by the bitset
    kNaNLeft = 4,         // where NaN goes (missing rule and default side folded in)
    kZeroMissing = 8,     // numeric zero-or-NaN: a zero goes the default way
    kDefaultLeft = 16,    // the default side (zero-or-NaN zeros)
    kCategoriesLeft = 32  // categorical: listed codes go left
  };
  struct Node {
    double threshold = 0;
    int32_t feature = 0;
    int32_t child[2] = {0, 0};  // [left, right]; >= 0 node index, < 0 ~leaf index
    uint32_t cat_offset = 0;    // categorical: first word in cat_bits_
    uint32_t cat_codes = 0;     // categorical: codes the bitset covers
    uint8_t flags = 0;
  };
  struct TreeRef {
    int32_t root = 0;  // node index, or ~leaf index for a single-leaf tree
    int32_t output = 0;
  };

  bool GoesLeft(const Node& n, double x) const;
  double Leaf(const TreeRef& t, const double* x) const;

  size_t num_features_ = 0;
  int num_outputs_ = 1;
  std::vector<double> base_;
  std::vector<TreeRef> trees_;  // model order
  std::vector<Node> nodes_;
  std::vector<double> leaves_;
  std::vector<uint64_t> cat_bits_;
};

}  // namespace keel
