#include "report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "core/random.h"

namespace keel::report {
namespace {

constexpr const char* kAxisColor = "#555";
constexpr const char* kGridColor = "#e5e5e5";
constexpr const char* kTextColor = "#222";
constexpr const char* kFont =
    "font-family=\"system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif\"";

struct Frame {
  double left, top, width, height;  // plot area in pixels
  double x0, x1, y0, y1;            // data range
  double X(double x) const { return left + (x - x0) / (x1 - x0) * width; }
  double Y(double y) const { return top + height - (y - y0) / (y1 - y0) * height; }
};

std::string Px(double v) {
  return fmt::format("{:.1f}", v);
}

// Ids for clip paths and gradients, unique within a process so several charts can share a page.
int NextId() {
  static std::atomic<int> counter{0};
  return ++counter;
}

std::string ColorFor(const std::string& wanted, size_t index) {
  if (!wanted.empty()) return wanted;
  const auto& p = Palette();
  return p[index % p.size()];
}

// Range of finite values; falls back to [0, 1] when there are none.
void DataRange(const std::vector<double>& v, double* lo, double* hi) {
  for (double d : v) {
    if (!std::isfinite(d)) continue;
    *lo = std::min(*lo, d);
    *hi = std::max(*hi, d);
  }
}

void FinishRange(const Axis& axis, double* lo, double* hi) {
  if (axis.min) *lo = *axis.min;
  if (axis.max) *hi = *axis.max;
  if (!std::isfinite(*lo) || !std::isfinite(*hi)) {
    *lo = 0;
    *hi = 1;
  }
  if (*hi - *lo < 1e-12) {
    const double pad = std::abs(*lo) > 0 ? std::abs(*lo) * 0.1 : 1.0;
    *lo -= pad;
    *hi += pad;
  }
  if (!axis.min || !axis.max) {
    const auto ticks = NiceTicks(*lo, *hi);
    if (!axis.min) *lo = ticks.front();
    if (!axis.max) *hi = ticks.back();
  }
}

std::string SvgOpen(int width, int height, std::string_view title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" role=\"img\" aria-label=\"{2}\" {3} font-size=\"12\">"
      "<title>{2}</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
      "<text x=\"{4}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\" "
      "fill=\"{5}\">{2}</text>",
      width, height, Escape(title), kFont, width / 2, kTextColor);
}

// Grid, ticks, tick labels and axis labels.
std::string Axes(const Frame& f, const std::vector<double>& xt, const std::vector<double>& yt,
                 std::string_view xlabel, std::string_view ylabel) {
  std::string s;
  for (double t : yt) {
    if (t < f.y0 - 1e-12 || t > f.y1 + 1e-12) continue;
    const double y = f.Y(t);
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Px(f.left),
                     Px(y), Px(f.left + f.width), Px(y), kGridColor);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
                     Px(f.left - 6), Px(y + 4), kAxisColor, Escape(ShortNumber(t)));
  }
  for (double t : xt) {
    if (t < f.x0 - 1e-12 || t > f.x1 + 1e-12) continue;
    const double x = f.X(t);
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Px(x),
                     Px(f.top), Px(x), Px(f.top + f.height), kGridColor);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>", Px(x),
                     Px(f.top + f.height + 16), kAxisColor, Escape(ShortNumber(t)));
  }
  s += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{}\"/>",
      Px(f.left), Px(f.top), Px(f.width), Px(f.height), kAxisColor);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                   Px(f.left + f.width / 2), Px(f.top + f.height + 34), kTextColor, Escape(xlabel));
  const double ly = f.top + f.height / 2;
  s += fmt::format(
      "<text x=\"14\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\" transform=\"rotate(-90 14 "
      "{})\">{}</text>",
      Px(ly), kTextColor, Px(ly), Escape(ylabel));
  return s;
}

std::string Legend(double x, double y,
                   const std::vector<std::pair<std::string, std::string>>& items,
                   const std::vector<bool>& dashed) {
  std::string s;
  for (size_t i = 0; i < items.size(); ++i) {
    const double yy = y + static_cast<double>(i) * 16;
    s += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2.5\"{}/>",
        Px(x), Px(yy), Px(x + 18), Px(yy), items[i].second,
        i < dashed.size() && dashed[i] ? " stroke-dasharray=\"5 3\"" : "");
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\">{}</text>", Px(x + 24), Px(yy + 4),
                     kTextColor, Escape(items[i].first));
  }
  return s;
}

}  // namespace

