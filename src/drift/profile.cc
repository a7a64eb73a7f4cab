#include "core/json_number.h"
#include "drift/profile.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "drift/json_count.h"
#include "core/number_format.h"

namespace keel::drift {

std::string_view ProfileRoleName(ProfileRole role) {
  switch (role) {
    case ProfileRole::kFeature: return "feature";
    case ProfileRole::kPrediction: return "prediction";
    case ProfileRole::kLabel: return "label";
  }
  return "feature";
}

std::string_view ValueKindName(ValueKind kind) {
  return kind == ValueKind::kNumeric ? "numeric" : "categorical";
}

namespace {

bool ParseProfileRole(std::string_view s, ProfileRole* r) {
  for (ProfileRole x : {ProfileRole::kFeature, ProfileRole::kPrediction, ProfileRole::kLabel}) {
    if (ProfileRoleName(x) == s) {
      *r = x;
      return true;
    }
  }
  return false;
}

bool ParseValueKind(std::string_view s, ValueKind* k) {
  if (s == "numeric") {
    *k = ValueKind::kNumeric;
  } else if (s == "categorical") {
    *k = ValueKind::kCategorical;
  } else {
    return false;
  }
  return true;
}

size_t UpperBound(const std::vector<double>& edges, double v) {
  return static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), v) - edges.begin());
}

bool StrictlyIncreasing(const std::vector<double>& e) {
  for (size_t i = 0; i < e.size(); ++i) {
    if (!std::isfinite(e[i])) return false;
    if (i > 0 && !(e[i - 1] < e[i])) return false;
  }
  return true;
}

// JSON cannot hold infinities: an empty column's min/max are written as null.

}  // namespace

size_t ColumnSpec::BinOf(double v) const { return UpperBound(edges, v); }

void ColumnSpec::SetCategories(std::vector<std::string> categories) {
  categories_ = std::move(categories);
  index_.clear();
  for (size_t i = 0; i < categories_.size(); ++i) {
    index_.emplace(categories_[i], static_cast<int32_t>(i));
  }
}

int32_t ColumnSpec::CategoryIndex(std::string_view text) const {
  auto it = index_.find(text);
  return it == index_.end() ? -1 : it->second;
}

int32_t GroupSpec::GroupOf(double v) const {
  if (std::isnan(v)) return -1;
  return static_cast<int32_t>(UpperBound(edges, v));
}

int32_t GroupSpec::GroupOf(std::string_view text) const {
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i] == text) return static_cast<int32_t>(i);
  }
  return -1;
}

int32_t ProfileLayout::Find(std::string_view name, ProfileRole role) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name && columns[i].role == role) return static_cast<int32_t>(i);
  }
  return -1;
}

Status ProfileLayout::CheckSameAs(const ProfileLayout& o) const {
  if (columns.size() != o.columns.size()) {
    return Status::FailedPrecondition("profiles have {} and {} columns", columns.size(),
                                      o.columns.size());
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    const ColumnSpec& a = columns[i];
    const ColumnSpec& b = o.columns[i];
    if (a.name != b.name || a.role != b.role || a.kind != b.kind) {
      return Status::FailedPrecondition("profile column {} is '{}' ({} {}) in one and '{}' ({} {})"
                                        " in the other",
                                        i, a.name, ProfileRoleName(a.role), ValueKindName(a.kind),
                                        b.name, ProfileRoleName(b.role), ValueKindName(b.kind));
    }
    if (a.edges != b.edges) {
      return Status::FailedPrecondition("profile column '{}' has different histogram edges", a.name);
    }
    if (a.categories() != b.categories()) {
      return Status::FailedPrecondition("profile column '{}' tracks different categories", a.name);
    }
  }
  if (groups.size() != o.groups.size()) {
    return Status::FailedPrecondition("profiles track {} and {} sensitive attributes",
                                      groups.size(), o.groups.size());
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].attribute != o.groups[i].attribute || groups[i].groups != o.groups[i].groups ||
        groups[i].edges != o.groups[i].edges) {
      return Status::FailedPrecondition("sensitive attribute '{}' has different groups",
                                        groups[i].attribute);
    }
  }
  if (selection_threshold != o.selection_threshold) {
    return Status::FailedPrecondition("profiles use selection thresholds {} and {}",
                                      selection_threshold, o.selection_threshold);
  }
  return Status::OK();
}

