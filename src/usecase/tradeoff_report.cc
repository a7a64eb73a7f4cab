#include "usecase/tradeoff_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/svg_chart.h"

namespace keel::usecase {
namespace {

std::string Short(double v) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.4g}", v);
}

std::string Note(const rank::TradeoffResult& r, size_t i) {
  std::string note;
  for (size_t j = 0; j < r.best.size(); ++j) {
    if (r.best[j] == i) {
      if (!note.empty()) note += "; ";
      note += "best " + r.objectives[j];
    }
  }
  if (r.settings[i].is_default) {
    if (!note.empty()) note += "; ";
    note += "default";
  }
  return note;
}

}  // namespace

std::string DescribeWeights(const std::vector<std::string>& names,
                            const std::vector<double>& weights) {
  std::string out;
  for (size_t j = 0; j < names.size() && j < weights.size(); ++j) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", names[j], Short(weights[j]));
  }
  return out;
}

TextTable TradeoffTable(const rank::TradeoffResult& r, bool efficient_only) {
  TextTable t;
  t.header.push_back("setting");
  t.numeric.push_back(true);
  for (const auto& n : r.objectives) {
    t.header.push_back("w_" + n);
    t.numeric.push_back(true);
  }
  for (const auto& n : r.objectives) {
    t.header.push_back(n + " /1k");
    t.numeric.push_back(true);
  }
  if (r.has_logged) {
    for (const auto& n : r.objectives) {
      t.header.push_back("logged " + n + " /1k");
      t.numeric.push_back(true);
    }
  }
  t.header.push_back("pareto");
  t.numeric.push_back(false);
  t.header.push_back("note");
  t.numeric.push_back(false);
  for (size_t i = 0; i < r.settings.size(); ++i) {
    const auto& s = r.settings[i];
    const std::string note = Note(r, i);
    if (efficient_only && !s.efficient && note.empty()) continue;
    std::vector<std::string> row;
    row.push_back(std::to_string(i + 1));
    for (double w : s.weights) row.push_back(Short(w));
    for (double v : s.expected) row.push_back(Short(v));
    if (r.has_logged) {
      for (double v : s.logged) row.push_back(Short(v));
    }
    row.push_back(s.efficient ? "yes" : "no");
    row.push_back(note);
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string RenderTextTable(const TextTable& t) {
  std::vector<size_t> width(t.header.size(), 0);
  for (size_t c = 0; c < t.header.size(); ++c) width[c] = t.header[c].size();
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      const size_t pad = width[c] - cells[c].size();
      if (c > 0) out += "  ";
      const bool right = c < t.numeric.size() && t.numeric[c];
      if (right) out.append(pad, ' ');
      out += cells[c];
      if (!right && c + 1 < cells.size()) out.append(pad, ' ');
    }
    out += '\n';
  };
  line(t.header);
  for (const auto& row : t.rows) line(row);
  return out;
}

