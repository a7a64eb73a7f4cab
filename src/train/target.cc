#include "train/target.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "core/nearest_name.h"
#include "core/number_format.h"
#include "train/objective.h"

namespace keel {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string Normalise(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ParseNumber(std::string_view s, double* v) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size() && std::isfinite(*v);
}

// The distinct raw values of the target: per row an index into `texts` (-1 = missing), and
// per text its numeric value when the column is numeric or boolean.
struct RawTarget {
  std::vector<int32_t> key;
  std::vector<std::string> texts;
  std::vector<double> numbers;  // NaN when the text is not a number
  bool numeric_column = false;
};

Result<RawTarget> ReadRaw(const Column& col) {
  RawTarget raw;
  const size_t n = col.size();
  raw.key.assign(n, -1);
  switch (col.kind()) {
    case ColumnKind::kCategorical: {
      const auto codes = col.codes();
      raw.texts = col.dictionary();
      for (size_t r = 0; r < n; ++r) raw.key[r] = codes[r] < 0 ? -1 : codes[r];
      raw.numbers.resize(raw.texts.size());
      for (size_t i = 0; i < raw.texts.size(); ++i) {
        if (!ParseNumber(raw.texts[i], &raw.numbers[i])) raw.numbers[i] = kNaN;
      }
      break;
    }
    case ColumnKind::kBoolean: {
      const auto b = col.booleans();
      raw.texts = {"false", "true"};
      raw.numbers = {0.0, 1.0};
      raw.numeric_column = true;
      for (size_t r = 0; r < n; ++r) raw.key[r] = b[r] < 0 ? -1 : (b[r] != 0 ? 1 : 0);
      break;
    }
    case ColumnKind::kNumeric: {
      const auto v = col.numeric();
      raw.numeric_column = true;
      std::unordered_map<double, int32_t> index;
      for (size_t r = 0; r < n; ++r) {
        if (std::isnan(v[r])) continue;
        const double x = v[r] == 0.0 ? 0.0 : v[r];
        auto [it, added] = index.emplace(x, static_cast<int32_t>(raw.texts.size()));
        if (added) {
          raw.texts.push_back(FormatDouble(x));
          raw.numbers.push_back(x);
        }
        raw.key[r] = it->second;
      }
      break;
    }
    case ColumnKind::kString: {
      const auto& s = col.strings();
      std::unordered_map<std::string_view, int32_t> index;
      for (size_t r = 0; r < n; ++r) {
        if (col.IsMissing(r)) continue;
        auto [it, added] = index.emplace(s[r], static_cast<int32_t>(raw.texts.size()));
        if (added) raw.texts.push_back(s[r]);
        raw.key[r] = it->second;
      }
      raw.numbers.resize(raw.texts.size());
      for (size_t i = 0; i < raw.texts.size(); ++i) {
        if (!ParseNumber(raw.texts[i], &raw.numbers[i])) raw.numbers[i] = kNaN;
      }
      break;
    }
    case ColumnKind::kTimestamp:
      return Status::InvalidArgument(
          "target column '{}' holds timestamps, which are not a label or a value to predict",
          col.name());
  }
  return raw;
}

}  // namespace

