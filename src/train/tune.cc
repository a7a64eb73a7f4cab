#include "train/tune.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/json_number.h"
#include "core/number_format.h"
#include "core/random.h"
#include "core/stopwatch.h"

namespace keel {
namespace {

constexpr int kTimeBracketConfigs = 27;  // a time-only budget's bracket: rungs 27, 9, 3, 1

Status BadBudget(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(
      "parameter tune (--tune) = '{}' {}: the budget is off, auto, Ntrials (e.g. 24trials), Ns "
      "or Nm (e.g. 60s, 2m), or a trial count and a time joined by '/' (40trials/60s)",
      text, why);
}

bool ParsePositive(std::string_view digits, double* out) {
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return ec == std::errc() && p == digits.data() + digits.size() && !digits.empty() &&
         std::isfinite(*out) && *out > 0;
}

// The configurations' halving: n, ceil(n / eta), ... 1.
std::vector<int> RungSizes(int n, int eta) {
  std::vector<int> sizes = {n};
  while (sizes.back() > 1) sizes.push_back((sizes.back() + eta - 1) / eta);
  return sizes;
}

int BracketTrials(int n, int eta) {
  const std::vector<int> s = RungSizes(n, eta);
  return std::accumulate(s.begin(), s.end(), 0);
}

// `v` rounded to 3 significant digits, so reports read "0.0473", not "0.047312894".
double Round3(double v) {
  if (v <= 0) return v;
  const double scale = std::pow(10.0, 2 - std::floor(std::log10(v)));
  return std::round(v * scale) / scale;
}

double LogUniform(Rng* rng, double lo, double hi) {
  return std::exp(std::log(lo) + rng->Uniform() * (std::log(hi) - std::log(lo)));
}

int LogUniformInt(Rng* rng, int lo, int hi) {
  const double v = LogUniform(rng, lo - 0.5, hi + 0.5);
  return std::clamp(static_cast<int>(std::lround(v)), lo, hi);
}

// Configuration `index` of the search from `base`: index 0 is `base` itself.
TrainParams Sample(const TrainParams& base, int index) {
  TrainParams p = base;
  if (index == 0) return p;
  Rng rng =
      Rng(static_cast<uint64_t>(base.seed) ^ 0x7475'6e65ULL).Fork(static_cast<uint64_t>(index));
  p.learning_rate = Round3(LogUniform(&rng, 0.02, 0.3));
  p.num_leaves = LogUniformInt(&rng, 4, 128);
  p.min_data_in_leaf = LogUniformInt(&rng, 2, 100);
  p.lambda_l2 = Round3(LogUniform(&rng, 0.001, 100));
  p.min_sum_hessian = Round3(LogUniform(&rng, 0.01, 10));
  p.colsample = Round3(0.5 + 0.5 * rng.Uniform());
  return p;
}

// Trees of a configuration at a rung whose shrinkage budget is `shrinkage`.
int RungTrees(const TrainParams& p, double shrinkage, const TuneOptions& o) {
  const double trees = std::ceil(shrinkage / p.learning_rate);
  return static_cast<int>(
      std::clamp(trees, static_cast<double>(o.min_trees), static_cast<double>(o.max_trees)));
}

nlohmann::json TunedJson(const TrainParams& p) {
  const nlohmann::json all = ParamsToJson(p);
  nlohmann::json j = nlohmann::json::object();
  for (std::string_view name : TunedParamNames()) j[std::string(name)] = all[std::string(name)];
  j["num_trees"] = p.num_trees;
  return j;
}

}  // namespace

Result<TuneBudget> ParseTuneBudget(std::string_view text) {
  TuneBudget b;
  if (text == "off") return b;
  if (text == "auto") return ParseTuneBudget(kAutoTuneBudget);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('/', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    double v = 0;
    if (part.ends_with("trials") || part.ends_with("trial")) {
      part.remove_suffix(part.ends_with("trials") ? 6 : 5);
      if (!ParsePositive(part, &v) || v != std::floor(v) || v > 1e6 || b.trials > 0) {
        return BadBudget(text, "is not a budget");
      }
      b.trials = static_cast<int>(v);
    } else if (part.ends_with("s") || part.ends_with("m")) {
      const double unit = part.back() == 'm' ? 60 : 1;
      part.remove_suffix(1);
      if (!ParsePositive(part, &v) || b.seconds > 0) return BadBudget(text, "is not a budget");
      b.seconds = v * unit;
    } else {
      return BadBudget(text, "is not a budget");
    }
    start = end + 1;
  }
  return b;
}

std::vector<std::string_view> TunedParamNames() {
  return {"learning_rate", "num_leaves",      "min_data_in_leaf",
          "lambda_l2",     "min_sum_hessian", "colsample"};
}

std::string TuneSpaceText() {
  return "learning_rate log-uniform in [0.02, 0.3], num_leaves log-uniform in [4, 128], "
         "min_data_in_leaf log-uniform in [2, 100], lambda_l2 log-uniform in [0.001, 100], "
         "min_sum_hessian log-uniform in [0.01, 10], colsample uniform in [0.5, 1]";
}

Result<TuneResult> SuccessiveHalving(const TrainParams& base, const TuneBudget& budget,
                                     const TrialScorer& score, const TuneOptions& options) {
  if (!budget.enabled()) return Status::InvalidArgument("the tuning budget is off");
  Stopwatch clock;
  std::function<double()> elapsed = options.elapsed;
  if (!elapsed) elapsed = [&clock] { return clock.Seconds(); };
  const int eta = std::max(2, options.eta);
  // A trial budget sizes one bracket: the most configurations whose halving fits in it.
  int n = kTimeBracketConfigs;
  if (budget.trials > 0) {
    n = 1;
    while (BracketTrials(n + 1, eta) <= budget.trials) ++n;
  }
  const std::vector<int> sizes = RungSizes(n, eta);
  const int rungs = static_cast<int>(sizes.size());
  auto shrinkage = [&](int rung) {
    return options.top_shrinkage / std::pow(static_cast<double>(eta), rungs - 1 - rung);
  };

  TuneResult out;
  out.rungs = rungs;
  bool stop = false;
  auto out_of_budget = [&] {
    if (budget.trials > 0 && static_cast<int>(out.trials.size()) >= budget.trials) return true;
    if (budget.seconds > 0 && elapsed() >= budget.seconds) {
      out.stopped_by_time = true;
      return true;
    }
    return false;
  };
  // Brackets until the budget ends the search; a trial budget allows exactly one.
  for (int bracket = 0; !stop; ++bracket) {
    const int first = bracket * n;  // configuration numbers run on across brackets
    std::vector<int> alive(static_cast<size_t>(n));
    std::iota(alive.begin(), alive.end(), first);
    for (int rung = 0; rung < rungs && !stop; ++rung) {
      std::vector<std::pair<double, int>> ranked;  // (loss, configuration)
      for (int config : alive) {
        if (out_of_budget()) {
          stop = true;
          break;
        }
        TrainParams p = Sample(base, config);
        p.num_trees = RungTrees(p, shrinkage(rung), options);
        Stopwatch trial_clock;
        KEEL_ASSIGN_OR_RETURN(TrialScore s, score(p));
        out.trials.push_back({config, rung, p, s, trial_clock.Seconds()});
        ranked.emplace_back(s.loss, config);
      }
      // Best first (NaN losses last; ties by configuration), the top 1/eta go on.
      std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        if (std::isnan(a.first) != std::isnan(b.first)) return std::isnan(b.first);
        return a.first < b.first || (a.first == b.first && a.second < b.second);
      });
      const size_t keep = rung + 1 < rungs ? static_cast<size_t>(sizes[rung + 1]) : 0;
      alive.clear();
      for (size_t i = 0; i < std::min(keep, ranked.size()); ++i) alive.push_back(ranked[i].second);
    }
    if (budget.trials > 0) stop = true;
  }
  for (const TuneTrial& t : out.trials) out.configs = std::max(out.configs, t.config + 1);

