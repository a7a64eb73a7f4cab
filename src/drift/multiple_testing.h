// Corrections for testing many features at once.
#pragma once

#include <span>
#include <string_view>
#include <vector>

namespace keel::drift {

enum class Correction { kBenjaminiHochberg, kBonferroni, kNone };

// "benjamini-hochberg", "bonferroni", "none".
std::string_view CorrectionName(Correction c);
// Parses a name (also "bh", "fdr"); false if unknown.
bool ParseCorrection(std::string_view text, Correction* c);

// Adjusted p-values in the input order, each in [0, 1]: Benjamini-Hochberg step-up
// (min over j >= rank of m/j * p_(j), controlling the false discovery rate), Bonferroni
// (min(1, m p)), or the p-values unchanged. NaN entries stay NaN and do not count in m.
std::vector<double> AdjustPValues(std::span<const double> p_values, Correction c);

}  // namespace keel::drift