double ColumnStats::StdDev() const {
  return count > 0 ? std::sqrt(std::max(m2, 0.0) / static_cast<double>(count)) : 0.0;
}

StepDistribution ColumnStats::Distribution() const {
  if (!exact.overflowed()) return exact.ToDistribution();
  return sketch.ToDistribution();
}

Profile::Profile(std::shared_ptr<const ProfileLayout> layout) : layout_(std::move(layout)) {
  InitColumns();
}

void Profile::InitColumns() {
  columns_.clear();
  columns_.reserve(layout_->columns.size());
  for (const ColumnSpec& spec : layout_->columns) {
    ColumnStats s;
    s.histogram.assign(spec.num_bins(), 0);
    s.sketch = QuantileSketch(layout_->sketch_k);
    s.exact = ValueCounter(layout_->exact_limit);
    s.others = FrequentItems(layout_->others_capacity);
    if (spec.kind == ValueKind::kCategorical) s.exact.MarkOverflowed();
    columns_.push_back(std::move(s));
  }
  groups_.assign(layout_->groups.size(), {});
  for (size_t a = 0; a < layout_->groups.size(); ++a) {
    const size_t k = layout_->groups[a].groups.size();
    groups_[a].rows.assign(k, 0);
    groups_[a].selected.assign(k, 0);
    groups_[a].score_sum.assign(k, 0.0);
  }
}

void Profile::AddNumber(size_t col, double v) {
  assert(col < columns_.size());
  ColumnStats& s = columns_[col];
  if (!std::isfinite(v)) {
    ++s.missing;
    return;
  }
  ++s.count;
  const double delta = v - s.mean;
  s.mean += delta / static_cast<double>(s.count);
  s.m2 += delta * (v - s.mean);
  s.min = std::min(s.min, v);
  s.max = std::max(s.max, v);
  ++s.histogram[layout_->columns[col].BinOf(v)];
  s.sketch.Add(v);
  s.exact.Add(v);
}

void Profile::AddCategory(size_t col, int32_t bin) {
  assert(col < columns_.size());
  ColumnStats& s = columns_[col];
  if (bin < 0) {
    ++s.missing;
    return;
  }
  ++s.count;
  ++s.histogram[static_cast<size_t>(bin)];
}

void Profile::AddCategoryText(size_t col, std::string_view text) {
  const int32_t bin = layout_->columns[col].CategoryIndex(text);
  if (bin >= 0) {
    AddCategory(col, bin);
    return;
  }
  ColumnStats& s = columns_[col];
  ++s.count;
  s.others.Add(text);
}

void Profile::AddGroupRow(size_t attribute, int32_t group, double prediction) {
  if (group < 0) return;
  GroupStats& g = groups_[attribute];
  const auto k = static_cast<size_t>(group);
  if (k >= g.rows.size()) return;
  ++g.rows[k];
  if (!std::isnan(prediction)) {
    g.score_sum[k] += prediction;
    if (prediction >= layout_->selection_threshold) ++g.selected[k];
  }
}

