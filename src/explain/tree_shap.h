// Exact path-dependent TreeSHAP for Keel forests (Lundberg et al. 2018, "Consistent
// individualized feature attribution for tree ensembles"), in raw margin units.
//
// Value function: v(S) = the tree's output when the features in S are known and every other
// feature is integrated out by following both children, weighted by the fraction of training
// cover each child holds. A row's "hot" child at a split is the one its value goes to (with
// the node's missing rule and categorical set exactly as model.h defines them).
//
// For one leaf with value v whose path tests D distinct features, let z_j be the product of
// the cover fractions of the path's edges on feature j and o_j = 1 if the row follows every
// edge on j. With H the set of features the row follows ("hot") and C the rest ("cold"), the
// leaf adds to feature j:
//     cold j:  -v * Z(C) * A(H)                    Z(C) = product of z over C
//     hot j:    v * (1 - z_j) * Z(C) * A(H \ {j})  A(Q) = sum over S in Q of
//                                                         w(|S|, D) * product of z over Q \ S
// with the Shapley weight w(s, D) = s! (D - s - 1)! / D!. Two forms compute these sums:
//   subset table     per leaf and per subset Q of its path features, T[Q] = v Z(F \ Q) A(Q),
//                    precomputed at build (2^D doubles per leaf, as FastTreeSHAP v2 does).
//                    A row then costs O(D) per leaf: cold j adds -T[H], hot j adds
//                    (1 - z_j) / z_j * T[H \ {j}].
//   leaf polynomial  A(H) from the elementary symmetric polynomials of the hot z's, and
//                    A(H \ {j}) by dividing out (1 + z_j x): O(D^2) per leaf, no tables.
//                    Used for deep paths, trees with a zero cover fraction, and beyond the
//                    table memory cap.
#pragma once

#include <cstddef>
#include <memory>

#include "explain/explainer.h"
#include "keel/status.h"
#include "model/model.h"

namespace keel {

// How a forest was compiled, for benchmarks and tests.
struct TreeShapStats {
  size_t table_trees = 0;       // trees explained with subset tables
  size_t polynomial_trees = 0;  // trees explained with leaf polynomials
  size_t constant_trees = 0;    // single-leaf trees (they only add to the bias)
  size_t table_bytes = 0;       // memory of the subset tables
  int max_path_features = 0;    // the largest D over all leaves
};

// Builds the TreeSHAP explainer of a forest model (model.kind == kForest). See
// CreateExplainer (explainer.h) for the errors. Fills `stats` when given.
Result<std::unique_ptr<Explainer>> CreateTreeShap(const Model& model,
                                                  const ExplainerOptions& options = {},
                                                  TreeShapStats* stats = nullptr);

}  // namespace keel