Result<TargetInfo> ReadTarget(const Table& table, const Schema& schema,
                              const TargetOptions& options) {
  const Column* col = table.Find(options.column);
  if (col == nullptr) {
    std::string names;
    for (size_t i = 0; i < table.num_columns() && i < 30; ++i) {
      names += (i ? ", " : "") + table.column(i).name();
    }
    return Status::NotFound("the data has no target column '{}' (columns: {}){}", options.column,
                            names, DidYouMean(options.column, table.columns(), &Column::name));
  }
  KEEL_ASSIGN_OR_RETURN(RawTarget raw, ReadRaw(*col));
  const size_t n = table.num_rows();
  std::vector<uint64_t> key_count(raw.texts.size(), 0);
  TargetInfo info;
  for (size_t r = 0; r < n; ++r) {
    if (raw.key[r] < 0) {
      ++info.missing;
    } else {
      ++key_count[static_cast<size_t>(raw.key[r])];
    }
  }
  if (info.missing == n) {
    return Status::InvalidArgument("target column '{}' has no values: all {} rows are missing",
                                   options.column, n);
  }
  // First row of each raw value, to point at it in messages.
  std::vector<size_t> first_row(raw.texts.size(), n);
  for (size_t r = 0; r < n; ++r) {
    if (raw.key[r] >= 0 && first_row[static_cast<size_t>(raw.key[r])] == n) {
      first_row[static_cast<size_t>(raw.key[r])] = r;
    }
  }

  // Distinct labels up to case and surrounding spaces.
  std::map<std::string, uint64_t> norm_count;
  for (size_t i = 0; i < raw.texts.size(); ++i) {
    if (key_count[i] > 0) norm_count[Normalise(raw.texts[i])] += key_count[i];
  }
  const size_t distinct = norm_count.size();

  std::string task = options.task;
  // A regression loss names the task: a 0/1 count column is not a binary target under poisson.
  if (task == "auto" && options.objective != "auto") task = "regression";
  if (task == "auto") {
    if (distinct == 2) {
      task = "binary";
    } else if (raw.numeric_column) {
      task = "regression";
    } else {
      task = "multiclass";
    }
  }

  if (task == "regression") {
    info.task = Task::kRegression;
    if (options.objective == "absolute") {
      info.objective = Objective::kAbsoluteError;
    } else if (options.objective == "huber") {
      info.objective = Objective::kHuber;
    } else if (options.objective == "quantile") {
      info.objective = Objective::kQuantile;
    } else if (options.objective == "poisson") {
      info.objective = Objective::kPoisson;
    } else if (options.objective == "gamma") {
      info.objective = Objective::kGamma;
    } else if (options.objective == "tweedie") {
      info.objective = Objective::kTweedie;
    } else {
      info.objective = Objective::kSquaredError;
    }
    info.num_outputs = 1;
    for (size_t i = 0; i < raw.texts.size(); ++i) {
      if (key_count[i] > 0 && std::isnan(raw.numbers[i])) {
        return Status::InvalidArgument(
            "regression target '{}' is not numeric: value '{}' on line {} is not a number",
            options.column, raw.texts[i], table.SourceLine(first_row[i]));
      }
    }
    if (distinct < 2) {
      return Status::InvalidArgument(
          "regression target '{}' is constant ({} in every row): there is nothing to learn",
          options.column, norm_count.begin()->first);
    }
    info.label.assign(n, kNaN);
    for (size_t r = 0; r < n; ++r) {
      if (raw.key[r] < 0) continue;
      info.label[r] = raw.numbers[static_cast<size_t>(raw.key[r])];
      info.rows.push_back(static_cast<uint32_t>(r));
    }
    std::vector<double> values(info.rows.size());
    for (size_t i = 0; i < info.rows.size(); ++i) values[i] = info.label[info.rows[i]];
    if (const auto bad = CheckLabels(info.objective, values)) {
      if (bad->row == values.size()) {
        return Status::InvalidArgument("target '{}': {}", options.column, bad->reason);
      }
      return Status::InvalidArgument("target '{}': value {} on line {}: {}", options.column,
                                     FormatDouble(values[bad->row]),
                                     table.SourceLine(info.rows[bad->row]), bad->reason);
    }
    if (!options.positive.empty()) {
      return Status::InvalidArgument(
          "--positive applies to classification; target '{}' is "
          "a regression target",
          options.column);
    }
    return info;
  }

  // Classification.
  if (options.objective != "auto") {
    return Status::InvalidArgument("objective '{}' is for regression; target '{}' is a {} target",
                                   options.objective, options.column, task);
  }
  if (distinct < 2) {
    return Status::InvalidArgument(
        "target '{}' has a single class ('{}' in all {} rows with a value): a classifier "
        "needs at least two",
        options.column, norm_count.begin()->first, n - info.missing);
  }

  LabelMapping mapping;
  if (!schema.labels.empty()) {
    mapping = schema.labels;
  } else {
    // One class per normalised label, named by its most frequent spelling.
    std::map<std::string, std::pair<uint64_t, std::string>> spelling;
    for (size_t i = 0; i < raw.texts.size(); ++i) {
      if (key_count[i] == 0) continue;
      auto& s = spelling[Normalise(raw.texts[i])];
      if (key_count[i] > s.first) s = {key_count[i], raw.texts[i]};
    }
    std::vector<std::pair<std::string, uint64_t>> classes;  // name, rows
    for (const auto& [norm, s] : spelling) classes.emplace_back(s.second, norm_count[norm]);
    if (raw.numeric_column) {
      std::sort(classes.begin(), classes.end(), [](const auto& a, const auto& b) {
        double x = 0, y = 0;
        ParseNumber(a.first, &x);
        ParseNumber(b.first, &y);
        return x < y;
      });
    }
    if (task == "binary" && classes.size() == 2 && options.positive.empty() &&
        classes[1].second > classes[0].second) {
      std::swap(classes[0], classes[1]);  // the minority class is positive
    }
    for (auto& c : classes) mapping.classes.push_back(c.first);
  }

  if (task == "binary") {
    if (mapping.classes.size() != 2) {
      return Status::InvalidArgument(
          "target '{}' has {} classes; a binary task needs exactly two (use --task multiclass)",
          options.column, mapping.classes.size());
    }
    if (!options.positive.empty()) {
      LabelMapping probe = mapping;
      const int32_t c = probe.ClassOf(options.positive);
      if (c < 0) {
        return Status::InvalidArgument(
            "positive class '{}' is not a value of target '{}' (its classes: '{}', '{}')",
            options.positive, options.column, mapping.classes[0], mapping.classes[1]);
      }
      if (c == 0) std::swap(mapping.classes[0], mapping.classes[1]);
    }
    info.task = Task::kBinary;
    info.objective = Objective::kBinaryLogistic;
    info.num_outputs = 1;
  } else {
    if (!options.positive.empty()) {
      return Status::InvalidArgument(
          "--positive applies to binary targets; target '{}' has {} classes", options.column,
          mapping.classes.size());
    }
    info.task = Task::kMulticlass;
    info.objective = Objective::kMultiSoftmax;
    info.num_outputs = static_cast<int>(mapping.classes.size());
  }

  std::vector<int32_t> class_of_key(raw.texts.size(), -1);
  for (size_t i = 0; i < raw.texts.size(); ++i) {
    if (key_count[i] == 0) continue;
    class_of_key[i] = mapping.ClassOf(raw.texts[i]);
    if (class_of_key[i] < 0) {
      std::string list;
      for (const auto& c : mapping.classes) list += (list.empty() ? "'" : ", '") + c + "'";
      return Status::InvalidArgument(
          "target '{}' value '{}' on line {} is not one of the label mapping's classes ({})",
          options.column, raw.texts[i], table.SourceLine(first_row[i]), list);
    }
  }
  info.labels = std::move(mapping);
  info.class_counts.assign(info.labels.classes.size(), 0);
  info.label.assign(n, kNaN);
  for (size_t r = 0; r < n; ++r) {
    if (raw.key[r] < 0) continue;
    const int32_t c = class_of_key[static_cast<size_t>(raw.key[r])];
    info.label[r] = c;
    ++info.class_counts[static_cast<size_t>(c)];
    info.rows.push_back(static_cast<uint32_t>(r));
  }
  if (info.task == Task::kBinary && (info.class_counts[0] == 0 || info.class_counts[1] == 0)) {
    return Status::InvalidArgument(
        "target '{}' has a single class after label mapping ('{}'): a classifier needs at "
        "least two",
        options.column, info.labels.classes[info.class_counts[0] == 0 ? 1 : 0]);
  }
  return info;
}

}  // namespace keel
