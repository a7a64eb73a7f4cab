#include "drift/multiple_testing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace keel::drift {

std::string_view CorrectionName(Correction c) {
  switch (c) {
    case Correction::kBenjaminiHochberg: return "benjamini-hochberg";
    case Correction::kBonferroni: return "bonferroni";
    case Correction::kNone: return "none";
  }
  return "none";
}

bool ParseCorrection(std::string_view text, Correction* c) {
  if (text == "benjamini-hochberg" || text == "bh" || text == "fdr") {
    *c = Correction::kBenjaminiHochberg;
  } else if (text == "bonferroni") {
    *c = Correction::kBonferroni;
  } else if (text == "none") {
    *c = Correction::kNone;
  } else {
    return false;
  }
  return true;
}

std::vector<double> AdjustPValues(std::span<const double> p_values, Correction c) {
  std::vector<double> out(p_values.begin(), p_values.end());
  std::vector<size_t> idx;
  for (size_t i = 0; i < p_values.size(); ++i) {
    if (!std::isnan(p_values[i])) idx.push_back(i);
  }
  const double m = static_cast<double>(idx.size());
  if (c == Correction::kNone || idx.empty()) return out;
  if (c == Correction::kBonferroni) {
    for (size_t i : idx) out[i] = std::min(1.0, p_values[i] * m);
    return out;
  }
  std::stable_sort(idx.begin(), idx.end(),
                   [&](size_t a, size_t b) { return p_values[a] < p_values[b]; });
  double running = 1.0;
  for (size_t r = idx.size(); r-- > 0;) {
    const double adj = p_values[idx[r]] * m / static_cast<double>(r + 1);
    running = std::min(running, adj);
    out[idx[r]] = std::min(1.0, running);
  }
  return out;
}

}  // namespace keel::drift