const std::vector<std::string>& Palette() {
  // Colour-blind-safe (Okabe-Ito derived), baseline first, candidate second.
  static const std::vector<std::string> kPalette = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                    "#56B4E9", "#D55E00", "#F0E442", "#000000"};
  return kPalette;
}

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::vector<double> NiceTicks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi < lo) std::swap(lo, hi);
  if (hi - lo < 1e-12) {
    hi = lo + 1;
  }
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const double start = std::floor(lo / step + 1e-9) * step;
  const double end = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (double t = start; t <= end + step * 1e-6 && ticks.size() < 50; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  if (ticks.size() < 2) ticks = {start, start + step};
  return ticks;
}

std::string ShortNumber(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::abs(v);
  if (a == 0) return "0";
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", v / 1e3);
  if (a < 1e-3) return fmt::format("{:.2g}", v);
  return fmt::format("{:.4g}", v);
}

std::string LineChart(const LineChartSpec& spec) {
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo;
  double ylo = xlo, yhi = -xlo;
  for (const auto& s : spec.series) {
    DataRange(s.x, &xlo, &xhi);
    DataRange(s.y, &ylo, &yhi);
  }
  FinishRange(spec.x, &xlo, &xhi);
  FinishRange(spec.y, &ylo, &yhi);
  const bool legend = spec.series.size() > 1;
  Frame f{56, 30, spec.width - 56.0 - 16, spec.height - 30.0 - 46, xlo, xhi, ylo, yhi};
  std::string s = SvgOpen(spec.width, spec.height, spec.title);
  s += Axes(f, NiceTicks(xlo, xhi), NiceTicks(ylo, yhi), spec.x.label, spec.y.label);
  s += fmt::format(
      "<clipPath id=\"c{0}\"><rect x=\"{1}\" y=\"{2}\" width=\"{3}\" height=\"{4}\"/>"
      "</clipPath><g clip-path=\"url(#c{0})\">",
      NextId(), Px(f.left), Px(f.top), Px(f.width), Px(f.height));
  if (spec.diagonal) {
    const double a = std::max(xlo, ylo), b = std::min(xhi, yhi);
    s += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999\" stroke-dasharray=\"2 3\"/>",
        Px(f.X(a)), Px(f.Y(a)), Px(f.X(b)), Px(f.Y(b)));
  }
  std::vector<std::pair<std::string, std::string>> items;
  std::vector<bool> dashed;
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const Series& ser = spec.series[i];
    const std::string color = ColorFor(ser.color, i);
    items.emplace_back(ser.name, color);
    dashed.push_back(ser.dashed);
    const size_t n = std::min(ser.x.size(), ser.y.size());
    if (ser.line) {
      std::string pts;
      for (size_t k = 0; k < n; ++k) {
        if (!std::isfinite(ser.x[k]) || !std::isfinite(ser.y[k])) continue;
        pts += fmt::format("{},{} ", Px(f.X(ser.x[k])), Px(f.Y(ser.y[k])));
      }
      if (!pts.empty()) {
        s += fmt::format(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
            "stroke-linejoin=\"round\"{}/>",
            pts, color, ser.dashed ? " stroke-dasharray=\"5 3\"" : "");
      }
    }
    if (ser.markers) {
      for (size_t k = 0; k < n; ++k) {
        if (!std::isfinite(ser.x[k]) || !std::isfinite(ser.y[k])) continue;
        s += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.2\" fill=\"{}\"/>", Px(f.X(ser.x[k])),
                         Px(f.Y(ser.y[k])), color);
      }
    }
  }
  s += "</g>";
  if (legend) s += Legend(f.left + 10, f.top + 14, items, dashed);
  s += "</svg>";
  return s;
}

