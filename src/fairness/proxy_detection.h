// Proxy detection: features that reveal a sensitive attribute on their own.
//
// Leaving a sensitive attribute out of a model does not stop the model from using it when
// another feature stands in for it (a postcode for ethnicity, stock options for marital
// status). For each feature and each sensitive attribute this measures how well the feature
// alone predicts the attribute:
//   mutual_information  I(feature condition; attribute group) in bits, the feature cut into the
//                       readable conditions of feature_bins.h
//   nmi                 mutual information normalised by the attribute's entropy, I / H(A):
//                       the share of the attribute's uncertainty the feature removes (0 = none,
//                       1 = the feature determines the attribute)
//   auc                 binary attributes only: ROC AUC of predicting the attribute from the
//                       feature's conditions, each row scored with its condition's attribute
//                       rate estimated on the other folds (out-of-fold, so a many-valued feature
//                       does not look predictive by memorising rows)
// A feature is a strong proxy when auc >= auc_threshold (binary attributes) or
// nmi >= nmi_threshold (attributes with more groups).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/context.h"
#include "fairness/feature_bins.h"
#include "fairness/group_assignment.h"
#include "keel/status.h"
#include "keel/table.h"

namespace keel::fairness {

struct ProxyOptions {
  BinningOptions binning{10, 30};
  double auc_threshold = 0.8;
  double nmi_threshold = 0.25;
  int folds = 5;
  uint64_t seed = 42;
};

struct ProxyScore {
  std::string feature;
  std::string attribute;
  double auc = 0;                 // NaN unless the attribute has exactly two groups
  double mutual_information = 0;  // bits
  double nmi = 0;                 // NaN when the attribute has one group
  bool strong = false;
};

// Scores every (feature, attribute) pair; attributes are groupings over the table's rows.
// Results are ordered by attribute, then strongest first (auc for binary attributes, else
// nmi). Timestamp features are skipped. Errors: NotFound for a feature the table lacks;
// InvalidArgument for a row-count mismatch or folds < 2.
Result<std::vector<ProxyScore>> DetectProxies(const Table& table,
                                              std::span<const std::string> features,
                                              std::span<const GroupAssignment> attributes,
                                              const ProxyOptions& options, const Context& ctx);

}  // namespace keel::fairness
