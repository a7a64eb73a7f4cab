// A small chart module that draws self-contained inline SVG (no scripts, no network).
//
// Charts share one look: a fixed palette (Palette()), labelled axes with "nice" ticks,
// light grid lines, a legend when there is more than one series. Every function returns an
// <svg> element as text, sized in CSS pixels, safe to embed in HTML (all text is escaped).
// Non-finite data points are skipped, never drawn.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::report {

// Colours in the order series receive them; the first two are the baseline and candidate.
const std::vector<std::string>& Palette();

struct Axis {
  std::string label;
  std::optional<double> min;  // unset = from the data (with nice rounding)
  std::optional<double> max;
};

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
  std::string color;  // empty = next palette colour
  bool dashed = false;
  bool markers = false;  // draw a dot at each point
  bool line = true;      // connect the points
};

struct LineChartSpec {
  std::string title;
  Axis x;
  Axis y;
  std::vector<Series> series;
  bool diagonal = false;  // draw y = x as a dotted reference (ROC, calibration)
  int width = 460;
  int height = 340;
};

// Lines and/or points on two numeric axes (ROC, PR, calibration, frontiers, windows).
std::string LineChart(const LineChartSpec& spec);

struct Bar {
  std::string label;
  double value = 0;
  std::optional<double> lo;  // confidence interval, drawn as a whisker
  std::optional<double> hi;
  std::string color;  // empty = the chart's colour
};

struct BarChartSpec {
  std::string title;
  std::string value_label;  // axis label of the values
  std::vector<Bar> bars;    // drawn top to bottom, as given
  std::string color;        // empty = first palette colour
  // Vertical reference lines (e.g. a fairness threshold), each with a caption.
  std::vector<std::pair<double, std::string>> references;
  int width = 560;
  int bar_height = 22;
};

// Horizontal bars with optional CI whiskers (importance, per-group rates, drift scores).
std::string BarChart(const BarChartSpec& spec);

struct HistogramSpec {
  std::string title;
  std::string x_label;
  std::vector<std::string> bin_labels;  // one per bin
  // One or more distributions over the same bins (e.g. reference and current), as shares.
  std::vector<Series> series;  // only `name`, `y` (share per bin) and `color` are used
  int width = 460;
  int height = 260;
};

// Side-by-side bars per bin, for comparing distributions.
std::string Histogram(const HistogramSpec& spec);

struct BeeswarmRow {
  std::string feature;
  std::vector<double> values;  // e.g. SHAP values, one per row
  std::vector<double> colors;  // feature values scaled to [0, 1] (NaN = grey, missing)
};

struct BeeswarmSpec {
  std::string title;
  std::string x_label;
  std::vector<BeeswarmRow> rows;  // drawn top to bottom
  int width = 620;
  int row_height = 26;
  size_t max_points_per_row = 600;  // evenly thinned beyond this to keep the file small
};

// One dot per value per row, jittered vertically, coloured low (blue) to high (red):
// the SHAP summary plot.
std::string Beeswarm(const BeeswarmSpec& spec);

// Escapes &, <, >, " and ' for HTML and SVG text.
std::string Escape(std::string_view text);

// Tick positions covering [lo, hi] with about `target` steps of 1, 2 or 5 x 10^k.
std::vector<double> NiceTicks(double lo, double hi, int target = 5);

// Short text for a tick or value label ("0.25", "1.2k", "3e-05").
std::string ShortNumber(double v);

}  // namespace keel::report
