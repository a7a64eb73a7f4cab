#include "usecase/held_out_fit.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/json_number.h"
#include "core/random.h"
#include "eval/calibration_fit.h"
#include "eval/curves.h"
#include "eval/delong.h"
#include "fairness/group_assignment.h"
#include "model/calibration.h"
#include "model/conformal.h"
#include "model/quantile_outputs.h"
#include "predict/predictor.h"
#include "train/metrics.h"
#include "train/objective.h"

namespace keel::usecase {
namespace {

// The rows of a split of the report; "cv" (k-fold's out-of-fold predictions) are the
// training rows.
const std::vector<uint32_t>& RowsOf(const keel::TrainResult& t, const std::string& split) {
  return split == "train" || split == "cv" ? t.split.train
         : split == "valid"                ? t.split.valid
                                           : t.split.test;
}

std::vector<double> LabelsOf(const keel::TrainResult& t, const std::vector<uint32_t>& rows) {
  std::vector<double> y(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) y[i] = t.labels[rows[i]];
  return y;
}

// Final outputs (link, then the predictor's calibration) of margins, rows x num_outputs.
std::vector<double> Finalized(const Predictor& predictor, const std::vector<double>& margins) {
  std::vector<double> out(margins.size());
  const auto k = static_cast<size_t>(predictor.num_outputs());
  for (size_t i = 0; i + k <= margins.size(); i += k) predictor.Finalize(&margins[i], &out[i]);
  return out;
}

// Reliability of probabilities: binary P(classes[1]) against the label; multiclass the top
// class's probability against whether it is the true class.
nlohmann::json Reliability(const Model& model, const std::vector<double>& outputs,
                           const std::vector<double>& y) {
  const auto k = static_cast<size_t>(model.num_outputs);
  std::vector<double> score(y.size());
  std::vector<int32_t> hit(y.size());
  for (size_t r = 0; r < y.size(); ++r) {
    const double* o = &outputs[r * k];
    if (model.task == Task::kBinary) {
      score[r] = std::clamp(o[0], 0.0, 1.0);
      hit[r] = y[r] == 1 ? 1 : 0;
    } else {
      const size_t top = static_cast<size_t>(std::max_element(o, o + k) - o);
      score[r] = std::clamp(o[top], 0.0, 1.0);
      hit[r] = static_cast<double>(top) == y[r] ? 1 : 0;
    }
  }
  auto curve = ComputeReliabilityCurve(hit, score, {}, 10);
  if (!curve.ok()) return nullptr;
  nlohmann::json bins = nlohmann::json::array();
  for (size_t b = 0; b < curve->lower.size(); ++b) {
    bins.push_back({{"lower", JsonNumber(curve->lower[b])},
                    {"upper", JsonNumber(curve->upper[b])},
                    {"rows", static_cast<uint64_t>(curve->weight[b])},
                    {"mean_predicted", JsonNumber(curve->mean_predicted[b])},
                    {"observed", JsonNumber(curve->observed[b])}});
  }
  return {{"ece", JsonNumber(curve->ece)}, {"reliability", std::move(bins)}};
}

// Margins whose link gives `outputs` back (binary: the logit; multiclass: the logs), so the
// split metrics, which take margins, score the calibrated probabilities.
std::vector<double> MarginsOfOutputs(const Model& model, const std::vector<double>& outputs) {
  std::vector<double> m(outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    const double p = outputs[i];
    m[i] = model.task == Task::kBinary ? std::log(p / (1.0 - p)) : std::log(p);
  }
  return m;
}

// The sorted scores of the validation rows, subsampled to kMaxConformalScores (seeded).
Conformal ConformalScores(const Model& model, const std::vector<double>& outputs,
                          const std::vector<double>& y, uint64_t seed) {
  const auto k = static_cast<size_t>(model.num_outputs);
  Conformal c;
  c.rows = y.size();
  c.scores.resize(y.size());
  for (size_t r = 0; r < y.size(); ++r) c.scores[r] = ConformalScore(model, y[r], &outputs[r * k]);
  if (c.scores.size() > kMaxConformalScores) {
    Rng rng(seed);
    // A partial Fisher-Yates shuffle: the first kMaxConformalScores are a uniform sample.
    for (size_t i = 0; i < kMaxConformalScores; ++i) {
      std::swap(c.scores[i], c.scores[i + rng.Below(c.scores.size() - i)]);
    }
    c.scores.resize(kMaxConformalScores);
  }
  std::sort(c.scores.begin(), c.scores.end());
  return c;
}

// Whether test row r is covered at half-width / threshold q.
bool Covered(const Model& model, double truth, const double* outputs, double q) {
  return ConformalScore(model, truth, outputs) <= q;
}

nlohmann::json CoverageJson(uint64_t covered, uint64_t rows, double level) {
  const auto [lo, hi] = WilsonInterval(covered, rows);
  const double cov = rows > 0 ? static_cast<double>(covered) / static_cast<double>(rows) : NAN;
  return {{"rows", rows},
          {"coverage", JsonNumber(cov)},
          {"lower", JsonNumber(lo)},
          {"upper", JsonNumber(hi)},
          {"below_target", rows > 0 && hi < level}};
}

// Coverage of the test rows at each reported level, overall and per sensitive group.
nlohmann::json TestCoverage(const Table& table, const keel::TrainResult& t, const Conformal& c,
                            const std::vector<double>& outputs, const std::vector<double>& y,
                            std::vector<std::string>* warnings) {
  const Model& model = t.model;
  const auto k = static_cast<size_t>(model.num_outputs);
  const std::vector<uint32_t>& rows = t.split.test;
  // Groups of each sensitive-role column in the data.
  std::vector<fairness::GroupAssignment> groups;
  for (const ColumnSchema& cs : model.schema.columns) {
    if (cs.role != Role::kSensitive) continue;
    const Column* col = table.Find(cs.name);
    if (col == nullptr) continue;
    auto g = fairness::AssignGroups(*col);
    if (g.ok()) groups.push_back(std::move(*g));
  }
  nlohmann::json levels = nlohmann::json::array();
  for (double level : kReportedLevels) {
    const double q = *ConformalQuantile(c, level);
    uint64_t covered = 0;
    double size_sum = 0;  // interval width or set size
    std::vector<uint8_t> hit(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const double* o = &outputs[i * k];
      hit[i] = Covered(model, y[i], o, q) ? 1 : 0;
      covered += hit[i];
      if (model.task == Task::kRegression) {
        const auto [lo, hi] = RegressionInterval(model, o, q);
        size_sum += hi - lo;
      } else {
        const size_t classes = model.task == Task::kBinary ? 2 : k;
        for (size_t cls = 0; cls < classes; ++cls) {
          const double p = model.task == Task::kBinary ? (cls == 1 ? o[0] : 1.0 - o[0]) : o[cls];
          size_sum += InConformalSet(p, q) ? 1 : 0;
        }
      }
    }
    nlohmann::json j = CoverageJson(covered, rows.size(), level);
    j["level"] = level;
    j["q"] = JsonNumber(q);
    j[model.task == Task::kRegression ? "mean_width" : "mean_set_size"] =
        JsonNumber(rows.empty() ? NAN : size_sum / static_cast<double>(rows.size()));
    nlohmann::json by_attr = nlohmann::json::object();
    for (const fairness::GroupAssignment& g : groups) {
      std::vector<uint64_t> n(g.num_groups(), 0), in(g.num_groups(), 0);
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto code = static_cast<size_t>(g.codes[rows[i]]);
        ++n[code];
        in[code] += hit[i];
      }
      nlohmann::json list = nlohmann::json::array();
      for (size_t gi = 0; gi < g.num_groups(); ++gi) {
        if (n[gi] == 0) continue;
        nlohmann::json gj = CoverageJson(in[gi], n[gi], level);
        gj["group"] = g.labels[gi];
        if (gj["below_target"].get<bool>()) {
          warnings->push_back(fmt::format(
              "conformal coverage at {} for {} = {} is {:.3f} on {} test rows, below the "
              "target beyond its 95% interval (upper {:.3f})",
              level, g.name, g.labels[gi], gj["coverage"].get<double>(), n[gi],
              gj["upper"].get<double>()));
        }
        list.push_back(std::move(gj));
      }
      by_attr[g.name] = std::move(list);
    }
    if (!groups.empty()) j["groups"] = std::move(by_attr);
    levels.push_back(std::move(j));
  }
  return levels;
}

}  // namespace

