#include "drift/model_profile.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/context.h"
#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "drift/column_values.h"

namespace keel::drift {
namespace {

constexpr size_t kChunkRows = size_t{1} << 16;
constexpr int32_t kUnmapped = -2;  // a label text that maps to no class

// How one profile column reads its values.
struct Source {
  enum class Kind {
    kAbsent,        // the data lacks the feature column: every row is missing
    kSkip,          // no values at all (no predictions given, no label column)
    kNumbers,       // numeric spec from a numeric/boolean/timestamp column (AsDouble)
    kDictNumbers,   // numeric spec from a categorical column whose texts are numbers
    kDictBins,      // categorical spec from a categorical column (dictionary -> bin)
    kTexts,         // categorical spec from any other column (cell text per row)
    kPredictions,   // numeric prediction values
    kArgmax,        // multiclass prediction: argmax class
    kCodes,         // precomputed bins (labels), kMissingCode / kUnmapped
  };
  Kind kind = Kind::kAbsent;
  const Column* column = nullptr;
  std::vector<double> dict_numbers;
  std::vector<int32_t> dict_bins;
  std::vector<int32_t> codes;  // kCodes, per data row
};

struct GroupSource {
  const Column* column = nullptr;
  std::vector<int32_t> dict_groups;  // categorical column: dictionary -> group
};

size_t RowAt(std::span<const uint32_t> rows, size_t i) { return rows.empty() ? i : rows[i]; }

void AddRange(Profile* p, const ProfileLayout& layout, const std::vector<Source>& sources,
              const std::vector<GroupSource>& groups, std::span<const uint32_t> rows,
              std::span<const double> predictions, size_t width, size_t begin, size_t end) {
  for (size_t c = 0; c < sources.size(); ++c) {
    const Source& s = sources[c];
    switch (s.kind) {
      case Source::Kind::kSkip: break;
      case Source::Kind::kAbsent:
        for (size_t i = begin; i < end; ++i) {
          if (layout.columns[c].kind == ValueKind::kNumeric) {
            p->AddNumber(c, std::nan(""));
          } else {
            p->AddCategory(c, kMissingCode);
          }
        }
        break;
      case Source::Kind::kNumbers:
        if (s.column->kind() == ColumnKind::kNumeric) {
          const auto v = s.column->numeric();
          for (size_t i = begin; i < end; ++i) p->AddNumber(c, v[RowAt(rows, i)]);
        } else {
          for (size_t i = begin; i < end; ++i) p->AddNumber(c, s.column->AsDouble(RowAt(rows, i)));
        }
        break;
      case Source::Kind::kDictNumbers: {
        const auto codes = s.column->codes();
        for (size_t i = begin; i < end; ++i) {
          const int32_t code = codes[RowAt(rows, i)];
          p->AddNumber(c, code < 0 ? std::nan("") : s.dict_numbers[static_cast<size_t>(code)]);
        }
        break;
      }
      case Source::Kind::kDictBins: {
        const auto codes = s.column->codes();
        const auto& dict = s.column->dictionary();
        for (size_t i = begin; i < end; ++i) {
          const int32_t code = codes[RowAt(rows, i)];
          if (code < 0) {
            p->AddCategory(c, kMissingCode);
          } else if (s.dict_bins[static_cast<size_t>(code)] >= 0) {
            p->AddCategory(c, s.dict_bins[static_cast<size_t>(code)]);
          } else {
            p->AddCategoryText(c, dict[static_cast<size_t>(code)]);
          }
        }
        break;
      }
      case Source::Kind::kTexts:
        for (size_t i = begin; i < end; ++i) {
          const size_t r = RowAt(rows, i);
          if (s.column->IsMissing(r)) {
            p->AddCategory(c, kMissingCode);
          } else {
            p->AddCategoryText(c, s.column->CellText(r));
          }
        }
        break;
      case Source::Kind::kPredictions:
        for (size_t i = begin; i < end; ++i) p->AddNumber(c, predictions[i * width]);
        break;
      case Source::Kind::kArgmax:
        for (size_t i = begin; i < end; ++i) {
          const double* row = predictions.data() + i * width;
          size_t best = 0;
          for (size_t k = 1; k < width; ++k) {
            if (row[k] > row[best]) best = k;
          }
          p->AddCategory(c, std::isnan(row[best]) ? kMissingCode : static_cast<int32_t>(best));
        }
        break;
      case Source::Kind::kCodes:
        for (size_t i = begin; i < end; ++i) {
          const size_t r = RowAt(rows, i);
          const int32_t code = s.codes[r];
          if (code == kUnmapped) {
            p->AddCategoryText(c, s.column->CellText(r));
          } else {
            p->AddCategory(c, code);
          }
        }
        break;
    }
  }
  if (!predictions.empty()) {
    for (size_t g = 0; g < groups.size(); ++g) {
      const GroupSource& gs = groups[g];
      if (gs.column == nullptr) continue;  // the data lacks the attribute
      const GroupSpec& spec = layout.groups[g];
      for (size_t i = begin; i < end; ++i) {
        const size_t r = RowAt(rows, i);
        int32_t group = -1;
        if (gs.column->kind() == ColumnKind::kCategorical) {
          const int32_t code = gs.column->codes()[r];
          group = code < 0 ? -1 : gs.dict_groups[static_cast<size_t>(code)];
        } else if (spec.kind == ValueKind::kNumeric) {
          group = spec.GroupOf(gs.column->AsDouble(r));
        } else if (!gs.column->IsMissing(r)) {
          group = spec.GroupOf(std::string_view(gs.column->CellText(r)));
        }
        p->AddGroupRow(g, group, predictions[i * width]);
      }
    }
  }
  p->AddRows(end - begin);
}

bool IsNumericSource(ColumnKind k) {
  return k == ColumnKind::kNumeric || k == ColumnKind::kBoolean || k == ColumnKind::kTimestamp;
}

// Resolves how each layout column reads `data`.
Result<std::vector<Source>> MakeSources(const ProfileLayout& layout, const Model& model,
                                        const Table& data, bool allow_absent,
                                        std::vector<std::string>* absent) {
  std::vector<Source> sources(layout.columns.size());
  for (size_t c = 0; c < layout.columns.size(); ++c) {
    const ColumnSpec& spec = layout.columns[c];
    Source& s = sources[c];
    if (spec.role == ProfileRole::kPrediction) {
      s.kind = spec.kind == ValueKind::kNumeric ? Source::Kind::kPredictions : Source::Kind::kArgmax;
      continue;
    }
    const Column* col = data.Find(spec.name);
    if (col == nullptr) {
      if (spec.role == ProfileRole::kFeature && !allow_absent) {
        return Status::NotFound("the data has no column '{}', which the model uses as a feature{}",
                                spec.name, DidYouMean(spec.name, data.columns(), &Column::name));
      }
      if (spec.role == ProfileRole::kFeature) {
        if (absent != nullptr) absent->push_back(spec.name);
        s.kind = Source::Kind::kAbsent;
      } else {
        s.kind = Source::Kind::kSkip;
      }
      continue;
    }
    s.column = col;
    if (spec.role == ProfileRole::kLabel && spec.kind == ValueKind::kCategorical) {
      // Labels map through the model's label mapping to class names (= the tracked bins).
      s.kind = Source::Kind::kCodes;
      s.codes.assign(col->size(), kMissingCode);
      if (col->kind() == ColumnKind::kCategorical) {
        std::vector<int32_t> dict_class(col->dictionary().size());
        for (size_t i = 0; i < dict_class.size(); ++i) {
          const int32_t k = model.labels.ClassOf(col->dictionary()[i]);
          dict_class[i] = k >= 0 ? k : kUnmapped;
        }
        const auto codes = col->codes();
        for (size_t r = 0; r < codes.size(); ++r) {
          s.codes[r] = codes[r] < 0 ? kMissingCode : dict_class[static_cast<size_t>(codes[r])];
        }
      } else {
        std::unordered_map<std::string, int32_t> cache;
        for (size_t r = 0; r < col->size(); ++r) {
          if (col->IsMissing(r)) continue;
          std::string text = col->CellText(r);
          auto it = cache.find(text);
          if (it == cache.end()) {
            const int32_t k = model.labels.ClassOf(text);
            it = cache.emplace(std::move(text), k >= 0 ? k : kUnmapped).first;
          }
          s.codes[r] = it->second;
        }
      }
      continue;
    }
    if (spec.kind == ValueKind::kNumeric) {
      if (IsNumericSource(col->kind())) {
        s.kind = Source::Kind::kNumbers;
      } else if (col->kind() == ColumnKind::kCategorical) {
        s.kind = Source::Kind::kDictNumbers;
        for (const auto& t : col->dictionary()) s.dict_numbers.push_back(ParseNumberText(t));
      } else {
        return Status::InvalidArgument("column '{}' holds {} values but is profiled as numeric",
                                       spec.name, ColumnKindName(col->kind()));
      }
    } else if (col->kind() == ColumnKind::kCategorical) {
      s.kind = Source::Kind::kDictBins;
      for (const auto& t : col->dictionary()) s.dict_bins.push_back(spec.CategoryIndex(t));
    } else {
      s.kind = Source::Kind::kTexts;
    }
  }
  return sources;
}

std::vector<GroupSource> MakeGroupSources(const ProfileLayout& layout, const Table& data) {
  std::vector<GroupSource> out(layout.groups.size());
  for (size_t g = 0; g < layout.groups.size(); ++g) {
    const GroupSpec& spec = layout.groups[g];
    out[g].column = data.Find(spec.attribute);
    if (out[g].column != nullptr && out[g].column->kind() == ColumnKind::kCategorical) {
      for (const auto& t : out[g].column->dictionary()) out[g].dict_groups.push_back(spec.GroupOf(t));
    }
  }
  return out;
}

Result<Profile> BuildChunked(std::shared_ptr<const ProfileLayout> layout,
                             const std::vector<Source>& sources,
                             const std::vector<GroupSource>& groups,
                             std::span<const uint32_t> rows, size_t n,
                             std::span<const double> predictions, size_t width, int threads) {
  // Fixed chunks merged in order: the result does not depend on the thread count.
  const size_t chunks = std::max<size_t>(1, (n + kChunkRows - 1) / kChunkRows);
  std::vector<Profile> parts(chunks, Profile(layout));
  KEEL_RETURN_IF_ERROR(ParallelFor(threads, chunks, [&](size_t k) {
    const size_t begin = k * kChunkRows;
    const size_t end = std::min(n, begin + kChunkRows);
    AddRange(&parts[k], *layout, sources, groups, rows, predictions, width, begin, end);
  }));
  Profile out(layout);
  for (Profile& p : parts) KEEL_RETURN_IF_ERROR(out.Merge(p));
  return out;
}

std::string IntervalLabel(double lo, double hi) {
  if (std::isinf(lo)) return "< " + FormatDouble(hi);
  if (std::isinf(hi)) return ">= " + FormatDouble(lo);
  return "[" + FormatDouble(lo) + ", " + FormatDouble(hi) + ")";
}

Result<std::shared_ptr<ProfileLayout>> MakeLayout(const Model& model, const Table& data,
                                                  std::span<const uint32_t> rows,
                                                  std::span<const double> predictions,
                                                  const ReferenceProfileOptions& options,
                                                  const Context& ctx) {
  const LayoutOptions& lo = options.layout;
  auto layout = std::make_shared<ProfileLayout>();
  layout->sketch_k = lo.sketch_k;
  layout->exact_limit = lo.exact_limit;
  layout->others_capacity = lo.others_capacity;
  layout->selection_threshold = options.selection_threshold;
  const size_t n = rows.empty() ? data.num_rows() : rows.size();
  const size_t width = PredictionWidth(model);

  for (const FeatureSpec& f : model.features) {
    const Column* col = data.Find(f.name);
    if (col == nullptr) {
      return Status::NotFound("the data has no column '{}', which the model uses as a feature{}",
                              f.name, DidYouMean(f.name, data.columns(), &Column::name));
    }
    ColumnSpec spec;
    spec.name = f.name;
    spec.source_kind = col->kind();
    if (f.kind == FeatureSpec::Kind::kNumeric) {
      spec.kind = ValueKind::kNumeric;
    } else {
      spec.kind = ValueKind::kCategorical;
    }
    layout->columns.push_back(std::move(spec));
  }
  // Edges and categories need a look at all values: one column per task.
  KEEL_RETURN_IF_ERROR(ParallelFor(ctx.threads(), layout->columns.size(), [&](size_t c) {
    ColumnSpec& spec = layout->columns[c];
    const Column& col = *data.Find(spec.name);
    if (spec.kind == ValueKind::kNumeric) {
      spec.edges = QuantileEdges(NumericValues(col, rows), lo.numeric_bins);
    } else {
      std::vector<std::string> cats;
      for (auto& [t, count] : CountTexts(col, rows)) {
        if (cats.size() >= lo.max_categories) break;
        cats.push_back(t);
      }
      spec.SetCategories(std::move(cats));
    }
  }));

  if (!predictions.empty()) {
    if (predictions.size() != n * width) {
      return Status::InvalidArgument("{} predictions for {} rows of {} values each",
                                     predictions.size(), n, width);
    }
    ColumnSpec spec;
    spec.name = PredictionColumnName(model);
    spec.role = ProfileRole::kPrediction;
    if (model.task == Task::kMulticlass) {
      spec.kind = ValueKind::kCategorical;
      spec.SetCategories(model.labels.classes);
    } else {
      std::vector<double> p(predictions.begin(), predictions.end());
      spec.edges = QuantileEdges(p, lo.numeric_bins);
    }
    layout->columns.push_back(std::move(spec));
  }
  if (!model.target.empty()) {
    if (const Column* col = data.Find(model.target)) {
      ColumnSpec spec;
      spec.name = model.target;
      spec.role = ProfileRole::kLabel;
      spec.source_kind = col->kind();
      if (model.task == Task::kRegression) {
        spec.edges = QuantileEdges(NumericValues(*col, rows), lo.numeric_bins);
      } else {
        spec.kind = ValueKind::kCategorical;
        spec.SetCategories(model.labels.classes);
      }
      layout->columns.push_back(std::move(spec));
    }
  }
  if (!predictions.empty() && model.task != Task::kMulticlass) {
    for (const ColumnSchema& cs : model.schema.columns) {
      if (cs.role != Role::kSensitive) continue;
      const Column* col = data.Find(cs.name);
      if (col == nullptr) continue;
      GroupSpec g;
      g.attribute = cs.name;
      if (col->kind() == ColumnKind::kNumeric || col->kind() == ColumnKind::kTimestamp) {
        g.kind = ValueKind::kNumeric;
        g.edges = QuantileEdges(NumericValues(*col, rows), lo.group_bins);
        double lo_edge = -INFINITY;
        for (double e : g.edges) {
          g.groups.push_back(IntervalLabel(lo_edge, e));
          lo_edge = e;
        }
        g.groups.push_back(IntervalLabel(lo_edge, INFINITY));
      } else {
        g.kind = ValueKind::kCategorical;
        for (auto& [t, count] : CountTexts(*col, rows)) {
          if (g.groups.size() >= lo.max_categories) break;
          g.groups.push_back(t);
        }
      }
      layout->groups.push_back(std::move(g));
    }
  }
  return layout;
}

}  // namespace

size_t PredictionWidth(const Model& model) {
  // Multiclass: one probability per class; a regression of several quantiles: one value per
  // level (the profile follows the first, the lowest); otherwise one value.
  return model.task == Task::kBinary ? 1 : static_cast<size_t>(std::max(model.num_outputs, 1));
}

std::string PredictionColumnName(const Model& model) {
  switch (model.task) {
    case Task::kBinary:
      return "prob_" + (model.labels.classes.size() > 1 ? model.labels.classes[1] : std::string("1"));
    case Task::kMulticlass: return "predicted_class";
    case Task::kRegression: return "prediction";
  }
  return "prediction";
}

Result<Profile> BuildReferenceProfile(const Model& model, const Table& data,
                                      std::span<const uint32_t> rows,
                                      std::span<const double> predictions,
                                      const ReferenceProfileOptions& options, const Context& ctx) {
  for (uint32_t r : rows) {
    if (r >= data.num_rows()) {
      return Status::InvalidArgument("row {} is out of range for a table of {} rows", r,
                                     data.num_rows());
    }
  }
  KEEL_ASSIGN_OR_RETURN(auto layout, MakeLayout(model, data, rows, predictions, options, ctx));
  const size_t n = rows.empty() ? data.num_rows() : rows.size();
  KEEL_ASSIGN_OR_RETURN(auto sources, MakeSources(*layout, model, data, false, nullptr));
  return BuildChunked(layout, sources, MakeGroupSources(*layout, data), rows, n, predictions,
                      PredictionWidth(model), ctx.threads());
}

Status AttachReferenceProfile(Model* model, const Table& data, std::span<const uint32_t> rows,
                              std::span<const double> predictions,
                              const ReferenceProfileOptions& options, const Context& ctx) {
  KEEL_ASSIGN_OR_RETURN(Profile p,
                        BuildReferenceProfile(*model, data, rows, predictions, options, ctx));
  model->sections[kProfileSection] = p.ToJson();
  return Status::OK();
}

Result<Profile> LoadReferenceProfile(const Model& model) {
  auto it = model.sections.find(kProfileSection);
  if (it == model.sections.end()) {
    return Status::NotFound("the model has no training profile (section '{}'); retrain it with "
                            "this keel, or compare against a reference data file instead",
                            kProfileSection);
  }
  auto p = Profile::FromJson(it->second);
  if (!p.ok()) return p.status().WithContext("the model's training profile");
  for (const FeatureSpec& f : model.features) {
    if (p->layout().Find(f.name, ProfileRole::kFeature) < 0) {
      return Status::Corrupt("the model's training profile has no column for feature '{}'", f.name);
    }
  }
  return p;
}

Result<Profile> ProfileTable(std::shared_ptr<const ProfileLayout> layout, const Model& model,
                             const Table& data, std::span<const double> predictions,
                             const Context& ctx, std::vector<std::string>* absent) {
  const size_t n = data.num_rows();
  const size_t width = PredictionWidth(model);
  if (!predictions.empty() && predictions.size() != n * width) {
    return Status::InvalidArgument("{} predictions for {} rows of {} values each",
                                   predictions.size(), n, width);
  }
  KEEL_ASSIGN_OR_RETURN(auto sources, MakeSources(*layout, model, data, true, absent));
  if (predictions.empty()) {
    // No predictions: the prediction column stays empty and is then not compared.
    for (size_t c = 0; c < layout->columns.size(); ++c) {
      if (layout->columns[c].role == ProfileRole::kPrediction) sources[c].kind = Source::Kind::kSkip;
    }
  }
  return BuildChunked(layout, sources, MakeGroupSources(*layout, data), {}, n, predictions, width,
                      ctx.threads());
}

}  // namespace keel::drift
