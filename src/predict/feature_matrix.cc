#include "predict/feature_matrix.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "core/nearest_name.h"
#include "core/number_format.h"
#include "core/parallel.h"

namespace keel {
namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Parses a whole string as a number (spaces and a leading '+' allowed); NaN otherwise.
double ParseNumber(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return v;
}

}  // namespace

int32_t CategoryCode(const FeatureSpec& feature, std::string_view text) {
  const auto& cats = feature.categories;
  for (size_t i = 0; i < cats.size(); ++i) {
    if (cats[i] == text) return static_cast<int32_t>(i);
  }
  for (size_t i = 0; i < cats.size(); ++i) {
    if (EqualsIgnoreCase(cats[i], text)) return static_cast<int32_t>(i);
  }
  return -1;
}

double EncodeText(const FeatureSpec& feature, std::string_view text) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (feature.kind != FeatureSpec::Kind::kCategorical) return ParseNumber(text);
  if (feature.categories.empty()) {
    // A code-taking model: the text must be an integer code.
    const double v = ParseNumber(text);
    return (std::isfinite(v) && v >= 0 && v == std::floor(v) && v < 2147483647.0) ? v : kNaN;
  }
  const int32_t code = CategoryCode(feature, text);
  return code < 0 ? kNaN : static_cast<double>(code);
}

std::vector<int32_t> MapDictionary(const FeatureSpec& feature,
                                   const std::vector<std::string>& dictionary) {
  std::unordered_map<std::string_view, int32_t> exact;
  std::unordered_map<std::string, int32_t> folded;
  for (size_t i = 0; i < feature.categories.size(); ++i) {
    exact.emplace(feature.categories[i], static_cast<int32_t>(i));
    std::string low(feature.categories[i]);
    for (char& c : low) c = Lower(c);
    folded.emplace(std::move(low), static_cast<int32_t>(i));
  }
  std::vector<int32_t> out(dictionary.size(), -1);
  for (size_t i = 0; i < dictionary.size(); ++i) {
    if (auto it = exact.find(dictionary[i]); it != exact.end()) {
      out[i] = it->second;
      continue;
    }
    std::string low(dictionary[i]);
    for (char& c : low) c = Lower(c);
    if (auto it = folded.find(low); it != folded.end()) out[i] = it->second;
  }
  return out;
}

Result<FeatureMatrix> EncodeFeatures(const Model& model, const Table& table,
                                     const EncodeOptions& options, EncodeStats* stats) {
  const size_t nf = model.features.size();
  FeatureMatrix m;
  m.rows = table.num_rows();
  m.cols = nf;
  m.values.assign(m.rows * nf, kNaNf);
  const bool doubles = model.input_precision == InputPrecision::kFloat64;
  if (doubles) m.values64.assign(m.rows * nf, std::numeric_limits<double>::quiet_NaN());
  if (stats != nullptr) {
    stats->unseen.assign(nf, 0);
    stats->missing.assign(nf, 0);
    stats->absent.clear();
  }
  std::vector<const Column*> cols(nf, nullptr);
  for (size_t f = 0; f < nf; ++f) {
    cols[f] = table.Find(model.features[f].name);
    if (cols[f] == nullptr) {
      if (!options.allow_absent_columns) {
        return Status::NotFound("the data has no column '{}', which the model uses as a feature{}",
                                model.features[f].name,
                                DidYouMean(model.features[f].name, table.columns(), &Column::name));
      }
      if (stats != nullptr) stats->absent.push_back(model.features[f].name);
    }
  }

  // One column at a time: each feature's conversion is decided once, then runs straight.
  Status st = ParallelFor(options.threads, nf, [&](size_t f) {
    const Column* col = cols[f];
    if (col == nullptr) {
      if (stats != nullptr) stats->missing[f] = m.rows;
      return;
    }
    if (m.rows == 0) return;  // no values to point into (data() is null)
    const FeatureSpec& spec = model.features[f];
    uint64_t unseen = 0;
    float* out = m.values.data() + f;
    double* out64 = doubles ? m.values64.data() + f : nullptr;
    const size_t stride = nf;
    auto put = [&](size_t r, double v) {
      out[r * stride] = static_cast<float>(v);
      if (out64 != nullptr) out64[r * stride] = v;
    };

    if (spec.kind == FeatureSpec::Kind::kCategorical && col->kind() == ColumnKind::kCategorical) {
      // Each dictionary entry's code, decided once.
      const auto& dict = col->dictionary();
      std::vector<double> map(dict.size(), std::numeric_limits<double>::quiet_NaN());
      if (spec.categories.empty()) {
        for (size_t i = 0; i < map.size(); ++i) map[i] = EncodeText(spec, dict[i]);
      } else {
        const std::vector<int32_t> codes = MapDictionary(spec, dict);
        for (size_t i = 0; i < map.size(); ++i) {
          if (codes[i] >= 0) map[i] = static_cast<double>(codes[i]);
        }
      }
      const auto codes = col->codes();
      for (size_t r = 0; r < m.rows; ++r) {
        const int32_t c = codes[r];
        if (c == kMissingCode) continue;
        const double v = map[static_cast<size_t>(c)];
        if (std::isnan(v)) {
          ++unseen;
          continue;
        }
        put(r, v);
      }
    } else if (spec.kind == FeatureSpec::Kind::kCategorical) {
      // Numeric, boolean or timestamp data for a categorical feature; each distinct value's
      // code decided once (a code-taking model reads the numbers as codes: no lookup).
      const bool codes_only = spec.categories.empty();
      std::unordered_map<double, double> cache;
      for (size_t r = 0; r < m.rows; ++r) {
        const double v = col->AsDouble(r);
        if (std::isnan(v)) continue;
        if (codes_only) {
          put(r, v);
          continue;
        }
        auto it = cache.find(v);
        if (it == cache.end()) {
          it = cache.emplace(v, EncodeValue(spec, v, [&] { return col->CellText(r); })).first;
        }
        if (std::isnan(it->second)) {
          ++unseen;
        } else {
          put(r, it->second);
        }
      }
    } else if (col->kind() == ColumnKind::kCategorical) {
      // Categorical data for a numeric feature: category texts that are numbers.
      std::vector<double> map(col->dictionary().size());
      for (size_t i = 0; i < map.size(); ++i) map[i] = EncodeText(spec, col->dictionary()[i]);
      const auto codes = col->codes();
      for (size_t r = 0; r < m.rows; ++r) {
        if (codes[r] != kMissingCode) put(r, map[static_cast<size_t>(codes[r])]);
      }
    } else if (col->kind() == ColumnKind::kNumeric) {
      const auto vals = col->numeric();
      for (size_t r = 0; r < m.rows; ++r) put(r, vals[r]);
    } else {
      for (size_t r = 0; r < m.rows; ++r) put(r, col->AsDouble(r));
    }
    if (stats != nullptr) {
      stats->unseen[f] = unseen;
      uint64_t miss = 0;
      for (size_t r = 0; r < m.rows; ++r) miss += std::isnan(out[r * stride]) ? 1 : 0;
      stats->missing[f] = miss - unseen;
    }
  });
  KEEL_RETURN_IF_ERROR(st);
  return m;
}

}  // namespace keel
