// CompiledLinear: a linear model (Model::Kind::kLinear) flattened for evaluation.
//
// Terms keep model order, so margins equal the reference evaluator's bit for bit. The
// "other category" terms get the list of their feature's explicit categories precomputed
// (sorted), so a row costs one pass over the terms with no search over the model.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

class CompiledLinear {
 public:
  static Result<std::unique_ptr<CompiledLinear>> Compile(const Model& model);

  // margins[0..num_outputs) for one row of plain feature values.
  void RawRow(const float* x, double* margins) const;

 private:
  CompiledLinear() = default;

  struct Term {
    LinearTerm::Kind kind;
    uint32_t feature;
    int32_t category;
    double center;
    double scale;
    uint32_t others_offset;  // kOtherCategory: sorted explicit codes in others_
    uint32_t others_count;
  };

  int num_outputs_ = 1;
  std::vector<double> base_;
  std::vector<Term> terms_;
  std::vector<double> weights_;  // terms x outputs
  std::vector<int32_t> others_;
};

}  // namespace keel