  // The winner: the best loss of the highest rung reached (ties: the earlier configuration).
  const TuneTrial* best = nullptr;
  for (const TuneTrial& t : out.trials) {
    if (std::isnan(t.score.loss)) continue;
    if (best == nullptr || t.rung > best->rung ||
        (t.rung == best->rung && (t.score.loss < best->score.loss ||
                                  (t.score.loss == best->score.loss && t.config < best->config)))) {
      best = &t;
    }
  }
  out.best_config = best != nullptr ? best->config : 0;
  out.best = Sample(base, out.best_config);
  out.best.num_trees = RungTrees(out.best, shrinkage(rungs - 1), options);
  out.seconds = elapsed();
  return out;
}

nlohmann::json TuneResultToJson(const TuneResult& r) {
  nlohmann::json trials = nlohmann::json::array();
  for (const TuneTrial& t : r.trials) {
    nlohmann::json j = {{"config", t.config},
                        {"rung", t.rung},
                        {"loss", JsonNumber(t.score.loss)},
                        {"trees", t.score.trees},
                        {"seconds", t.seconds}};
    j.update(TunedJson(t.params));
    trials.push_back(std::move(j));
  }
  return {{"budget", r.budget},
          {"seconds", r.seconds},
          {"configs", r.configs},
          {"rungs", r.rungs},
          {"stopped_by_time", r.stopped_by_time},
          {"metric", r.trials.empty() ? std::string() : r.trials.front().score.metric},
          {"best_config", r.best_config},
          {"chosen", TunedJson(r.best)},
          {"space", TuneSpaceText()},
          {"trials", std::move(trials)}};
}

}  // namespace keel

namespace keel {

std::string TuneSummaryText(const nlohmann::json& t) {
  const std::string budget = t.value("budget", std::string());
  if (t.contains("skipped")) return budget + ": skipped, " + t["skipped"].get<std::string>();
  std::string chosen;
  for (const auto& [name, value] : t["chosen"].items()) {
    chosen +=
        fmt::format("{}{} {}", chosen.empty() ? "" : ", ", name,
                    value.is_number_float() ? FormatDouble(value.get<double>()) : value.dump());
  }
  double best_loss = std::numeric_limits<double>::quiet_NaN();
  for (const nlohmann::json& trial : t["trials"]) {
    if (trial["config"] == t["best_config"] && trial["loss"].is_number()) {
      best_loss = trial["loss"].get<double>();  // the last is its highest rung's
    }
  }
  return fmt::format(
      "{}: {} trials of {} configurations in {:.1f} s{}; best valid {} {:.5g} by configuration "
      "{} ({}); chose {}",
      budget, t["trials"].size(), t["configs"].get<int>(), t["seconds"].get<double>(),
      t["stopped_by_time"].get<bool>() ? " (stopped by the time budget)" : "",
      t["metric"].get<std::string>(), best_loss, t["best_config"].get<int>(),
      t["best_config"].get<int>() == 0 ? "the given parameters" : "sampled", chosen);
}

}  // namespace keel
