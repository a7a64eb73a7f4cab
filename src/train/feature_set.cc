#include "train/feature_set.h"

#include <algorithm>
#include <cmath>

#include "core/nearest_name.h"

namespace keel {

std::string FeatureExclusionReason(const Column& col, const Schema& schema,
                                   const FeatureOptions& options) {
  if (col.name() == options.target) return "target";
  if (!options.weight_column.empty() && col.name() == options.weight_column) return "weight";
  if (std::find(options.exclude.begin(), options.exclude.end(), col.name()) !=
      options.exclude.end()) {
    return "excluded by --exclude";
  }
  if (const ColumnSchema* cs = schema.Find(col.name()); cs != nullptr) {
    if (cs->role == Role::kSensitive) {
      if (!options.include_sensitive) {
        return "role sensitive (use --include-sensitive to train on it)";
      }
    } else if (cs->role != Role::kFeature) {
      return "role " + std::string(RoleName(cs->role));
    }
  }
  if (col.kind() == ColumnKind::kTimestamp) {
    return "timestamp column (a time, not a feature: derive features such as hour or day "
           "from it first; use it with --split time:COLUMN)";
  }
  if (col.kind() == ColumnKind::kString) {
    return "text column (ids and free text are not features; declare it categorical to use "
           "it)";
  }
  return "";
}

Result<FeatureSet> BuildFeatures(const Table& table, const Schema& schema,
                                 const FeatureOptions& options,
                                 std::span<const uint32_t> train_rows) {
  for (const std::string& name : options.exclude) {
    if (table.Find(name) == nullptr) {
      return Status::NotFound("--exclude names column '{}', which the data does not have{}", name,
                              DidYouMean(name, table.columns(), &Column::name));
    }
  }
  FeatureSet set;
  const size_t n = table.num_rows();
  for (const Column& col : table.columns()) {
    std::string reason = FeatureExclusionReason(col, schema, options);
    if (!reason.empty()) {
      if (reason != "target") set.excluded.push_back({col.name(), std::move(reason)});
      continue;
    }
    FeatureSpec spec;
    spec.name = col.name();
    spec.source_kind = col.kind();
    RawFeature raw;
    if (col.kind() == ColumnKind::kCategorical) {
      spec.kind = FeatureSpec::Kind::kCategorical;
      raw.categorical = true;
      const auto codes = col.codes();
      const auto& dict = col.dictionary();
      std::vector<uint8_t> seen(dict.size(), 0);
      for (uint32_t r : train_rows) {
        if (codes[r] >= 0) seen[static_cast<size_t>(codes[r])] = 1;
      }
      std::vector<int32_t> model_code(dict.size(), -1);
      for (size_t i = 0; i < dict.size(); ++i) {
        if (!seen[i]) continue;
        model_code[i] = static_cast<int32_t>(spec.categories.size());
        spec.categories.push_back(dict[i]);
      }
      raw.num_codes = static_cast<int32_t>(spec.categories.size());
      raw.codes.resize(n);
      for (size_t r = 0; r < n; ++r) {
        raw.codes[r] = codes[r] < 0 ? -1 : model_code[static_cast<size_t>(codes[r])];
      }
    } else {
      spec.kind = FeatureSpec::Kind::kNumeric;
      raw.values.resize(n);
      if (col.kind() == ColumnKind::kNumeric) {
        const auto v = col.numeric();
        for (size_t r = 0; r < n; ++r) raw.values[r] = static_cast<float>(v[r]);
      } else {
        for (size_t r = 0; r < n; ++r) raw.values[r] = static_cast<float>(col.AsDouble(r));
      }
    }
    // A feature the training rows hold no value, or a single value and no missing, of
    // cannot split; it is left out of the model rather than carried as dead weight.
    size_t missing = 0;
    bool varies = false;
    bool have_first = false;
    float first_v = 0;
    int32_t first_c = 0;
    for (uint32_t r : train_rows) {
      if (raw.categorical) {
        const int32_t c = raw.codes[r];
        if (c < 0) {
          ++missing;
        } else if (!have_first) {
          have_first = true;
          first_c = c;
        } else if (c != first_c) {
          varies = true;
        }
      } else {
        const float v = raw.values[r];
        if (std::isnan(v)) {
          ++missing;
        } else if (!have_first) {
          have_first = true;
          first_v = v;
        } else if (v != first_v) {
          varies = true;
        }
      }
    }
    if (!have_first) {
      set.excluded.push_back({col.name(), "all values missing in the training rows"});
      continue;
    }
    if (!varies && missing == 0) {
      set.excluded.push_back({col.name(), "constant in the training rows"});
      continue;
    }
    set.specs.push_back(std::move(spec));
    set.raw.push_back(std::move(raw));
  }
  if (set.specs.empty()) {
    std::string list;
    for (const auto& e : set.excluded) {
      list += (list.empty() ? "" : "; ") + e.name + ": " + e.reason;
    }
    return Status::InvalidArgument("no usable feature columns besides target '{}' ({})",
                                   options.target,
                                   list.empty() ? "the data has no other column" : list);
  }
  return set;
}

}  // namespace keel
