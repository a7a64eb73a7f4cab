// Constrained training: the exponentiated-gradient reduction of Agarwal, Beygelzimer, Dudik,
// Langford and Wallach (2018), "A Reductions Approach to Fair Classification", yielding one
// Keel model that needs no sensitive attribute at prediction time.
//
// The reduction treats fair classification as a game. The learner minimises the Lagrangian
//     err(h) + sum_k lambda_k * (gamma_k(h) - eps)
// where the constraints gamma are, for every group a (and, for equalized odds, every label
// y), the deviation of the group's selection rate from the overall one, in both directions:
//   demographic parity  P(h = 1 | A = a) - P(h = 1)                      (and its negative)
//   equalized odds      P(h = 1 | A = a, Y = y) - P(h = 1 | Y = y)        (and its negative)
// For fixed multipliers the Lagrangian is a weighted classification problem (a row's label
// becomes whichever decision costs less, its weight the cost difference), which the ordinary
// GBDT or linear trainer solves with sample weights. The multipliers follow exponentiated
// gradient: theta += eta * (gamma(h_t) - eps), lambda = B exp(theta) / (1 + sum exp(theta)),
// with B = 1 / eps and eta = 2 / B (Fairlearn's defaults). Each iteration trains one model.
//
// From randomised to one model. The paper's answer is the uniform mixture Q of the models
// h_1..h_T, a randomised classifier. Keel ships deterministic models, so the candidates are
// every h_t and the margin average of all of them (one forest holding every tree with its
// leaf values divided by T, or one linear model with the averaged weights: exactly one Keel
// model), each with its decision threshold at margin 0 or moved to one of 101 quantiles of
// its selection-row margins (a shift of the base margin; the extremes select everyone or no
// one and so have no disparity); the most accurate candidate whose disparity is within the bound on
// the selection rows (the validation split when there is one, else the training rows) is returned,
// or the least unfair one when none is. The paper's guarantee is for Q in expectation; the returned
// model's disparity is measured, not guaranteed, and is reported (and should be audited on
// held-out data with `keel audit`).
//
// The bound is on the audit's metric: demographic parity difference (max - min selection
// rate) or equalized odds difference (max of the TPR and FPR max - min); the reduction runs
// with eps = bound / 2 per group, since deviations of +-eps from the overall rate keep every
// pair of groups within 2 * eps.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"
#include "train/trainer.h"

namespace keel {

enum class FairConstraint : uint8_t { kDemographicParity, kEqualizedOdds };
std::string_view FairConstraintName(FairConstraint c);  // "demographic_parity", ...
bool ParseFairConstraint(std::string_view text, FairConstraint* c);

struct FairReductionOptions {
  FairConstraint constraint = FairConstraint::kDemographicParity;
  double bound = 0.05;  // on the audit metric; see above
  int iterations = 15;  // best responses trained (T)
  double eta0 = 2.0;
};

struct FairReductionStep {
  double error = 0;      // weighted 0/1 error of h_t on the training rows
  double disparity = 0;  // the constrained audit metric of h_t on the training rows
  double max_lambda = 0;
};

struct FairReductionReport {
  std::vector<FairReductionStep> steps;
  std::string selected_on;  // "valid" or "train"
  std::string chosen;       // e.g. "model of iteration 4 with its decision threshold moved by 0.3"
  bool bound_met = false;   // on the selection rows
  // On the selection rows: the unconstrained model's and the returned model's.
  double accuracy_before = 0, accuracy_after = 0;
  double disparity_before = 0, disparity_after = 0;
};

// Trains as Train() does (same target, split, features and parameters; binary classification
// only; ctx as for Train, the reduction's own fits without a progress bar) and then runs the
// reduction on the training split. `groups[r]` is the group code of
// table row r (>= 0; the caller groups the sensitive column, e.g. with the fairness stage's
// AssignGroups, so numeric attributes can be binned). The result's model is the chosen
// candidate with the lineage of the plain training plus a "fair_reduction" entry in
// sections["fairness"]; its report and split are the plain training's (the train use case
// recomputes split metrics from the returned model). Errors: those of Train; InvalidArgument for a
// non-binary task, class_weight balanced (weights are the reduction's own), groups of the
// wrong length or negative, fewer than two groups in the training rows, a bound outside
// (0, 1] or iterations < 1.
Result<TrainResult> TrainFairReduction(const Table& table, const Schema& schema,
                                       const TrainOptions& options, std::span<const int32_t> groups,
                                       const FairReductionOptions& fair, const Context& ctx,
                                       FairReductionReport* report);

}  // namespace keel
