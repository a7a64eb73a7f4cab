#include "model/link_function.h"

#include <algorithm>
#include <cmath>

namespace keel {

double Sigmoid(double margin) {
  if (margin >= 0) return 1.0 / (1.0 + std::exp(-margin));
  const double e = std::exp(margin);
  return e / (1.0 + e);
}

void MarginsToPredictions(Objective objective, int num_outputs, const double* margins,
                          double* out) {
  switch (objective) {
    case Objective::kBinaryLogistic:
      out[0] = Sigmoid(margins[0]);
      return;
    case Objective::kMultiSoftmax: {
      double top = margins[0];
      for (int k = 1; k < num_outputs; ++k) top = std::max(top, margins[k]);
      double sum = 0;
      for (int k = 0; k < num_outputs; ++k) {
        out[k] = std::exp(margins[k] - top);
        sum += out[k];
      }
      for (int k = 0; k < num_outputs; ++k) out[k] /= sum;
      return;
    }
    case Objective::kSquaredError:
    case Objective::kAbsoluteError:
    case Objective::kHuber:
      for (int k = 0; k < num_outputs; ++k) out[k] = margins[k];
      return;
    case Objective::kQuantile:
      // Several quantiles: sorted per row (the rearrangement of Chernozhukov, Fernandez-Val
      // and Galichon 2010), so they never cross and no row's pinball loss grows.
      for (int k = 0; k < num_outputs; ++k) out[k] = margins[k];
      std::sort(out, out + num_outputs);
      return;
    case Objective::kRegLogistic:
      for (int k = 0; k < num_outputs; ++k) out[k] = Sigmoid(margins[k]);
      return;
    case Objective::kPoisson:
    case Objective::kGamma:
    case Objective::kTweedie:
      for (int k = 0; k < num_outputs; ++k) out[k] = std::exp(margins[k]);
      return;
  }
}

}  // namespace keel