std::string BarChart(const BarChartSpec& spec) {
  double lo = 0, hi = 0;
  for (const auto& b : spec.bars) {
    for (double v : {b.value, b.lo.value_or(b.value), b.hi.value_or(b.value)}) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  for (const auto& r : spec.references) {
    if (std::isfinite(r.first)) {
      lo = std::min(lo, r.first);
      hi = std::max(hi, r.first);
    }
  }
  if (hi - lo < 1e-12) hi = lo + 1;
  const auto ticks = NiceTicks(lo, hi);
  lo = ticks.front();
  hi = ticks.back();
  size_t label_chars = 4;
  for (const auto& b : spec.bars) label_chars = std::max(label_chars, b.label.size());
  const double label_w = std::min(240.0, 7.0 * static_cast<double>(label_chars) + 10);
  const int n = static_cast<int>(spec.bars.size());
  const int height = 30 + n * spec.bar_height + 46 + static_cast<int>(spec.references.size()) * 14;
  Frame f{label_w, 30, spec.width - label_w - 56, static_cast<double>(n * spec.bar_height), lo, hi,
          0,       1};
  std::string s = SvgOpen(spec.width, height, spec.title);
  for (double t : ticks) {
    const double x = f.X(t);
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Px(x),
                     Px(f.top), Px(x), Px(f.top + f.height), kGridColor);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>", Px(x),
                     Px(f.top + f.height + 16), kAxisColor, Escape(ShortNumber(t)));
  }
  const std::string base_color = spec.color.empty() ? Palette()[0] : spec.color;
  const double zero = f.X(std::clamp(0.0, lo, hi));
  for (int i = 0; i < n; ++i) {
    const Bar& b = spec.bars[static_cast<size_t>(i)];
    const double y = f.top + i * spec.bar_height;
    const double h = spec.bar_height * 0.7;
    const std::string label = b.label.size() > 34 ? b.label.substr(0, 32) + "…" : b.label;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
                     Px(f.left - 6), Px(y + h / 2 + 5), kTextColor, Escape(label));
    if (!std::isfinite(b.value)) continue;
    const double x = f.X(b.value);
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title>"
        "</rect>",
        Px(std::min(x, zero)), Px(y + spec.bar_height * 0.15),
        Px(std::max(0.5, std::abs(x - zero))), Px(h), b.color.empty() ? base_color : b.color,
        Escape(b.label), ShortNumber(b.value));
    if (b.lo && b.hi && std::isfinite(*b.lo) && std::isfinite(*b.hi)) {
      const double yc = y + spec.bar_height * 0.15 + h / 2;
      s += fmt::format(
          "<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"#222\" stroke-width=\"1.2\"/>"
          "<line x1=\"{0}\" y1=\"{3}\" x2=\"{0}\" y2=\"{4}\" stroke=\"#222\"/>"
          "<line x1=\"{1}\" y1=\"{3}\" x2=\"{1}\" y2=\"{4}\" stroke=\"#222\"/>",
          Px(f.X(*b.lo)), Px(f.X(*b.hi)), Px(yc), Px(yc - 4), Px(yc + 4));
    }
    // The value label sits right of the bar and of its whisker, so they never overlap.
    double label_x = std::max(x, zero);
    if (b.hi && std::isfinite(*b.hi)) label_x = std::max(label_x, f.X(*b.hi));
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\" font-size=\"11\">{}</text>",
                     Px(label_x + 4), Px(y + h / 2 + 5), kAxisColor, Escape(ShortNumber(b.value)));
  }
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\"/>", Px(zero),
                   Px(f.top), Px(f.top + f.height), kAxisColor);
  for (size_t r = 0; r < spec.references.size(); ++r) {
    const double x = f.X(spec.references[r].first);
    s += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#D55E00\" stroke-width=\"1.5\" "
        "stroke-dasharray=\"4 3\"/>",
        Px(x), Px(f.top - 4), Px(f.top + f.height + 4));
    s += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#D55E00\" font-size=\"11\">{}</text>",
                     Px(f.left), Px(f.top + f.height + 48 + static_cast<double>(r) * 14),
                     Escape("- - " + spec.references[r].second));
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                   Px(f.left + f.width / 2), Px(f.top + f.height + 34), kTextColor,
                   Escape(spec.value_label));
  s += "</svg>";
  return s;
}

std::string Histogram(const HistogramSpec& spec) {
  const size_t bins = spec.bin_labels.size();
  double hi = 0;
  for (const auto& ser : spec.series) {
    for (double v : ser.y) {
      if (std::isfinite(v)) hi = std::max(hi, v);
    }
  }
  const auto ticks = NiceTicks(0, hi > 0 ? hi : 1);
  Frame f{56,
          30,
          spec.width - 56.0 - 16,
          spec.height - 30.0 - 56,
          0,
          static_cast<double>(std::max<size_t>(bins, 1)),
          0,
          ticks.back()};
  std::string s = SvgOpen(spec.width, spec.height, spec.title);
  s += Axes(f, {}, ticks, "", "share of rows");
  const double group_w = f.width / static_cast<double>(std::max<size_t>(bins, 1));
  const size_t ns = std::max<size_t>(spec.series.size(), 1);
  const double bar_w = group_w * 0.8 / static_cast<double>(ns);
  const size_t label_every = bins > 12 ? (bins + 11) / 12 : 1;
  for (size_t b = 0; b < bins; ++b) {
    for (size_t k = 0; k < spec.series.size(); ++k) {
      const auto& ser = spec.series[k];
      if (b >= ser.y.size() || !std::isfinite(ser.y[b])) continue;
      const double x = f.left + group_w * static_cast<double>(b) + group_w * 0.1 +
                       bar_w * static_cast<double>(k);
      const double y = f.Y(ser.y[b]);
      s += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.85\">"
          "<title>{} {}: {}</title></rect>",
          Px(x), Px(y), Px(bar_w), Px(f.top + f.height - y), ColorFor(ser.color, k),
          Escape(ser.name), Escape(spec.bin_labels[b]), ShortNumber(ser.y[b]));
    }
    if (b % label_every == 0) {
      std::string label = spec.bin_labels[b];
      if (label.size() > 10) label = label.substr(0, 9) + "…";
      s += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\" "
          "font-size=\"10\">{}</text>",
          Px(f.left + group_w * (static_cast<double>(b) + 0.5)), Px(f.top + f.height + 14),
          kAxisColor, Escape(label));
    }
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                   Px(f.left + f.width / 2), Px(f.top + f.height + 32), kTextColor,
                   Escape(spec.x_label));
  std::vector<std::pair<std::string, std::string>> items;
  for (size_t k = 0; k < spec.series.size(); ++k) {
    items.emplace_back(spec.series[k].name, ColorFor(spec.series[k].color, k));
  }
  if (items.size() > 1) s += Legend(f.left + f.width - 130, f.top + 12, items, {});
  s += "</svg>";
  return s;
}

