#include "fairness/proxy_detection.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/parallel.h"
#include "core/random.h"
#include "eval/binary_metrics.h"

namespace keel::fairness {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Mutual information in bits between two code vectors, and the entropy of `b`.
void MutualInformation(const std::vector<int32_t>& a, size_t ka, const std::vector<int32_t>& b,
                       size_t kb, double* mi, double* entropy_b) {
  const double n = static_cast<double>(a.size());
  std::vector<double> joint(ka * kb, 0), pa(ka, 0), pb(kb, 0);
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t x = static_cast<size_t>(a[i]);
    const size_t y = static_cast<size_t>(b[i]);
    joint[x * kb + y] += 1;
    pa[x] += 1;
    pb[y] += 1;
  }
  double sum = 0;
  for (size_t x = 0; x < ka; ++x) {
    for (size_t y = 0; y < kb; ++y) {
      const double c = joint[x * kb + y];
      if (c > 0) sum += c / n * std::log2(c * n / (pa[x] * pb[y]));
    }
  }
  double h = 0;
  for (double c : pb) {
    if (c > 0) h -= c / n * std::log2(c / n);
  }
  *mi = std::max(0.0, sum);
  *entropy_b = h;
}

// Out-of-fold AUC of scoring membership of group 1 by the condition's group-1 rate.
double OutOfFoldAuc(const std::vector<int32_t>& cond, size_t k, const std::vector<int32_t>& group,
                    const std::vector<int32_t>& fold, int folds) {
  const size_t n = cond.size();
  // Per fold and condition: rows and members of group 1.
  std::vector<double> rows(static_cast<size_t>(folds) * k, 0), members(rows.size(), 0);
  std::vector<double> fold_rows(static_cast<size_t>(folds), 0), fold_members(fold_rows.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    const size_t f = static_cast<size_t>(fold[i]);
    const size_t idx = f * k + static_cast<size_t>(cond[i]);
    rows[idx] += 1;
    fold_rows[f] += 1;
    if (group[i] == 1) {
      members[idx] += 1;
      fold_members[f] += 1;
    }
  }
  std::vector<double> total_rows(k, 0), total_members(k, 0);
  double all_rows = 0, all_members = 0;
  for (size_t f = 0; f < static_cast<size_t>(folds); ++f) {
    for (size_t c = 0; c < k; ++c) {
      total_rows[c] += rows[f * k + c];
      total_members[c] += members[f * k + c];
    }
    all_rows += fold_rows[f];
    all_members += fold_members[f];
  }
  std::vector<double> score(n);
  std::vector<int32_t> label(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t f = static_cast<size_t>(fold[i]);
    const size_t c = static_cast<size_t>(cond[i]);
    const double r = total_rows[c] - rows[f * k + c];
    const double m = total_members[c] - members[f * k + c];
    const double other_rows = all_rows - fold_rows[f];
    const double prior = other_rows > 0 ? (all_members - fold_members[f]) / other_rows : 0.5;
    // One pseudo-row at the prior keeps a condition unseen in the other folds at the prior.
    score[i] = (m + prior) / (r + 1);
    label[i] = group[i] == 1 ? 1 : 0;
  }
  auto auc = RocAuc(label, score);
  return auc.ok() ? *auc : kNaN;
}

}  // namespace

Result<std::vector<ProxyScore>> DetectProxies(const Table& table,
                                              std::span<const std::string> features,
                                              std::span<const GroupAssignment> attributes,
                                              const ProxyOptions& options, const Context& ctx) {
  const size_t n = table.num_rows();
  if (options.folds < 2) {
    return Status::InvalidArgument("proxy detection needs at least 2 folds (got {})",
                                   options.folds);
  }
  for (const auto& a : attributes) {
    if (a.codes.size() != n) {
      return Status::InvalidArgument("proxy detection: attribute '{}' has {} rows, the data {}",
                                     a.name, a.codes.size(), n);
    }
  }
  std::vector<BinnedFeature> binned;
  for (const auto& name : features) {
    const Column* col = table.Find(name);
    if (col == nullptr)
      return Status::NotFound("proxy detection: no column '{}' in the data", name);
    auto b = BinFeature(*col, options.binning);
    if (!b.ok()) {
      if (b.status().code() == StatusCode::kUnsupported) continue;
      return b.status();
    }
    binned.push_back(std::move(b).value());
  }

  // Folds: a seeded permutation dealt round-robin, so fold sizes differ by at most one.
  std::vector<uint32_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = static_cast<uint32_t>(i);
  Rng rng(options.seed);
  rng.Shuffle(perm.data(), n);
  std::vector<int32_t> fold(n);
  for (size_t p = 0; p < n; ++p) fold[perm[p]] = static_cast<int32_t>(p % options.folds);

  const size_t na = attributes.size();
  std::vector<ProxyScore> out(binned.size() * na);
  KEEL_RETURN_IF_ERROR(ParallelFor(ctx.threads(), out.size(), [&](size_t idx) {
    const size_t a = idx / binned.size();
    const BinnedFeature& f = binned[idx % binned.size()];
    const GroupAssignment& attr = attributes[a];
    ProxyScore& s = out[idx];
    s.feature = f.feature;
    s.attribute = attr.name;
    double h = 0;
    MutualInformation(f.codes, f.conditions.size(), attr.codes, attr.num_groups(),
                      &s.mutual_information, &h);
    s.nmi = h > 0 ? std::min(1.0, s.mutual_information / h) : kNaN;
    s.auc = kNaN;
    if (attr.num_groups() == 2 && n > 0) {
      s.auc = OutOfFoldAuc(f.codes, f.conditions.size(), attr.codes, fold, options.folds);
      s.strong = s.auc >= options.auc_threshold;
    } else {
      s.strong = !std::isnan(s.nmi) && s.nmi >= options.nmi_threshold;
    }
  }));

  // Strongest first within each attribute; NaN sorts last.
  auto strength = [](const ProxyScore& s) {
    const double v = std::isnan(s.auc) ? s.nmi : s.auc;
    return std::isnan(v) ? -1.0 : v;
  };
  for (size_t a = 0; a < na; ++a) {
    auto begin = out.begin() + static_cast<ptrdiff_t>(a * binned.size());
    std::stable_sort(
        begin, begin + static_cast<ptrdiff_t>(binned.size()),
        [&](const ProxyScore& x, const ProxyScore& y) { return strength(x) > strength(y); });
  }
  return out;
}

}  // namespace keel::fairness
