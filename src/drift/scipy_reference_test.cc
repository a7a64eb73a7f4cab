// Every drift statistic and p-value against SciPy 1.10, on the cases that
// tests/fixtures/drift/make_fixtures.py computed (within 1e-6; the absolute tolerance on
// p-values also covers tiny p-values whose relative error we check separately).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "drift/chi_square.h"
#include "drift/distances.h"
#include "drift/ks_distribution.h"
#include "drift/ks_test.h"
#include "drift/stats_cases_fixture.h"
#include "drift/step_distribution.h"

namespace keel::drift {
namespace {

constexpr double kTol = 1e-6;

std::vector<double> Doubles(const nlohmann::json& j) {
  std::vector<double> v;
  for (const auto& x : j) v.push_back(x.get<double>());
  return v;
}

// |a - b| <= 1e-6, and for values below 1e-3 also within 1e-6 relative (small p-values).
void ExpectClose(double expected, double actual, const std::string& what) {
  EXPECT_NEAR(expected, actual, kTol) << what;
  if (expected > 0 && expected < 1e-3) {
    EXPECT_NEAR(actual / expected, 1.0, 1e-6) << what << " (relative)";
  }
}

TEST(KsTwoSample, MatchesScipyKs2sampStatisticAndPValue) {
  for (const auto& c : StatsCases("ks")) {
    const std::string name = c["name"];
    auto a = StepDistribution::FromSample(Doubles(c["a"]));
    auto b = StepDistribution::FromSample(Doubles(c["b"]));
    const KsResult r = KsTwoSample(a, b);
    ExpectClose(c["statistic"].get<double>(), r.statistic, name + " statistic");
    ExpectClose(c["p_value"].get<double>(), r.p_value, name + " p-value");
    EXPECT_EQ(r.method == KsMethod::kExact, c["exact"].get<bool>()) << name;
    EXPECT_TRUE(r.exact) << name;
  }
}

TEST(KsTwoSample, IsSymmetricInItsArguments) {
  for (const auto& c : StatsCases("ks")) {
    auto a = StepDistribution::FromSample(Doubles(c["a"]));
    auto b = StepDistribution::FromSample(Doubles(c["b"]));
    EXPECT_DOUBLE_EQ(KsTwoSample(a, b).statistic, KsTwoSample(b, a).statistic);
    EXPECT_NEAR(KsTwoSample(a, b).p_value, KsTwoSample(b, a).p_value, 1e-12);
  }
}

TEST(KsTwoSample, EmptySideGivesNoDriftInsteadOfCrashing) {
  auto a = StepDistribution::FromSample(std::vector<double>{1, 2, 3});
  StepDistribution empty;
  const KsResult r = KsTwoSample(a, empty);
  EXPECT_EQ(r.statistic, 0);
  EXPECT_EQ(r.p_value, 1);
}

TEST(KolmogorovSf, MatchesScipyKstwoOnEveryBranch) {
  for (const auto& c : StatsCases("kstwo")) {
    const auto n = c["n"].get<int64_t>();
    const double x = c["x"].get<double>();
    ExpectClose(c["sf"].get<double>(), KolmogorovSf(n, x),
                "kstwo.sf(" + std::to_string(x) + ", " + std::to_string(n) + ")");
  }
}

TEST(SmirnovSf, MatchesScipySpecialSmirnov) {
  for (const auto& c : StatsCases("smirnov")) {
    const auto n = c["n"].get<int64_t>();
    const double e = c["e"].get<double>();
    ExpectClose(c["sf"].get<double>(), SmirnovSf(n, e),
                "smirnov(" + std::to_string(n) + ", " + std::to_string(e) + ")");
  }
}

TEST(ChiSquareHomogeneity, MatchesScipyChi2ContingencyWithoutCorrection) {
  for (const auto& c : StatsCases("chi2")) {
    const std::string name = c["name"];
    const auto a = Doubles(c["a"]);
    const auto b = Doubles(c["b"]);
    const ChiSquareResult r = ChiSquareHomogeneity(a, b);
    ExpectClose(c["statistic"].get<double>(), r.statistic, name + " statistic");
    ExpectClose(c["p_value"].get<double>(), r.p_value, name + " p-value");
    EXPECT_EQ(c["dof"].get<int>(), r.dof) << name;
  }
}

TEST(JensenShannonDistance, MatchesScipyJensenshannonBase2) {
  for (const auto& c : StatsCases("distances")) {
    const std::string name = c["name"];
    ExpectClose(c["jensen_shannon"].get<double>(),
                JensenShannonDistance(Doubles(c["p"]), Doubles(c["q"])), name);
  }
}

TEST(PopulationStabilityIndex, MatchesNumpyFormulaWithEmptyBinFloor) {
  for (const auto& c : StatsCases("distances")) {
    const std::string name = c["name"];
    ExpectClose(c["psi"].get<double>(), PopulationStabilityIndex(Doubles(c["p"]), Doubles(c["q"])),
                name);
  }
}

TEST(Wasserstein1, MatchesScipyWassersteinDistanceWithAndWithoutWeights) {
  for (const auto& c : StatsCases("wasserstein")) {
    const std::string name = c["name"];
    StepDistribution u, v;
    if (c["u_weights"].is_null()) {
      u = StepDistribution::FromSample(Doubles(c["u"]));
      v = StepDistribution::FromSample(Doubles(c["v"]));
    } else {
      u = StepDistribution::FromWeighted(Doubles(c["u"]), Doubles(c["u_weights"]), true);
      v = StepDistribution::FromWeighted(Doubles(c["v"]), Doubles(c["v_weights"]), true);
    }
    ExpectClose(c["distance"].get<double>(), Wasserstein1(u, v), name);
  }
}

TEST(PopulationStabilityIndex, IsZeroForProportionalHistograms) {
  std::vector<double> a = {1, 2, 3}, b = {2, 4, 6};
  EXPECT_NEAR(PopulationStabilityIndex(a, b), 0.0, 1e-15);
  EXPECT_NEAR(JensenShannonDistance(a, b), 0.0, 1e-7);
}

}  // namespace
}  // namespace keel::drift