Status Profile::Merge(const Profile& other) {
  if (layout_ != other.layout_) KEEL_RETURN_IF_ERROR(layout_->CheckSameAs(*other.layout_));
  rows_ += other.rows_;
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnStats& a = columns_[c];
    const ColumnStats& b = other.columns_[c];
    if (b.count > 0) {
      // Chan et al.'s pairwise update of the mean and the sum of squared deviations.
      const double na = static_cast<double>(a.count);
      const double nb = static_cast<double>(b.count);
      const double n = na + nb;
      const double delta = b.mean - a.mean;
      a.mean += delta * nb / n;
      a.m2 += b.m2 + delta * delta * na * nb / n;
    }
    a.count += b.count;
    a.missing += b.missing;
    a.min = std::min(a.min, b.min);
    a.max = std::max(a.max, b.max);
    for (size_t i = 0; i < a.histogram.size(); ++i) a.histogram[i] += b.histogram[i];
    a.sketch.Merge(b.sketch);
    a.exact.Merge(b.exact);
    a.others.Merge(b.others);
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    for (size_t i = 0; i < groups_[g].rows.size(); ++i) {
      groups_[g].rows[i] += other.groups_[g].rows[i];
      groups_[g].selected[i] += other.groups_[g].selected[i];
      groups_[g].score_sum[i] += other.groups_[g].score_sum[i];
    }
  }
  probabilities_.Merge(other.probabilities_);
  return Status::OK();
}

nlohmann::json Profile::ToJson() const {
  using nlohmann::json;
  json cols = json::array();
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ColumnSpec& spec = layout_->columns[c];
    const ColumnStats& s = columns_[c];
    json j = {{"name", spec.name},
              {"role", ProfileRoleName(spec.role)},
              {"kind", ValueKindName(spec.kind)},
              {"source_kind", ColumnKindName(spec.source_kind)},
              {"count", s.count},
              {"missing", s.missing},
              {"histogram", s.histogram}};
    if (spec.kind == ValueKind::kNumeric) {
      j["edges"] = spec.edges;
      j["mean"] = s.mean;
      j["m2"] = s.m2;
      j["min"] = JsonNumber(s.min);
      j["max"] = JsonNumber(s.max);
      if (s.exact.overflowed()) {
        j["values"] = nullptr;
      } else {
        json vals = json::array();
        for (const auto& [v, n] : s.exact.Sorted()) vals.push_back(json::array({v, n}));
        j["values"] = std::move(vals);
      }
      j["sketch"] = s.sketch.ToJson();
    } else {
      j["categories"] = spec.categories();
      j["others"] = s.others.ToJson();
    }
    cols.push_back(std::move(j));
  }
  json groups = json::array();
  for (size_t g = 0; g < layout_->groups.size(); ++g) {
    const GroupSpec& spec = layout_->groups[g];
    json j = {{"attribute", spec.attribute},
              {"kind", ValueKindName(spec.kind)},
              {"groups", spec.groups},
              {"rows", groups_[g].rows},
              {"selected", groups_[g].selected},
              {"score_sum", groups_[g].score_sum}};
    if (spec.kind == ValueKind::kNumeric) j["edges"] = spec.edges;
    groups.push_back(std::move(j));
  }
  json out = {{"format", "keel.profile"},
              {"version", 1},
              {"rows", rows_},
              {"sketch_k", layout_->sketch_k},
              {"exact_limit", layout_->exact_limit},
              {"others_capacity", layout_->others_capacity},
              {"selection_threshold", layout_->selection_threshold},
              {"columns", std::move(cols)},
              {"groups", std::move(groups)}};
  if (!probabilities_.empty()) out["probabilities"] = probabilities_.ToJson();
  return out;
}

