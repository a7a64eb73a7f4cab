// The HTML report: one self-contained file (inline CSS and SVG, no scripts, no network) that
// every stage adds its section to: evaluation, comparison, data quality, explanations,
// fairness, drift, trade-offs.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keel/status.h"

namespace keel::report {

// A verdict or notice box at the top of a section.
enum class Tone { kInfo, kGood, kWarning, kBad };

// Text of a number in a table cell: `digits` decimals ("0.8412"), "n/a" when not finite.
std::string FixedNumber(double v, int digits = 4);

class HtmlReport {
 public:
  explicit HtmlReport(std::string title, std::string subtitle = {});

  // Starts a new section; following Add* calls append to it. `id` is the anchor in the table
  // of contents (letters, digits, '-').
  void BeginSection(std::string id, std::string title);

  void AddParagraph(std::string_view text);          // plain text, escaped
  void AddNotice(Tone tone, std::string_view text);  // a coloured box, escaped
  // A table; cells are escaped. `numeric_columns[i]` right-aligns column i.
  void AddTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows,
                const std::vector<bool>& numeric_columns = {});
  // Key-value pairs as a two-column table.
  void AddFacts(const std::vector<std::pair<std::string, std::string>>& facts);
  // Charts (SVG from svg_chart.h) laid out side by side, wrapping on narrow screens.
  void AddCharts(const std::vector<std::string>& svgs);
  // Trusted HTML produced by our own code (never user text).
  void AddRawHtml(std::string html);

  // Number of <section>s so far.
  size_t num_sections() const { return sections_.size(); }
  // The whole document.
  std::string Render() const;
  // Renders and writes atomically to `path`.
  Status WriteTo(const std::string& path) const;

 private:
  struct Section {
    std::string id;
    std::string title;
    std::string body;
  };
  Section& Current();

  std::string title_;
  std::string subtitle_;
  std::vector<Section> sections_;
};

}  // namespace keel::report