std::string Beeswarm(const BeeswarmSpec& spec) {
  double lo = 0, hi = 0;
  for (const auto& r : spec.rows) DataRange(r.values, &lo, &hi);
  if (hi - lo < 1e-12) {
    lo -= 1;
    hi += 1;
  }
  const auto ticks = NiceTicks(lo, hi);
  size_t label_chars = 4;
  for (const auto& r : spec.rows) label_chars = std::max(label_chars, r.feature.size());
  const double label_w = std::min(200.0, 7.0 * static_cast<double>(label_chars) + 10);
  const int n = static_cast<int>(spec.rows.size());
  const int height = 30 + n * spec.row_height + 60;
  Frame f{label_w,
          30,
          spec.width - label_w - 70,
          static_cast<double>(n * spec.row_height),
          ticks.front(),
          ticks.back(),
          0,
          1};
  std::string s = SvgOpen(spec.width, height, spec.title);
  for (double t : ticks) {
    const double x = f.X(t);
    s += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Px(x),
                     Px(f.top), Px(x), Px(f.top + f.height), t == 0 ? "#999" : kGridColor);
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>", Px(x),
                     Px(f.top + f.height + 16), kAxisColor, Escape(ShortNumber(t)));
  }
  Rng rng(7);  // fixed jitter: the same data draws the same picture
  for (int i = 0; i < n; ++i) {
    const BeeswarmRow& row = spec.rows[static_cast<size_t>(i)];
    const double yc = f.top + (i + 0.5) * spec.row_height;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
                     Px(f.left - 6), Px(yc + 4), kTextColor, Escape(row.feature));
    const size_t m = row.values.size();
    const size_t step = m > spec.max_points_per_row
                            ? (m + spec.max_points_per_row - 1) / spec.max_points_per_row
                            : 1;
    for (size_t k = 0; k < m; k += step) {
      const double v = row.values[k];
      if (!std::isfinite(v)) continue;
      const double c = k < row.colors.size() ? row.colors[k] : std::nan("");
      std::string color = "#aaaaaa";
      if (std::isfinite(c)) {
        const double t = std::clamp(c, 0.0, 1.0);
        // Blue (low) to red (high) through purple, as SHAP summary plots do.
        color = fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(0 + t * 255),
                            static_cast<int>(138 - t * 108), static_cast<int>(250 - t * 170));
      }
      const double jitter = (rng.Uniform() - 0.5) * spec.row_height * 0.6;
      s += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.2\" fill=\"{}\" fill-opacity=\"0.75\"/>",
                       Px(f.X(v)), Px(yc + jitter), color);
    }
  }
  // Colour legend: a gradient bar from low to high feature value.
  const double lx = f.left + f.width + 18;
  const int gid = NextId();
  s += fmt::format(
      "<defs><linearGradient id=\"bee{}\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
      "<stop offset=\"0\" stop-color=\"#008afa\"/><stop offset=\"1\" stop-color=\"#ff1e50\"/>"
      "</linearGradient></defs>",
      gid);
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"{}\" fill=\"url(#bee{})\"/>",
                   Px(lx), Px(f.top), Px(std::max(40.0, f.height)), gid);
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"{}\">high</text>", Px(lx + 13),
                   Px(f.top + 8), kAxisColor);
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"{}\">low</text>", Px(lx + 13),
                   Px(f.top + std::max(40.0, f.height)), kAxisColor);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
                   Px(f.left + f.width / 2), Px(f.top + f.height + 34), kTextColor,
                   Escape(spec.x_label));
  s += "</svg>";
  return s;
}

}  // namespace keel::report