void AddTradeoffSections(const rank::TradeoffResult& r, const rank::Objectives& objectives,
                         report::HtmlReport* report) {
  const size_t nobj = r.objectives.size();
  size_t efficient = 0;
  for (const auto& s : r.settings) efficient += s.efficient ? 1 : 0;

  report->BeginSection("tradeoff-summary", "Trade-offs between objectives");
  report->AddParagraph(fmt::format(
      "{} logged requests ({} candidates, {} passing every condition) were re-ranked under {} "
      "weight settings, showing up to {} candidates per request. Totals are per 1,000 "
      "requests: 'expected' sums each objective's expression over the shown candidates (the "
      "model's expectation), 'logged' sums its outcome expression (what was recorded). A "
      "setting is Pareto-efficient when no other setting is at least as good on every "
      "expected total and better on one; {} of {} are.",
      r.requests, r.candidates, r.eligible, r.settings.size(),
      r.top == 0 ? std::string("all") : std::to_string(r.top), efficient, r.settings.size()));
  std::vector<std::pair<std::string, std::string>> facts;
  for (size_t j = 0; j < nobj; ++j) {
    const auto& o = objectives.objectives[j];
    facts.push_back(
        {o.name, fmt::format("{} (normalise: {}, configured weight {}){}", o.value.text(),
                             rank::NormalizationName(o.normalize), Short(o.weight),
                             o.outcome ? "; outcome " + o.outcome->text() : "")});
  }
  for (const auto& c : objectives.constraints) facts.push_back({"constraint", c.Describe()});
  report->AddFacts(facts);
  for (size_t j = 0; j < nobj; ++j) {
    const auto& s = r.settings[r.best[j]];
    report->AddNotice(
        report::Tone::kInfo,
        fmt::format("Best for {}: setting {} ({}) gives {} {} per 1,000 requests.", r.objectives[j],
                    r.best[j] + 1, DescribeWeights(r.objectives, s.weights), Short(s.expected[j]),
                    r.objectives[j]));
  }
  {
    const auto& d = r.settings[r.default_index];
    std::string totals;
    for (size_t j = 0; j < nobj; ++j) {
      if (!totals.empty()) totals += ", ";
      totals += fmt::format("{} {}", r.objectives[j], Short(d.expected[j]));
    }
    report->AddNotice(d.efficient ? report::Tone::kGood : report::Tone::kWarning,
                      fmt::format("Default (the configured weights): setting {} ({}) gives {} "
                                  "per 1,000 requests; it is {}Pareto-efficient.",
                                  r.default_index + 1, DescribeWeights(r.objectives, d.weights),
                                  totals, d.efficient ? "" : "NOT "));
  }

  if (nobj >= 2) {
    report->BeginSection("tradeoff-frontiers", "Frontiers");
    report->AddParagraph(
        "Each chart shows two objectives' expected totals per 1,000 requests for every "
        "setting (grey), the Pareto-efficient settings over all objectives (blue), the "
        "frontier of this pair alone (line) and the default setting (red).");
    std::vector<std::string> charts;
    for (size_t a = 0; a < nobj; ++a) {
      for (size_t b = a + 1; b < nobj; ++b) {
        report::LineChartSpec spec;
        spec.title = r.objectives[a] + " vs " + r.objectives[b];
        spec.x.label = r.objectives[a] + " per 1k requests";
        spec.y.label = r.objectives[b] + " per 1k requests";
        report::Series all{"all settings", {}, {}, "#b0b0b0", false, true, false};
        report::Series eff{"Pareto-efficient", {}, {}, "#1f77b4", false, true, false};
        std::vector<std::vector<double>> pair;
        for (const auto& s : r.settings) {
          all.x.push_back(s.expected[a]);
          all.y.push_back(s.expected[b]);
          if (s.efficient) {
            eff.x.push_back(s.expected[a]);
            eff.y.push_back(s.expected[b]);
          }
          pair.push_back({s.expected[a], s.expected[b]});
        }
        const std::vector<bool> front = rank::ParetoEfficient(pair);
        std::vector<std::pair<double, double>> fp;
        for (size_t i = 0; i < pair.size(); ++i) {
          if (front[i]) fp.push_back({pair[i][0], pair[i][1]});
        }
        std::sort(fp.begin(), fp.end());
        fp.erase(std::unique(fp.begin(), fp.end()), fp.end());
        report::Series line{"pair frontier", {}, {}, "#1f77b4", true, false, true};
        for (const auto& [x, y] : fp) {
          line.x.push_back(x);
          line.y.push_back(y);
        }
        const auto& d = r.settings[r.default_index];
        report::Series def{"default", {d.expected[a]}, {d.expected[b]}, "#d62728", false, true,
                           false};
        spec.series = {std::move(all), std::move(eff), std::move(line), std::move(def)};
        charts.push_back(report::LineChart(spec));
      }
    }
    report->AddCharts(charts);
  }

  const TextTable eff_table = TradeoffTable(r, /*efficient_only=*/true);
  report->BeginSection("tradeoff-efficient", "Pareto-efficient settings");
  report->AddParagraph(
      "Weights sum to 1; objectives are normalised within each request as "
      "configured before weighting. Totals per 1,000 requests.");
  report->AddTable(eff_table.header, eff_table.rows, eff_table.numeric);
  const TextTable all_table = TradeoffTable(r, /*efficient_only=*/false);
  report->BeginSection("tradeoff-all", "All settings");
  report->AddTable(all_table.header, all_table.rows, all_table.numeric);
}

}  // namespace keel::usecase
