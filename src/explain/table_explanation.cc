#include "explain/table_explanation.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/context.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "core/stopwatch.h"
#include "data/csv_writer.h"
#include "explain/feature_value_text.h"
#include "model/quantile_outputs.h"

namespace keel {
namespace {

constexpr size_t kCsvChunkRows = 2048;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "bias", or "_bias", "__bias", ... when a feature already has the name.
std::string BiasName(const Model& model) {
  std::string name = "bias";
  for (bool clash = true; clash;) {
    clash = false;
    for (const FeatureSpec& f : model.features) {
      if (EqualsIgnoreCase(f.name, name)) clash = true;
    }
    if (clash) name = "_" + name;
  }
  return name;
}

std::string ClassName(const Model& model, int k) {
  if (HasQuantileOutputs(model)) {  // outputs named by level: "quantile_0.05"
    const std::vector<double> levels = QuantileLevels(model).value_or({});
    if (static_cast<size_t>(k) < levels.size()) return QuantileColumn(levels[k]);
  }
  const auto& classes = model.labels.classes;
  return static_cast<size_t>(k) < classes.size() ? classes[static_cast<size_t>(k)]
                                                 : std::to_string(k);
}

void AppendNumber(std::string* out, double v) {
  if (std::isfinite(v)) AppendDouble(out, v);
}

}  // namespace

std::vector<std::string> ShapColumns(const Model& model) {
  std::vector<std::string> cols;
  const std::string bias = BiasName(model);
  for (int k = 0; k < model.num_outputs; ++k) {
    const std::string prefix = model.num_outputs > 1 ? ClassName(model, k) + ":" : "";
    for (const FeatureSpec& f : model.features) cols.push_back(prefix + f.name);
    cols.push_back(prefix + bias);
  }
  return cols;
}

std::vector<std::string> ReasonColumns(const Model& model, int top_k) {
  std::vector<std::string> cols;
  if (top_k <= 0) return cols;
  if (model.num_outputs > 1) cols.push_back("reason_class");
  for (const char* way : {"up", "down"}) {
    for (int i = 1; i <= top_k; ++i) {
      for (const char* part : {"feature", "value", "shap"}) {
        cols.push_back(std::string(way) + "_" + std::to_string(i) + "_" + part);
      }
    }
  }
  cols.push_back("reason");
  return cols;
}

namespace {

// The attributions and reason codes of te->features (already encoded); `text(row, feature,
// encoded)` gives a reason's value text.
template <typename TextFn>
Status ExplainRows(const Model& model, const Explainer& explainer,
                   const TableExplanationOptions& options, int threads, TextFn text,
                   TableExplanation* te) {
  Stopwatch sw;
  te->attributions.resize(te->features.rows * explainer.row_width());
  KEEL_RETURN_IF_ERROR(explainer.ExplainMatrix(te->features, threads, te->attributions));
  te->explain_seconds = sw.Seconds();

  if (options.top_k > 0) {
    sw.Reset();
    ReasonOptions ro;
    ro.top_k = options.top_k;
    ro.output = options.reason_output;
    te->reasons.resize(te->features.rows);
    const size_t width = explainer.row_width();
    KEEL_RETURN_IF_ERROR(ParallelFor(
        threads, te->features.rows,
        [&](size_t r) {
          const float* row = te->features.row(r);
          te->reasons[r] = ComputeReasonCodes(
              model, std::span<const double>(te->attributions.data() + r * width, width),
              explainer.used_features(), [&](int f) { return text(r, f, row[f]); }, ro);
        },
        64));
    te->reasons_seconds = sw.Seconds();
  }
  return Status::OK();
}

}  // namespace

Result<TableExplanation> ExplainTable(const Model& model, const Explainer& explainer,
                                      const Table& table, const TableExplanationOptions& options,
                                      const Context& ctx) {
  const int threads = ctx.threads();
  TableExplanation te;
  Stopwatch sw;
  EncodeOptions eo;
  eo.allow_absent_columns = options.allow_absent_columns;
  eo.threads = threads;
  KEEL_ASSIGN_OR_RETURN(te.features, EncodeFeatures(model, table, eo, &te.encode));
  te.encode_seconds = sw.Seconds();
  const FeatureValueTexts texts(model, table);
  KEEL_RETURN_IF_ERROR(ExplainRows(
      model, explainer, options, threads,
      [&](size_t r, int f, float encoded) { return texts.Text(r, f, encoded); }, &te));
  return te;
}

Result<TableExplanation> ExplainEncoded(const Model& model, const Explainer& explainer,
                                        FeatureMatrix features,
                                        const TableExplanationOptions& options,
                                        const Context& ctx) {
  TableExplanation te;
  te.features = std::move(features);
  KEEL_RETURN_IF_ERROR(ExplainRows(
      model, explainer, options, ctx.threads(),
      [&](size_t, int f, float encoded) {
        return EncodedValueText(model.features[static_cast<size_t>(f)], encoded);
      },
      &te));
  return te;
}

std::string ExplanationToCsv(const Model& model, const TableExplanation& explanation,
                             const Table& table, const std::string& id_column,
                             const std::vector<uint64_t>& rejected_lines, int top_k, int threads) {
  const Column* id = id_column.empty() ? nullptr : table.Find(id_column);
  const std::vector<std::string> shap_columns = ShapColumns(model);
  const size_t width = shap_columns.size();
  const bool reasons = top_k > 0 && explanation.reasons.size() == explanation.features.rows;
  const auto k = static_cast<size_t>(std::max(top_k, 0));

  std::vector<std::string> header;
  if (id != nullptr) header.push_back(id->name());
  header.insert(header.end(), shap_columns.begin(), shap_columns.end());
  if (reasons) {
    const std::vector<std::string> reason_columns = ReasonColumns(model, top_k);
    header.insert(header.end(), reason_columns.begin(), reason_columns.end());
  }
  std::string out;
  for (size_t i = 0; i < header.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(&out, header[i]);
  }
  out.push_back('\n');

  // Rows are formatted in parallel chunks, then joined in order.
  const size_t rows = explanation.features.rows;
  auto format_row = [&](size_t r, std::string* s) {
    bool lead = true;
    auto sep = [&] {
      if (!lead) s->push_back(',');
      lead = false;
    };
    if (id != nullptr) {
      sep();
      if (!id->IsMissing(r)) AppendCsvField(s, id->CellText(r));
    }
    const double* a = explanation.attributions.data() + r * width;
    for (size_t c = 0; c < width; ++c) {
      sep();
      AppendNumber(s, a[c]);
    }
    if (reasons) {
      const ReasonCodes& rc = explanation.reasons[r];
      if (model.num_outputs > 1) {
        sep();
        AppendCsvField(s, ClassName(model, rc.output));
      }
      for (const std::vector<Reason>* list : {&rc.up, &rc.down}) {
        for (size_t i = 0; i < k; ++i) {
          sep();
          if (i < list->size()) AppendCsvField(s, (*list)[i].name);
          sep();
          if (i < list->size()) AppendCsvField(s, (*list)[i].value);
          sep();
          if (i < list->size()) AppendNumber(s, (*list)[i].contribution);
        }
      }
      sep();
      AppendCsvField(s, rc.sentence);
    }
    s->push_back('\n');
  };
  const size_t chunks = (rows + kCsvChunkRows - 1) / kCsvChunkRows;
  std::vector<std::string> parts(chunks);
  // Where each row's text ends in its chunk (quoted fields may hold line breaks).
  std::vector<std::vector<size_t>> ends(chunks);
  ParallelFor(std::max(threads, 1), chunks, [&](size_t c) {
    const size_t end = std::min(rows, (c + 1) * kCsvChunkRows);
    parts[c].reserve((end - c * kCsvChunkRows) * (width * 22 + 16));
    for (size_t r = c * kCsvChunkRows; r < end; ++r) {
      format_row(r, &parts[c]);
      ends[c].push_back(parts[c].size());
    }
  }).IgnoreError();  // formatting cannot fail

  const size_t cells = header.size();
  const std::string empty_line = std::string(cells > 0 ? cells - 1 : 0, ',') + "\n";
  const auto& lines = table.source_lines();
  const bool place_rejects = lines.size() == rows;
  std::vector<uint64_t> rejected = rejected_lines;
  std::sort(rejected.begin(), rejected.end());
  size_t total = out.size();
  for (const auto& p : parts) total += p.size();
  out.reserve(total + (place_rejects ? rejected.size() * empty_line.size() : 0));
  size_t next_reject = 0;
  for (size_t c = 0; c < chunks; ++c) {
    if (!place_rejects || rejected.empty()) {
      out += parts[c];
      continue;
    }
    // Interleave the rejected records' empty lines by source line.
    size_t pos = 0;
    for (size_t i = 0; i < ends[c].size(); ++i) {
      const size_t r = c * kCsvChunkRows + i;
      while (next_reject < rejected.size() && rejected[next_reject] < lines[r]) {
        out += empty_line;
        ++next_reject;
      }
      out.append(parts[c], pos, ends[c][i] - pos);
      pos = ends[c][i];
    }
  }
  if (place_rejects) {
    for (; next_reject < rejected.size(); ++next_reject) out += empty_line;
  }
  return out;
}

}  // namespace keel
