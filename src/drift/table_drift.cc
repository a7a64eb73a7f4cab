#include "drift/table_drift.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "core/context.h"
#include "core/parallel.h"
#include "drift/column_values.h"
#include "drift/model_profile.h"

namespace keel::drift {
namespace {

// A feature the current data lacks: every current row missing.
FeatureDrift AbsentColumn(const std::string& name, ValueKind kind, uint64_t ref_count,
                          uint64_t ref_missing, uint64_t current_rows, const DriftOptions& o) {
  FeatureDrift f;
  if (kind == ValueKind::kNumeric) {
    NumericSample ref, cur;
    ref.values.total = static_cast<double>(ref_count);
    ref.missing = ref_missing;
    cur.missing = current_rows;
    f = CompareNumeric(name, ref, cur, o);
  } else {
    CategoricalSample ref, cur;
    ref.unnamed = static_cast<double>(ref_count);
    ref.missing = ref_missing;
    cur.missing = current_rows;
    f = CompareCategorical(name, ref, cur, o);
  }
  f.tested = false;
  f.reason = "column absent from the current data";
  f.missing_rate_drifted = current_rows > 0;
  f.bin_labels.clear();
  f.reference_shares.clear();
  f.current_shares.clear();
  return f;
}

// Class names of a label column through the model's mapping (unmapped labels keep their text).
CategoricalSample LabelSample(const Column& col, const LabelMapping& labels) {
  CategoricalSample s;
  std::unordered_map<std::string, double> counts;
  for (const auto& [text, n] : CountTexts(col)) {
    const int32_t k = labels.ClassOf(text);
    counts[k >= 0 ? labels.classes[static_cast<size_t>(k)] : text] += static_cast<double>(n);
  }
  s.counts.assign(counts.begin(), counts.end());
  std::sort(s.counts.begin(), s.counts.end());
  s.missing = col.CountMissing();
  return s;
}

CategoricalSample TextSample(const Column& col) {
  CategoricalSample s;
  for (auto& [text, n] : CountTexts(col))
    s.counts.emplace_back(std::move(text), static_cast<double>(n));
  s.missing = col.CountMissing();
  return s;
}

bool IsNumericKind(ColumnKind k) {
  return k == ColumnKind::kNumeric || k == ColumnKind::kTimestamp;
}

}  // namespace

Result<DriftReport> CompareTables(const Table& reference, const Table& current,
                                  const Schema& schema, const TableDriftOptions& options,
                                  const Context& ctx) {
  KEEL_RETURN_IF_ERROR(options.drift.Validate());
  std::string target = options.target;
  if (target.empty()) target = schema.FirstWithRole(Role::kTarget);
  if (!target.empty() && reference.Find(target) == nullptr) {
    return Status::NotFound("the reference data has no target column '{}'", target);
  }

  struct Job {
    const Column* ref = nullptr;
    const Column* cur = nullptr;
    bool label = false;
  };
  std::vector<Job> jobs;
  std::vector<std::string> skipped;
  for (const Column& col : reference.columns()) {
    const ColumnSchema* cs = schema.Find(col.name());
    const Role role = cs != nullptr ? cs->role : Role::kFeature;
    const bool is_target = col.name() == target;
    if (!is_target && role != Role::kFeature && role != Role::kSensitive && role != Role::kTarget) {
      skipped.push_back(col.name() + ": role " + std::string(RoleName(role)));
      continue;
    }
    if (col.kind() == ColumnKind::kString) {
      skipped.push_back(col.name() + ": string column (ids or free text)");
      continue;
    }
    jobs.push_back({&col, current.Find(col.name()), is_target});
  }
  for (const Column& col : current.columns()) {
    if (reference.Find(col.name()) == nullptr) {
      skipped.push_back(col.name() + ": not in the reference data");
    }
  }

  std::vector<FeatureDrift> results(jobs.size());
  KEEL_RETURN_IF_ERROR(ParallelFor(ctx.threads(), jobs.size(), [&](size_t i) {
    const Job& job = jobs[i];
    const Column& ref = *job.ref;
    const bool numeric = IsNumericKind(ref.kind());
    const std::string& name = ref.name();
    if (job.cur == nullptr) {
      const uint64_t miss = ref.CountMissing();
      results[i] = AbsentColumn(name, numeric ? ValueKind::kNumeric : ValueKind::kCategorical,
                                ref.size() - miss, miss, current.num_rows(), options.drift);
    } else if (numeric) {
      const std::vector<double> rv = NumericValues(ref);
      std::vector<double> edges = QuantileEdges(rv, options.numeric_bins);
      results[i] =
          CompareNumeric(name, NumericSampleFromValues(rv, edges),
                         NumericSampleFromValues(NumericValues(*job.cur), edges), options.drift);
    } else {
      results[i] = CompareCategorical(name, TextSample(ref), TextSample(*job.cur), options.drift);
    }
    results[i].source_kind = ref.kind();
    results[i].counted = ref.kind() != ColumnKind::kTimestamp;
    if (job.label) results[i].role = ProfileRole::kLabel;
  }));

  std::vector<FeatureDrift> features;
  std::optional<FeatureDrift> label;
  for (FeatureDrift& f : results) {
    if (f.role == ProfileRole::kLabel) {
      label = std::move(f);
    } else {
      features.push_back(std::move(f));
    }
  }
  DriftReport r = Decide(std::move(features), std::nullopt, std::move(label), options.drift);
  r.reference_rows = reference.num_rows();
  r.current_rows = current.num_rows();
  r.skipped = std::move(skipped);
  return r;
}

Result<DriftReport> CompareTableToProfile(const Profile& reference, const Model& model,
                                          const Table& current, std::span<const double> predictions,
                                          const TableDriftOptions& options, const Context& ctx) {
  KEEL_RETURN_IF_ERROR(options.drift.Validate());
  const size_t width = PredictionWidth(model);
  if (!predictions.empty() && predictions.size() != current.num_rows() * width) {
    return Status::InvalidArgument("{} predictions for {} rows of {} values each",
                                   predictions.size(), current.num_rows(), width);
  }
  const ProfileLayout& layout = reference.layout();
  std::vector<FeatureDrift> results(layout.columns.size());
  std::vector<uint8_t> use(layout.columns.size(), 1);
  KEEL_RETURN_IF_ERROR(ParallelFor(ctx.threads(), layout.columns.size(), [&](size_t c) {
    const ColumnSpec& spec = layout.columns[c];
    const ColumnStats& rs = reference.column(c);
    FeatureDrift& f = results[c];
    if (spec.role == ProfileRole::kPrediction) {
      if (predictions.empty()) {
        use[c] = 0;
        return;
      }
      if (spec.kind == ValueKind::kNumeric) {
        std::vector<double> p(current.num_rows());
        for (size_t r = 0; r < p.size(); ++r) p[r] = predictions[r * width];
        f = CompareNumeric(spec.name, NumericSampleFromStats(spec, rs),
                           NumericSampleFromValues(p, spec.edges), options.drift);
      } else {
        std::vector<double> counts(spec.categories().size(), 0.0);
        CategoricalSample cur;
        for (size_t r = 0; r < current.num_rows(); ++r) {
          const double* row = predictions.data() + r * width;
          size_t best = 0;
          for (size_t k = 1; k < width; ++k) {
            if (row[k] > row[best]) best = k;
          }
          if (std::isnan(row[best]) || best >= counts.size()) {
            ++cur.missing;
          } else {
            counts[best] += 1;
          }
        }
        for (size_t k = 0; k < counts.size(); ++k) {
          if (counts[k] > 0) cur.counts.emplace_back(spec.categories()[k], counts[k]);
        }
        f = CompareCategorical(spec.name, CategoricalSampleFromStats(spec, rs), cur, options.drift);
      }
    } else {
      const Column* col = current.Find(spec.name);
      if (col == nullptr) {
        if (spec.role == ProfileRole::kLabel) {
          use[c] = 0;
          return;
        }
        f = AbsentColumn(spec.name, spec.kind, rs.count, rs.missing, current.num_rows(),
                         options.drift);
      } else if (spec.kind == ValueKind::kNumeric) {
        f = CompareNumeric(spec.name, NumericSampleFromStats(spec, rs),
                           NumericSampleFromValues(NumericValues(*col), spec.edges), options.drift);
      } else {
        const CategoricalSample cur =
            spec.role == ProfileRole::kLabel ? LabelSample(*col, model.labels) : TextSample(*col);
        f = CompareCategorical(spec.name, CategoricalSampleFromStats(spec, rs), cur, options.drift);
      }
    }
    f.role = spec.role;
    f.source_kind = spec.source_kind;
    f.counted = spec.source_kind != ColumnKind::kTimestamp;
  }));
  std::vector<FeatureDrift> features;
  std::optional<FeatureDrift> prediction, label;
  for (size_t c = 0; c < results.size(); ++c) {
    if (!use[c]) continue;
    switch (layout.columns[c].role) {
      case ProfileRole::kFeature:
        features.push_back(std::move(results[c]));
        break;
      case ProfileRole::kPrediction:
        prediction = std::move(results[c]);
        break;
      case ProfileRole::kLabel:
        label = std::move(results[c]);
        break;
    }
  }
  DriftReport r =
      Decide(std::move(features), std::move(prediction), std::move(label), options.drift);
  r.reference_rows = reference.rows();
  r.current_rows = current.num_rows();
  for (const FeatureDrift& f : r.features) {
    if (!f.exact) {
      r.notes.push_back(
          "KS and Wasserstein of features with many distinct values use the "
          "reference's quantile sketch (rank error <= " +
          std::to_string(QuantileSketch::RankErrorBound(layout.sketch_k)) + ")");
      break;
    }
  }
  return r;
}

}  // namespace keel::drift
