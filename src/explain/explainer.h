// Explainer: per-row feature attributions of a model's raw margins.
//
// For every row and every output k of a model, an explainer gives one attribution per model
// feature plus a bias (the expected value) such that
//     bias_k + sum_f attribution_{k,f} = raw margin k of the row
// (up to floating-point rounding). Forests are explained with exact path-dependent TreeSHAP
// (tree_shap.h); linear models with their additive terms relative to the training mean
// (linear_attribution.h). Units are raw margin units: log-odds for a binary classifier, the
// per-class softmax input for multiclass, the prediction for an identity-link regression,
// log-odds for reg:logistic and the log of the prediction for count:poisson, reg:gamma and
// reg:tweedie.
//
// Output layout ("row width" W = num_outputs * (num_features + 1) doubles per row):
//     out[row * W + k * (num_features + 1) + f]             attribution of feature f, output k
//     out[row * W + k * (num_features + 1) + num_features]  bias of output k
//
// An Explainer is built once per model (the expensive part: TreeSHAP precomputes per-tree
// tables) and is then immutable: every const method is safe to call from many threads at
// once, each thread with its own ExplainScratch. It copies what it needs from the Model and
// keeps no reference to it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "keel/status.h"
#include "model/model.h"
#include "predict/feature_matrix.h"

namespace keel {

// Working memory of one thread explaining rows. Get it from Explainer::NewScratch and reuse
// it: explaining then allocates nothing.
struct ExplainScratch {
  std::vector<uint32_t> words;
  std::vector<double> numbers;
  // Rows converted to the explainer's precision, a few at a time: rounded to float (double
  // rows given to a float32 explainer), widened to double (float rows given to a float64 one).
  std::vector<float> rows32;
  std::vector<double> rows64;
};

class Explainer {
 public:
  virtual ~Explainer() = default;
  Explainer(const Explainer&) = delete;
  Explainer& operator=(const Explainer&) = delete;

  int num_features() const { return num_features_; }
  int num_outputs() const { return num_outputs_; }
  // Doubles written per row: num_outputs * (num_features + 1).
  size_t row_width() const {
    return static_cast<size_t>(num_outputs_) * static_cast<size_t>(num_features_ + 1);
  }
  // The bias of each output: the expected raw margin (TreeSHAP: base margin plus each tree's
  // cover-weighted mean leaf value; linear: the score of the training-mean row).
  const std::vector<double>& expected_value() const { return expected_value_; }
  // used_features()[f] != 0 when the model can use feature f (a split on it, or a non-zero
  // linear weight). Attributions of unused features are always 0.
  const std::vector<uint8_t>& used_features() const { return used_features_; }

  // Scratch memory sized for this explainer.
  ExplainScratch NewScratch() const;

  // Explains `n` rows: feature f of row i is rows[i * stride + f] (float32, NaN = missing;
  // categorical features as codes, as EncodeFeatures writes them). Overwrites
  // out[0, n * row_width()) in the layout above. `scratch` must come from NewScratch() of
  // this explainer. Allocates nothing; never fails (every float is a valid input).
  virtual void ExplainRows(const float* rows, size_t n, size_t stride, double* out,
                           ExplainScratch* scratch) const = 0;
  // The same for rows of doubles (FeatureMatrix::values64). A float64 model's explainer
  // (Model::input_precision, TreeSHAP) decides its splits on the doubles, exactly as its
  // predictor does; the others read them rounded to float.
  virtual void ExplainRows64(const double* rows, size_t n, size_t stride, double* out,
                             ExplainScratch* scratch) const;

  // Explains every row of `x` (x.cols must equal num_features()) on up to `threads` threads,
  // from x.values64 when it is filled. `out` must hold x.rows * row_width() doubles. Errors:
  // InvalidArgument on a shape mismatch.
  Status ExplainMatrix(const FeatureMatrix& x, int threads, std::span<double> out) const;

 protected:
  Explainer() = default;

  // Rows converted per step when the input precision is not the explainer's.
  static constexpr size_t kConvertRows = 16;
  // Set by a float64 model's explainer: its scratch holds a block of rows widened to double.
  bool reads_doubles_ = false;

  int num_features_ = 0;
  int num_outputs_ = 1;
  std::vector<double> expected_value_;
  std::vector<uint8_t> used_features_;
  // Scratch sizes the derived class needs.
  size_t scratch_words_ = 0;
  size_t scratch_numbers_ = 0;
};

// How a forest is explained (see tree_shap.h for what each form costs).
enum class TreeShapAlgorithm : uint8_t {
  kAuto,            // subset tables where they fit the memory cap, leaf polynomials elsewhere
  kSubsetTable,     // subset tables wherever a tree allows them
  kLeafPolynomial,  // leaf polynomials everywhere (no precomputed tables)
};

struct ExplainerOptions {
  TreeShapAlgorithm tree_algorithm = TreeShapAlgorithm::kAuto;
  // Upper bound on the memory of TreeSHAP's precomputed subset tables, in bytes; trees that
  // would exceed it are explained with leaf polynomials instead (same values, slower).
  size_t max_table_bytes = size_t{256} << 20;
};

// Builds the explainer for `model` (a forest or a linear model). The model should pass
// ValidateModel. Errors: FailedPrecondition when a forest lacks the node covers TreeSHAP
// needs (a node with cover <= 0 or not finite), ResourceExhausted for a pathologically deep
// forest (total root-to-leaf path length above 2^28 nodes).
Result<std::unique_ptr<Explainer>> CreateExplainer(const Model& model,
                                                   const ExplainerOptions& options = {});

}  // namespace keel