namespace {

template <typename T>
Status GetField(const nlohmann::json& j, const char* key, std::string_view where, T* out) {
  if (!j.contains(key)) return Status::Corrupt("profile {}: missing field '{}'", where, key);
  const auto& v = j[key];
  if constexpr (std::is_same_v<T, uint64_t> || std::is_same_v<T, uint32_t>) {
    if (!IsCount(v)) {
      return Status::Corrupt("profile {}: '{}' is not a non-negative integer", where, key);
    }
    const uint64_t x = v.get<uint64_t>();
    if constexpr (std::is_same_v<T, uint32_t>) {
      if (x > 0xffffffffULL) return Status::Corrupt("profile {}: '{}' is too large", where, key);
    }
    *out = static_cast<T>(x);
  } else if constexpr (std::is_same_v<T, double>) {
    if (v.is_null()) {
      *out = std::numeric_limits<double>::quiet_NaN();
    } else if (!v.is_number()) {
      return Status::Corrupt("profile {}: '{}' is not a number", where, key);
    } else {
      *out = v.get<double>();
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return Status::Corrupt("profile {}: '{}' is not a string", where, key);
    *out = v.get<std::string>();
  } else {
    static_assert(sizeof(T) == 0, "unsupported field type");
  }
  return Status::OK();
}

Status GetDoubles(const nlohmann::json& j, const char* key, std::string_view where,
                  std::vector<double>* out) {
  if (!j.contains(key) || !j[key].is_array()) {
    return Status::Corrupt("profile {}: '{}' is not an array", where, key);
  }
  out->clear();
  for (const auto& v : j[key]) {
    if (!v.is_number()) return Status::Corrupt("profile {}: '{}' holds a non-number", where, key);
    out->push_back(v.get<double>());
  }
  return Status::OK();
}

Status GetCounts(const nlohmann::json& j, const char* key, std::string_view where,
                 std::vector<uint64_t>* out) {
  if (!j.contains(key) || !j[key].is_array()) {
    return Status::Corrupt("profile {}: '{}' is not an array", where, key);
  }
  out->clear();
  for (const auto& v : j[key]) {
    if (!IsCount(v)) {
      return Status::Corrupt("profile {}: '{}' holds a value that is not a count", where, key);
    }
    out->push_back(v.get<uint64_t>());
  }
  return Status::OK();
}

Status GetStrings(const nlohmann::json& j, const char* key, std::string_view where,
                  std::vector<std::string>* out) {
  if (!j.contains(key) || !j[key].is_array()) {
    return Status::Corrupt("profile {}: '{}' is not an array", where, key);
  }
  out->clear();
  for (const auto& v : j[key]) {
    if (!v.is_string()) return Status::Corrupt("profile {}: '{}' holds a non-string", where, key);
    out->push_back(v.get<std::string>());
  }
  return Status::OK();
}

}  // namespace

Result<Profile> Profile::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::Corrupt("profile: not a JSON object");
  std::string format;
  KEEL_RETURN_IF_ERROR(GetField(j, "format", "header", &format));
  if (format != "keel.profile") return Status::Corrupt("profile: format is '{}', not 'keel.profile'", format);
  uint64_t version = 0;
  KEEL_RETURN_IF_ERROR(GetField(j, "version", "header", &version));
  if (version != 1) return Status::Unsupported("profile version {} (this keel reads version 1)", version);

  auto layout = std::make_shared<ProfileLayout>();
  uint64_t rows = 0;
  KEEL_RETURN_IF_ERROR(GetField(j, "rows", "header", &rows));
  KEEL_RETURN_IF_ERROR(GetField(j, "sketch_k", "header", &layout->sketch_k));
  KEEL_RETURN_IF_ERROR(GetField(j, "exact_limit", "header", &layout->exact_limit));
  KEEL_RETURN_IF_ERROR(GetField(j, "others_capacity", "header", &layout->others_capacity));
  KEEL_RETURN_IF_ERROR(GetField(j, "selection_threshold", "header", &layout->selection_threshold));
  if (!j.contains("columns") || !j["columns"].is_array()) {
    return Status::Corrupt("profile: 'columns' is not an array");
  }
  if (!j.contains("groups") || !j["groups"].is_array()) {
    return Status::Corrupt("profile: 'groups' is not an array");
  }

