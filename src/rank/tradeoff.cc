#include "rank/tradeoff.h"

#include <algorithm>
#include <cmath>

#include "core/json_number.h"
#include "core/parallel.h"
#include "rank/group_ranker.h"

namespace keel::rank {
namespace {

void Compositions(size_t remaining, size_t parts, size_t steps, std::vector<size_t>* current,
                  std::vector<std::vector<double>>* out) {
  if (parts == 1) {
    current->push_back(remaining);
    std::vector<double> w;
    for (size_t c : *current) w.push_back(static_cast<double>(c) / static_cast<double>(steps));
    out->push_back(std::move(w));
    current->pop_back();
    return;
  }
  for (size_t k = remaining + 1; k-- > 0;) {
    current->push_back(k);
    Compositions(remaining - k, parts - 1, steps, current, out);
    current->pop_back();
  }
}

double Binomial(size_t n, size_t k) {
  double r = 1;
  for (size_t i = 1; i <= k; ++i) r = r * static_cast<double>(n - k + i) / static_cast<double>(i);
  return r;
}

}  // namespace

std::vector<std::vector<double>> SimplexGrid(size_t objectives, size_t steps) {
  std::vector<std::vector<double>> out;
  if (objectives == 0 || steps == 0) return out;
  std::vector<size_t> current;
  Compositions(steps, objectives, steps, &current, &out);
  return out;
}

std::vector<bool> ParetoEfficient(const std::vector<std::vector<double>>& points) {
  const size_t n = points.size();
  std::vector<bool> efficient(n, true);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n && efficient[i]; ++j) {
      if (i == j) continue;
      bool all_ge = true;
      bool some_gt = false;
      for (size_t k = 0; k < points[i].size(); ++k) {
        if (points[j][k] < points[i][k]) {
          all_ge = false;
          break;
        }
        if (points[j][k] > points[i][k]) some_gt = true;
      }
      if (all_ge && some_gt) efficient[i] = false;
    }
  }
  return efficient;
}

