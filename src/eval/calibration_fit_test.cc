// Calibration fits against scikit-learn 1.2 (IsotonicRegression, and the Platt fit behind
// CalibratedClassifierCV(method="sigmoid"), sklearn.calibration._sigmoid_calibration), and the
// stored form (model/calibration.h) round-tripping and applying them.
#include "eval/calibration_fit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "model/calibration.h"

namespace keel {
namespace {

const std::vector<double> kP = {0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
const std::vector<double> kY = {0, 1, 0, 0, 1, 0, 1, 1, 0, 1};

TEST(CalibrationFit, IsotonicKnotsAreScikitLearns) {
  const Calibration::Map m = FitIsotonicMap(kP, kY);
  // IsotonicRegression().fit(p, y): X_thresholds_, y_thresholds_.
  const std::vector<double> x = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9};
  const std::vector<double> y = {0, 1.0 / 3, 1.0 / 3, 0.5, 0.5, 2.0 / 3, 2.0 / 3, 1};
  ASSERT_EQ(m.x.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_DOUBLE_EQ(m.x[i], x[i]) << i;
    EXPECT_DOUBLE_EQ(m.y[i], y[i]) << i;
  }
}

TEST(CalibrationFit, IsotonicAppliesAsScikitLearnPredictsClippedAwayFromZeroAndOne) {
  Calibration c;
  c.method = Calibration::Method::kIsotonic;
  c.maps = {FitIsotonicMap(kP, kY)};
  // IsotonicRegression(out_of_bounds="clip").predict at these points.
  const std::vector<std::pair<double, double>> cases = {
      {0.05, 0},       {0.15, 1.0 / 6}, {0.25, 1.0 / 3}, {0.45, 0.5}, {0.55, 0.5833333333333333},
      {0.65, 2.0 / 3}, {0.75, 2.0 / 3}, {0.95, 1}};
  for (const auto& [p, want] : cases) {
    const double clipped = std::clamp(want, kCalibratedMin, 1 - kCalibratedMin);
    EXPECT_NEAR(CalibrateOne(c, 0, p), clipped, 1e-12) << p;
  }
}

TEST(CalibrationFit, SigmoidMatchesPlattScaling) {
  const std::vector<double> p = {0.1, 0.2, 0.2, 0.3,  0.4,  0.5,  0.6,
                                 0.7, 0.8, 0.9, 0.95, 0.05, 0.35, 0.65};
  const std::vector<double> y = {0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0};
  const Calibration::Map m = FitSigmoidMap(p, y);
  // _sigmoid_calibration(logit(p), y) gives (A, B) with p' = 1 / (1 + exp(A f + B)).
  EXPECT_NEAR(m.a, 0.45455769167592697, 1e-5);
  EXPECT_NEAR(m.b, 0.04885415591963053, 1e-5);
}

TEST(CalibrationFit, MulticlassMapsOneClassAgainstTheRestThenRenormalises) {
  Model model;
  model.task = Task::kMulticlass;
  model.objective = Objective::kMultiSoftmax;
  model.num_outputs = 3;
  model.base_margin = {0, 0, 0};
  // Rows x 3 probabilities; the truth is always class 2, which the model underrates.
  std::vector<double> outputs, labels;
  for (int i = 0; i < 40; ++i) {
    const double a = 0.2 + 0.01 * (i % 10);
    outputs.insert(outputs.end(), {a, 0.6 - a, 0.4});
    labels.push_back(2);
  }
  auto c = FitCalibration(Calibration::Method::kIsotonic, model, outputs, labels);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->maps.size(), 3u);
  // Through the stored form, as a loaded model's predictor applies it.
  model.sections["calibration"] = CalibrationToJson(*c);
  auto loaded = CalibrationOf(model);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  double probs[3] = {0.25, 0.35, 0.4};
  ApplyCalibration(*loaded, 3, probs);
  EXPECT_NEAR(probs[0] + probs[1] + probs[2], 1.0, 1e-12);
  EXPECT_GT(probs[2], 0.99);
}

TEST(CalibrationFit, RegressionAndEmptyInputsAreErrors) {
  Model model;
  model.task = Task::kRegression;
  model.objective = Objective::kSquaredError;
  EXPECT_FALSE(FitCalibration(Calibration::Method::kSigmoid, model, {}, {}).ok());
  model.task = Task::kBinary;
  model.objective = Objective::kBinaryLogistic;
  EXPECT_FALSE(FitCalibration(Calibration::Method::kSigmoid, model, {}, {}).ok());
  const std::vector<double> one = {0.5}, label = {1};
  EXPECT_FALSE(FitCalibration(Calibration::Method::kNone, model, one, label).ok());
}

TEST(CalibrationSection, MalformedSectionsAreCorrupt) {
  Model model;
  model.sections["calibration"] = {{"method", "isotonic"},
                                   {"maps", {{{"x", {0.5, 0.2}}, {"y", {0.1, 0.3}}}}}};
  EXPECT_EQ(CalibrationOf(model).status().code(), StatusCode::kCorrupt);
  model.sections["calibration"] = {{"method", "magic"}, {"maps", nlohmann::json::array()}};
  EXPECT_EQ(CalibrationOf(model).status().code(), StatusCode::kCorrupt);
  model.sections["calibration"] = {{"method", "sigmoid"}, {"maps", nlohmann::json::array()}};
  EXPECT_EQ(CalibrationOf(model).status().code(), StatusCode::kCorrupt);  // 0 maps for 1
  EXPECT_EQ(ValidateModel(model).code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace keel