  std::vector<ColumnStats> loaded;
  for (size_t c = 0; c < j["columns"].size(); ++c) {
    const auto& jc = j["columns"][c];
    const std::string where = fmt::format("column {}", c);
    if (!jc.is_object()) return Status::Corrupt("profile {}: not an object", where);
    ColumnSpec spec;
    std::string role, kind, source;
    KEEL_RETURN_IF_ERROR(GetField(jc, "name", where, &spec.name));
    const std::string named = fmt::format("column '{}'", spec.name);
    KEEL_RETURN_IF_ERROR(GetField(jc, "role", named, &role));
    KEEL_RETURN_IF_ERROR(GetField(jc, "kind", named, &kind));
    KEEL_RETURN_IF_ERROR(GetField(jc, "source_kind", named, &source));
    if (!ParseProfileRole(role, &spec.role)) return Status::Corrupt("profile {}: unknown role '{}'", named, role);
    if (!ParseValueKind(kind, &spec.kind)) return Status::Corrupt("profile {}: unknown kind '{}'", named, kind);
    if (!ParseColumnKind(source, &spec.source_kind)) {
      return Status::Corrupt("profile {}: unknown source kind '{}'", named, source);
    }
    ColumnStats s;
    KEEL_RETURN_IF_ERROR(GetField(jc, "count", named, &s.count));
    KEEL_RETURN_IF_ERROR(GetField(jc, "missing", named, &s.missing));
    KEEL_RETURN_IF_ERROR(GetCounts(jc, "histogram", named, &s.histogram));
    uint64_t hist_total = 0;
    for (uint64_t h : s.histogram) hist_total += h;
    if (spec.kind == ValueKind::kNumeric) {
      KEEL_RETURN_IF_ERROR(GetDoubles(jc, "edges", named, &spec.edges));
      if (!StrictlyIncreasing(spec.edges)) {
        return Status::Corrupt("profile {}: edges are not finite and strictly increasing", named);
      }
      if (s.histogram.size() != spec.edges.size() + 1) {
        return Status::Corrupt("profile {}: {} histogram bins for {} edges", named,
                               s.histogram.size(), spec.edges.size());
      }
      if (hist_total != s.count) {
        return Status::Corrupt("profile {}: histogram holds {} values but count is {}", named,
                               hist_total, s.count);
      }
      KEEL_RETURN_IF_ERROR(GetField(jc, "mean", named, &s.mean));
      KEEL_RETURN_IF_ERROR(GetField(jc, "m2", named, &s.m2));
      KEEL_RETURN_IF_ERROR(GetField(jc, "min", named, &s.min));
      KEEL_RETURN_IF_ERROR(GetField(jc, "max", named, &s.max));
      if (std::isnan(s.min)) s.min = std::numeric_limits<double>::infinity();
      if (std::isnan(s.max)) s.max = -std::numeric_limits<double>::infinity();
      if (!std::isfinite(s.mean) || !std::isfinite(s.m2)) {
        return Status::Corrupt("profile {}: mean or m2 is not finite", named);
      }
      if (!jc.contains("sketch")) return Status::Corrupt("profile {}: missing field 'sketch'", named);
      KEEL_ASSIGN_OR_RETURN(s.sketch, QuantileSketch::FromJson(jc["sketch"], "profile " + named));
      if (s.sketch.count() != s.count) {
        return Status::Corrupt("profile {}: sketch holds {} values but count is {}", named,
                               s.sketch.count(), s.count);
      }
      s.exact = ValueCounter(layout->exact_limit);
      if (!jc.contains("values")) return Status::Corrupt("profile {}: missing field 'values'", named);
      if (jc["values"].is_null()) {
        s.exact.MarkOverflowed();
      } else {
        if (!jc["values"].is_array()) return Status::Corrupt("profile {}: 'values' is not an array", named);
        uint64_t total = 0;
        for (const auto& vc : jc["values"]) {
          if (!vc.is_array() || vc.size() != 2 || !vc[0].is_number() ||
              !IsCount(vc[1]) || !std::isfinite(vc[0].get<double>())) {
            return Status::Corrupt("profile {}: a 'values' entry is not [value, count]", named);
          }
          s.exact.Add(vc[0].get<double>(), vc[1].get<uint64_t>());
          total += vc[1].get<uint64_t>();
        }
        if (s.exact.overflowed() || total != s.count) {
          return Status::Corrupt("profile {}: exact value counts do not match count {}", named, s.count);
        }
      }
    } else {
      std::vector<std::string> cats;
      KEEL_RETURN_IF_ERROR(GetStrings(jc, "categories", named, &cats));
      if (s.histogram.size() != cats.size()) {
        return Status::Corrupt("profile {}: {} counts for {} categories", named, s.histogram.size(),
                               cats.size());
      }
      spec.SetCategories(std::move(cats));
      if (!jc.contains("others")) return Status::Corrupt("profile {}: missing field 'others'", named);
      KEEL_ASSIGN_OR_RETURN(s.others, FrequentItems::FromJson(jc["others"], "profile " + named));
      if (hist_total + s.others.total() != s.count) {
        return Status::Corrupt("profile {}: category counts add up to {} but count is {}", named,
                               hist_total + s.others.total(), s.count);
      }
      s.exact = ValueCounter(0);
      s.exact.MarkOverflowed();
    }
    layout->columns.push_back(std::move(spec));
    loaded.push_back(std::move(s));
  }