Result<TradeoffResult> SweepTradeoff(const RankingPlan& plan, const ScoredCandidates& scored,
                                     const RequestGroups& groups, const TradeoffOptions& options,
                                     const Context& ctx) {
  const size_t nobj = plan.num_objectives();
  if (options.steps == 0) return Status::InvalidArgument("the weight grid needs at least 1 step");
  const double count = Binomial(options.steps + nobj - 1, nobj - 1);
  if (count > static_cast<double>(options.max_settings)) {
    return Status::InvalidArgument(
        "a grid of {} steps over {} objectives has {} settings, more than the limit of {}; "
        "use fewer steps",
        options.steps, nobj, count, options.max_settings);
  }
  for (const auto& g : groups.rows) {
    for (uint32_t r : g) {
      if (r >= scored.rows)
        return Status::InvalidArgument("a request refers to row {} of {}", r, scored.rows);
    }
  }

  TradeoffResult result;
  for (const auto& o : plan.objectives().objectives) result.objectives.push_back(o.name);
  result.requests = groups.rows.size();
  result.candidates = scored.rows;
  for (uint8_t e : scored.eligible) result.eligible += e;
  result.top = options.top;
  for (const auto& o : plan.objectives().objectives) result.has_logged |= o.outcome.has_value();
  result.has_logged &= plan.binds_outcomes();

  std::vector<std::vector<double>> grid = SimplexGrid(nobj, options.steps);
  std::vector<double> configured = plan.objectives().Weights();
  double total = 0;
  for (double w : configured) total += w;
  for (double& w : configured) w /= total;
  size_t default_index = grid.size();
  for (size_t i = 0; i < grid.size(); ++i) {
    bool same = true;
    for (size_t j = 0; j < nobj; ++j) same &= std::fabs(grid[i][j] - configured[j]) < 1e-12;
    if (same) default_index = i;
  }
  if (default_index == grid.size()) grid.push_back(configured);
  result.default_index = default_index;

  result.settings.resize(grid.size());
  const bool logged = !scored.outcomes.empty();
  const double per = result.requests > 0 ? 1000.0 / static_cast<double>(result.requests) : 0;
  // One setting per iteration: each replays every request, so iterations are independent
  // and each keeps its own ranker scratch.
  KEEL_RETURN_IF_ERROR(ParallelFor(ctx.threads(), grid.size(), [&](size_t s) {
    GroupRanker ranker;
    std::vector<RankedItem> shown;
    std::vector<double> expected(nobj, 0), realised(nobj, 0);
    size_t shown_total = 0;
    for (const auto& rows : groups.rows) {
      ranker.Load(scored, rows);
      ranker.Select(grid[s], options.top, &shown);
      shown_total += shown.size();
      for (const RankedItem& item : shown) {
        for (size_t j = 0; j < nobj; ++j) {
          const double v = scored.values[j * scored.rows + item.row];
          if (!std::isnan(v)) expected[j] += v;
          if (logged) {
            const double o = scored.outcomes[j * scored.rows + item.row];
            if (!std::isnan(o)) realised[j] += o;
          }
        }
      }
    }
    TradeoffSetting& out = result.settings[s];
    out.weights = grid[s];
    out.expected.resize(nobj);
    out.logged.assign(nobj, std::nan(""));
    for (size_t j = 0; j < nobj; ++j) {
      out.expected[j] = expected[j] * per;
      const auto& o = plan.objectives().objectives[j];
      if (logged && o.outcome) out.logged[j] = realised[j] * per;
    }
    out.shown_per_request =
        result.requests > 0 ? static_cast<double>(shown_total) / result.requests : 0;
  }));

  std::vector<std::vector<double>> points;
  for (const auto& s : result.settings) points.push_back(s.expected);
  const std::vector<bool> efficient = ParetoEfficient(points);
  for (size_t i = 0; i < result.settings.size(); ++i) {
    result.settings[i].efficient = efficient[i];
  }
  result.settings[result.default_index].is_default = true;

  result.best.assign(nobj, 0);
  for (size_t j = 0; j < nobj; ++j) {
    size_t best = 0;
    for (size_t i = 1; i < result.settings.size(); ++i) {
      const double a = result.settings[i].expected[j];
      const double b = result.settings[best].expected[j];
      if (a > b || (a == b && efficient[i] && !efficient[best])) best = i;
    }
    result.best[j] = best;
  }
  return result;
}

nlohmann::json TradeoffToJson(const TradeoffResult& r) {
  nlohmann::json settings = nlohmann::json::array();
  size_t efficient = 0;
  for (size_t i = 0; i < r.settings.size(); ++i) {
    const auto& s = r.settings[i];
    efficient += s.efficient ? 1 : 0;
    nlohmann::json w = nlohmann::json::object(), e = nlohmann::json::object(),
                   l = nlohmann::json::object();
    for (size_t j = 0; j < r.objectives.size(); ++j) {
      w[r.objectives[j]] = s.weights[j];
      e[r.objectives[j]] = JsonNumber(s.expected[j]);
      if (r.has_logged) l[r.objectives[j]] = JsonNumber(s.logged[j]);
    }
    nlohmann::json js = {{"setting", i + 1},       {"weights", w},
                         {"expected_per_1000", e}, {"shown_per_request", s.shown_per_request},
                         {"pareto", s.efficient},  {"default", s.is_default}};
    if (r.has_logged) js["logged_per_1000"] = l;
    settings.push_back(std::move(js));
  }
  nlohmann::json best = nlohmann::json::object();
  for (size_t j = 0; j < r.objectives.size(); ++j) best[r.objectives[j]] = r.best[j] + 1;
  return {{"objective_names", r.objectives},
          {"requests", r.requests},
          {"candidates", r.candidates},
          {"eligible", r.eligible},
          {"top", r.top},
          {"settings", settings},
          {"pareto_count", efficient},
          {"best", best},
          {"default", r.default_index + 1}};
}

}  // namespace keel::rank