std::pair<double, double> WilsonInterval(uint64_t covered, uint64_t rows) {
  if (rows == 0) return {NAN, NAN};
  const double z = TwoSidedNormalQuantile(0.95);
  const double n = static_cast<double>(rows);
  const double p = static_cast<double>(covered) / n;
  const double denom = 1 + z * z / n;
  const double center = (p + z * z / (2 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

Status FitHeldOut(const Table& table, const TrainParams& params, const SplitMarginMap& margins,
                  keel::TrainResult* trained) {
  Model& model = trained->model;
  TrainReport& rep = trained->report;
  KEEL_ASSIGN_OR_RETURN(Calibration::Method method, ParseCalibrationMethod(params.calibrate));
  // The held-out predictions: the validation rows', or with k-fold the out-of-fold
  // predictions of the training rows (margins["cv"]).
  const bool cv = !trained->oof_margins.empty();
  const std::string held = cv ? "cv" : "valid";
  const std::vector<uint32_t>& valid = RowsOf(*trained, held);
  if (method != Calibration::Method::kNone) {
    if (model.task == Task::kRegression) {
      return Status::InvalidArgument(
          "--calibrate {} needs classes; target '{}' is a regression target (use --calibrate "
          "none)",
          params.calibrate, model.target);
    }
    if (valid.empty()) {
      return Status::InvalidArgument(
          "--calibrate {} is fitted on validation rows and there are none (validation: {}): "
          "give --valid-size FRACTION",
          params.calibrate, rep.validation);
    }
  }
  if (valid.empty()) return Status::OK();
  model.sections.erase("calibration");
  model.sections.erase("conformal");
  KEEL_ASSIGN_OR_RETURN(auto plain, Predictor::Create(model));
  auto margins_of = [&](const std::string& split) -> const std::vector<double>& {
    static const std::vector<double> kNone;
    const auto it = margins.find(split);
    return it == margins.end() ? kNone : it->second;
  };
  const std::vector<double> y_valid = LabelsOf(*trained, valid);
  const std::vector<double> y_test = LabelsOf(*trained, trained->split.test);
  std::vector<double> valid_out = Finalized(*plain, margins_of(held));
  std::vector<double> test_out = Finalized(*plain, margins_of("test"));

  if (method != Calibration::Method::kNone) {
    KEEL_ASSIGN_OR_RETURN(Calibration cal, FitCalibration(method, model, valid_out, y_valid));
    model.sections["calibration"] = CalibrationToJson(cal);
    KEEL_ASSIGN_OR_RETURN(auto calibrated, Predictor::Create(model));
    nlohmann::json report = {
        {"method", params.calibrate}, {"fitted_on", held}, {"rows", valid.size()}, {"bins", 10}};
    const std::vector<double> valid_after = Finalized(*calibrated, margins_of(held));
    const std::vector<double> test_after = Finalized(*calibrated, margins_of("test"));
    report[held] = {{"before", Reliability(model, valid_out, y_valid)},
                    {"after", Reliability(model, valid_after, y_valid)}};
    if (!y_test.empty()) {
      report["test"] = {{"before", Reliability(model, test_out, y_test)},
                        {"after", Reliability(model, test_after, y_test)}};
    }
    rep.calibration = std::move(report);
    valid_out = valid_after;
    test_out = test_after;
    // Split metrics of the calibrated probabilities, which are what the model predicts.
    for (SplitResult& s : rep.splits) {
      const std::vector<double> out = Finalized(*calibrated, margins_of(s.name));
      s.metrics = SplitMetrics(ObjectiveConfigOf(model), MarginsOfOutputs(model, out),
                               LabelsOf(*trained, RowsOf(*trained, s.name)));
    }
  }

  const Conformal c =
      ConformalScores(model, valid_out, y_valid, static_cast<uint64_t>(params.seed));
  model.sections["conformal"] = ConformalToJson(c, model.task);
  model.sections["conformal"]["score"] = ConformalScoreName(model);
  nlohmann::json iv = {{"score", ConformalScoreName(model)},
                       {"held_out_rows", c.rows},
                       {"held_out", held},
                       {"stored_scores", c.scores.size()}};
  if (!y_test.empty()) {
    iv["test"] = TestCoverage(table, *trained, c, test_out, y_test, &rep.warnings);
  }
  rep.intervals = std::move(iv);
  return Status::OK();
}

}  // namespace keel::usecase