  std::vector<GroupStats> gstats;
  for (size_t g = 0; g < j["groups"].size(); ++g) {
    const auto& jg = j["groups"][g];
    const std::string where = fmt::format("group {}", g);
    if (!jg.is_object()) return Status::Corrupt("profile {}: not an object", where);
    GroupSpec spec;
    std::string kind;
    KEEL_RETURN_IF_ERROR(GetField(jg, "attribute", where, &spec.attribute));
    KEEL_RETURN_IF_ERROR(GetField(jg, "kind", where, &kind));
    if (!ParseValueKind(kind, &spec.kind)) return Status::Corrupt("profile {}: unknown kind '{}'", where, kind);
    KEEL_RETURN_IF_ERROR(GetStrings(jg, "groups", where, &spec.groups));
    if (spec.kind == ValueKind::kNumeric) {
      KEEL_RETURN_IF_ERROR(GetDoubles(jg, "edges", where, &spec.edges));
      if (!StrictlyIncreasing(spec.edges) || spec.groups.size() != spec.edges.size() + 1) {
        return Status::Corrupt("profile {}: edges do not match its {} groups", where, spec.groups.size());
      }
    }
    GroupStats gs;
    KEEL_RETURN_IF_ERROR(GetCounts(jg, "rows", where, &gs.rows));
    KEEL_RETURN_IF_ERROR(GetCounts(jg, "selected", where, &gs.selected));
    KEEL_RETURN_IF_ERROR(GetDoubles(jg, "score_sum", where, &gs.score_sum));
    const size_t k = spec.groups.size();
    if (gs.rows.size() != k || gs.selected.size() != k || gs.score_sum.size() != k) {
      return Status::Corrupt("profile {}: per-group arrays do not have {} entries", where, k);
    }
    layout->groups.push_back(std::move(spec));
    gstats.push_back(std::move(gs));
  }

  Profile p(layout);
  p.rows_ = rows;
  for (size_t c = 0; c < loaded.size(); ++c) p.columns_[c] = std::move(loaded[c]);
  p.groups_ = std::move(gstats);
  if (auto it = j.find("probabilities"); it != j.end()) {
    auto bins = ProbabilityBins::FromJson(*it);
    if (!bins.ok()) return Status::Corrupt("profile: {}", bins.status().message());
    p.probabilities_ = std::move(*bins);
  }
  return p;
}

std::vector<double> QuantileEdges(std::span<const double> values, uint32_t bins) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::vector<double> edges;
  if (sorted.empty() || bins < 2) return edges;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> distinct;
  for (double v : sorted) {
    if (distinct.empty() || distinct.back() != v) {
      distinct.push_back(v);
      if (distinct.size() > bins) break;
    }
  }
  if (distinct.size() <= bins) {
    edges.assign(distinct.begin() + 1, distinct.end());
    return edges;
  }
  const size_t n = sorted.size();
  for (uint32_t i = 1; i < bins; ++i) {
    const double e = sorted[static_cast<size_t>(static_cast<uint64_t>(i) * n / bins)];
    if (e > sorted.front() && (edges.empty() || e > edges.back())) edges.push_back(e);
  }
  return edges;
}

}  // namespace keel::drift
